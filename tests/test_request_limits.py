"""A form over the upload limits is a clear 413 that says what the limit is, saves nothing and,
for the site's htmx forms, leaves the form as typed; every field a person types into carries
a ``maxlength``, so the browser stops the text before it gets that far."""

import lxml.html
import pytest
from django.contrib import admin
from django.test import Client

from claims.models import Claim

from .factories import ClaimFactory
from .helpers import HTMX, form_data
from .test_every_form_and_filter import EDITING_PAGES, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db


def test_an_oversize_htmx_form_gets_the_limit_in_the_forms_slot(editor_client, settings):
    claim = ClaimFactory(quote="Before.")
    url = f"/claims/{claim.pk}/edit/"
    page = editor_client.get(url, **HTMX)
    assert b'class="request-limit' in page.content  # the slot the message is swapped into
    data = form_data(page, quote="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = editor_client.post(url, data, **HTMX)
    assert response.status_code == 413
    text = response.content.decode()
    assert "Nothing was saved" in text and "2.5 MB" in text and "still in the form" in text
    assert "<html" not in text  # a fragment for the slot, not a page that would replace the form
    assert Claim.objects.get().quote == "Before."


def test_an_oversize_plain_form_gets_a_page_saying_what_the_limit_is(editor_client, settings):
    claim = ClaimFactory(quote="Before.")
    url = f"/claims/{claim.pk}/edit/"
    data = form_data(editor_client.get(url), quote="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = editor_client.post(url, data)
    assert response.status_code == 413
    text = response.content.decode()
    assert "<h1>Too much in one form</h1>" in text and "2.5 MB" in text and "go back one page" in text
    assert Claim.objects.get().quote == "Before."


def test_too_many_fields_says_how_many_are_allowed(editor_client, settings):
    claim = ClaimFactory(quote="Before.")
    url = f"/claims/{claim.pk}/edit/"
    data = form_data(editor_client.get(url), quote="Forged.") | {f"f{i}": "1" for i in range(1001)}
    response = editor_client.post(url, data, **HTMX)
    assert response.status_code == 413
    assert "at most 1,000 fields" in response.content.decode()
    assert Claim.objects.get().quote == "Before."


def test_an_oversize_post_to_the_admin_or_the_api_is_a_413(staff_client, settings):
    too_big = {"proposition": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    assert staff_client.post("/admin/claims/dispute/add/", too_big).status_code == 413
    api = staff_client.post("/api/disputes", too_big)
    # The API is read-only: refused for its method before anything reads the body.
    assert api.status_code == 405


def test_other_bad_requests_stay_django_400(client, settings):
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400


# --- maxlength on every field a person types into -----------------------------------------

TYPED = ("text", "search", "url", "email", "password", "tel", "")


def _unbounded_fields(html: bytes) -> list[str]:
    """The textareas and text-like inputs of the page's forms without a maxlength."""
    found = []
    for form in lxml.html.fromstring(html).forms:
        for element in form.inputs:
            name = element.get("name")
            if not name:
                continue
            typed = element.tag == "textarea" or (
                element.tag == "input" and (element.get("type") or "").lower() in TYPED
            )
            if typed and not element.get("maxlength"):
                found.append(name)
    return found


def _addable(url: str, client) -> bool:
    """Whether the admin offers this page: any change page, or an add page its ModelAdmin allows."""
    if not url.startswith("/admin/") or not url.endswith("/add/"):
        return True
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    for model, model_admin in admin.site._registry.items():
        if url == f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/":
            return model_admin.has_add_permission(SimpleNamespace(user=user, method="GET"))
    return True


def _admin_form_pages(world) -> list[str]:  # noqa: F811
    pages = []
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base + "add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
    return pages


def test_every_typed_field_has_a_maxlength(staff_client, world):  # noqa: F811
    """So a browser refuses the extra text as it is typed, long before a POST could be too big."""
    pages = [make(world) for make in EDITING_PAGES.values()]
    pages += ["/", *_admin_form_pages(world)]
    unbounded = {}
    for url in pages:
        response = staff_client.get(url)
        # 403 exactly where the admin says there is nothing to add (checks, jobs, logs are made elsewhere).
        assert response.status_code == (200 if _addable(url, staff_client) else 403), url
        if fields := _unbounded_fields(response.content):
            unbounded[url] = fields
    for url in ("/accounts/login/", "/admin/login/"):
        if fields := _unbounded_fields(Client().get(url).content):
            unbounded[url] = fields
    assert not unbounded, f"fields without a maxlength: {unbounded}"
