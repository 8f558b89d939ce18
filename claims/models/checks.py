from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims import roles
from claims.checking import outcomes
from claims.text import NormalisedCharField, NormalisedTextField

from .claims import Claim
from .sources import Source


class CheckJobQuerySet(models.QuerySet):
    def live(self) -> "CheckJobQuerySet":
        """Jobs queued or running: what "a check is running" means, everywhere it is asked."""
        return self.filter(state__in=outcomes.LIVE_JOB_STATES)


def check_running(source) -> models.Exists:
    """Whether a check of ``source`` (an ``OuterRef``, a Source or an id) is queued or running,
    as an annotation for lists; one source's badge asks ``checking.jobs.check_progress``. Both
    read ``CheckJob.objects.live()``.
    """
    return models.Exists(CheckJob.objects.live().filter(source=source))


def quote_found(claim, source) -> models.Subquery:
    """Whether the latest check of ``source`` that read text found ``claim``'s quote (both an
    ``OuterRef``, a model or an id), as an annotation: True, False, or None (not checked there
    yet). Check ids grow with time, so the newest is the highest; ``quotecheck_claim_idx``
    serves it."""
    found = QuoteCheck.objects.filter(claim=claim, check_run__source=source).order_by("-check_run_id")
    return models.Subquery(found.values("present")[:1])


