"""Names of models and fields as the pages and the admin show them, in the reader's language.

The models' own ``verbose_name``s stay plain English strings in their definitions (writing them
as lazy translations there would only add migrations that change nothing in the database).
Each is listed here with ``gettext_noop`` so ``makemessages`` puts it in the catalogue; when the
app is ready, ``translate_model_names`` swaps every model's and field's name for its lazy
translation (migrations read the definitions, not these), so the admin, forms and history
pages name them in the reader's language. ``tests/test_translations.py`` fails when a model or
field of the app is missing from these lists.
"""

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, gettext_noop

MODEL_NAMES = [
    gettext_noop("party"),
    gettext_noop("speaker"),
    gettext_noop("dispute"),
    gettext_noop("claim"),
    gettext_noop("evidence"),
    gettext_noop("evidence link"),
    gettext_noop("article link"),
    gettext_noop("source"),
    # Every other model of the app, and the plurals, as the admin names them.
    gettext_noop("appearance"),
    gettext_noop("appearances"),
    gettext_noop("feed token"),
    gettext_noop("feed tokens"),
    gettext_noop("dispute slug redirect"),
    gettext_noop("dispute slug redirects"),
    gettext_noop("api token"),
    gettext_noop("api tokens"),
    gettext_noop("sources"),
    gettext_noop("disputes"),
    gettext_noop("article links"),
    gettext_noop("parties"),
    gettext_noop("speakers"),
    gettext_noop("claims"),
    gettext_noop("check job"),
    gettext_noop("check jobs"),
    gettext_noop("source check"),
    gettext_noop("source checks"),
    gettext_noop("quote check"),
    gettext_noop("quote checks"),
    gettext_noop("clip draft"),
    gettext_noop("clip drafts"),
    gettext_noop("evidence links"),
    gettext_noop("feed item"),
    gettext_noop("feed items"),
    gettext_noop("watch"),
    gettext_noop("watchs"),
    gettext_noop("notification settings"),
    gettext_noop("notification"),
    gettext_noop("notifications"),
    gettext_noop("dispute search document"),
    gettext_noop("dispute search documents"),
    gettext_noop("dispute page stamp"),
    gettext_noop("dispute page stamps"),
    gettext_noop("form submission"),
    gettext_noop("form submissions"),
    gettext_noop("webhook endpoint"),
    gettext_noop("webhook endpoints"),
    gettext_noop("webhook delivery"),
    gettext_noop("webhook deliveries"),
    gettext_noop("webhook attempt"),
    gettext_noop("webhook attempts"),
]

FIELD_NAMES = [
    gettext_noop("other names"),
    gettext_noop("name"),
    gettext_noop("slug"),
    gettext_noop("old slug"),
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
    # The fields the admin shows besides.
    gettext_noop("quote as it appears there"),
    gettext_noop("text just before the quote"),
    gettext_noop("text just after the quote"),
    gettext_noop("appeared on"),
    gettext_noop("ID"),
    gettext_noop("user"),
    gettext_noop("token"),
    gettext_noop("created at"),
    gettext_noop("key hash"),
    gettext_noop("prefix"),
    gettext_noop("revoked at"),
    gettext_noop("updated at"),
    gettext_noop("last checked at"),
    gettext_noop("next check at"),
    gettext_noop("version"),
    gettext_noop("verdict at"),
    gettext_noop("published at"),
    gettext_noop("last activity at"),
    gettext_noop("state"),
    gettext_noop("attempts"),
    gettext_noop("max attempts"),
    gettext_noop("run after"),
    gettext_noop("lease until"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("last error"),
    gettext_noop("job"),
    gettext_noop("duration ms"),
    gettext_noop("outcome"),
    gettext_noop("http status"),
    gettext_noop("redirect chain"),
    gettext_noop("final url"),
    gettext_noop("content type"),
    gettext_noop("size bytes"),
    gettext_noop("raw sha256"),
    gettext_noop("text sha256"),
    gettext_noop("text"),
    gettext_noop("text truncated"),
    gettext_noop("text method"),
    gettext_noop("changed"),
    gettext_noop("modified on"),
    gettext_noop("timings"),
    gettext_noop("error"),
    gettext_noop("archive name"),
    gettext_noop("etag"),
    gettext_noop("last modified"),
    gettext_noop("not modified"),
    gettext_noop("check run"),
    gettext_noop("present"),
    gettext_noop("score"),
    gettext_noop("matched text"),
    gettext_noop("suffix"),
    gettext_noop("key"),
    gettext_noop("data"),
    gettext_noop("uid"),
    gettext_noop("old value"),
    gettext_noop("new value"),
    gettext_noop("made on draft"),
    gettext_noop("article link"),
    gettext_noop("source check"),
    gettext_noop("actor"),
    gettext_noop("sending until"),
    gettext_noop("feed item"),
    gettext_noop("due at"),
    gettext_noop("sent at"),
    gettext_noop("dropped"),
    gettext_noop("document"),
    gettext_noop("dispute id"),
    gettext_noop("object id"),
    gettext_noop("URL"),
    gettext_noop("secret"),
    gettext_noop("active"),
    gettext_noop("endpoint"),
    gettext_noop("delivered at"),
    gettext_noop("last response"),
    gettext_noop("delivery"),
    gettext_noop("at"),
    gettext_noop("response"),
    gettext_noop("response excerpt"),
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


def _lazy(name) -> Promise:
    with translation.override(None):  # the English it was written in (a plural Django made, too)
        return gettext_lazy(str(name))


def translate_model_names() -> None:
    """Every model's and field's name of the app as a lazy translation (``ClaimsConfig.ready``)."""
    for model in apps.get_app_config("claims").get_models():
        if model.__name__.startswith("Historical"):
            continue  # django-simple-history's copies, which no page names
        meta = model._meta
        meta.verbose_name = _lazy(meta.verbose_name)
        meta.verbose_name_plural = _lazy(meta.verbose_name_plural)
        for field in meta.get_fields():
            if getattr(field, "concrete", False) and getattr(field, "verbose_name", None):
                field.verbose_name = _lazy(field.verbose_name)
