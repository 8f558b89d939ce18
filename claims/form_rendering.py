"""Every field a person types into carries a ``maxlength``, on every form the site renders
(its own, the admin's, the log-in page's), so a browser stops the text as it is typed, long
before a POST could pass the upload limit (a 413, ``claims/views/errors.py``).

Django adds ``maxlength`` only for a ``CharField`` with a ``max_length``; dates and times
typed as text (the admin's widgets), passwords and unbounded text columns get none. The
bound is added where the widget is rendered (``BoundField.build_widget_attrs``), through the
renderer's ``bound_field_class``, so forms made before this app loaded are covered too.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

TYPED_INPUTS = {"text", "search", "url", "email", "password", "tel"}
# A field with no bound of its own: free text up to the longest text column (a quote), and
# anything else typed as text (a date, a time, a number) far below it.
FREE_TEXT_MAXLENGTH = 10_000
OTHER_MAXLENGTH = 100


def _typed(widget: forms.Widget) -> bool:
    if isinstance(widget, forms.MultiWidget):
        return any(_typed(sub) for sub in widget.widgets)
    return isinstance(widget, forms.Textarea) or getattr(widget, "input_type", None) in TYPED_INPUTS


class BoundedField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if "maxlength" not in attrs and "maxlength" not in widget.attrs and _typed(widget):
            own = getattr(self.field, "max_length", None)
            free_text = isinstance(self.field, forms.CharField)
            attrs["maxlength"] = str(own or (FREE_TEXT_MAXLENGTH if free_text else OTHER_MAXLENGTH))
        return attrs


class Renderer(DjangoTemplates):
    """Django's default form renderer, with every typed field bounded (FORM_RENDERER)."""

    bound_field_class = BoundedField
