"""Issue 12's "done when" for following: the demo source is re-checked and has changed; a
watcher of the demo dispute gets an email (a real local SMTP server) and the newsroom's
endpoint a signed webhook (a real local HTTP server).

The internet is the one thing stood in for: the demo article's address is moved, through the
admin's service, to a copy of the article on the local fixture site (carrying every quote the
demo cites from it), which is then edited.
"""

import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from claims import demo, following, notifications, roles, services, webhooks
from claims.checking import runner
from claims.models import Claim, Dispute, FeedItem, Source, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory
from tests.smtp import text_of

from .site import ARTICLE_PARAGRAPHS, article_html

pytestmark = pytest.mark.django_db

NEWS = {FeedItem.Kind.SOURCE_CHANGED, FeedItem.Kind.QUOTE_MISSING}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_changed_demo_source_reaches_a_watcher_by_email_and_the_desk_by_webhook(site, smtp_server, receiver):
    call_command("loaddemo")
    dispute = Dispute.objects.get(slug="russian-jet-contact-with-mq9")
    watcher = UserFactory(username="wanda", email="wanda@example.org", roles=[roles.READERS])
    following.watch_add(user=watcher, target=dispute)
    endpoint = webhooks.endpoint_save(endpoint=WebhookEndpoint(name="Desk chat", url=receiver.url("/desk")), user=None)

    source = Source.objects.get(url=demo.ARTICLE_URL)
    assert dispute.claims.filter(source=source).exists()
    paragraphs = ARTICLE_PARAGRAPHS + [c.quote for c in Claim.objects.filter(source=source)]
    page = {"Content-Type": "text/html; charset=utf-8"}
    site.routes["/article"] = (200, page, article_html(paragraphs).encode())
    source.url = site.url("/article")
    services.source_save(source=source)
    runner.check_now(source)  # the first check of the local copy: not news
    assert notifications.sweep() == {}

    correction = "Correction: an earlier version of this article misdated the briefing, which was on Wednesday."
    site.routes["/article"] = (200, page, article_html([*paragraphs, correction]).encode())
    check = runner.check_now(source)
    item = FeedItem.objects.get(source_check=check, dispute=dispute)
    assert item.kind in NEWS

    assert notifications.sweep() == {"sent": 1}
    [mail] = smtp_server.messages()
    assert mail["To"] == "wanda@example.org"
    text = text_of(mail)
    assert item.title in text and f"{django_settings.SITE_URL}/sources/{source.pk}/" in text

    assert webhooks.deliver_endpoint(endpoint.pk)["delivered"] >= 1
    posts = [json.loads(body) | {"_headers": headers} for headers, body in receiver.posts_to("/desk")]
    news = [p for p in posts if p["event"] in NEWS and p["dispute"]["slug"] == dispute.slug]
    assert len(news) == 1
    headers = news[0]["_headers"]
    body = next(b for h, b in receiver.posts_to("/desk") if h["X-Tracker-Delivery"] == news[0]["id"])
    assert webhooks.verify(endpoint.secret, body, headers["X-Tracker-Timestamp"], headers["X-Tracker-Signature"])
    assert news[0]["source"]["url"] == site.url("/article")
    assert WebhookDelivery.objects.filter(feed_item=item, state="delivered").exists()
