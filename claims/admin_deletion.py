"""The admin's delete confirmation in a fixed number of queries, whatever is deleted with it.

Django's confirmation page lists every row a delete takes along, each by its ``__str__``;
several of ours name a related row ("Gen. Milley affirms: …" reads the speaker, an evidence
link its claim, a quote result its claim), so a dispute with 200 claims cost a query per claim,
per link, per watch. ``get_deleted_objects`` is Django's own (``django.contrib.admin.utils``,
Django 6.1), with a collector that reads those related rows in the query that collects each
kind (``DISPLAY_RELATIONS``). Guard: ``tests/test_query_counts_every_page.py``.
"""

from __future__ import annotations

from django.contrib.admin.options import EMPTY_VALUE_STRING
from django.contrib.admin.utils import NestedObjects, display_for_value, quote
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from .models import (
    ApiToken,
    Appearance,
    ArticleLink,
    CheckJob,
    Claim,
    Evidence,
    EvidenceLink,
    FeedToken,
    Notification,
    QuoteCheck,
    SourceCheck,
    Speaker,
    Watch,
)

# What each model's ``__str__`` reads besides its own row.
DISPLAY_RELATIONS = {
    Claim: ("speaker", "party"),
    Speaker: ("party",),
    Evidence: ("released_by",),
    EvidenceLink: ("claim__speaker", "claim__party"),
    Appearance: ("claim__speaker", "claim__party", "source"),
    ArticleLink: ("source", "dispute"),
    QuoteCheck: ("claim__speaker", "claim__party"),
    SourceCheck: ("source",),
    CheckJob: ("source",),
    Watch: ("user", "dispute", "party", "source"),
    Notification: ("user", "feed_item"),
    FeedToken: ("user",),
    ApiToken: ("user",),
}


class _Collector(NestedObjects):
    def related_objects(self, related_model, related_fields, objs):
        queryset = super().related_objects(related_model, related_fields, objs)
        relations = DISPLAY_RELATIONS.get(related_model)
        return queryset.select_related(*relations) if relations else queryset


def get_deleted_objects(objs, request, admin_site):
    """Django's ``get_deleted_objects``: the rows a delete takes along, nested, each linked to its
    admin page; the count per kind; the kinds the user lacks a delete permission on; the
    protected rows."""
    try:
        obj = objs[0]
    except IndexError:
        return [], {}, set(), []
    collector = _Collector(using=router.db_for_write(obj._meta.model), origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        model, opts = obj.__class__, obj._meta
        no_edit_link = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(model):
            return no_edit_link
        if not admin_site.get_model_admin(model).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            admin_url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", None, (quote(obj.pk),))
        except NoReverseMatch:
            return no_edit_link
        shown = display_for_value(str(obj), EMPTY_VALUE_STRING)
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), admin_url, shown)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {model._meta.verbose_name_plural: len(rows) for model, rows in collector.model_objs.items()}
    return to_delete, model_count, perms_needed, protected
