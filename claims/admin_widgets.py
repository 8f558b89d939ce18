"""A guard for Django's admin autocomplete widget against values that are not ids.

When an admin form comes back with errors, ``AutocompleteMixin.optgroups`` looks up the
submitted values to show them as selected, and a value that is not a valid key
("1e9", "abc") makes that lookup raise ValueError: a 500 instead of the form with its
error beside the field. Every admin form uses the widget through ``autocomplete_fields``,
so the guard is installed once, for all of them, from ``ClaimsConfig.ready``.
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_original_optgroups = AutocompleteMixin.optgroups


def _parseable(widget: AutocompleteMixin, values) -> list:
    remote = widget.field.remote_field
    opts = remote.model._meta
    key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
    kept = []
    for value in values:
        try:
            # The column's range too: SQLite refuses integers past 64 bits with OverflowError.
            key.run_validators(key.to_python(value))
        except (ValidationError, ValueError, TypeError):
            continue
        kept.append(value)
    return kept


def _optgroups(self, name, value, attr=None):
    return _original_optgroups(self, name, _parseable(self, value), attr)


def install() -> None:
    AutocompleteMixin.optgroups = _optgroups
