"""A real Celery worker (Redis broker, PostgreSQL) sends the mail and the webhook a save owes:
the save's commit wakes it, it talks to a real local SMTP server and a real local HTTP server.

Skipped (loudly) on SQLite or without Redis, like the checker's worker tests.
"""

import json

import pytest

from claims import following, roles, services, webhooks
from claims.models import Notification, Stance, WebhookDelivery, WebhookEndpoint
from tests.factories import DisputeFactory, PartyFactory, UserFactory
from tests.smtp import text_of

from .test_worker_integration import wait_for, workers  # noqa: F401  (workers is a fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_sends_the_mail_and_the_signed_webhook_a_save_owes(
    site,
    smtp_server,
    receiver,
    monkeypatch,
    workers,  # noqa: F811
):
    # The worker process reads its mailer and webhook allowlist from the environment, as in production.
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    monkeypatch.setenv("WEBHOOK_ALLOW_HOSTS", receiver.hostport)
    worker = workers()
    editor = UserFactory(username="eddie", roles=[roles.EDITORS])
    watcher = UserFactory(username="wanda", email="wanda@example.org", roles=[roles.READERS])
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US drone.")
    following.watch_add(user=watcher, target=dispute)
    endpoint = webhooks.endpoint_save(endpoint=WebhookEndpoint(name="Desk chat", url=receiver.url("/desk")), user=None)

    # Autocommit: the claim's transaction commits here and its on_commit wake-ups go to Redis.
    services.claim_create(
        dispute=dispute, user=editor, party=PartyFactory(name="Russia"), stance=Stance.DENIES, quote="No contact."
    )
    wait_for(lambda: smtp_server.messages(), 60, "the notification mail", worker)
    wait_for(lambda: receiver.posts_to("/desk"), 60, "the webhook", worker)

    [mail] = smtp_server.messages()
    assert mail["To"] == "wanda@example.org" and "New claim: Russia denies" in text_of(mail)
    [(headers, body)] = receiver.posts_to("/desk")
    assert webhooks.verify(endpoint.secret, body, headers["X-Tracker-Timestamp"], headers["X-Tracker-Signature"])
    assert json.loads(body)["event"] == "claim"
    wait_for(lambda: not Notification.objects.filter(sent_at__isnull=True).exists(), 20, "the outbox marked", worker)
    wait_for(lambda: WebhookDelivery.objects.get().state == "delivered", 20, "the delivery marked", worker)
