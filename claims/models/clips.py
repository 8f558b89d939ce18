import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone


def new_clip_key() -> str:
    return secrets.token_urlsafe(24)


class ClipDraft(models.Model):
    """A quote clipped from a web page, too long for a URL: kept briefly until an editor opens it.

    The Clip bookmarklet POSTs a long selection to ``claims:clip-landing`` (cross-site, so
    without the editor's cookies and exempt from CSRF); that view only writes this row and
    redirects to the claim form with its key. Nothing of the ledger is written until the
    editor saves the form. Rows are deleted once opened, or after ``LIFETIME``.
    """

    LIFETIME = timedelta(hours=1)

    key = models.CharField(max_length=40, unique=True, default=new_clip_key)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The landing view's purge of drafts older than LIFETIME.
        indexes = [models.Index(fields=["created_at"], name="clip_draft_created")]

    def __str__(self) -> str:
        return f"Clip {self.key[:8]}…"
