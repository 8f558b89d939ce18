"""The admin. Every write it offers goes through ``claims.services``, with the editors' rules.

``LedgerAdmin`` is the base of every history-keeping model's admin: its change and
add forms, deletes, bulk actions and django-simple-history's "Revert" call the same
services the editor pages call, so publishing and verdicts stay with senior
editors, a stale form is refused (``opened_version``), a revert is an ordinary,
recorded restore (``services.object_restore``) and versions only go forward.
Inlines on the dispute and evidence pages are read-only lists with links to each
object's own page, where its save goes through its service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator, smart_split
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import admin_deletion, following, roles, services, webhooks
from .checking.jobs import jobs_request
from .models import (
    ApiToken,
    ArticleLink,
    CheckJob,
    Claim,
    Dispute,
    Evidence,
    EvidenceLink,
    FeedItem,
    FeedToken,
    Notification,
    Party,
    QuoteCheck,
    Source,
    SourceCheck,
    Speaker,
    Watch,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .templatetags.claims_text import lang_dir

admin.site.site_header = _("Claim tracker administration")
admin.site.site_title = _("Claim tracker admin")


class VersionedAdminForm(forms.ModelForm):
    """Remembers the version an admin form was opened at; a save over a later change is refused."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not self.instance._state.adding:
            try:
                # The admin saves inside one transaction: the lock holds until the save.
                services.check_version(obj=self.instance, version=cleaned.get("opened_version"))
            except services.EditConflict as conflict:
                fields = ", ".join(change.label.lower() for change in conflict.changes)
                who = {"who": conflict.changed_by, "what": conflict.verbose_name, "fields": fields}
                raise ValidationError(
                    (
                        gettext(
                            "%(who)s saved this %(what)s after you opened it (changed: %(fields)s). Nothing was "
                            "saved: reload the page to see their change, then make yours again."
                        )
                        if fields
                        else gettext(
                            "%(who)s saved this %(what)s after you opened it. Nothing was saved: reload the page "
                            "to see their change, then make yours again."
                        )
                    )
                    % who
                ) from None
        return cleaned


def _model_data(form: forms.ModelForm, *, changed_only: bool) -> dict[str, Any]:
    """The model fields the admin form set (only those changed, for an edit); the services set ``created_by``."""
    model_fields = {f.name for f in form._meta.model._meta.fields} - {"created_by"}
    names = form.changed_data if changed_only else form.cleaned_data
    return {name: form.cleaned_data[name] for name in names if name in model_fields}


def _adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row the service saved (the admin goes on to log it and save inlines)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


# Words of an admin search (or autocomplete) term that are searched: the admin ANDs one OR of
# ``icontains`` over every search field per word, joins included, so each word costs a pass
# over the tables (85 ms a word at 2,000 disputes); a 2,000-character term of repeated
# one-letter words took over a minute. Repeats are dropped, the rest cut at this many.
ADMIN_SEARCH_WORDS = 6


class BoundedSearchAdmin(admin.ModelAdmin):
    """Every admin of the app: a search does a bounded amount of work whatever the term."""

    def get_search_results(self, request, queryset, search_term):
        words = list(dict.fromkeys(smart_split(search_term)))
        if len(words) > ADMIN_SEARCH_WORDS:
            match = getattr(request, "resolver_match", None)
            if match is not None and match.url_name and match.url_name.endswith("_changelist"):
                messages.info(
                    request,
                    gettext("Searched for the first %(count)d different words of the term only.")
                    % {"count": ADMIN_SEARCH_WORDS},
                )
            words = words[:ADMIN_SEARCH_WORDS]
        return super().get_search_results(request, queryset, " ".join(words))


