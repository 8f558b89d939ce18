"""No formset can be made to build thousands of forms: every admin inline (and any formset
the site serves) takes at most its existing rows plus a few new ones. A forged
``*-TOTAL_FORMS=1000`` is a clean formset error on the page, and nothing is saved.

Forms are read from the served pages (so an inline added tomorrow is covered): every admin
add and change page of every registered model that has a formset."""

import re

import pytest
from django.contrib import admin

from .helpers import form_data
from .test_every_form_and_filter import _counts, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

FORGED = 1000
TOTAL = re.compile(r'name="([^"]+)-TOTAL_FORMS"')


def _formset_pages() -> list[str]:
    pages = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.inlines:
            base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            pages += [base + "add/", base + "{pk}/change/"]
    return sorted(pages)


def test_the_walk_finds_the_inlines():
    assert "/admin/claims/party/{pk}/change/" in _formset_pages()
    assert "/admin/claims/dispute/{pk}/change/" in _formset_pages()


@pytest.mark.parametrize("page", _formset_pages())
def test_a_forged_total_forms_is_a_clean_error_and_saves_nothing(page, staff_client, world):  # noqa: F811
    if "{pk}" in page:
        model = next(m for m in admin.site._registry if f"/{m._meta.model_name}/" in page)
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the world has no {model.__name__}"
        page = page.format(pk=obj.pk)
    served = staff_client.get(page)
    if served.status_code == 403:
        pytest.skip("read-only in the admin")
    prefixes = TOTAL.findall(served.content.decode())
    assert prefixes, f"no formset on {page}"
    data = form_data(served) | {f"{prefix}-TOTAL_FORMS": str(FORGED) for prefix in prefixes}
    data |= {"_save": "Save"}
    before = _counts()
    response = staff_client.post(page, data)
    # A page served read-only (no Save button) refuses the post; any other says what was wrong.
    if 'name="_save"' in served.content.decode():
        assert response.status_code == 200, (page, response.status_code)
        assert "Please submit at most" in response.content.decode(), page
    else:
        assert response.status_code == 403, (page, response.status_code)
    assert _counts() == before


def test_an_honest_save_of_a_party_with_its_speakers_still_works(staff_client, world):  # noqa: F811
    party = world["party"]
    page = f"/admin/claims/party/{party.pk}/change/"
    data = form_data(staff_client.get(page), description="Changed through the admin.") | {"_save": "Save"}
    response = staff_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    party.refresh_from_db()
    assert party.description == "Changed through the admin."
