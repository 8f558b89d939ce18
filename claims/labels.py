"""Names of models and fields as the pages show them, in the reader's language.

The models' own ``verbose_name``s stay plain English strings (making them lazy translations
would only add migrations that change nothing in the database); each is listed here with
``gettext_noop`` so ``makemessages`` puts it in the catalogue, and ``model_name``/``field_label``
translate it when a page is rendered. ``tests/test_translations.py`` fails when a model a page
names has a field or a name missing from these lists.
"""

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

MODEL_NAMES = [
    gettext_noop("party"),
    gettext_noop("speaker"),
    gettext_noop("dispute"),
    gettext_noop("claim"),
    gettext_noop("evidence"),
    gettext_noop("evidence link"),
    gettext_noop("article link"),
    gettext_noop("source"),
]

FIELD_NAMES = [
    gettext_noop("other names"),
    gettext_noop("name"),
    gettext_noop("slug"),
    gettext_noop("kind"),
    gettext_noop("country"),
    gettext_noop("description"),
    gettext_noop("party"),
    gettext_noop("role"),
    gettext_noop("proposition"),
    gettext_noop("summary"),
    gettext_noop("occurred on"),
    gettext_noop("status"),
    gettext_noop("verdict"),
    gettext_noop("verdict reasoning"),
    gettext_noop("verdict by"),
    gettext_noop("is published"),
    gettext_noop("created by"),
    gettext_noop("dispute"),
    gettext_noop("speaker"),
    gettext_noop("stance"),
    gettext_noop("original quote"),
    gettext_noop("language of the quote"),
    gettext_noop("reconstructed wording"),
    gettext_noop("translation"),
    gettext_noop("translation language"),
    gettext_noop("translated by"),
    gettext_noop("translator"),
    gettext_noop("paraphrase"),
    gettext_noop("said on"),
    gettext_noop("said on precision"),
    gettext_noop("source"),
    gettext_noop("quote exact"),
    gettext_noop("quote prefix"),
    gettext_noop("quote suffix"),
    gettext_noop("standing"),
    gettext_noop("withdrawn on"),
    gettext_noop("withdrawn where"),
    gettext_noop("superseded by"),
    gettext_noop("misreported wording"),
    gettext_noop("reason"),
    gettext_noop("title"),
    gettext_noop("released by"),
    gettext_noop("released on"),
    gettext_noop("released on precision"),
    gettext_noop("evidence"),
    gettext_noop("claim"),
    gettext_noop("effect"),
    gettext_noop("strength"),
    gettext_noop("note"),
    gettext_noop("relation"),
    gettext_noop("linked on"),
    gettext_noop("url"),
    gettext_noop("publisher"),
    gettext_noop("author"),
    gettext_noop("published on"),
    gettext_noop("check state"),
    gettext_noop("email"),
    gettext_noop("watch what i create"),
]


# Django 6's empty choice of a select ("- Select an option -"), not yet in its own Russian
# catalogue; ours, first in LOCALE_PATHS, carries it.
DJANGO_STRINGS = [gettext_noop("- Select an option -")]


def model_name(model: type[models.Model] | models.Model) -> str:
    """The model's name in the active language ("claim", "заявление")."""
    return gettext(str(model._meta.verbose_name))


def field_label(model: type[models.Model] | models.Model, name: str) -> str:
    """A field's label in the active language, capitalised as a form shows it ("Said on", "Дата")."""
    field = model._meta.get_field(name)
    return capfirst(gettext(str(getattr(field, "verbose_name", name))))