class CheckJob(models.Model):
    """A request to check one source. The database row is the job; a broker message only wakes a worker."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        NEW = "new", _("Source added")
        URL_CHANGED = "url_changed", _("URL changed")
        SCHEDULED = "scheduled", _("Scheduled re-check")
        MANUAL = "manual", _("Checked on request")

    LIVE_STATES = outcomes.LIVE_JOB_STATES

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="check_jobs")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    reason = models.CharField(max_length=20, choices=Reason, default=Reason.MANUAL)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    run_after = models.DateTimeField(default=timezone.now, help_text=_("Not before this time (backoff, Retry-After)."))
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text=_("A running job whose lease expired is retried.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text=_("When the last wake-up was sent."))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = CheckJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweeper: queued jobs that are due, running jobs whose lease expired.
            models.Index(fields=["state", "run_after"], name="checkjob_state_run_after_idx"),
            models.Index(fields=["state", "lease_until"], name="checkjob_state_lease_idx"),
        ]
        constraints = [
            # At most one live job per source: a second "check now" joins the first.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(state__in=outcomes.LIVE_JOB_STATES),
                name="checkjob_one_live_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]), name="checkjob_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} of {self.source.url} — {self.get_state_display().lower()}"

    def pickup_warning(self) -> str:
        """For the admin: a due job no worker has taken for ``CHECKER_QUEUED_WARNING_SECONDS``."""
        from django.conf import settings
        from django.utils.timesince import timesince

        if self.state != self.State.QUEUED or self.run_after > timezone.now():
            return ""
        if (timezone.now() - self.run_after).total_seconds() <= settings.CHECKER_QUEUED_WARNING_SECONDS:
            return ""
        return f"No worker has picked it up (queued {timesince(self.run_after)} ago)"


class SourceCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SourceCheckQuerySet":
        """Checks of sources ``user`` may read (their quote results still need ``QuoteCheck.visible_to``)."""
        return self if roles.can_see_drafts(user) else self.filter(source__in=Source.objects.visible_to(user))


class SourceCheck(models.Model):
    """What a worker found at a source at one moment."""

    Outcome = Source.CheckState

    # Set on loaded rows, not columns: by claims.checking.selectors.check_history (the check
    # before with text, its missing quotes) and by the runner (the quote rows it recorded).
    previous_text_id: int | None
    quotes_missing: "list[QuoteCheck]"
    _quote_rows: "list[QuoteCheck]"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="checks")
    job = models.OneToOneField(CheckJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="result")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Source.CheckState)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    redirect_chain = models.JSONField(default=list, blank=True, help_text=_("Each hop: url and status."))
    final_url = models.URLField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    raw_sha256 = models.CharField(max_length=64, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    text = NormalisedTextField(blank=True, help_text=_("What a reader sees as the article, for diffs between checks."))
    text_truncated = models.BooleanField(
        default=False, help_text=_("The text was longer than CHECKER_MAX_TEXT_CHARS and only its beginning is kept.")
    )
    text_method = models.PositiveSmallIntegerField(
        default=1,
        help_text=_("How the text was read (claims.checking.extract.TEXT_METHOD); hashes compare within one."),
    )
    changed = models.BooleanField(default=False, help_text=_("The article text differs from the previous check."))
    title = NormalisedCharField(max_length=500, blank=True, truncate=True)
    publisher = NormalisedCharField(max_length=200, blank=True, truncate=True)
    author = NormalisedCharField(max_length=300, blank=True, truncate=True)
    published_on = models.DateField(null=True, blank=True)
    modified_on = models.DateField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text=_("Milliseconds per phase."))
    error = models.TextField(blank=True)
    archive_name = models.CharField(max_length=300, blank=True, help_text=_("WARC file in the default storage."))
    # The validators the server sent with the body this check's text came from; the next
    # check sends them back (If-None-Match / If-Modified-Since), and a 304 skips all work.
    etag = models.CharField(max_length=500, blank=True, help_text=_("The ETag of the body this check read."))
    last_modified = models.CharField(
        max_length=100, blank=True, help_text=_("The Last-Modified header of the body this check read.")
    )
    not_modified = models.BooleanField(
        default=False, help_text=_("The server answered 304 Not Modified: text and quotes were carried over.")
    )

    objects = SourceCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        indexes = [
            # Source page: a source's check history, newest first; badge: the latest check.
            models.Index(fields=["source", "-started_at"], name="sourcecheck_source_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=[s.value for s in Source.CheckState]), name="sourcecheck_outcome_valid"
            ),
        ]

    def save(self, *args, **kwargs):
        self.cap_text()
        super().save(*args, **kwargs)

    def cap_text(self) -> None:
        """Keep at most CHECKER_MAX_TEXT_CHARS of the text, so every diff, quote match and page
        that reads it does bounded work; ``text_sha256`` stays the hash of the whole text, so
        a change past the cap still counts as a change."""
        limit = settings.CHECKER_MAX_TEXT_CHARS
        if len(self.text) > limit:
            cut = self.text.rfind("\n", 0, limit + 1)
            self.text = self.text[: cut if cut > limit // 2 else limit]
            self.text_truncated = True

    def __str__(self) -> str:
        when = timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")
        return f"{self.source.url} at {when}: {self.get_outcome_display()}"

    def get_absolute_url(self) -> str:
        return reverse("claims:source-detail", args=[self.source_id]) + f"#check-{self.pk}"


class QuoteCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> "QuoteCheckQuerySet":
        """Quote results of claims ``user`` may read: a source cited by a draft and a published
        dispute must not show the draft's quotes."""
        return self if roles.can_see_drafts(user) else self.filter(claim__dispute__is_published=True)


class QuoteCheck(models.Model):
    """Whether one claim's quote was still in the source at one check."""

    check_run = models.ForeignKey(SourceCheck, on_delete=models.CASCADE, related_name="quote_checks")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="quote_checks")
    present = models.BooleanField()
    score = models.FloatField(help_text=_("0–100; 100 is an exact match after normalising."))
    matched_text = models.TextField(blank=True)
    prefix = models.CharField(max_length=200, blank=True)
    suffix = models.CharField(max_length=200, blank=True)

    objects = QuoteCheckQuerySet.as_manager()

    class Meta:
        constraints = [
            # One verdict per claim per check, so a repeated delivery cannot add a second.
            models.UniqueConstraint(fields=["check_run", "claim"], name="quotecheck_unique_per_check"),
        ]
        indexes = [
            # Claim card: the latest quote check of a claim.
            models.Index(fields=["claim", "-check_run"], name="quotecheck_claim_idx"),
        ]

    def __str__(self) -> str:
        state = "present" if self.present else "missing"
        return f"Quote {state} ({self.score:.0f}) — {self.claim}"