class LedgerAdmin(BoundedSearchAdmin, SimpleHistoryAdmin):
    """Writes through ``claims.services``; revert is the editors' restore, with its rules."""

    # Fields set when a row is made and never changed after (a claim's dispute: models.base.StaysOnItsDispute).
    fixed_after_creation: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in self.fixed_after_creation if f not in fields] if obj is not None else fields

    def save_through_services(self, request: HttpRequest, obj: models.Model, form, change: bool) -> models.Model:
        # Models without a service of their own (parties, speakers, sources): the model's rules are all.
        obj.save()
        return obj

    def delete_through_services(self, request: HttpRequest, obj: models.Model) -> None:
        obj.delete()

    def save_model(self, request, obj, form, change) -> None:
        obj._history_user = request.user
        saved = self.save_through_services(request, obj, form, change)
        if saved is not obj:
            _adopt(obj, saved)

    def delete_model(self, request, obj) -> None:
        self.delete_through_services(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_through_services(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        return not self.has_change_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Text typed in any script reads in its own direction (docs/languages.md).
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, (models.CharField, models.TextField)) and not db_field.choices and formfield:
            if isinstance(formfield.widget, (forms.TextInput, forms.Textarea)):
                formfield.widget.attrs.setdefault("data-text-dir", "")  # static/js/text-direction.js
        return formfield

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "_viewing_history", False):
            return form

        class PastVersionForm(form):
            """A past version is shown as it was: "Revert" restores exactly that, never typed-in values."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.disabled = True

        return PastVersionForm

    def get_deleted_objects(self, objs, request):
        # Django's list of what goes with it, with the related rows each line names read in bulk.
        deleted, model_count, perms_needed, protected = admin_deletion.get_deleted_objects(
            objs, request, self.admin_site
        )
        # Feed items, quote checks, webhook deliveries, the email outbox and watches go with what they
        # describe; nobody needs a permission on them to delete a dispute, a party or a source.
        bookkeeping = {str(m._meta.verbose_name) for m in (FeedItem, QuoteCheck, WebhookDelivery, Notification, Watch)}
        return deleted, model_count, perms_needed - bookkeeping, protected

    def _require_valid_id(self, object_id: str) -> None:
        """django-simple-history's history pages pass the address's id to the database as it
        is: one that is not a number (``/admin/claims/party/x/history/``) was a 500."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such object") from None

    def history_view(self, request, object_id, extra_context=None) -> HttpResponse:
        self._require_valid_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The one hook django-simple-history calls with the history page's records: each is also
        # named here (``shown_as``, templates/simple_history/object_history_list.html) from the
        # related rows its query already read; ``record.history_object`` is a fresh instance
        # without them, and its ``__str__`` (a claim's speaker) cost a query per row.
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            shown = record.history_object
            for field in shown._meta.concrete_fields:
                if field.is_relation and field.name in record._state.fields_cache:
                    field.set_cached_value(shown, record._state.fields_cache[field.name])
            record.shown_as = str(shown)

    def history_form_view(self, request, object_id, version_id, extra_context=None) -> HttpResponse:
        self._require_valid_id(object_id)
        request._viewing_history = True
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        record = get_object_or_404(self.model.history, id=unquote(object_id), history_id=version_id)
        live = self.model._default_manager.filter(pk=record.id).first()
        if not self.has_change_permission(request, live or record.instance):
            raise PermissionDenied
        opts = self.model._meta
        try:
            restored = services.object_restore(model=self.model, record=record, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.path)
        self.log_change(request, restored, f"Restored the version of {record.history_date:%Y-%m-%d %H:%M:%S}.")
        self.message_user(
            request,
            gettext("Restored the %(what)s as of %(when)s.")
            % {"what": opts.verbose_name, "when": date_format(record.history_date, "SHORT_DATETIME_FORMAT")},
            messages.SUCCESS,
        )
        for note in getattr(restored, "restore_notes", []):
            self.message_user(request, note, messages.WARNING)
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[restored.pk]))


