import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.text import NormalisedCharField


def hash_api_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the read-only JSON API. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = NormalisedCharField(max_length=100, help_text=_("What the token is for, e.g. “graphics desk script”."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text=_("The token's first characters, to tell it apart.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token {self.prefix}… ({self.name}) of {self.user}"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Make a token for the user; returns the row and the raw token (not stored)."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_api_token(raw), prefix=raw[:8])
        return token, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
