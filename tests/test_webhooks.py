"""Webhooks (issue 12, "Follow"): signed JSON POSTs to a real local HTTP server, retried with
backoff on 500 and timeouts, logged per try, resent from the admin; the checker's SSRF rules
for their URLs; a slow endpoint holding up nobody else, and no page ever waiting on one."""

import datetime
import json
import socket
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims import services, webhooks
from claims.models import Stance, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .factories import DisputeFactory, UserFactory

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact."


def _endpoint(receiver, path="/hook", name="CMS"):
    return webhooks.endpoint_save(endpoint=WebhookEndpoint(name=name, url=receiver.url(path)), user=None)


def _claim(dispute, user, quote=MILLEY):
    return services.claim_create(
        dispute=dispute,
        user=user,
        party=services.party_for_name(name="United States"),
        stance=Stance.AFFIRMS,
        quote=quote,
    )


def test_an_event_is_posted_as_signed_json_and_logged(receiver, editor):
    endpoint = _endpoint(receiver)
    dispute = DisputeFactory(proposition="A Russian jet made contact with the US drone.")
    claim = _claim(dispute, editor)
    assert webhooks.deliver_endpoint(endpoint.pk) == {"delivered": 1, "failed": 0}

    [(headers, body)] = receiver.posts_to("/hook")
    assert headers["Content-Type"].startswith("application/json")
    assert webhooks.verify(endpoint.secret, body, headers["X-Tracker-Timestamp"], headers["X-Tracker-Signature"])
    assert abs(int(headers["X-Tracker-Timestamp"]) - time.time()) < 300
    data = json.loads(body)
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Tracker-Delivery"] == data["id"] == str(delivery.uid)
    assert headers["X-Tracker-Event"] == data["event"] == "claim"
    assert data["dispute"]["slug"] == dispute.slug and data["url"].endswith(f"#claim-{claim.pk}")
    assert data["text"].startswith("New claim: United States affirms")  # what a Slack-compatible chat shows
    assert delivery.state == "delivered" and delivery.last_status == 200
    assert [a.status_code for a in WebhookAttempt.objects.all()] == [200]


def test_a_tampered_stale_or_wrongly_keyed_delivery_fails_verification(receiver, editor):
    endpoint = _endpoint(receiver)
    _claim(DisputeFactory(), editor)
    webhooks.deliver_endpoint(endpoint.pk)
    [(headers, body)] = receiver.posts_to("/hook")
    stamp, signature = headers["X-Tracker-Timestamp"], headers["X-Tracker-Signature"]
    assert webhooks.verify(endpoint.secret, body, stamp, signature)
    assert not webhooks.verify(endpoint.secret, body.replace(b"affirms", b"denies"), stamp, signature)
    assert not webhooks.verify("another-secret", body, stamp, signature)
    assert not webhooks.verify(endpoint.secret, body, stamp, signature, now=int(stamp) + 301)  # replayed later
    assert not webhooks.verify(endpoint.secret, body, str(int(stamp) + 1), signature)  # timestamp swapped