class BoundedInline:
    """An inline whose formset takes at most its rows plus ``max_num`` new ones.

    Django's default bound is 1,000 forms plus 1,000: a forged ``*-TOTAL_FORMS`` made
    the server build up to 2,000 forms per inline. Here the bound is what the parent
    holds now, plus the new rows one save may add; more is a clean formset error
    ("Please submit at most N forms") and nothing is saved.
    """

    max_num = 20
    # The related rows each row shows (its choices, its link's label): read with the rows, not one
    # query per row (tests/test_query_counts_every_page.py).
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        existing = 0
        if obj is not None and obj.pk is not None:
            existing = self.model._default_manager.filter(**{formset.fk.name: obj}).count()
        formset.absolute_max = existing + (self.max_num or 0)
        return formset


class ReadOnlyInline(BoundedInline):
    """An inline that lists; each row is changed on its own admin page, through its service.

    It shows the first ``shown`` rows: a dispute of 200 claims made its change page hundreds
    of read-only forms, megabytes of HTML.
    """

    shown = 20

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        shown = self.shown

        class FirstRows(formset):  # type: ignore[misc, valid-type]
            def get_queryset(self):
                if not hasattr(self, "_first_rows"):
                    self._first_rows = super().get_queryset()[:shown]
                return self._first_rows

        return FirstRows

    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SpeakerInline(BoundedInline, admin.TabularInline):
    model = Speaker
    extra = 0
    select_related = ("party",)
    fields = ["name", "role"]


