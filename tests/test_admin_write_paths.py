"""Every write the admin offers keeps the newsroom's rules.

The class test walks every registered ModelAdmin of the ledger and, for each staff
role (view-only, editor, senior editor), POSTs to every write route it has: add,
change, delete, each bulk action and django-simple-history's revert. Whatever the
route, a role without the model permission changes nothing, publishing and
verdicts stay with senior editors, versions never go backwards, nobody but a
senior editor makes a verdict feed item, and nothing moves to another dispute.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.forms import CheckboxInput, MultiWidget
from django.test import Client, RequestFactory
from django.urls import reverse

from claims import roles, services
from claims.models import (
    ApiToken,
    Dispute,
    FeedItem,
    FeedToken,
    Notification,
    SourceCheck,
    Watch,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.models.base import Versioned

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

MODEL_ADMINS = {model: ma for model, ma in admin.site._registry.items() if model._meta.app_label == "claims"}
STAFF_ROLES = {
    "viewer": [roles.READERS],
    "editor": [roles.EDITORS],
    "senior": [roles.EDITORS, roles.SENIOR_EDITORS],
}


@pytest.fixture
def ledger(senior):
    """One of everything; the dispute was once published with a verdict, now a draft without one."""
    claim = ClaimFactory(speaker=SpeakerFactory(), dispute__is_published=False)
    dispute = claim.dispute
    evidence = EvidenceFactory(dispute=dispute, source=claim.source)
    evidence.links.create(claim=claim, effect="supports")
    ArticleLinkFactory(dispute=dispute)
    check = SourceCheck.objects.create(source=claim.source, outcome="ok", http_status=200)
    check.quote_checks.create(claim=claim, present=True, score=100.0)
    FeedToken.objects.create(user=UserFactory(username="feedreader"))
    ApiToken.issue(UserFactory(username="graphics"), "graphics desk script")
    dispute = services.dispute_publish(dispute=dispute, user=senior)
    dispute = services.dispute_settle(
        dispute=dispute, user=senior, verdict="true", reasoning="The footage shows it.", version=dispute.version
    )
    dispute = services.dispute_settle(dispute=dispute, user=senior, verdict="", reasoning="", version=dispute.version)
    services.dispute_publish(dispute=dispute, user=senior, publish=False)
    endpoint = WebhookEndpoint.objects.create(name="CMS", url="https://cms.example.org/hook")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, feed_item=FeedItem.objects.filter(dispute=dispute)[0])
    WebhookAttempt.objects.create(delivery=delivery, status_code=500, error="The endpoint answered HTTP 500.")
    watcher = UserFactory(username="watcher", email="watcher@example.org")
    Watch.objects.create(user=watcher, dispute=dispute)
    Notification.objects.create(user=watcher, feed_item=delivery.feed_item)
    DisputeFactory(proposition=ELSEWHERE)  # where every route tries to move things
    dispute.refresh_from_db()
    assert not dispute.is_published and dispute.verdict == ""
    return dispute


ELSEWHERE = "A published dispute things are moved to."


def staff_user(role: str):
    return UserFactory(username=f"staff-{role}", is_staff=True, roles=STAFF_ROLES[role])


def _widget_data(name: str, widget, value) -> dict[str, Any]:
    if isinstance(widget, MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {f"{name}{suffix}": ("" if part is None else part) for suffix, part in zip(widget.widgets_names, parts)}
    if isinstance(widget, CheckboxInput):
        return {name: "on"} if value else {}
    if value is None:
        return {name: ""}
    if isinstance(value, list | tuple):
        return {name: [str(v) for v in value]}
    return {name: str(value)}


def _form_fields(form) -> dict[str, Any]:
    data = {}
    for name, field in form.fields.items():
        data |= _widget_data(form.add_prefix(name), field.widget, form[name].value())
    return data


def admin_form_data(response) -> dict[str, Any]:
    """What a browser would POST back for an admin change form, inlines included."""
    data = _form_fields(response.context["adminform"].form)
    try:
        inlines = response.context["inline_admin_formsets"]
    except KeyError:  # a past version's page has no inlines
        inlines = []
    for inline in inlines:
        formset = inline.formset
        data |= _form_fields(formset.management_form)
        for form in formset.forms:
            data |= _form_fields(form)
    return data


def snapshot() -> dict:
    """Every row of every ledger model, field by field."""
    rows = {}
    for model in MODEL_ADMINS:
        for obj in model._default_manager.all():
            rows[(model.__name__, obj.pk)] = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    return rows


# Bookkeeping a save elsewhere keeps current (status follows the claims); not an edit of the row.
BOOKKEEPING = {"status", "last_activity_at", "updated_at", "check_state", "last_checked_at", "next_check_at"}


def _edited(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in BOOKKEEPING}


def versions(rows: dict) -> dict:
    return {key: row["version"] for key, row in rows.items() if "version" in row}


def _attack(data: dict, model) -> dict:
    """Change a visible field, and try every senior-only field on the way."""
    data = dict(data)
    data |= {"is_published": "on", "verdict": "true", "verdict_reasoning": "Because I say so."}
    if any(field.name == "dispute" for field in model._meta.concrete_fields):
        # A row taken off its dispute without a delete (an editor may not delete).
        data["dispute"] = str(Dispute.objects.get(proposition=ELSEWHERE).pk)
    for field in ("summary", "note", "description", "role", "country", "quote", "title", "publisher"):
        if field in data:
            data[field] = f"{data[field]} (edited)"
            break
    return data


def _make_unique(data: dict, model) -> dict:
    """An add form filled from an existing row, with its unique values made new."""
    data = dict(data)
    for field in model._meta.concrete_fields:
        if field.unique and field.name in data and isinstance(data[field.name], str) and data[field.name]:
            suffix = "?copy=1" if field.name == "url" else "-copy"
            data[field.name] = data[field.name] + suffix
    if model.__name__ == "ArticleLink":
        from claims.models import Source

        data["source"] = str(Source.objects.exclude(article_links__isnull=False).first().pk)
    return data


def routes(model, superuser_client: Client) -> list[tuple[str, str, dict]]:
    """(name, url, data) for every admin write route on this model."""
    model_admin = MODEL_ADMINS[model]
    opts = model._meta
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the fixture should hold a {opts.model_name}"
    name = f"admin:{opts.app_label}_{opts.model_name}"
    change_url = reverse(f"{name}_change", args=[obj.pk])
    page = superuser_client.get(change_url)
    assert page.status_code == 200
    change_data = admin_form_data(page)
    found = [
        ("change", change_url, _attack(change_data, model)),
        ("add", reverse(f"{name}_add"), _attack(_make_unique(change_data, model), model)),
        ("delete", reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}),
    ]
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root-for-actions", is_staff=True, is_superuser=True)
    for action in model_admin.get_actions(request):
        found.append(
            (
                f"action:{action}",
                reverse(f"{name}_changelist"),
                {"action": action, "_selected_action": [str(obj.pk)], "post": "yes"},
            )
        )
    if hasattr(model, "history"):
        for record in model.history.filter(id=obj.pk).order_by("history_date", "history_id"):
            url = reverse(f"{name}_simple_history", args=[obj.pk, record.history_id])
            found.append((f"revert:{record.history_id}", url, _attack(change_data, model) | {"_save": "Revert"}))
    return found


ACTION_PERMISSIONS = {"add": "add", "change": "change", "delete": "delete", "revert": "change"}


def _allowed(user, model, route: str) -> bool:
    kind = route.split(":")[0]
    if kind == "action":
        return True  # checked through the invariants below; an action's own permission is the admin's
    return user.has_perm(f"claims.{ACTION_PERMISSIONS[kind]}_{model._meta.model_name}")


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("model", list(MODEL_ADMINS), ids=lambda m: m.__name__)
def test_every_admin_write_route_keeps_the_role_rules(ledger, model, role, client):
    root = Client()
    root.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    user = staff_user(role)
    for route, url, data in routes(model, root):
        with transaction.atomic():
            before = snapshot()
            verdict_items = FeedItem.objects.filter(kind=FeedItem.Kind.VERDICT).count()
            client.force_login(user)
            response = client.post(url, data)
            assert response.status_code < 500, (route, response.status_code)
            after = snapshot()
            where = f"{model.__name__} {route} as {role}"
            if not _allowed(user, model, route):
                assert response.status_code == 403, where
                assert after == before, where
            for key, row in before.items():
                if key in after and "dispute_id" in row:
                    assert after[key]["dispute_id"] == row["dispute_id"], f"{where} moved {key} to another dispute"
            for key, version in versions(before).items():
                if key in after:
                    assert after[key]["version"] >= version, f"{where}: {key} version went backwards"
                    if _edited(after[key]) != _edited(before[key]):
                        assert after[key]["version"] > version, f"{where}: {key} changed without a new version"
            for key, row in after.items():
                if key[0] != "Dispute":
                    continue
                old = before.get(key, {"is_published": False, "verdict": ""})
                if not roles.can_publish(user):
                    assert row["is_published"] == old["is_published"], f"{where} changed publishing"
                if not roles.can_settle(user):
                    assert row["verdict"] == old["verdict"], f"{where} changed the verdict"
            if not roles.can_settle(user):
                made = FeedItem.objects.filter(kind=FeedItem.Kind.VERDICT).count()
                assert made == verdict_items, f"{where} made a verdict feed item"
            transaction.set_rollback(True)


# The findings of the review, one by one ---------------------------------------------


def _revert_url(dispute: Dispute, record) -> str:
    return reverse("admin:claims_dispute_simple_history", args=[dispute.pk, record.history_id])


def _revert(client: Client, url: str):
    """Press "Revert" on the page as shown, with every field it shows sent back."""
    return client.post(url, admin_form_data(client.get(url)) | {"_save": "Revert"})


def _published_with_verdict(dispute: Dispute):
    return Dispute.history.filter(id=dispute.pk, is_published=True).exclude(verdict="").earliest("history_date")


def test_staff_editor_cannot_publish_or_settle_through_history_revert(ledger, client):
    client.force_login(staff_user("editor"))
    record = _published_with_verdict(ledger)
    _revert(client, _revert_url(ledger, record))
    ledger.refresh_from_db()
    assert not ledger.is_published and ledger.verdict == ""


def test_view_only_staff_cannot_revert(ledger, client):
    client.force_login(staff_user("viewer"))
    record = Dispute.history.filter(id=ledger.pk).earliest("history_date")
    before = Dispute.history.filter(id=ledger.pk).count()
    response = client.post(_revert_url(ledger, record), {"_save": "Revert", "proposition": "Vandalised"})
    assert response.status_code == 403
    assert Dispute.history.filter(id=ledger.pk).count() == before
    # The page itself still shows the old version, without a Revert button.
    page = client.get(_revert_url(ledger, record))
    assert page.status_code == 200 and 'value="Revert"' not in page.text


def test_revert_in_the_admin_moves_the_version_forward(ledger, client):
    client.force_login(staff_user("senior"))
    current = ledger.version
    record = Dispute.history.filter(id=ledger.pk).earliest("history_date")
    response = client.post(_revert_url(ledger, record), {"_save": "Revert"})
    assert response.status_code == 302
    ledger.refresh_from_db()
    assert ledger.version == current + 1
    assert Dispute.history.filter(id=ledger.pk).latest("history_date").history_change_reason.startswith("restored")


def test_editor_revert_in_the_admin_makes_no_feed_item(ledger, client):
    client.force_login(staff_user("editor"))
    before = FeedItem.objects.count()
    _revert(client, _revert_url(ledger, _published_with_verdict(ledger)))
    assert FeedItem.objects.count() == before


def test_senior_revert_in_the_admin_restores_what_was_shown(ledger, client):
    client.force_login(staff_user("senior"))
    record = _published_with_verdict(ledger)
    # Whatever the POST says, the revert brings back the version that was shown.
    client.post(_revert_url(ledger, record), {"_save": "Revert", "proposition": "Something else"})
    ledger.refresh_from_db()
    assert ledger.is_published and ledger.verdict == "true"
    assert ledger.proposition == record.proposition


def test_admin_change_with_a_stale_version_is_refused(ledger, client, editor):
    client.force_login(staff_user("senior"))
    url = reverse("admin:claims_dispute_change", args=[ledger.pk])
    data = admin_form_data(client.get(url))
    services.dispute_update(dispute=ledger, user=editor, version=ledger.version, summary="Someone else's summary.")
    data["summary"] = "My summary."
    response = client.post(url, data)
    assert response.status_code == 200
    assert "saved this dispute after you opened it" in response.text
    ledger.refresh_from_db()
    assert ledger.summary == "Someone else's summary."


def test_admin_delete_can_be_undone_with_everything_on_it(ledger, client):
    from claims.models import Claim

    client.force_login(staff_user("senior"))
    claims = set(ledger.claims.values_list("pk", flat=True))
    client.post(reverse("admin:claims_dispute_delete", args=[ledger.pk]), {"post": "yes"})
    assert not Dispute.objects.filter(pk=ledger.pk).exists()
    record = Dispute.history.filter(id=ledger.pk, history_type="~").latest("history_date")
    client.post(_revert_url(ledger, record), {"_save": "Revert"})
    assert set(Claim.objects.filter(dispute_id=ledger.pk).values_list("pk", flat=True)) == claims


def test_admin_publish_action_is_the_publish_service(ledger, client):
    client.force_login(staff_user("senior"))
    client.post(reverse("admin:claims_dispute_changelist"), {"action": "publish", "_selected_action": [str(ledger.pk)]})
    ledger.refresh_from_db()
    assert ledger.is_published
    assert ledger.history.latest("history_date").history_user.username == "staff-senior"


def test_versions_never_go_backwards_when_a_deleted_object_is_restored(senior):
    from claims.models import Claim

    claim = ClaimFactory()
    for n in range(3):
        services.claim_update(claim=claim, user=senior, version=claim.version, quote=f"Take {n}.")
        claim.refresh_from_db()
    newest, pk = claim.version, claim.pk
    first = Claim.history.filter(id=pk).earliest("history_date")
    services.claim_delete(claim=claim, user=senior)
    services.object_restore(model=Claim, record=first, user=senior)
    assert Claim.objects.get(pk=pk).version > newest


def test_every_versioned_model_is_covered():
    versioned = {m for m in MODEL_ADMINS if issubclass(m, Versioned)}
    assert {m.__name__ for m in versioned} >= {"Dispute", "Claim", "Evidence"}
