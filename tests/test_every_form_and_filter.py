"""Every form and every GET filter, driven with generated hostile input (Hypothesis).

Forms are found the way a browser finds them: each page is fetched and its POST forms
read from the HTML (every input, textarea and select, hidden fields and inline-formset
management forms included), so a field added tomorrow is covered without touching this
file. The GET filters of the API are read from its OpenAPI description. The properties:
no request is a server error, and a refused form saves nothing.

Example counts are small so ``make test`` stays quick; each run draws new cases.
"""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claims.api import api
from claims.models import ApiToken, FeedItem, FeedToken, SourceCheck, WebhookDelivery, WebhookEndpoint

from . import hostile
from .factories import ArticleLinkFactory, ClaimFactory, EvidenceFactory, SpeakerFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db

PROPERTY = hsettings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def world(staff):
    """A published dispute with something of every kind, and a token for the API and feeds."""
    speaker = SpeakerFactory()
    claim = ClaimFactory(party=speaker.party, speaker=speaker)
    dispute = claim.dispute
    evidence = EvidenceFactory(dispute=dispute)
    link = ArticleLinkFactory(dispute=dispute)
    for text in ("The first text.", "The second text."):
        SourceCheck.objects.create(source=claim.source, outcome="ok", text=text, text_sha256=str(len(text)) * 4)
    _, api_token = ApiToken.issue(staff, "tests")
    feed_token = FeedToken.objects.create(user=staff)
    # A webhook and one delivery, so the admin's webhook pages have a row to show.
    endpoint = WebhookEndpoint.objects.create(name="CMS", url="https://cms.example.org/hook")
    item = FeedItem.objects.create(dispute=dispute, kind=FeedItem.Kind.SOURCE_CHANGED, title="The source was edited.")
    WebhookDelivery.objects.create(endpoint=endpoint, feed_item=item)
    return {
        "dispute": dispute,
        "claim": claim,
        "evidence": evidence,
        "link": link,
        "party": speaker.party,
        "source": claim.source,
        "api_token": api_token,
        "feed_token": feed_token.token,
    }


def _counts() -> dict[str, int]:
    models = [*apps.get_app_config("claims").get_models(), *apps.get_app_config("auth").get_models()]
    return {m._meta.label: m._default_manager.count() for m in models}


def _value_strategy(element) -> st.SearchStrategy:
    tag = element.tag
    kind = (element.get("type") or "text").lower() if tag == "input" else tag
    default = element.value if tag != "select" else (element.value or "")
    if kind == "hidden" and element.get("name", "").endswith("_FORMS"):
        # Inline formsets' sizes: Django bounds them (absolute_max), but a bound of 2,000 forms
        # per inline is a slow page, not a finding for this test.
        return st.just(default or "")
    if kind == "hidden":
        # The CSRF token, the version and formset bookkeeping mostly as served, sometimes not.
        return st.one_of(st.just(default or ""), st.just(default or ""), hostile.numbers, hostile.text)
    if kind == "checkbox":
        return st.sampled_from(["on", ""])
    if kind == "date":
        return hostile.dates
    if kind == "number":
        return hostile.numbers
    if kind == "url":
        return hostile.urls
    if tag == "select":
        options = [o.get("value", o.text_content()) for o in element.iter("option")]
        return st.one_of(st.sampled_from(options or [""]), hostile.numbers, hostile.text)
    return hostile.text


def _post_forms(client, url: str) -> list[tuple[str, dict[str, st.SearchStrategy], dict[str, str]]]:
    """The page's POST forms: action, a strategy per field, and the submit button to press."""
    response = client.get(url)
    assert response.status_code < 500, url
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    forms = []
    for form in lxml.html.fromstring(response.content.decode()).forms:
        action = urljoin(url, form.get("action") or url)
        if (form.get("method") or "get").lower() != "post" or "/logout/" in action:
            continue
        fields: dict[str, st.SearchStrategy] = {}
        for element in form.inputs:
            name = element.get("name")
            if not name or (element.tag == "input" and element.get("type") in ("submit", "button", "file")):
                continue
            fields[name] = _value_strategy(element)
        button = next((b for b in form.xpath(".//button[@name]|.//input[@type='submit'][@name]")), None)
        submit = {button.get("name"): button.get("value", "")} if button is not None else {}
        forms.append((action, fields, submit))
    return forms


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    body = response.content.decode(errors="replace") if "html" in response.get("Content-Type", "") else ""
    return response.status_code == 200 and ("errorlist" in body or 'aria-invalid="true"' in body)


def _drive(client, forms, before: dict[str, int], data, *, htmx: bool = False) -> None:
    """Post each form once with drawn values; every example is rolled back, so ``before`` holds."""
    for action, fields, submit in forms:
        payload = {name: data.draw(strategy, label=name) for name, strategy in fields.items()} | submit
        with transaction.atomic():
            headers = HTMX if htmx else {}
            response = client.post(action, payload, **headers)
            assert response.status_code < 500, (action, payload)
            if _refused(response):
                assert _counts() == before, f"{action} refused the form but saved part of it"
            transaction.set_rollback(True)


