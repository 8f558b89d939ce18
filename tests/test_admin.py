import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.admin import ADMIN_SEARCH_WORDS, BoundedSearchAdmin
from claims.models import (
    ApiToken,
    CheckJob,
    Claim,
    Dispute,
    FeedItem,
    FeedToken,
    Notification,
    Source,
    SourceCheck,
    Watch,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

from .factories import ArticleLinkFactory, ClaimFactory, EvidenceFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "claims"]


@pytest.fixture
def populated():
    claim = ClaimFactory(speaker=SpeakerFactory())
    evidence = EvidenceFactory(dispute=claim.dispute, source=claim.source)
    evidence.links.create(claim=claim, effect="supports")
    ArticleLinkFactory(dispute=claim.dispute)
    # Creating the source queued its first check (services.source_save).
    assert CheckJob.objects.filter(source=claim.source).exists()
    check = SourceCheck.objects.create(source=claim.source, outcome="ok", http_status=200)
    check.quote_checks.create(claim=claim, present=True, score=100.0)
    FeedToken.objects.create(user=UserFactory(username="feedreader"))
    ApiToken.issue(UserFactory(username="graphics"), "graphics desk script")
    endpoint = WebhookEndpoint.objects.create(name="CMS", url="https://cms.example.org/hook")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, feed_item=FeedItem.objects.first())
    WebhookAttempt.objects.create(delivery=delivery, status_code=200)
    watcher = UserFactory(username="watcher", email="watcher@example.org")
    Watch.objects.create(user=watcher, dispute=claim.dispute)
    Notification.objects.create(user=watcher, feed_item=FeedItem.objects.first(), last_error="SMTP said 451")
    # Recording the claim made a feed item too.
    return claim


def test_every_claims_model_is_in_the_admin():
    names = {m.__name__ for m in MODELS}
    assert names >= {
        "Party",
        "Speaker",
        "Dispute",
        "Claim",
        "Evidence",
        "EvidenceLink",
        "ArticleLink",
        "Source",
        "SourceCheck",
        "CheckJob",
    }


# Rows only the checker, the feed recorder or the token page make: the admin refuses to add them by hand.
MADE_BY_THE_SYSTEM = {"SourceCheck", "FeedItem", "ApiToken", "WebhookDelivery", "Watch", "Notification"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_render(staff_client, populated, model):
    opts = model._meta
    response = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if model.__name__ in MADE_BY_THE_SYSTEM else 200)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_and_history_pages_render(staff_client, populated, model):
    opts = model._meta
    obj = model.objects.first()
    assert obj is not None, f"the fixture should hold a {opts.model_name}"
    for view in ("change", "history"):
        response = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk]))
        assert response.status_code == 200, (view, response.status_code)


def test_changelist_search_and_filters(staff_client, populated):
    url = reverse("admin:claims_claim_changelist")
    response = staff_client.get(url, {"q": populated.quote[:10], "stance__exact": "affirms"})
    assert response.status_code == 200
    assert populated.quote[:10] in response.text


def test_recheck_action_queues_a_job_per_source(staff_client, populated):
    CheckJob.objects.all().delete()
    source = populated.source
    response = staff_client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "recheck_sources", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Queued checks for 1 source(s)." in response.text
    assert CheckJob.objects.filter(source=source, state=CheckJob.State.QUEUED).count() == 1
    # A second request joins the live job rather than piling up duplicates.
    staff_client.post(
        reverse("admin:claims_source_changelist"), {"action": "recheck_sources", "_selected_action": [source.pk]}
    )
    assert CheckJob.objects.filter(source=source).count() == 1


def test_dispute_admin_shows_claims_inline(staff_client, populated):
    response = staff_client.get(reverse("admin:claims_dispute_change", args=[populated.dispute.pk]))
    assert populated.quote in response.text


def test_source_add_with_bad_url_shows_error(staff_client):
    response = staff_client.post(reverse("admin:claims_source_add"), {"url": "ftp://example.org/", "kind": "article"})
    assert response.status_code == 200
    assert "Enter a valid URL." in response.text or "Only http:// and https://" in response.text
    assert Source.objects.count() == 0


