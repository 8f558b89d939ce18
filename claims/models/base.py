from django.db import models
from django.db.models import F


class Versioned(models.Model):
    """A version number bumped on every save, for optimistic concurrency.

    A form remembers the version it was opened at; a save whose version no
    longer matches the row's is refused instead of overwriting someone's work.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def current_version_in_db(self) -> int | None:
        return type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True).first()

    def bump_version_if_unchanged(self, expected: int) -> bool:
        """Atomically claim the next version; False if someone saved meanwhile."""
        updated = type(self)._default_manager.filter(pk=self.pk, version=expected).update(version=F("version") + 1)
        return updated == 1
