"""Rows that only matter for a while are purged once old (claims/purging.py, daily by beat):
one-time form keys, sent or dropped notification emails, delivered or given-up webhook
deliveries. What is still owed (an unsent email, a delivery being retried) stays, however old;
deletes go in batches and read an index on the timestamp."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from claims import purging, services, tasks
from claims.models import FeedItem, FormSubmission, Notification, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .factories import DisputeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _ago(days: float):
    return timezone.now() - timedelta(days=days)


def _key(user, key, age_days):
    return FormSubmission.objects.create(user=user, key=key, created_at=_ago(age_days))


@pytest.fixture
def items():
    dispute = DisputeFactory()
    return [FeedItem.objects.create(dispute=dispute, kind="claim", title=f"Item {i}") for i in range(4)]


def test_keys_older_than_the_keep_period_are_purged_and_recent_ones_kept(monkeypatch):
    user = UserFactory()
    old = [_key(user, f"old{i}", settings.FORM_SUBMISSION_KEEP_DAYS + 1) for i in range(7)]
    recent = _key(user, "recent", settings.FORM_SUBMISSION_KEEP_DAYS - 1)
    monkeypatch.setattr(purging, "BATCH", 3)  # several batches
    assert purging.purge_old_rows()["form submission keys"] == len(old)
    assert list(FormSubmission.objects.values_list("key", flat=True)) == [recent.key]


def test_a_recent_key_still_guards_its_form_after_a_purge():
    user = UserFactory()
    made = []

    def create():
        made.append(UserFactory())
        return made[-1]

    key = "a" * 32
    services.submit_once(user=user, key=key, create=create)
    purging.purge_old_rows()
    obj, created = services.submit_once(user=user, key=key, create=create)
    assert not created and obj == made[0] and len(made) == 1


def test_sent_and_dropped_emails_go_once_old_and_an_unsent_one_stays_however_old(items):
    user, old = UserFactory(), settings.NOTIFICATION_KEEP_DAYS + 1
    sent = Notification.objects.create(user=user, feed_item=items[0], created_at=_ago(old), sent_at=_ago(old))
    dropped = Notification.objects.create(
        user=user, feed_item=items[1], created_at=_ago(old), sent_at=_ago(old), dropped=True
    )
    owed = Notification.objects.create(user=user, feed_item=items[2], created_at=_ago(old), attempts=9)
    recent = Notification.objects.create(user=user, feed_item=items[3], created_at=_ago(1), sent_at=_ago(1))
    assert purging.purge_old_rows()["notifications sent or dropped"] == 2
    assert set(Notification.objects.values_list("pk", flat=True)) == {owed.pk, recent.pk}
    assert not Notification.objects.filter(pk__in=[sent.pk, dropped.pk]).exists()


def test_finished_webhook_deliveries_go_with_their_attempts_and_pending_ones_stay(items):
    endpoint = WebhookEndpoint.objects.create(name="CMS", url="https://cms.example.org/hook")
    old, state = _ago(settings.WEBHOOK_LOG_KEEP_DAYS + 1), WebhookDelivery.State
    delivered = WebhookDelivery.objects.create(
        endpoint=endpoint, feed_item=items[0], state=state.DELIVERED, created_at=old
    )
    WebhookAttempt.objects.create(delivery=delivered, status_code=200)
    failed = WebhookDelivery.objects.create(endpoint=endpoint, feed_item=items[1], state=state.FAILED, created_at=old)
    pending = WebhookDelivery.objects.create(endpoint=endpoint, feed_item=items[2], state=state.PENDING, created_at=old)
    recent = WebhookDelivery.objects.create(endpoint=endpoint, feed_item=items[3], state=state.DELIVERED)
    assert purging.purge_old_rows()["webhook deliveries delivered or given up"] == 2
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}
    assert not WebhookAttempt.objects.filter(delivery_id__in=[delivered.pk, failed.pk]).exists()


def test_a_shorter_keep_setting_purges_sooner(settings, items):
    user = UserFactory()
    Notification.objects.create(user=user, feed_item=items[0], created_at=_ago(3), sent_at=_ago(3))
    assert purging.purge_old_rows()["notifications sent or dropped"] == 0
    settings.NOTIFICATION_KEEP_DAYS = 2
    assert purging.purge_old_rows()["notifications sent or dropped"] == 1


def test_the_task_runs_the_purges_and_beat_schedules_it_daily():
    _key(UserFactory(), "old", settings.FORM_SUBMISSION_KEEP_DAYS + 2)
    tasks.purge_old_rows()
    assert not FormSubmission.objects.exists()
    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-rows"]
    assert entry["task"] == "claims.tasks.purge_old_rows" and entry["schedule"] <= 24 * 3600


@pytest.mark.parametrize("model", [FormSubmission, Notification, WebhookDelivery])
def test_each_purge_reads_an_index_on_the_timestamp(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert any(c["index"] and c["columns"] == ["created_at"] for c in constraints.values()), model
