from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.encoding import force_str
from django.utils.translation import gettext


class StaysOnItsDispute(models.Model):
    """A claim, piece of evidence or article link belongs to one dispute for its whole life.

    Moving one would take it off its dispute without a delete (which only senior editors may
    do), leave that dispute's status stale, and show it, history and all, to the readers of
    another dispute (a published claim moved into a draft, or the reverse). To put it on another
    dispute, an editor adds it there; removing it here is a delete. Checked in ``clean``, which
    every service runs (``full_clean``) before saving.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        obj = super().from_db(db, field_names, values, **kwargs)
        obj._saved_dispute_id = obj.__dict__.get("dispute_id")
        return obj

    def dispute_move_errors(self) -> dict[str, str]:
        saved = getattr(self, "_saved_dispute_id", None)
        if saved is not None and self.__dict__.get("dispute_id") != saved:
            return {
                "dispute": gettext(
                    "It stays on its dispute: to put it on another, add it there (and remove it here if need be)."
                )
            }
        return {}

    def clean(self) -> None:
        super().clean()
        if errors := self.dispute_move_errors():
            raise ValidationError(errors)


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
