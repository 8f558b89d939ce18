"""Queue a check when a Source is created or its URL changes (connected in ``ClaimsConfig.ready``).

The job row is written in the same transaction as the source; the broker wake-up is
sent by ``job_request`` through ``transaction.on_commit``. If the broker is down the
request still succeeds at once and the sweeper sends the wake-up later.
"""

from __future__ import annotations

from claims.models import CheckJob, Source

from .jobs import job_request


def remember_url(sender, instance: Source, **kwargs) -> None:
    """post_init: keep the URL as loaded, to tell a URL change from other edits (no query)."""
    # Read from __dict__: a deferred url (``.only(...)``) must not cost a query here.
    instance._checker_loaded_url = instance.__dict__.get("url") if instance.pk else None


def queue_check_on_save(sender, instance: Source, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save: a new source, or a new URL, gets a check at once."""
    if raw:  # loaddata: fixtures are not edits
        return
    if created:
        job_request(source=instance, reason=CheckJob.Reason.NEW)
    elif getattr(instance, "_checker_loaded_url", None) not in (None, instance.url):
        job_request(source=instance, reason=CheckJob.Reason.URL_CHANGED)
    instance._checker_loaded_url = instance.url


def connect() -> None:
    from django.db.models.signals import post_init, post_save

    post_init.connect(remember_url, sender=Source, dispatch_uid="checker_remember_url")
    post_save.connect(queue_check_on_save, sender=Source, dispatch_uid="checker_queue_check")