EDITING_PAGES = {
    "dispute create": lambda w: "/disputes/new/",
    "dispute edit": lambda w: f"/disputes/{w['dispute'].slug}/edit/",
    "verdict": lambda w: f"/disputes/{w['dispute'].slug}/verdict/",
    "claim create": lambda w: f"/disputes/{w['dispute'].slug}/claims/new/",
    "claim edit": lambda w: f"/claims/{w['claim'].pk}/edit/",
    "evidence create": lambda w: f"/disputes/{w['dispute'].slug}/evidence/new/",
    "evidence edit": lambda w: f"/evidence/{w['evidence'].pk}/edit/",
    "evidence link": lambda w: f"/evidence/{w['evidence'].pk}/links/new/",
    "appearance add": lambda w: f"/claims/{w['claim'].pk}/appearances/new/",
    "article create": lambda w: f"/disputes/{w['dispute'].slug}/articles/new/",
    "article edit": lambda w: f"/articles/{w['link'].pk}/edit/",
    "api tokens": lambda w: "/account/api-tokens/",
    "feed token": lambda w: "/account/feed-token/",
    "account": lambda w: "/account/",
    "watch": lambda w: f"/watch/dispute/{w['dispute'].pk}/",
}


@pytest.mark.parametrize("page", list(EDITING_PAGES))
def test_editing_and_account_forms_refuse_hostile_input_cleanly(page, staff_client, world):
    url = EDITING_PAGES[page](world)
    forms, before = _post_forms(staff_client, url), _counts()
    assert forms, f"no form found on {url}"

    @PROPERTY
    @given(data=st.data(), htmx=st.booleans())
    def run(data, htmx):
        _drive(staff_client, forms, before, data, htmx=htmx)

    run()


def _admin_add_pages() -> list[str]:
    return sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission is not None
    )


@pytest.mark.parametrize("url", _admin_add_pages())
def test_admin_add_forms_refuse_hostile_input_cleanly(url, staff_client, world):
    forms, before = _post_forms(staff_client, url), _counts()

    @PROPERTY
    @given(data=st.data())
    def run(data):
        _drive(staff_client, forms, before, data)

    run()


def test_login_form_refuses_hostile_input_cleanly(client, settings):
    settings.AXES_ENABLED = False
    forms, before = _post_forms(client, "/accounts/login/"), _counts()
    assert forms

    @PROPERTY
    @given(data=st.data())
    def run(data):
        _drive(client, forms, before, data)

    run()


# --- GET filters ----------------------------------------------------------------------------

PAGE_FILTERS = ["q", "status", "party", "occurred_from", "occurred_to", "problems", "page", "a", "b", "token"]


def _query(data, names) -> dict[str, str]:
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)), label="params")
    strategies = {"occurred_from": hostile.dates, "occurred_to": hostile.dates, "active_since": hostile.dates}
    return {
        name: data.draw(strategies.get(name, st.one_of(hostile.text, hostile.numbers)), label=name) for name in chosen
    }


GET_PAGES = {
    "home": lambda w: "/",
    "home (htmx)": lambda w: "/",
    "csv export": lambda w: "/disputes.csv",
    "dispute claims csv": lambda w: f"/disputes/{w['dispute'].slug}/claims.csv",
    "party page": lambda w: f"/parties/{w['party'].slug}/",
    "source page": lambda w: f"/sources/{w['source'].pk}/",
    "check diff": lambda w: f"/sources/{w['source'].pk}/diff/",
    "feed disputed": lambda w: "/feeds/disputed/",
    "feed dispute atom": lambda w: f"/feeds/disputes/{w['dispute'].slug}/atom/",
    "feed party": lambda w: f"/feeds/parties/{w['party'].slug}/",
}


@pytest.mark.parametrize("page", list(GET_PAGES))
@pytest.mark.parametrize("signed_in", [False, True], ids=["stranger", "staff"])
def test_every_page_filter_answers_hostile_query_strings_without_a_server_error(
    page, signed_in, client, staff, world, settings
):
    settings.RATELIMIT_HEAVY = "10000/m"
    if signed_in:
        client.force_login(staff)
    url = GET_PAGES[page](world)
    headers = HTMX if "htmx" in page else {}

    @PROPERTY
    @given(data=st.data())
    def run(data):
        params = _query(data, PAGE_FILTERS)
        response = client.get(url, params, **headers)
        assert response.status_code < 500, (url, params)

    run()


def _api_list_endpoints() -> dict[str, list[str]]:
    schema = api.get_openapi_schema()
    endpoints = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get and "{" not in path:
            endpoints[path] = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
    return endpoints


@pytest.mark.parametrize("path", sorted(_api_list_endpoints()))
def test_every_api_list_filter_answers_hostile_query_strings_with_a_clean_status(path, client, world):
    names = _api_list_endpoints()[path]
    assert names, path
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['api_token']}"}

    @PROPERTY
    @given(data=st.data())
    def run(data):
        params = _query(data, names)
        response = client.get(path, params, **auth)
        assert response.status_code in (200, 400, 404, 422), (path, params, response.status_code)

    run()


def test_the_form_driver_finds_every_editing_form_on_the_dispute_page(staff_client, world):
    """A guard for this file: the dispute page links no form page this module does not drive."""
    html = staff_client.get(world["dispute"].get_absolute_url()).content.decode()
    driven = {EDITING_PAGES[p](world) for p in EDITING_PAGES}
    for href in lxml.html.fromstring(html).xpath("//a/@href|//*/@hx-get"):
        if href.endswith(("/edit/", "/new/", "/verdict/")) or "/links/new/" in href:
            assert href.split("?")[0] in driven or "/history/" in href, href
