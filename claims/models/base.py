from django.db import models
from django.db.models import F
from django.utils.encoding import force_str


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


def choice_display(field_name: str, choices) -> object:
    """``get_<field_name>_display`` from a dict made once.

    Django's own rebuilds a dict of the field's choices on every call; a big dispute page
    calls these for every card (stance, check state, kind), over a thousand times.
    """
    labels = dict(choices.choices if hasattr(choices, "choices") else choices)

    def display(self) -> str:
        value = getattr(self, field_name)
        return force_str(labels.get(value, value), strings_only=True)

    display.__name__ = f"get_{field_name}_display"
    return display
