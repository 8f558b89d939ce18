"""Text as it is stored: one normal form for every text field, whichever way it came in.

Text pasted from Word or a PDF brings vertical tabs, form feeds and other control
characters that XML 1.0 cannot carry (one in a quote took every related feed down);
combining sequences come decomposed or composed depending on the keyboard; explicit
bidirectional overrides can make a quote read differently from what it says. So every
text field of the ledger is a ``NormalisedCharField`` or ``NormalisedTextField``: their form
fields (editing views, the admin) normalise before validating lengths, and the model
fields normalise again on every save and query, so commands, services and the API get the
same. See docs/security.md, "Text is normalised on input".
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.db import models
from django.utils.text import Truncator

# Line breaks in all their forms (CR LF, CR, VT, FF, NEL, LS, PS) become one newline.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# What no stored text keeps: C0 and C1 controls but tab and newline; lone surrogates; the
# two non-characters XML 1.0 refuses; explicit bidi embeddings, overrides and isolates
# (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI), which reorder what readers see. Plain
# direction marks (LRM, RLM, ALM) only nudge neutral characters and are kept.
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def normalise_text(value: str, *, multiline: bool = True) -> str:
    """``value`` in NFC with line breaks unified and unsafe characters removed.

    Single-line text (names, titles) also has its line breaks and tabs turned into spaces.
    Leading and trailing whitespace is left to the caller (forms strip it).
    """
    if not value:
        return value
    text = _LINE_BREAKS.sub("\n", value)
    text = _DROPPED.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", text)


class NormalisedFormField(forms.CharField):
    """A form CharField that normalises before it validates (so a length counts what is kept)."""

    def __init__(self, *args, multiline: bool = True, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_text(value, multiline=self.multiline)
        return super().to_python(value)


class _Normalised:
    multiline = True
    truncate = False

    def _clean(self, value):
        if isinstance(value, str):
            value = normalise_text(value, multiline=self.multiline)
            if self.truncate and self.max_length and len(value) > self.max_length:
                value = Truncator(value).chars(self.max_length)
        return value

    def pre_save(self, model_instance, add):
        value = self._clean(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return self._clean(super().get_prep_value(value))

    def formfield(self, **kwargs):
        if self.choices:
            return super().formfield(**kwargs)
        return super().formfield(**{"form_class": NormalisedFormField, "multiline": self.multiline, **kwargs})

    def deconstruct(self):
        # Stored like the plain field: normalising changes no column, so no migration needs it.
        name, path, args, kwargs = super().deconstruct()
        path = path.replace("claims.text.Normalised", "django.db.models.")
        kwargs.pop("truncate", None)
        return name, path, args, kwargs


class NormalisedCharField(_Normalised, models.CharField):
    """A single-line text field (a name, a title), normalised on input.

    ``truncate=True`` is for derived columns (a feed item's title built from other fields):
    they are cut to fit rather than failing the write that made them.
    """

    multiline = False

    def __init__(self, *args, truncate: bool = False, **kwargs):
        self.truncate = truncate
        super().__init__(*args, **kwargs)


class NormalisedTextField(_Normalised, models.TextField):
    """A multi-line text field (a quote, a summary), normalised on input."""

    def __init__(self, *args, truncate: bool = False, **kwargs):
        self.truncate = truncate
        super().__init__(*args, **kwargs)