def test_autocomplete_for_parties_answers(staff_client, populated):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": "claim", "field_name": "party", "term": populated.party.name[:5]},
    )
    assert response.status_code == 200
    assert populated.party.name in response.text


def test_api_token_revoked_from_the_admin(staff_client):
    token, _raw = ApiToken.issue(UserFactory(username="robot"), "nightly export")
    staff_client.post(reverse("admin:claims_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not ApiToken.objects.active().filter(pk=token.pk).exists()


def test_staff_editor_cannot_publish_or_settle_through_the_admin(client, populated):
    from claims import roles

    dispute = populated.dispute
    dispute.is_published = False
    dispute.save()
    editor = UserFactory(username="staffeditor", is_staff=True, roles=[roles.EDITORS])
    client.force_login(editor)
    url = reverse("admin:claims_dispute_change", args=[dispute.pk])
    form = client.get(url).context["adminform"].form
    assert "is_published" not in form.fields and "verdict" not in form.fields
    client.post(
        url, {"proposition": dispute.proposition, "slug": dispute.slug, "is_published": "on", "verdict": "true"}
    )
    dispute.refresh_from_db()
    assert not dispute.is_published and dispute.verdict == ""


def test_an_administrator_sees_who_watches_what_and_removes_a_watch_through_the_service(staff_client, populated):
    watch = Watch.objects.get()
    listing = staff_client.get(reverse("admin:claims_watch_changelist"), {"kind": "dispute"})
    assert "watcher" in listing.content.decode() and populated.dispute.proposition[:30] in listing.content.decode()
    assert staff_client.get(reverse("admin:claims_watch_changelist"), {"kind": "party"}).context["cl"].result_count == 0
    response = staff_client.post(
        reverse("admin:claims_watch_changelist"),
        {"action": "delete_selected", "_selected_action": [watch.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Watch.objects.exists()


def test_the_email_outbox_is_read_only_in_the_admin(staff_client, populated):
    notification = Notification.objects.get()
    listing = staff_client.get(reverse("admin:claims_notification_changelist")).content.decode()
    assert "SMTP said 451" in listing
    change = reverse("admin:claims_notification_change", args=[notification.pk])
    staff_client.post(change, {"attempts": 0, "last_error": ""})
    notification.refresh_from_db()
    assert notification.last_error == "SMTP said 451"
    assert staff_client.get(reverse("admin:claims_notification_delete", args=[notification.pk])).status_code == 403


def test_every_admin_of_the_app_bounds_its_search():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "claims":
            assert isinstance(model_admin, BoundedSearchAdmin), model


@pytest.mark.parametrize(
    "url",
    [
        "/admin/claims/claim/?q={term}",
        "/admin/autocomplete/?app_label=claims&model_name=claim&field_name=dispute&term={term}",
    ],
)
def test_an_admin_search_of_many_words_searches_a_few(client, url):
    """Each word of an admin search is a pass over the tables (joins included): a term of
    hundreds of words, within the query-string cap, must not become hundreds of passes."""

    ClaimFactory(quote="The jet hit the drone.")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    term = "+".join(["ab"] * 300 + [f"w{i}" for i in range(20)])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url.format(term=term))
    assert response.status_code == 200
    likes = max(query["sql"].upper().count(" LIKE ") for query in queries.captured_queries)
    fields = len(admin.site._registry[Claim].search_fields) + len(admin.site._registry[Dispute].search_fields)
    assert 0 < likes <= ADMIN_SEARCH_WORDS * fields
    if "/claim/" in url:
        assert "first 6 different words" in response.content.decode()


def test_the_dispute_change_page_does_not_grow_with_its_claims(client):
    """Its read-only lists of claims and evidence show the first rows, their names read with them."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    claim = ClaimFactory(speaker=SpeakerFactory())
    dispute = claim.dispute
    url = reverse("admin:claims_dispute_change", args=[dispute.pk])
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    for _ in range(40):
        ClaimFactory(dispute=dispute, speaker=SpeakerFactory())
        EvidenceFactory(dispute=dispute)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries) + 2
    assert large.content.decode().count('class="inline-related') <= 2 * 20 + 4
