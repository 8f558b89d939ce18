"""One-time form keys (the double-submit guard) are purged once they are a week old: a plain
function, run daily by beat, deleting by an indexed timestamp."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from claims import services, tasks
from claims.models import FormSubmission

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _key(user, key, age_days):
    return FormSubmission.objects.create(user=user, key=key, created_at=timezone.now() - timedelta(days=age_days))


def test_keys_older_than_the_keep_period_are_purged_and_recent_ones_kept(monkeypatch):
    user = UserFactory()
    old = [_key(user, f"old{i}", settings.FORM_SUBMISSION_KEEP_DAYS + 1) for i in range(7)]
    recent = _key(user, "recent", settings.FORM_SUBMISSION_KEEP_DAYS - 1)
    monkeypatch.setattr(services, "PURGE_BATCH", 3)  # several batches
    assert services.purge_form_submissions() == len(old)
    assert list(FormSubmission.objects.values_list("key", flat=True)) == [recent.key]


def test_a_recent_key_still_guards_its_form_after_a_purge():
    user = UserFactory()
    made = []

    def create():
        made.append(UserFactory())
        return made[-1]

    key = "a" * 32
    services.submit_once(user=user, key=key, create=create)
    services.purge_form_submissions()
    obj, created = services.submit_once(user=user, key=key, create=create)
    assert not created and obj == made[0] and len(made) == 1


def test_the_task_runs_the_purge_and_beat_schedules_it_daily():
    _key(UserFactory(), "old", settings.FORM_SUBMISSION_KEEP_DAYS + 2)
    tasks.purge_form_submissions()
    assert not FormSubmission.objects.exists()
    entry = settings.CELERY_BEAT_SCHEDULE["purge-form-submissions"]
    assert entry["task"] == "claims.tasks.purge_form_submissions" and entry["schedule"] <= 24 * 3600


def test_the_purge_reads_an_index_on_the_timestamp():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, FormSubmission._meta.db_table)
    assert any(c["index"] and c["columns"] == ["created_at"] for c in constraints.values())
