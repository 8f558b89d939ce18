from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .checking.jobs import jobs_request
from .models import (
    ApiToken,
    ArticleLink,
    CheckJob,
    Claim,
    Development,
    Dispute,
    Evidence,
    EvidenceLink,
    FeedToken,
    Party,
    QuoteCheck,
    Source,
    SourceCheck,
    Speaker,
)

admin.site.site_header = "Claim tracker administration"
admin.site.site_title = "Claim tracker admin"


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    fields = ["name", "role"]


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "country", "claim_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "speakers__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SpeakerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims", distinct=True)).order_by("name")

    @admin.display(description="Claims", ordering="claim_count")
    def claim_count(self, obj: Party) -> int:
        return obj.claim_count


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "party"]
    list_filter = ["party"]
    search_fields = ["name", "role", "party__name"]
    autocomplete_fields = ["party"]
    list_select_related = ["party"]


class ClaimInline(admin.StackedInline):
    model = Claim
    extra = 0
    autocomplete_fields = ["party", "speaker", "source"]
    fields = [
        ("party", "speaker", "stance"),
        "quote",
        "paraphrase",
        ("said_on", "said_on_precision"),
        "source",
        ("quote_prefix", "quote_exact", "quote_suffix"),
    ]
    show_change_link = True


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    autocomplete_fields = ["released_by", "source"]
    fields = ["kind", "title", "released_by", "released_on", "source"]
    show_change_link = True


class ArticleLinkInline(admin.TabularInline):
    model = ArticleLink
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "relation", "linked_on", "note"]


@admin.register(Dispute)
class DisputeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "verdict", "is_published", "claim_count", "last_activity_at"]
    list_filter = ["status", "is_published", "verdict", "claims__party"]
    search_fields = ["proposition", "summary", "claims__quote", "claims__paraphrase"]
    prepopulated_fields = {"slug": ["proposition"]}
    readonly_fields = ["status", "version", "created_at", "updated_at", "last_activity_at", "published_at"]
    autocomplete_fields = ["verdict_by"]
    date_hierarchy = "last_activity_at"
    inlines = [ClaimInline, EvidenceInline, ArticleLinkInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["proposition", "slug", "summary", "occurred_on"]}),
        ("Status", {"fields": ["status", "is_published", "published_at", "last_activity_at", "version"]}),
        ("Verdict", {"fields": ["verdict", "verdict_reasoning", "verdict_by", "verdict_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims", distinct=True))

    def get_readonly_fields(self, request, obj=None):
        # The same rule as the editor pages: only senior editors publish or settle.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("claims.publish_dispute"):
            fields.append("is_published")
        if not request.user.has_perm("claims.settle_dispute"):
            fields += ["verdict", "verdict_reasoning", "verdict_by", "verdict_at"]
        return fields

    @admin.display(description="Claims", ordering="claim_count")
    def claim_count(self, obj: Dispute) -> int:
        return obj.claim_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inline claims may have changed the sides; the stored status follows.
        form.instance.refresh_status(touch=False)

    @admin.action(description="Publish selected disputes", permissions=["publish"])
    def publish(self, request, queryset):
        count = 0
        for dispute in queryset.filter(is_published=False):
            dispute.is_published = True
            dispute.save()
            count += 1
        self.message_user(request, f"Published {count} dispute(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected disputes", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for dispute in queryset.filter(is_published=True):
            dispute.is_published = False
            dispute.save()
            count += 1
        self.message_user(request, f"Unpublished {count} dispute(s).", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("claims.publish_dispute")


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "dispute", "party", "stance", "said_on", "source_state"]
    list_filter = ["stance", "party", "said_on_precision", "source__check_state"]
    search_fields = ["quote", "paraphrase", "speaker__name", "party__name", "dispute__proposition"]
    autocomplete_fields = ["dispute", "party", "speaker", "source"]
    list_select_related = ["dispute", "party", "speaker", "source"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by"]
    date_hierarchy = "said_on"

    @admin.display(description="Source check", ordering="source__check_state")
    def source_state(self, obj: Claim) -> str:
        return obj.source.get_check_state_display() if obj.source_id else "—"


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    extra = 0
    autocomplete_fields = ["claim"]
    fields = ["claim", "stance", "effect", "strength", "note"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "dispute", "released_by", "released_on"]
    list_filter = ["kind", "released_by"]
    search_fields = ["title", "description", "dispute__proposition"]
    autocomplete_fields = ["dispute", "released_by", "source"]
    list_select_related = ["dispute", "released_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [EvidenceLinkInline]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "evidence", "effect", "strength"]
    list_filter = ["effect", "strength", "stance"]
    search_fields = ["evidence__title", "claim__quote", "note"]
    autocomplete_fields = ["evidence", "claim"]
    list_select_related = ["evidence", "claim__party", "claim__speaker"]


@admin.register(ArticleLink)
class ArticleLinkAdmin(SimpleHistoryAdmin):
    list_display = ["source", "relation", "dispute", "linked_on"]
    list_filter = ["relation"]
    search_fields = ["source__title", "source__url", "dispute__proposition", "note"]
    autocomplete_fields = ["dispute", "source"]
    list_select_related = ["dispute", "source"]


@admin.action(description="Re-check selected sources now")
def recheck_sources(modeladmin, request, queryset):
    # One transaction for all the jobs, one batch of wake-ups with a short budget.
    batch = jobs_request(source_ids=queryset.values_list("pk", flat=True), reason=CheckJob.Reason.MANUAL)
    level = messages.SUCCESS if batch.woken is None or batch.woken >= batch.created else messages.WARNING
    modeladmin.message_user(request, batch.summary(), level)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "publisher", "published_on", "check_state", "last_checked_at"]
    list_filter = ["check_state", "kind", "publisher"]
    search_fields = ["url", "title", "publisher", "author"]
    readonly_fields = ["check_state", "last_checked_at", "next_check_at", "created_at", "updated_at", "link"]
    actions = [recheck_sources]

    @admin.display(description="Open")
    def link(self, obj: Source) -> str:
        # rel=noopener noreferrer: the admin must not leak itself to the checked site.
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.url, obj.url)


class QuoteCheckInline(admin.TabularInline):
    model = QuoteCheck
    extra = 0
    can_delete = False
    fields = ["claim", "present", "score", "matched_text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SourceCheck)
class SourceCheckAdmin(admin.ModelAdmin):
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
class CheckJobAdmin(admin.ModelAdmin):
    list_display = ["source", "reason", "state", "attempts", "run_after", "finished_at", "short_error"]
    list_filter = ["state", "reason"]
    search_fields = ["source__url", "last_error"]
    list_select_related = ["source"]
    readonly_fields = ["created_at", "enqueued_at", "started_at", "finished_at", "lease_until"]
    autocomplete_fields = ["source"]
    actions = ["retry"]

    @admin.display(description="Error")
    def short_error(self, obj: CheckJob) -> str:
        return obj.last_error[:80]

    @admin.action(description="Retry selected failed jobs")
    def retry(self, request, queryset):
        failed = queryset.filter(state=CheckJob.State.FAILED).values_list("source_id", flat=True)
        batch = jobs_request(source_ids=set(failed), reason=CheckJob.Reason.MANUAL)
        level = messages.SUCCESS if batch.woken is None or batch.woken >= batch.created else messages.WARNING
        self.message_user(request, batch.summary(), level)


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["token", "created_at"]


@admin.register(Development)
class DevelopmentAdmin(admin.ModelAdmin):
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
class ApiTokenAdmin(admin.ModelAdmin):
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

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
        self.message_user(request, "Revoked.", messages.SUCCESS)