def test_a_500_is_retried_with_backoff_then_given_up_and_resent_from_the_admin(receiver, editor, client, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint = _endpoint(receiver)
    receiver.answers["/hook"] = 500
    _claim(DisputeFactory(), editor)
    assert webhooks.deliver_endpoint(endpoint.pk) == {"delivered": 0, "failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.due_at > timezone.now() + datetime.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS - 1)
    assert webhooks.deliver_endpoint(endpoint.pk) == {"delivered": 0, "failed": 0}  # not due yet: not hammered

    WebhookDelivery.objects.update(due_at=timezone.now())
    webhooks.deliver_endpoint(endpoint.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert [a.status_code for a in delivery.log.order_by("at", "pk")] == [500, 500]

    receiver.answers["/hook"] = 200
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:claims_webhookdelivery_changelist")
    response = client.post(changelist, {"action": "resend", "_selected_action": [str(delivery.pk)]})
    assert response.status_code == 302
    webhooks.deliver_endpoint(endpoint.pk)
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert len(receiver.posts_to("/hook")) == 3
    page = client.get(reverse("admin:claims_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "The endpoint answered HTTP 500." in page and ">200<" in page.replace(" ", "")


def test_a_timeout_is_a_failed_try_that_is_retried(receiver, editor, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    endpoint = _endpoint(receiver)
    receiver.answers["/hook"] = "hang"
    _claim(DisputeFactory(), editor)
    assert webhooks.deliver_endpoint(endpoint.pk) == {"delivered": 0, "failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.last_status is None
    assert "deadline" in delivery.last_error or "stopped answering" in delivery.last_error


def test_a_dead_endpoint_is_a_failed_try_that_is_retried(receiver, editor, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.WEBHOOK_ALLOW_HOSTS = [f"127.0.0.1:{port}"]
    endpoint = webhooks.endpoint_save(endpoint=WebhookEndpoint(name="Gone", url=f"http://127.0.0.1:{port}/"), user=None)
    _claim(DisputeFactory(), editor)
    webhooks.deliver_endpoint(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and "refused" in delivery.last_error


def test_drafts_never_leave_by_webhook(receiver, editor, senior):
    endpoint = _endpoint(receiver)
    draft = DisputeFactory(is_published=False)
    _claim(draft, editor)
    assert not WebhookDelivery.objects.exists()
    public = DisputeFactory()
    _claim(public, editor)
    services.dispute_publish(dispute=public, user=senior, publish=False)  # unpublished before it went out
    webhooks.deliver_endpoint(endpoint.pk)
    assert receiver.posts_to("/hook") == []
    assert WebhookDelivery.objects.get().state == "failed"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",  # loopback, not allow-listed
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
        "http://example.org:6379/",
    ],
)
def test_webhook_urls_obey_the_checkers_rules(url, receiver):
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_save(endpoint=WebhookEndpoint(name="Internal", url=url), user=None)
    assert "url" in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_when_delivering(receiver, editor, settings):
    """A host name passes the form (no DNS there); the delivery resolves it and refuses a private answer."""
    endpoint = WebhookEndpoint.objects.create(name="Sneaky", url="http://localhost:80/hook")
    settings.WEBHOOK_ALLOW_HOSTS = []
    _claim(DisputeFactory(), editor)
    webhooks.deliver_endpoint(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "non-public address" in delivery.last_error
    assert receiver.posts_to("/hook") == []


def test_the_admin_refuses_an_unsafe_url_with_a_clear_error(client, receiver):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:claims_webhookendpoint_add"),
        {"name": "Metadata", "url": "http://169.254.169.254/", "is_active": "on", "secret": "s" * 40},
    )
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    response = client.post(
        reverse("admin:claims_webhookendpoint_add"),
        {"name": "CMS", "url": receiver.url("/hook"), "is_active": "on", "secret": "s" * 40},
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().created_by.username == "root"


def test_editors_without_the_permission_cannot_manage_endpoints(client, receiver):
    from claims import roles

    staff_editor = UserFactory(username="staffed", is_staff=True, roles=[roles.EDITORS, roles.SENIOR_EDITORS])
    client.force_login(staff_editor)
    response = client.post(
        reverse("admin:claims_webhookendpoint_add"), {"name": "Mine", "url": receiver.url("/x"), "is_active": "on"}
    )
    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_a_page_never_waits_on_an_endpoint(editor_client, receiver):
    """Saving a claim only writes the delivery; a worker posts it. The receiver sees nothing during the request."""
    endpoint = _endpoint(receiver)
    receiver.answers["/hook"] = "hang"
    dispute = DisputeFactory()
    from .helpers import form_data

    url = reverse("claims:claim-create", args=[dispute.slug])
    data = form_data(editor_client.get(url), stance="affirms", quote=MILLEY, new_party="United States")
    response = editor_client.post(url, data)
    assert response.status_code == 302  # saved, and on to the dispute page
    assert receiver.posts_to("/hook") == []
    assert WebhookDelivery.objects.filter(endpoint=endpoint, state="pending").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="delivery threads need a database other connections see")
def test_a_slow_endpoint_holds_up_no_other(receiver, editor, settings):
    """The slow endpoint answers only once the other one has received its delivery: that can
    only happen if the other was delivered while the slow one was still being waited on."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 8
    slow = _endpoint(receiver, "/slow", name="Slow CMS")  # created first: a serial loop would start with it
    _endpoint(receiver, "/fast", name="Chat")
    fast_arrived = threading.Event()

    def slow_answer():
        return 200 if fast_arrived.wait(7) else 504

    def fast_answer():
        fast_arrived.set()
        return 200

    receiver.answers["/slow"], receiver.answers["/fast"] = slow_answer, fast_answer
    _claim(DisputeFactory(), editor)
    totals = webhooks.deliver_due()
    assert totals == {"delivered": 2, "failed": 0}
    assert WebhookDelivery.objects.get(endpoint=slow).last_status == 200