@admin.register(Party)
class PartyAdmin(LedgerAdmin):
    list_display = ["name", "kind", "country", "claim_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases", "speakers__name", "speakers__aliases"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SpeakerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims", distinct=True)).order_by("name")

    @admin.display(description=_("Claims"), ordering="claim_count")
    def claim_count(self, obj: Party) -> int:
        return obj.claim_count


@admin.register(Speaker)
class SpeakerAdmin(LedgerAdmin):
    list_display = ["name", "role", "party"]
    list_filter = ["party"]
    search_fields = ["name", "aliases", "role", "party__name"]
    autocomplete_fields = ["party"]
    list_select_related = ["party"]


class ClaimInline(ReadOnlyInline, admin.StackedInline):
    model = Claim
    extra = 0
    select_related = ("dispute", "party", "speaker__party", "source")
    autocomplete_fields = ["party", "speaker", "source"]
    fields = [
        ("party", "speaker", "stance"),
        ("quote", "quote_language"),
        ("translation", "translation_origin", "translator"),
        "paraphrase",
        ("said_on", "said_on_precision"),
        "source",
        ("quote_prefix", "quote_exact", "quote_suffix"),
    ]


class EvidenceInline(ReadOnlyInline, admin.TabularInline):
    model = Evidence
    extra = 0
    select_related = ("dispute", "released_by", "source")
    autocomplete_fields = ["released_by", "source"]
    fields = ["kind", "title", "released_by", "released_on", "source"]


class ArticleLinkInline(ReadOnlyInline, admin.TabularInline):
    model = ArticleLink
    extra = 0
    select_related = ("dispute", "source")
    autocomplete_fields = ["source"]
    fields = ["source", "relation", "linked_on", "note"]


class DisputeAdminForm(VersionedAdminForm):
    def clean(self):
        cleaned = super().clean()
        if "verdict" in self.fields and not self.fields["verdict"].disabled:
            try:
                services.check_verdict(
                    verdict=cleaned.get("verdict") or "", reasoning=cleaned.get("verdict_reasoning") or ""
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Dispute)
class DisputeAdmin(LedgerAdmin):
    form = DisputeAdminForm
    list_display = ["__str__", "status", "verdict", "is_published", "claim_count", "last_activity_at"]
    list_filter = ["status", "is_published", "verdict", "claims__party"]
    search_fields = ["proposition", "summary", "claims__quote", "claims__paraphrase"]
    prepopulated_fields = {"slug": ["proposition"]}
    # Who settled it and when are set by the verdict rule (services), not typed in.
    readonly_fields = [
        "status",
        "version",
        "created_at",
        "updated_at",
        "last_activity_at",
        "published_at",
        "verdict_by",
        "verdict_at",
    ]
    date_hierarchy = "last_activity_at"
    inlines = [ClaimInline, EvidenceInline, ArticleLinkInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["proposition", "slug", "summary", "occurred_on"]}),
        (
            _("Status"),
            {"fields": ["status", "is_published", "published_at", "last_activity_at", "version", "opened_version"]},
        ),
        (_("Verdict"), {"fields": ["verdict", "verdict_reasoning", "verdict_by", "verdict_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims", distinct=True))

    def get_readonly_fields(self, request, obj=None):
        # The same rule as the editor pages: only senior editors publish or settle.
        fields = list(super().get_readonly_fields(request, obj))
        if not roles.can_publish(request.user):
            fields.append("is_published")
        if not roles.can_settle(request.user):
            fields += ["verdict", "verdict_reasoning"]
        return fields

    @admin.display(description=_("Claims"), ordering="claim_count")
    def claim_count(self, obj: Dispute) -> int:
        return obj.claim_count

    def save_through_services(self, request, obj, form, change):
        data = _model_data(form, changed_only=change)
        if change:
            return services.dispute_update(
                dispute=obj, user=request.user, version=form.cleaned_data.get("opened_version"), **data
            )
        decisions = {
            name: data.pop(name) for name in list(data) if name in services.PUBLISHING_FIELDS | services.VERDICT_FIELDS
        }
        dispute = services.dispute_create(user=request.user, **data)
        if any(decisions.values()):
            dispute = services.dispute_update(dispute=dispute, user=request.user, version=dispute.version, **decisions)
        return dispute

    def delete_through_services(self, request, obj):
        services.dispute_delete(dispute=obj, user=request.user)

    @admin.action(description=_("Publish selected disputes"), permissions=["publish"])
    def publish(self, request, queryset):
        self._publish(request, queryset.filter(is_published=False), publish=True)

    @admin.action(description=_("Unpublish selected disputes"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._publish(request, queryset.filter(is_published=True), publish=False)

    def _publish(self, request, queryset, *, publish: bool) -> None:
        count = 0
        for dispute in queryset:
            services.dispute_publish(dispute=dispute, user=request.user, publish=publish)
            count += 1
        done = (
            ngettext("Published %(count)d dispute.", "Published %(count)d disputes.", count)
            if publish
            else ngettext("Unpublished %(count)d dispute.", "Unpublished %(count)d disputes.", count)
        )
        self.message_user(request, done % {"count": count}, messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return roles.can_publish(request.user)


@admin.register(Claim)
class ClaimAdmin(LedgerAdmin):
    form = VersionedAdminForm
    list_display = ["wording", "dispute", "party", "stance", "quote_language", "said_on", "source_state"]
    list_filter = ["stance", "party", "quote_language", "said_on_precision", "source__check_state"]
    search_fields = ["quote", "translation", "paraphrase", "speaker__name", "party__name", "dispute__proposition"]
    autocomplete_fields = ["dispute", "party", "speaker", "source", "superseded_by"]
    list_select_related = ["dispute", "party", "speaker", "source"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by"]
    fixed_after_creation = ("dispute",)
    date_hierarchy = "said_on"

    def get_deleted_objects(self, objs, request):
        # A claim that supersedes others is not deleted (services.claim_delete): the admin lists
        # the claims in the way as "protected", as it does for a row another row protects.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for claim in objs:
            named_by = claim.supersedes.select_related("party", "speaker")
            protected += [f"{other} (superseded by it)" for other in named_by]
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("Claim"))
    def wording(self, obj: Claim) -> str:
        """Who said what, the words marked with their language and direction."""
        who = obj.speaker.name if obj.speaker_id else obj.party.name
        words = Truncator(obj.quote or obj.paraphrase).chars(70)
        return format_html(
            "<bdi>{}</bdi> {}: <q{}>{}</q>",
            who,
            obj.get_stance_display().lower(),
            lang_dir(obj.quote_language if obj.quote else ""),
            words,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.quote_language and "quote" in form.base_fields:
            form.base_fields["quote"].widget.attrs.update(lang=obj.quote_language, dir=obj.quote_dir)
        return form

    @admin.display(description=_("Source check"), ordering="source__check_state")
    def source_state(self, obj: Claim) -> str:
        return obj.source.get_check_state_display() if obj.source_id else "—"

    def save_through_services(self, request, obj, form, change):
        data = _model_data(form, changed_only=change)
        if change:
            return services.claim_update(
                claim=obj, user=request.user, version=form.cleaned_data.get("opened_version"), **data
            )
        dispute, source = data.pop("dispute"), data.pop("source", None)
        return services.claim_create(
            dispute=dispute, user=request.user, source_url=source.url if source else "", **data
        )

    def delete_through_services(self, request, obj):
        services.claim_delete(claim=obj, user=request.user)


class EvidenceLinkInline(ReadOnlyInline, admin.TabularInline):
    model = EvidenceLink
    extra = 0
    select_related = ("evidence__released_by", "claim__speaker", "claim__party")
    autocomplete_fields = ["claim"]
    fields = ["claim", "stance", "effect", "strength", "note"]


@admin.register(Evidence)
class EvidenceAdmin(LedgerAdmin):
    form = VersionedAdminForm
    list_display = ["title", "kind", "dispute", "released_by", "released_on"]
    list_filter = ["kind", "released_by"]
    search_fields = ["title", "description", "dispute__proposition"]
    autocomplete_fields = ["dispute", "released_by", "source"]
    list_select_related = ["dispute", "released_by"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by"]
    fixed_after_creation = ("dispute",)
    inlines = [EvidenceLinkInline]

    def save_through_services(self, request, obj, form, change):
        data = _model_data(form, changed_only=change)
        if change:
            return services.evidence_update(
                evidence=obj, user=request.user, version=form.cleaned_data.get("opened_version"), **data
            )
        dispute, source = data.pop("dispute"), data.pop("source", None)
        return services.evidence_create(
            dispute=dispute, user=request.user, source_url=source.url if source else "", **data
        )

    def delete_through_services(self, request, obj):
        services.evidence_delete(evidence=obj, user=request.user)


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(LedgerAdmin):
    list_display = ["__str__", "evidence", "effect", "strength"]
    list_filter = ["effect", "strength", "stance"]
    search_fields = ["evidence__title", "claim__quote", "note"]
    autocomplete_fields = ["evidence", "claim"]
    list_select_related = ["evidence__released_by", "claim__party", "claim__speaker"]

    def save_through_services(self, request, obj, form, change):
        if change:
            return super().save_through_services(request, obj, form, change)
        data = _model_data(form, changed_only=False)
        return services.evidence_link_create(user=request.user, **data)

    def delete_through_services(self, request, obj):
        services.evidence_link_delete(link=obj, user=request.user)


@admin.register(ArticleLink)
class ArticleLinkAdmin(LedgerAdmin):
    form = VersionedAdminForm
    list_display = ["source", "relation", "dispute", "linked_on"]
    list_filter = ["relation"]
    search_fields = ["source__title", "source__url", "dispute__proposition", "note"]
    autocomplete_fields = ["dispute", "source"]
    list_select_related = ["dispute", "source"]
    readonly_fields = ["created_at", "created_by"]
    # As on the dispute page: a link's article is fixed; linking another is a new link.
    fixed_after_creation = ("dispute", "source")

    def save_through_services(self, request, obj, form, change):
        data = _model_data(form, changed_only=False)
        if change:
            return services.article_update(
                link=obj,
                user=request.user,
                version=form.cleaned_data.get("opened_version"),
                relation=data["relation"],
                note=data["note"],
                linked_on=data["linked_on"],
            )
        return services.article_create(
            dispute=data["dispute"],
            user=request.user,
            url=data["source"].url,
            relation=data["relation"],
            note=data["note"],
            linked_on=data["linked_on"],
        )

    def delete_through_services(self, request, obj):
        services.article_delete(link=obj, user=request.user)


@admin.action(description=_("Re-check selected sources now"), permissions=["change"])
def recheck_sources(modeladmin, request, queryset):
    # One transaction for all the jobs, one batch of wake-ups with a short budget.
    batch = jobs_request(source_ids=queryset.values_list("pk", flat=True), reason=CheckJob.Reason.MANUAL)
    level = messages.SUCCESS if batch.woken is None or batch.woken >= batch.created else messages.WARNING
    modeladmin.message_user(request, batch.summary(), level)


@admin.register(Source)
class SourceAdmin(LedgerAdmin):
    list_display = ["__str__", "kind", "publisher", "published_on", "check_state", "last_checked_at"]
    list_filter = ["check_state", "kind", "publisher"]
    search_fields = ["url", "title", "publisher", "author"]
    readonly_fields = ["check_state", "last_checked_at", "next_check_at", "created_at", "updated_at", "link"]
    actions = [recheck_sources]

    def save_through_services(self, request: HttpRequest, obj: Source, form, change: bool) -> Source:
        # A new source, or a new URL, gets a check at once.
        return services.source_save(source=obj)

    @admin.display(description=_("Open"))
    def link(self, obj: Source) -> str:
        # rel=noopener noreferrer: the admin must not leak itself to the checked site.
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.url, obj.url)


class QuoteCheckInline(BoundedInline, admin.TabularInline):
    model = QuoteCheck
    extra = 0
    select_related = ("check_run__source", "claim__speaker", "claim__party")
    can_delete = False
    fields = ["claim", "present", "score", "matched_text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SourceCheck)
class SourceCheckAdmin(BoundedSearchAdmin):
    list_display = ["source", "started_at", "outcome", "http_status", "changed", "duration_ms"]
    list_filter = ["outcome", "changed"]
    search_fields = ["source__url", "final_url", "title", "error"]
    list_select_related = ["source"]
    date_hierarchy = "started_at"
    inlines = [QuoteCheckInline]
    exclude = ["text"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "text"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CheckJob)
class CheckJobAdmin(BoundedSearchAdmin):
    list_display = ["source", "reason", "state", "attempts", "run_after", "finished_at", "short_error", "pickup"]
    list_filter = ["state", "reason"]
    search_fields = ["source__url", "last_error"]
    list_select_related = ["source"]
    readonly_fields = ["created_at", "enqueued_at", "started_at", "finished_at", "lease_until"]
    autocomplete_fields = ["source"]
    actions = ["retry"]

    @admin.display(description=_("Error"))
    def short_error(self, obj: CheckJob) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("Worker"))
    def pickup(self, obj: CheckJob) -> str:
        return obj.pickup_warning()

    @admin.action(description=_("Retry selected failed jobs"), permissions=["change"])
    def retry(self, request, queryset):
        failed = queryset.filter(state=CheckJob.State.FAILED).values_list("source_id", flat=True)
        batch = jobs_request(source_ids=set(failed), reason=CheckJob.Reason.MANUAL)
        level = messages.SUCCESS if batch.woken is None or batch.woken >= batch.created else messages.WARNING
        self.message_user(request, batch.summary(), level)


@admin.register(FeedToken)
class FeedTokenAdmin(BoundedSearchAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["token", "created_at"]


@admin.register(FeedItem)
class FeedItemAdmin(BoundedSearchAdmin):
    """Feed items are a record of what happened: readable here, never edited by hand."""

    list_display = ["title", "kind", "dispute", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "summary", "dispute__proposition"]
    list_select_related = ["dispute"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(BoundedSearchAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        # Keys are shown once at creation: made on the account page or with create_api_token.
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
        self.message_user(request, gettext("Revoked."), messages.SUCCESS)


# --- Webhooks (claims/webhooks.py): endpoints through its services, a read-only delivery log ---


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "is_active", "secret"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = webhooks.url_problem(url)
        if problem:
            raise ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(BoundedSearchAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "pending", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at", "created_by"]

    def get_queryset(self, request):
        pending = Count("deliveries", filter=models.Q(deliveries__state=WebhookDelivery.State.PENDING))
        return super().get_queryset(request).annotate(pending_count=pending)

    @admin.display(description=_("Pending deliveries"), ordering="pending_count")
    def pending(self, obj: WebhookEndpoint) -> int:
        return obj.pending_count

    def save_model(self, request, obj, form, change) -> None:
        webhooks.endpoint_save(endpoint=obj, user=request.user)

    def delete_model(self, request, obj) -> None:
        webhooks.endpoint_delete(endpoint=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for endpoint in queryset:
            webhooks.endpoint_delete(endpoint=endpoint, user=request.user)


class WebhookAttemptInline(BoundedInline, admin.TabularInline):
    """The delivery log: each try with its response code or error."""

    model = WebhookAttempt
    fields = ["at", "status_code", "error", "duration_ms", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(BoundedSearchAdmin):
    """What was sent where, with its log; read-only but for "Resend"."""

    list_display = ["feed_item", "endpoint", "event", "state", "attempts", "last_status", "due_at", "delivered_at"]
    list_filter = ["state", "endpoint", "feed_item__kind"]
    search_fields = ["feed_item__title", "endpoint__name", "uid"]
    list_select_related = ["feed_item", "endpoint"]
    fields = [
        "uid", "endpoint", "feed_item", "state", "attempts", "due_at", "delivered_at", "last_status", "last_error",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    @admin.display(description=_("Event"), ordering="feed_item__kind")
    def event(self, obj: WebhookDelivery) -> str:
        return obj.feed_item.get_kind_display()

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Resend selected deliveries"), permissions=["change"])
    def resend(self, request, queryset):
        count = webhooks.deliveries_resend(deliveries=queryset, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent again.", "%(count)d deliveries queued to be sent again.", count
            )
            % {"count": count},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is a record of what was sent, like the feed items

    def save_model(self, request, obj, form, change) -> None:
        """Every field is read-only: nothing to save (a resend goes through ``webhooks.deliveries_resend``)."""


class _WatchKindFilter(admin.SimpleListFilter):
    title = _("what is watched")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("dispute", _("Disputes")), ("party", _("Parties")), ("source", _("Sources"))]

    def queryset(self, request, queryset):
        if self.value() in {"dispute", "party", "source"}:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Watch)
class WatchAdmin(BoundedSearchAdmin):
    """Who watches what (for "why did I get this email?"). Users add and remove their own watches
    on the site; here an administrator can only look, or remove one (through the service)."""

    list_display = ["user", "kind", "target", "created_at"]
    list_filter = [_WatchKindFilter]
    search_fields = ["user__username", "user__email", "dispute__proposition", "party__name", "source__url"]
    list_select_related = ["user", "dispute", "party", "source"]
    fields = ["user", "dispute", "party", "source", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Watch) -> None:
        following.watch_remove(user=obj.user, target=obj.target)

    def delete_queryset(self, request, queryset) -> None:
        for watch in queryset.select_related("user", "dispute", "party", "source"):
            following.watch_remove(user=watch.user, target=watch.target)


@admin.register(Notification)
class NotificationAdmin(BoundedSearchAdmin):
    """The email outbox: what each user is owed or was sent, and why a send failed. Read-only."""

    list_display = ["feed_item", "user", "due_at", "sent_at", "dropped", "attempts", "last_error_excerpt"]
    list_filter = ["dropped", ("sent_at", admin.EmptyFieldListFilter), "feed_item__kind"]
    search_fields = ["user__username", "user__email", "feed_item__title"]
    list_select_related = ["user", "feed_item"]
    fields = ["user", "feed_item", "created_at", "due_at", "sent_at", "dropped", "attempts", "last_error"]
    readonly_fields = fields

    @admin.display(description=_("Last error"))
    def last_error_excerpt(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # purged by age (claims/purging.py); deleting one by hand would lose what was sent
