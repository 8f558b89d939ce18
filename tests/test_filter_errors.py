"""No filter is dropped in silence: every field of the home page's filter form, given a value
it cannot take, is named with its error on the page (whole page and htmx results) and in
the CSV export's 400. A field added to the form tomorrow is covered by the loop."""

import pytest
from django import forms

from claims.filters import DisputeFilterForm

from .helpers import HTMX

pytestmark = pytest.mark.django_db


def _invalid_value(field: forms.Field) -> str | None:
    """A value the field refuses, or None for fields that take any text (search, checkboxes)."""
    if isinstance(field, forms.DateField):
        return "2023-02-30"
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return "no-such-choice"
    if isinstance(field, forms.CharField) and field.max_length:
        return "x" * (field.max_length + 1)
    return None


def _refusable_fields() -> list[str]:
    return [name for name, field in DisputeFilterForm.base_fields.items() if _invalid_value(field) is not None]


def test_the_loop_covers_the_form():
    assert {"status", "party", "occurred_from", "occurred_to", "q"} <= set(_refusable_fields())


@pytest.mark.parametrize("name", _refusable_fields())
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_an_invalid_filter_is_named_with_its_error(client, name, htmx):
    field = DisputeFilterForm.base_fields[name]
    response = client.get("/", {name: _invalid_value(field)}, **(HTMX if htmx else {}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "These filters were not applied" in html
    assert f"<li>{field.label}:" in html


@pytest.mark.parametrize("name", _refusable_fields())
def test_the_csv_export_refuses_an_invalid_filter_saying_which(client, name):
    field = DisputeFilterForm.base_fields[name]
    response = client.get("/disputes.csv", {name: _invalid_value(field)})
    assert response.status_code == 400
    assert name in response.content.decode()
