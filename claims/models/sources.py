from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.checking import outcomes
from claims.fast_urls import object_url
from claims.models.base import choice_display
from claims.text import NormalisedCharField

if TYPE_CHECKING:
    from datetime import datetime

# Query parameters that only track the reader; two URLs differing in them are one source.
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid"}
MAX_URL_LENGTH = 2000


def normalize_source_url(raw: str) -> str:
    """Return the canonical form of a source URL, or raise ValidationError.

    Only http(s) URLs are sources. The scheme and host are lower-cased, default
    ports, fragments and tracking parameters dropped, so the same article pasted
    twice is one Source. The path and the order of other parameters are kept:
    sites give them meaning.
    """
    url = (raw or "").strip()
    if not url:
        raise ValidationError(_("Enter a URL."), code="required")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            _("URLs longer than %(limit)d characters are not accepted."),
            code="too_long",
            params={"limit": MAX_URL_LENGTH},
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError(_("A URL cannot contain spaces or control characters."), code="invalid")
    try:
        # Both raise ValueError for a malformed bracketed host ("http://[::1", "http://[zzz]/").
        parts = urlsplit(url)
        parts.hostname  # noqa: B018
    except ValueError:
        raise ValidationError(
            _("The host in this URL is not valid (an IPv6 address goes in brackets: http://[2001:db8::1]/)."),
            code="host",
        ) from None
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("The port in this URL is not valid."), code="port") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise ValidationError(_("Only http:// and https:// URLs can be sources."), code="scheme")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_("URLs with a user name or password are not accepted."), code="userinfo")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValidationError(_("This URL has no host name."), code="host")
    try:
        host = host.encode("idna").decode("ascii") if not host.startswith("[") else host
    except UnicodeError:
        raise ValidationError(_("The host name in this URL is not valid."), code="host") from None
    host = host.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
        ],
        doseq=True,
    )
    normalized = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    try:
        URLValidator(schemes=["http", "https"])(normalized)
    except ValidationError:
        raise ValidationError(_("This is not a valid web address."), code="invalid") from None
    return normalized


class SourceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SourceQuerySet":
        """Editors see every source; others only those a published dispute cites (by a claim, an
        appearance, evidence or an article)."""
        from claims import roles
        from claims.models import Appearance, ArticleLink, Claim, Evidence

        if roles.can_see_drafts(user):
            return self
        cited = models.OuterRef("pk")
        return self.filter(
            models.Exists(Claim.objects.filter(source=cited, dispute__is_published=True))
            | models.Exists(Evidence.objects.filter(source=cited, dispute__is_published=True))
            | models.Exists(ArticleLink.objects.filter(source=cited, dispute__is_published=True))
            | models.Exists(Appearance.objects.filter(source=cited, claim__dispute__is_published=True))
        )

    def due_for_check(self, now=None) -> "SourceQuerySet":
        return self.filter(next_check_at__lte=now or timezone.now())

    def with_check_progress(self) -> "SourceQuerySet":
        """Annotate ``check_live``: a check is queued or running (the badge then polls). One subquery, no N+1."""
        from .checks import check_running

        return self.annotate(check_live=check_running(models.OuterRef("pk")))


class Source(models.Model):
    """A URL where a claim appeared, evidence can be seen, or a later article ran."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        STATEMENT = "statement", _("Official statement")
        TRANSCRIPT = "transcript", _("Transcript")
        VIDEO = "video", _("Video")
        POST = "post", _("Social media post")
        DOCUMENT = "document", _("Document")
        OTHER = "other", _("Other")

    class CheckState(models.TextChoices):
        # The latest check's outcome, copied here so lists can filter without a join.
        UNCHECKED = "unchecked", _("Not checked yet")
        OK = "ok", _("OK")
        REDIRECTED = "redirected", _("Redirected")
        CHANGED = "changed", _("Changed")
        QUOTE_MISSING = "quote_missing", _("Quote missing")
        GONE = "gone", _("Gone")
        SERVER_ERROR = "server_error", _("Server error")
        TIMEOUT = "timeout", _("Timed out")
        UNSAFE = "unsafe", _("Refused as unsafe")
        TOO_LARGE = "too_large", _("Too large")
        ROBOTS = "robots", _("Blocked by robots.txt")
        TLS_ERROR = "tls_error", _("TLS error")
        NOT_HTML = "not_html", _("Not HTML")
        ERROR = "error", _("Error")

    # Defined in claims.checking.outcomes; sorted so filters and SQL stay stable.
    PROBLEM_STATES = sorted(outcomes.PROBLEM)

    # Set on a loaded row by claims.checking.jobs.check_progress (not columns): what the badge shows.
    check_live: bool
    check_queued_since: "datetime | None"
    check_unclaimed: bool

    url = models.URLField(max_length=MAX_URL_LENGTH, unique=True, help_text=_("Normalised; one Source per URL."))
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.ARTICLE)
    publisher = NormalisedCharField(max_length=200, blank=True, truncate=True)
    title = NormalisedCharField(max_length=500, blank=True, truncate=True)
    author = NormalisedCharField(max_length=300, blank=True, truncate=True)
    published_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    check_state = models.CharField(max_length=20, choices=CheckState, default=CheckState.UNCHECKED)
    get_check_state_display = choice_display("check_state", CheckState)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["check_state", "last_checked_at", "next_check_at", "updated_at"])
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Dispute list filter "has source problems" and the admin's outcome filter.
            models.Index(fields=["check_state"], name="source_check_state_idx"),
            # The scheduler's sweep for due re-checks.
            models.Index(fields=["next_check_at"], name="source_next_check_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://") | models.Q(url__startswith="https://"),
                name="source_url_http_only",
            ),
        ]

    def __str__(self) -> str:
        if self.title:
            return f"{self.title} ({self.host})"
        return self.url

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def has_problem(self) -> bool:
        return self.check_state in self.PROBLEM_STATES

    def get_absolute_url(self) -> str:
        return object_url("claims:source-detail", self.pk)

    def clean(self) -> None:
        if self.url:
            try:
                self.url = normalize_source_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from None

    def save(self, *args, **kwargs) -> None:
        # Every path into the table goes through the same canonical form.
        self.url = normalize_source_url(self.url)
        super().save(*args, **kwargs)
