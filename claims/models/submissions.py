from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class FormSubmission(models.Model):
    """One rendering of a create form, sent once: a second submit of it returns the first one's result.

    The key is a random token put in the form when it is rendered. The row is
    written in the same transaction as what the form creates, before it; the
    unique constraint makes a simultaneous second submit wait for the first and
    then find its result instead of creating again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Create forms: one result per rendered form and user (the double-submit guard).
            models.UniqueConstraint(fields=["user", "key"], name="form_submission_once"),
        ]
        # The daily purge (claims/purging.py) deletes by age.
        indexes = [models.Index(fields=["created_at"], name="form_submission_created")]

    def __str__(self) -> str:
        return f"Form {self.key[:8]}… by {self.user}"

    def result(self) -> models.Model | None:
        """What the first submit created, if it still exists."""
        if self.content_type_id is None or self.object_id is None:
            return None
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model is not None else None
