"""Writes that carry the editors' rules: every form, admin page and command saves through here.

Each service is keyword-only and atomic. Edits take the version the form was
opened at and refuse to save over someone else's later change (``EditConflict``);
deletes remember what went with the object so ``*_restore`` can bring it all back.

What a write sets off is called here, in the open, not from signals: feed items
(``claims.feed_items``) and source checks (``claims.checking.jobs.job_request``).
The table in docs/architecture.md ("What a save triggers") lists each one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from claims import feed_items, following, labels, roles, share_images
from claims.checking.jobs import job_request
from claims.models import (
    Appearance,
    ArticleLink,
    CheckJob,
    Claim,
    ClaimStanding,
    Dispute,
    DisputeSlugRedirect,
    Evidence,
    EvidenceLink,
    FormSubmission,
    Party,
    Source,
    Speaker,
    TranslationOrigin,
    normalize_source_url,
)
from claims.models.base import Versioned
from claims.selectors import FieldChange, history_changes, history_of

if TYPE_CHECKING:
    # The project's user model (AUTH_USER_MODEL): who a write is by.
    from django.contrib.auth.models import User


@contextmanager
def history_author(user: User | None) -> Iterator[None]:
    """Credit the history rows saved inside this block to ``user`` when no request does.

    In a request, django-simple-history takes the author from the request (its middleware);
    a command or a task has none, and its rows would say "someone". A request's own user
    is never replaced.
    """
    context = HistoricalRecords.context
    if user is None or getattr(getattr(context, "request", None), "user", None) is not None:
        yield
        return
    context.request = _AuthorOnly(user)
    try:
        yield
    finally:
        del context.request


@dataclass
class _AuthorOnly:
    """What django-simple-history reads from a request: only its user."""

    user: Any


class EditConflict(Exception):
    """Someone saved the object after the editor opened the form."""

    def __init__(self, obj: Versioned, opened_version: int | None, changes: list[FieldChange], changed_by: str):
        self.obj = obj
        self.opened_version = opened_version
        self.current_version = obj.version
        self.changes = changes
        self.changed_by = changed_by
        self.verbose_name = labels.model_name(obj)
        super().__init__(f"{obj._meta.verbose_name} changed since version {opened_version}")


def _lock_and_check[V: Versioned](model: type[V], obj: V, expected_version: int | None) -> V:
    """Lock the row; raise EditConflict if its version moved past the form's.

    An edit that does not say which version it edits (``None``) is refused like a stale one:
    it could overwrite a change its author never saw."""
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version == expected_version:
        return current
    history = history_of(model).filter(id=obj.pk)
    newest = history.order_by("-history_date", "-history_id").first()
    opened = history.filter(version=expected_version).order_by("-history_date", "-history_id").first()
    changes = history_changes(model, newest, opened) if newest and opened else []
    who = str(newest.history_user) if newest is not None and newest.history_user_id else gettext("someone")
    raise EditConflict(current, expected_version, changes, who)


def check_version(*, obj: Versioned, version: int | None) -> None:
    """Lock the row and raise ``EditConflict`` if it moved past ``version``, or if ``version``
    is missing (for forms outside the editor pages)."""
    _lock_and_check(type(obj), obj, version)


# A create form's one-time key, as rendered into it (``templates/claims/forms.html``).
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


def submit_once[M: models.Model](*, user: User, key: str, create: Callable[[], M]) -> tuple[M | None, bool]:
    """Run ``create`` once per rendered form; returns ``(object, created)``.

    A second submit of the same form — a double click, a resend after a lost
    response, or both at the same moment — gets what the first one created
    (``None`` if that was deleted since) and ``created=False``. The key is written
    before the object, in its transaction: a simultaneous second submit waits on the
    unique index and then reads the first one's result. A request without a well-formed
    key (a script) is not guarded.
    """
    if not key or not SUBMISSION_KEY.fullmatch(key):
        return create(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(user=user, key=key)
        except IntegrityError:
            first: Any = FormSubmission.objects.get(user=user, key=key).result()  # what ``create`` made
            return first, False
        obj = create()
        submission.content_type = ContentType.objects.get_for_model(obj)
        submission.object_id = obj.pk
        submission.save(update_fields=["content_type", "object_id"])
    return obj, True


def _apply(obj: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, value)


def source_for_url(*, url: str, kind: str = Source.Kind.ARTICLE) -> Source:
    """The Source for a pasted URL: an existing one if the canonical URL is known.

    A new source gets a check at once (the wake-up goes out when the transaction commits).
    """
    normalized = normalize_source_url(url)
    source, created = Source.objects.get_or_create(url=normalized, defaults={"kind": kind})
    if created:
        job_request(source=source, reason=CheckJob.Reason.NEW)
    return source


@transaction.atomic
def source_save(*, source: Source) -> Source:
    """Save a source edited as a whole (the admin); a new source or a new URL gets a check at once."""
    old_url = Source.objects.filter(pk=source.pk).values_list("url", flat=True).first() if source.pk else None
    source.save()
    _source_checks(source, old_url)
    return source


def _source_checks(source: Source, old_url: str | None) -> None:
    """Queue the check a saved source needs: new (``old_url`` None) or moved to another URL."""
    if old_url is None:
        job_request(source=source, reason=CheckJob.Reason.NEW)
    elif old_url != source.url:
        job_request(source=source, reason=CheckJob.Reason.URL_CHANGED)


def _unique_slug(proposition: str, exclude_pk: Any = None) -> str:
    base = slugify(proposition)[:100].strip("-") or "dispute"
    slug, n = base, 2
    while slug in Dispute.RESERVED_SLUGS or Dispute.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Disputes ------------------------------------------------------------------

# Senior editors' decisions: no edit, restore or admin form changes them for anyone else.
PUBLISHING_FIELDS = {"is_published", "published_at"}
VERDICT_FIELDS = {"verdict", "verdict_reasoning", "verdict_at", "verdict_by", "verdict_by_id"}


# How many taken slugs a create steps past before giving up (each step is one more "-n").
SLUG_ATTEMPTS = 50


def _insert_with_free_slug(obj: Dispute | Party, *, base: str, taken: Callable[[str], bool]) -> None:
    """Insert ``obj`` under ``base`` or the first free ``base-n``; the unique index is the arbiter.

    Checking first and then inserting loses to a simultaneous create: so insert, and if the
    database says the slug was taken meanwhile, step on (inside a savepoint, so the
    surrounding transaction stays usable).
    """
    slug, n = base, 2
    for _attempt in range(SLUG_ATTEMPTS):
        if not taken(slug):
            obj.slug = slug
            try:
                with transaction.atomic():
                    obj.save(force_insert=True)
                return
            except IntegrityError:
                if not taken(slug):
                    raise  # another unique value collided: not ours to resolve here
        slug, n = f"{base}-{n}", n + 1
    raise ValidationError({"slug": _("Could not find a free address for this; choose a slug.")})


@transaction.atomic
def dispute_create(
    *, user: User | None, proposition: str, summary: str = "", occurred_on: date | None = None, slug: str = ""
) -> Dispute:
    """A new dispute, as a draft until a senior editor publishes it.

    Its slug comes from the proposition (or ``slug``); if that is taken, even by a
    dispute created at the same moment, the next free ``-2``, ``-3``… is used.
    """
    dispute = Dispute(
        proposition=proposition.strip(),
        summary=summary,
        occurred_on=occurred_on,
        slug=slug or "dispute",
        created_by=user,
    )
    dispute.full_clean(exclude=["slug"])
    base = slugify(slug or proposition)[:100].strip("-") or "dispute"
    _insert_with_free_slug(
        dispute,
        base=base,
        taken=lambda s: s in Dispute.RESERVED_SLUGS or Dispute.objects.filter(slug=s).exists(),
    )
    following.watch_what_was_made(user=user, dispute=dispute)
    return dispute


@transaction.atomic
def dispute_update(*, dispute: Dispute, user: User, version: int, **data: Any) -> Dispute:
    """Edit a dispute. Publishing and verdict fields, if given and changed, keep their senior-only rules."""
    publish = data.pop("is_published", None)
    verdict = {name: data.pop(name) for name in list(data) if name in VERDICT_FIELDS}
    dispute = _lock_and_check(Dispute, dispute, version)
    before = {"status": dispute.status, "verdict": dispute.verdict}
    was_published = dispute.is_published
    _apply(dispute, data)
    if publish is not None and bool(publish) != dispute.is_published:
        if not roles.can_publish(user):
            raise PermissionDenied("Only senior editors publish disputes.")
        dispute.is_published = bool(publish)
    if "verdict" in verdict or "verdict_reasoning" in verdict:
        new_verdict = verdict.get("verdict", dispute.verdict) or ""
        reasoning = verdict.get("verdict_reasoning", dispute.verdict_reasoning) or ""
        if (new_verdict, reasoning.strip()) != (dispute.verdict, dispute.verdict_reasoning):
            _apply_verdict(dispute, user=user, verdict=new_verdict, reasoning=reasoning)
    if dispute.is_published and not was_published:
        _before_publication(dispute)
        dispute.published_at = dispute.published_at or timezone.now()
    dispute.full_clean()
    dispute.save()
    if dispute.is_published and not was_published:
        feed_items.create_for_publication(dispute, actor=user)
    _dispute_items(dispute, user=user, **before)
    return dispute


@transaction.atomic
def dispute_publish(*, dispute: Dispute, user: User, publish: bool = True) -> Dispute:
    if not roles.can_publish(user):
        raise PermissionDenied("Only senior editors publish disputes.")
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.is_published != publish:
        before = {"status": dispute.status, "verdict": dispute.verdict}
        if publish:
            _before_publication(dispute)
        dispute.is_published = publish
        dispute.save()
        if publish:
            feed_items.create_for_publication(dispute, actor=user)
        _dispute_items(dispute, user=user, **before)
    return dispute


def _before_publication(dispute: Dispute) -> None:
    """What every way of publishing does before the save (the page's button, the admin's form
    and action, a restore); after it, ``feed_items.create_for_publication`` tells what it holds."""
    if dispute.published_at is None:
        _renew_generated_slug(dispute)


def _renew_generated_slug(dispute: Dispute) -> None:
    """On first publication, a slug made from the draft's first proposition is made again from
    the one published, so the public address does not read the working title; the old address
    redirects (``DisputeSlugRedirect``). A slug chosen by hand (not the first proposition's) stays."""
    first = history_of(Dispute).filter(id=dispute.pk).order_by("history_date", "history_id").first()
    if first is None:
        return
    drafted = slugify(first.proposition)[:100].strip("-") or "dispute"
    if not re.fullmatch(re.escape(drafted) + r"(-\d+)?", dispute.slug):
        return  # set by hand
    if (slugify(dispute.proposition)[:100].strip("-") or "dispute") == drafted:
        return
    DisputeSlugRedirect.objects.filter(old_slug=dispute.slug).delete()
    DisputeSlugRedirect.objects.create(old_slug=dispute.slug, dispute=dispute)
    dispute.slug = _unique_slug(dispute.proposition, exclude_pk=dispute.pk)


def _dispute_items(dispute: Dispute, *, status: str, verdict: str, user: User | None = None) -> None:
    """The feed item a saved dispute makes, given its status and verdict before the save.

    A verdict change is one item (the status change it causes is not a second); otherwise a
    status change is one, when worth telling (see ``feed_items.create_for_status_change``).
    """
    if verdict != dispute.verdict:
        feed_items.create_for_verdict_change(dispute, verdict, actor=user)
    elif status != dispute.status:
        feed_items.create_for_status_change(dispute, status, dispute.status, actor=user)
    _share_card_changed(dispute)


def _share_card_changed(dispute: Dispute) -> None:
    """A published dispute's card may have changed: its share image is drawn again by a worker
    once the write commits (``share_images.request_render``; docs/sharing.md)."""
    if dispute.is_published:
        share_images.request_render(dispute.pk)


def check_verdict(*, verdict: str, reasoning: str) -> None:
    """What a verdict needs, in one place (``_apply_verdict``, and the admin's form to show it
    beside the field): its reasoning. Raises ``ValidationError``."""
    if verdict and not (reasoning or "").strip():
        raise ValidationError({"verdict_reasoning": _("Explain the verdict: readers will ask why.")})


def _apply_verdict(dispute: Dispute, *, user: User, verdict: str, reasoning: str) -> None:
    """The verdict rule, in one place: senior editors only, and a verdict needs its reasoning."""
    if not roles.can_settle(user):
        raise PermissionDenied("Only senior editors set verdicts.")
    check_verdict(verdict=verdict, reasoning=reasoning)
    dispute.verdict = verdict
    dispute.verdict_reasoning = reasoning.strip() if verdict else ""
    dispute.verdict_by = user if verdict else None
    dispute.verdict_at = timezone.now() if verdict else None


@transaction.atomic
def dispute_settle(*, dispute: Dispute, user: User, verdict: str, version: int, reasoning: str = "") -> Dispute:
    """Set (or clear, with an empty verdict) the editors' verdict; a verdict needs its reasoning."""
    if not roles.can_settle(user):
        raise PermissionDenied("Only senior editors set verdicts.")
    dispute = _lock_and_check(Dispute, dispute, version)
    before = {"status": dispute.status, "verdict": dispute.verdict}
    _apply_verdict(dispute, user=user, verdict=verdict, reasoning=reasoning)
    dispute.full_clean()
    dispute.save()
    _dispute_items(dispute, user=user, **before)
    return dispute


def with_reason(obj: models.Model, reason: str) -> None:
    """The reason django-simple-history records with the next save or delete of ``obj``."""
    obj._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history


def _delete_with_reason(obj: models.Model, reason: str) -> None:
    with_reason(obj, reason)
    obj.delete()


def _delete_together(*, user: User, obj: models.Model, label: str, dependents: Iterable[models.Model] = ()) -> str:
    """Delete ``obj`` after its dependents, all marked with one token in their history.

    The token is what an undo looks for: restoring ``obj`` brings back every row deleted with it.
    Only senior editors delete.
    """
    if not roles.can_delete(user):
        raise PermissionDenied("Only senior editors delete.")
    token = f"deleted with {label} {obj.pk} ({uuid.uuid4().hex[:12]})"
    for dependent in list(dependents):
        _delete_with_reason(dependent, token)
    _delete_with_reason(obj, token)
    return token


@transaction.atomic
def dispute_delete(*, dispute: Dispute, user: User) -> str:
    """Delete a dispute with everything on it; returns the token its restore needs."""
    # Lazy: nothing is read before the permission check inside _delete_together.
    dependents = chain(
        EvidenceLink.objects.filter(evidence__dispute=dispute),
        Evidence.objects.filter(dispute=dispute),
        ArticleLink.objects.filter(dispute=dispute),
        Appearance.objects.filter(claim__dispute=dispute),
        _superseding_first(Claim.objects.filter(dispute=dispute)),
    )
    return _delete_together(user=user, obj=dispute, label="dispute", dependents=dependents)


# Claims --------------------------------------------------------------------


def _lock_dispute(dispute: Dispute) -> str:
    """Serialise claim writes on one dispute: its status is recomputed from all its claims.

    Without it, two opposite claims saved at the same moment could each see only
    themselves and store "single-sided". Returns the stored status (what a status
    change is measured from) and puts it on ``dispute``.
    """
    locked = Dispute.objects.select_for_update().filter(pk=dispute.pk).values_list("status", "is_published").first()
    if locked is not None:
        # As it is now, not as the caller read it before waiting for the lock (a publication
        # may have committed meanwhile): feed items are marked draft-time or not from it.
        dispute.status, dispute.is_published = locked
    _share_card_changed(dispute)
    return dispute.status


def _status_item(dispute: Dispute, before: str, user: User | None = None) -> None:
    """A claim write moved the dispute's status (``Claim.save`` recomputed it): the feed item for that."""
    if dispute.status != before:
        feed_items.create_for_status_change(dispute, before, dispute.status, actor=user)


def party_for_name(*, name: str) -> Party:
    """The party with this name, created (with a free slug) if there is none.

    Two editors naming the same new party at once get the one party: the loser of the
    insert finds the winner's row and uses it.
    """
    name = name.strip()
    for _attempt in range(2):
        # Known by this name, or by it as one of its other names ("Шойгу" finds Sergei Shoigu's party).
        known = Party.objects.named(name)
        if known:
            return known[0]
        party = Party(name=name)
        try:
            _insert_with_free_slug(
                party,
                base=slugify(name)[:180] or "party",
                taken=lambda s: Party.objects.filter(slug=s).exists(),
            )
        except IntegrityError:
            continue  # the name was taken at the same moment: look again
        return party
    raise ValidationError({"new_party": _("This party was just changed by someone else; try again.")})


def _speaker_for(party, speaker, new_speaker: str, role: str = ""):
    if new_speaker.strip():
        if party is None:
            raise ValidationError({"new_speaker": _("Choose the party this speaker speaks for.")})
        # Known by this name, or by it as one of their other names (Шойгу, Choïgou).
        known = Speaker.objects.filter(party=party).named(new_speaker)
        if known:
            return known[0]
        speaker, _created = Speaker.objects.get_or_create(
            party=party, name=new_speaker.strip(), defaults={"role": role.strip()[:200]}
        )
    return speaker


def _credit_translation(claim: Claim, user: User | None) -> None:
    """An editor's translation with no name given is credited to the editor saving it."""
    if claim.translation and claim.translation_origin == TranslationOrigin.EDITOR and not claim.translator.strip():
        if user is not None and user.is_authenticated:
            claim.translator = (user.get_full_name() or user.get_username())[:200]


@transaction.atomic
def claim_create(
    *,
    dispute: Dispute,
    user: User | None,
    source_url: str = "",
    new_speaker: str = "",
    new_speaker_role: str = "",
    new_party: str = "",
    **data: Any,
) -> Claim:
    """A new claim on a dispute; a pasted URL reuses the Source it normalises to."""
    before = _lock_dispute(dispute)
    if new_party.strip():
        data["party"] = party_for_name(name=new_party)
    claim = Claim(dispute=dispute, created_by=user, **data)
    claim.speaker = _speaker_for(claim.party if claim.party_id else None, claim.speaker, new_speaker, new_speaker_role)
    claim.source = source_for_url(url=source_url) if source_url.strip() else None
    _credit_translation(claim, user)
    claim.full_clean()
    claim.save()
    feed_items.create_for_claim(claim, actor=user)
    feed_items.create_for_position_shift(claim, actor=user)
    _status_item(dispute, before, user)
    following.watch_what_was_made(user=user, dispute=dispute)
    return claim


@transaction.atomic
def claim_clip(*, user: User, dispute: Dispute | None = None, new_proposition: str = "", **data: Any) -> Claim:
    """A claim clipped from a web page (the Clip bookmarklet's form): on ``dispute``, or on a new
    dispute stated as ``new_proposition`` (a draft, as every new dispute), in one transaction."""
    if dispute is None:
        dispute = dispute_create(user=user, proposition=new_proposition)
    return claim_create(dispute=dispute, user=user, **data)


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    user: User | None,
    version: int,
    source_url: str | None = None,
    new_speaker: str = "",
    new_party: str = "",
    **data: Any,
) -> Claim:
    before = _lock_dispute(claim.dispute)
    claim = _lock_and_check(Claim, claim, version)
    standing_before, quote_before = claim.standing, claim.quote
    position_before = (claim.stance, claim.said_on, claim.party_id)
    if new_party.strip():
        data["party"] = party_for_name(name=new_party)
    _apply(claim, data)
    if (
        claim.standing == ClaimStanding.CORRECTED
        and standing_before != ClaimStanding.CORRECTED
        and not (claim.misreported_quote or "").strip()
        and quote_before.strip() != (claim.quote or "").strip()
    ):
        # Corrected by typing the right wording over the wrong one: the wrong one is kept beside it.
        claim.misreported_quote = quote_before
    claim.speaker = _speaker_for(claim.party if claim.party_id else None, claim.speaker, new_speaker)
    if source_url is not None:
        claim.source = source_for_url(url=source_url) if source_url.strip() else None
        if claim.source is not None and claim.appearances.filter(source=claim.source).exists():
            raise ValidationError(
                {"source_url": "This source is already one of the claim’s other appearances: remove it there first."}
            )
    _credit_translation(claim, user)
    claim.full_clean()
    claim.save()
    if claim.standing != standing_before:
        feed_items.create_for_standing_change(claim, standing_before, actor=user)
    if (claim.stance, claim.said_on, claim.party_id) != position_before:
        # A stance (or date) corrected into a change of position is one too.
        feed_items.create_for_position_shift(claim, actor=user)
    _status_item(claim.dispute, before, user)
    return claim


def _superseding_first(claims: Iterable[Claim]):
    """Claims ordered so each comes before the claims it supersedes (read when first iterated).

    A dispute's delete removes them in this order, and its restore brings them back in the
    same order, so a superseded claim always finds the later claim it points to.
    """
    claims = list(claims)
    by_pk = {claim.pk: claim for claim in claims}

    def depth(claim: Claim) -> int:
        steps, seen = 0, {claim.pk}
        while claim.superseded_by_id in by_pk and claim.superseded_by_id not in seen:
            claim = by_pk[claim.superseded_by_id]
            seen.add(claim.pk)
            steps += 1
        return steps

    yield from sorted(claims, key=lambda claim: (depth(claim), claim.pk))


@transaction.atomic
def claim_language_detected(*, claim: Claim, tag: str) -> Claim | None:
    """Record the language detected for a quote kept without one (``manage.py
    detect_quote_languages``); ``None`` if an editor chose one meanwhile, which stays.

    Saved with its reason in the history; no feed item and no status change (the
    language is not news)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.quote_language:
        return None
    claim.quote_language = tag
    with_reason(claim, "Language detected (detect_quote_languages)")
    claim.full_clean()
    claim.save()
    return claim


@transaction.atomic
def claim_delete(*, claim: Claim, user: User) -> str:
    """Delete a claim (senior editors). One that supersedes others is refused: they would lose their link."""
    dispute = claim.dispute
    if roles.can_delete(user) and (named_by := list(claim.supersedes.select_related("party")[:3])):
        which = ", ".join(
            gettext("%(party)s’s claim of %(date)s")
            % {"party": o.party.display_name, "date": o.said_on_display or gettext("an unknown date")}
            for o in named_by
        )
        raise ValidationError(
            gettext("This claim supersedes %(which)s. Set that claim’s standing back first, so it keeps its meaning.")
            % {"which": which}
        )
    before = _lock_dispute(dispute)
    dependents = chain(claim.evidence_links.all(), claim.appearances.all())
    token = _delete_together(user=user, obj=claim, label="claim", dependents=dependents)
    _status_item(dispute, before, user)
    return token


# Appearances ---------------------------------------------------------------
# A claim's own source is its first appearance; Appearance rows are the others
# (claims/models/appearances.py, docs/appearances.md).

ALREADY_AN_APPEARANCE = "This source is already recorded as an appearance of this claim."
ALREADY_FIRST = "This is where the claim first appeared (its source): it is on the card already."


def _may_edit(user: User | None) -> bool:
    """Editors, and commands (no user: an import, loaddemo) as for every other write."""
    return user is None or roles.can_edit(user)


def _appearance_source(url: str) -> Source:
    """The source of a pasted appearance URL; a bad one is refused beside the URL field."""
    try:
        normalized = normalize_source_url(url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from None
    source = source_for_url(url=normalized)
    # A source already on record is checked again now, so the card soon says whether this
    # claim's quote is there too (a live check is joined, not doubled).
    job_request(source=source, reason=CheckJob.Reason.MANUAL)
    return source


@transaction.atomic
def appearance_create(
    *,
    claim: Claim,
    user: User | None,
    url: str,
    quote_exact: str = "",
    quote_prefix: str = "",
    quote_suffix: str = "",
    appeared_on=None,
) -> Appearance | Claim:
    """Record that ``claim`` appeared at ``url`` too; returns the new appearance.

    A claim without a source gets this one as its source (its first appearance, a recorded
    edit of the claim) and the claim is returned. The same source twice is refused, as is
    the claim's own source. The source is checked at once for the claim's quote.
    """
    if not _may_edit(user):
        raise PermissionDenied("Only editors record appearances.")
    _lock_dispute(claim.dispute)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    source = _appearance_source(url)
    exact = (quote_exact or "").strip()
    if claim.source_id is None:
        claim.source = source
        claim.quote_exact, claim.quote_prefix, claim.quote_suffix = exact, quote_prefix, quote_suffix
        with_reason(claim, "First appearance recorded")
        claim.full_clean()
        claim.save()
        return claim
    if claim.source_id == source.pk:
        raise ValidationError({"url": ALREADY_FIRST})
    if Appearance.objects.filter(claim=claim, source=source).exists():
        raise ValidationError({"url": ALREADY_AN_APPEARANCE})
    appearance = Appearance(
        claim=claim,
        source=source,
        quote_exact=exact,
        quote_prefix=(quote_prefix or "")[:200],
        quote_suffix=(quote_suffix or "")[:200],
        appeared_on=appeared_on,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    appearance.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            appearance.save(force_insert=True)
    except IntegrityError:
        # The same source added by someone else at the same moment: the unique index decides.
        raise ValidationError({"url": ALREADY_AN_APPEARANCE}) from None
    return appearance


@transaction.atomic
def appearance_delete(*, appearance: Appearance, user: User | None) -> str:
    """Remove one further appearance (editors: it is restorable from its history, as an
    evidence link is removable); returns the token an undo looks for."""
    if not _may_edit(user):
        raise PermissionDenied("Only editors remove appearances.")
    token = f"removed from claim {appearance.claim_id} ({uuid.uuid4().hex[:12]})"
    _delete_with_reason(appearance, token)
    return token


@transaction.atomic
def first_appearance_remove(*, claim: Claim, user: User | None, version: int) -> Claim:
    """Remove a claim's first appearance (its source): the earliest further appearance takes
    its place, with its selector, or the claim is left without a source. Both rows' histories
    keep what was there."""
    if not _may_edit(user):
        raise PermissionDenied("Only editors remove appearances.")
    _lock_dispute(claim.dispute)
    claim = _lock_and_check(Claim, claim, version)
    if claim.source_id is None:
        return claim
    successor = claim.appearances.order_by(models.F("appeared_on").asc(nulls_last=True), "pk").first()
    if successor is None:
        claim.source = None
        claim.quote_exact, claim.quote_prefix, claim.quote_suffix = "", "", ""
        with_reason(claim, "First appearance removed")
    else:
        claim.source_id = successor.source_id
        claim.quote_exact = successor.quote_exact
        claim.quote_prefix, claim.quote_suffix = successor.quote_prefix, successor.quote_suffix
        with_reason(claim, "First appearance removed; the next appearance is now the first")
        _delete_with_reason(successor, f"became the first appearance of claim {claim.pk}")
    claim.full_clean()
    claim.save()
    return claim


# Merging two claims ----------------------------------------------------------
# A claim entered twice (in two disputes, or twice in one) becomes one claim with the other
# as a further appearance (docs/appearances.md, docs/similar-claims.md).

MERGE_REASON = "merged into claim"


@transaction.atomic
def claim_merge(*, keep: Claim, duplicate: Claim, user: User) -> str:
    """Merge ``duplicate`` into ``keep`` (senior editors); returns the token its undo looks for.

    ``keep`` gains every source ``duplicate`` appeared in (its first appearance, dated when it
    was said, and its further ones, each with its selector) that it lacks, and ``duplicate``'s
    evidence links (``_merge_evidence_links``: on ``keep``, or across disputes on the side it
    took). ``duplicate`` is then
    deleted with its own appearances and links, all marked with the token, as a delete is, so
    both histories keep everything. Undo (``object_restore`` of ``duplicate``'s deletion, the
    history page's "Undo the merge") brings it back and removes what the merge added to
    ``keep``, whatever was edited since.
    """
    if not roles.can_delete(user):
        raise PermissionDenied("Only senior editors merge claims.")
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A claim cannot be merged with itself: choose two different claims."))
    visible = Claim.objects.visible_to(user).filter(pk__in=[keep.pk, duplicate.pk]).count()
    if visible != 2:
        raise PermissionDenied("You cannot see both claims.")
    disputes = sorted({keep.dispute_id, duplicate.dispute_id})
    befores = {pk: _lock_dispute(Dispute.objects.get(pk=pk)) for pk in disputes}
    keep = Claim.objects.select_for_update().get(pk=keep.pk)
    duplicate = Claim.objects.select_for_update().get(pk=duplicate.pk)
    if named_by := list(duplicate.supersedes.select_related("party")[:3]):
        which = ", ".join(f"{o.party.name}’s claim of {o.said_on_display or 'an unknown date'}" for o in named_by)
        raise ValidationError(
            f"The claim to merge supersedes {which}. Set that claim’s standing back first, so it keeps its meaning."
        )
    token = f"{MERGE_REASON} {keep.pk} ({uuid.uuid4().hex[:12]})"
    known = {keep.source_id, *keep.appearances.values_list("source_id", flat=True)}
    moved = []
    if duplicate.source_id is not None:
        moved.append(
            Appearance(
                source_id=duplicate.source_id,
                quote_exact=duplicate.quote_exact,
                quote_prefix=duplicate.quote_prefix,
                quote_suffix=duplicate.quote_suffix,
                appeared_on=duplicate.said_on,
            )
        )
    moved += list(duplicate.appearances.all())
    for row in moved:
        if row.source_id in known:
            continue
        known.add(row.source_id)
        appearance = Appearance(
            claim=keep,
            source_id=row.source_id,
            quote_exact=row.quote_exact,
            quote_prefix=row.quote_prefix,
            quote_suffix=row.quote_suffix,
            appeared_on=row.appeared_on,
            created_by=user,
        )
        with_reason(appearance, token)
        appearance.save()
    _merge_evidence_links(keep=keep, duplicate=duplicate, token=token)
    with_reason(keep, f"claim {duplicate.pk} merged into this one ({token.rsplit('(', 1)[1]}")
    keep.save()
    for dependent in chain(list(duplicate.evidence_links.all()), list(duplicate.appearances.all())):
        _delete_with_reason(dependent, token)
    _delete_with_reason(duplicate, token)
    for pk in disputes:
        dispute = Dispute.objects.get(pk=pk)
        _status_item(dispute, befores[pk], user)
    return token


def _merge_evidence_links(*, keep: Claim, duplicate: Claim, token: str) -> None:
    """What ``duplicate``'s evidence showed, kept through the merge, each link once.

    On one dispute a link is made again on ``keep``. Across disputes the evidence stays on its
    own dispute (a link joins a claim and evidence of one dispute, ``EvidenceLink.clean``), so
    the link is made to the side the merged claim took there: the evidence still bears on it.
    A link ``keep`` (or that side) already has from the same evidence is not made twice. Each
    link made carries the merge's token, so its history says so and the undo takes it back.
    """
    same_dispute = keep.dispute_id == duplicate.dispute_id
    target = {"claim": keep} if same_dispute else {"claim": None, "stance": duplicate.stance}
    links = list(duplicate.evidence_links.all())
    already = EvidenceLink.objects.filter(evidence_id__in=[link.evidence_id for link in links], **target)
    existing = set(already.values_list("evidence_id", flat=True))
    for link in links:
        if link.evidence_id in existing:
            continue
        existing.add(link.evidence_id)
        again = EvidenceLink(
            evidence_id=link.evidence_id, effect=link.effect, strength=link.strength, note=link.note, **target
        )
        with_reason(again, token)
        again.save()


def _merge_undone(token: str) -> None:
    """Undo what a merge added: the appearances and evidence links it made on the claim it kept
    (or, across disputes, on the merged claim's side), those still there; one removed since
    stays removed."""
    for model in (Appearance, EvidenceLink):
        made = history_of(model).filter(history_type="+", history_change_reason=token).values_list("id", flat=True)
        for row in model._default_manager.filter(pk__in=list(made)):
            _delete_with_reason(row, f"merge undone ({token.rsplit('(', 1)[1]}")


# Evidence ------------------------------------------------------------------


@transaction.atomic
def evidence_create(
    *,
    dispute: Dispute,
    user: User | None,
    source_url: str = "",
    links: list[dict[str, Any]] | None = None,
    **data: Any,
) -> Evidence:
    """New evidence, with what it supports or contradicts (each link: claim or stance, effect, strength)."""
    evidence = Evidence(dispute=dispute, created_by=user, **data)
    evidence.source = source_for_url(url=source_url) if source_url.strip() else None
    evidence.full_clean()
    evidence.save()
    feed_items.create_for_evidence(evidence, actor=user)
    for link in links or []:
        evidence_link_create(evidence=evidence, user=user, **link)
    following.watch_what_was_made(user=user, dispute=dispute)
    return evidence


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    user: User,
    version: int,
    source_url: str | None = None,
    links: list[dict[str, Any]] | None = None,
    **data: Any,
) -> Evidence:
    evidence = _lock_and_check(Evidence, evidence, version)
    _apply(evidence, data)
    if source_url is not None:
        evidence.source = source_for_url(url=source_url) if source_url.strip() else None
    evidence.full_clean()
    evidence.save()
    for link in links or []:
        evidence_link_create(evidence=evidence, user=user, **link)
    return evidence


@transaction.atomic
def evidence_link_create(
    *,
    evidence: Evidence,
    user: User | None,
    effect: str,
    claim: Claim | None = None,
    stance: str = "",
    strength: str = "",
    note="",
) -> EvidenceLink:
    link = EvidenceLink(
        evidence=evidence,
        claim=claim,
        stance="" if claim is not None else stance,
        effect=effect,
        strength=strength or EvidenceLink.Strength.MODERATE,
        note=note,
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def evidence_link_delete(*, link: EvidenceLink, user: User) -> None:
    link.delete()


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user: User) -> str:
    return _delete_together(user=user, obj=evidence, label="evidence", dependents=evidence.links.all())


# Article links -------------------------------------------------------------


ALREADY_LINKED = "This article is already linked to this dispute; edit that link instead."


@transaction.atomic
def article_create(
    *, dispute: Dispute, user: User, url: str, relation: str, note: str = "", linked_on=None
) -> ArticleLink:
    """Link a later article to a dispute. An article already linked is refused, never overwritten.

    The unique index decides between two editors linking it at the same moment: the
    second gets the same ValidationError as if it had been linked before.
    """
    source = source_for_url(url=url)
    if ArticleLink.objects.filter(dispute=dispute, source=source).exists():
        raise ValidationError(ALREADY_LINKED)
    link = ArticleLink(dispute=dispute, source=source, created_by=user, relation=relation, note=note)
    if linked_on is not None:
        link.linked_on = linked_on
    link.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            link.save(force_insert=True)
    except IntegrityError:
        if ArticleLink.objects.filter(dispute=dispute, source=source).exists():
            raise ValidationError(ALREADY_LINKED) from None
        raise
    feed_items.create_for_article_link(link, actor=user)
    following.watch_what_was_made(user=user, dispute=dispute)
    return link


@transaction.atomic
def article_update(
    *, link: ArticleLink, user: User, version: int, relation: str, note: str = "", linked_on=None
) -> ArticleLink:
    """Change a link's relation, note or date; refused (``EditConflict``) if someone saved it since ``version``."""
    link = _lock_and_check(ArticleLink, link, version)
    link.relation = relation
    link.note = note
    if linked_on is not None:
        link.linked_on = linked_on
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def article_delete(*, link: ArticleLink, user: User) -> str:
    return _delete_together(user=user, obj=link, label="article link")


# Restore -------------------------------------------------------------------

# What each kind of object took with it when deleted, restored after it in this order.
_DEPENDENTS: dict[type[models.Model], list[type[models.Model]]] = {
    Dispute: [Claim, Evidence, ArticleLink, EvidenceLink, Appearance],
    Claim: [EvidenceLink, Appearance],
    Evidence: [EvidenceLink],
    ArticleLink: [],
    Source: [],
}


def _senior_only_fields(model: type[models.Model], user: User | None) -> set[str]:
    """Fields a restore by this user must leave alone: publishing and verdicts are senior decisions."""
    if model is not Dispute:
        return set()
    fields = set()
    if not roles.can_publish(user):
        fields |= PUBLISHING_FIELDS
    if not roles.can_settle(user):
        fields |= VERDICT_FIELDS
    return fields


def _make_restorable(instance: models.Model) -> list[str]:
    """Check a row about to come back against what was made or deleted since, fixing what can be fixed.

    Returns notes for the editor (a dispute whose address was taken comes back under a
    free one); raises ValidationError saying what to do when it cannot come back as it was.
    """
    notes = []
    name = instance._meta.verbose_name
    for field in instance._meta.concrete_fields:
        if not field.many_to_one:
            continue
        value = getattr(instance, field.attname)
        related: Any = field.related_model
        if value is None or related._default_manager.filter(pk=value).exists():
            continue
        remote: Any = field.remote_field
        if field.null and remote.on_delete is models.SET_NULL:
            setattr(instance, field.attname, None)  # a user account removed since: as the database would have done
            continue
        raise ValidationError(
            gettext("Restore its %(what)s first: it was deleted too.") % {"what": gettext(str(field.verbose_name))}
        )
    if isinstance(instance, Dispute) and Dispute.objects.filter(slug=instance.slug).exclude(pk=instance.pk).exists():
        old = instance.get_absolute_url()
        instance.slug = _unique_slug(instance.slug, exclude_pk=instance.pk)
        notes.append(
            gettext("Its address %(old)s was given to another dispute since; it is back at %(new)s.")
            % {"old": old, "new": instance.get_absolute_url()}
        )
    if (
        isinstance(instance, Claim)
        and instance.source_id is not None
        and instance.appearances.filter(source_id=instance.source_id).exists()
    ):
        raise ValidationError(
            _("That version's source is now one of the claim's other appearances: remove it there first.")
        )
    if (
        isinstance(instance, Appearance)
        and Claim.objects.filter(pk=instance.claim_id, source_id=instance.source_id).exists()
    ):
        raise ValidationError(_("This source became the claim’s first appearance since: it is on the card already."))
    if isinstance(instance, ArticleLink):
        again = ArticleLink.objects.filter(dispute_id=instance.dispute_id, source_id=instance.source_id)
        if again.exclude(pk=instance.pk).exists():
            raise ValidationError(
                _("This article was linked to this dispute again after this link was deleted: edit that link instead.")
            )
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except ValidationError as error:
        raise ValidationError(
            _("This %(name)s cannot come back as it was: %(reasons)s")
            % {"name": name, "reasons": " ".join(error.messages)}
        ) from None
    return notes


def _save_restored(instance: models.Model, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError:
        # Checked just before; only a row made at the same moment gets here.
        raise ValidationError(
            gettext("This %(what)s collides with a change made at the same moment; try again.")
            % {"what": labels.model_name(instance)}
        ) from None


def _bring_back(record: Any, user: User | None = None, *, actor: User | None = None) -> models.Model:
    instance: Any = record.instance
    if isinstance(instance, Dispute) and user is not None:
        kept_out = _senior_only_fields(Dispute, user)
        if "is_published" in kept_out:
            # An editor may bring a deleted dispute back, but only as a draft.
            instance.is_published, instance.published_at = False, None
        if "verdict" in kept_out:
            instance.verdict, instance.verdict_reasoning, instance.verdict_at, instance.verdict_by = "", "", None, None
    if isinstance(instance, Versioned):
        # A form opened before the deletion must not match the restored row: versions only go forward.
        newest = history_of(type(instance)).filter(id=instance.pk).aggregate(models.Max("version"))["version__max"]
        instance.version = (newest or 0) + 1
    instance.restore_notes = _make_restorable(instance)
    with_reason(instance, f"restored from version of {record.history_date:%Y-%m-%d %H:%M:%S}")
    _save_restored(instance, force_insert=True)
    _added(instance, actor=actor or user)
    return instance


def _added(instance: models.Model, *, actor=None) -> None:
    """What a row coming (back) into the ledger sets off: its feed item, or a source's first check."""
    if isinstance(instance, Claim):
        feed_items.create_for_claim(instance, actor=actor)
    elif isinstance(instance, Evidence):
        feed_items.create_for_evidence(instance, actor=actor)
    elif isinstance(instance, ArticleLink):
        feed_items.create_for_article_link(instance, actor=actor)
    elif isinstance(instance, Source):
        _source_checks(instance, None)


@transaction.atomic
def object_restore(*, model: type[models.Model], record: Any, user: User) -> models.Model:
    """Bring an object back to the state in one of its historical records.

    If the object still exists this is an ordinary edit (a new history entry, so it
    can itself be undone). If it was deleted, it is recreated with its old id, and
    whatever was deleted together with it (claims of a dispute, evidence links of a
    claim) comes back too. Rows made or deleted since that stand in the way are
    reported as a ValidationError saying what to do (nothing is restored then); a
    dispute whose slug was taken comes back under a free one, said in ``restore_notes``.
    """
    # The dispute a claim, evidence or article belongs to is locked first, as the claim services do.
    dispute_id = getattr(record, "dispute_id", None) if model in (Claim, Evidence, ArticleLink) else None
    dispute = Dispute.objects.filter(pk=dispute_id).first() if dispute_id else None
    status_before = _lock_dispute(dispute) if dispute is not None else ""
    existing: Any = model._default_manager.select_for_update().filter(pk=record.id).first()
    if existing is not None:
        before = {"status": existing.status, "verdict": existing.verdict} if model is Dispute else {}
        was_published = existing.is_published if model is Dispute else None
        old_url = existing.url if model is Source else None
        # A row stays on its dispute (models.base.StaysOnItsDispute), whatever an old version says.
        kept_out = _senior_only_fields(model, user) | {"dispute"}
        for field in model._meta.concrete_fields:
            if field.primary_key or not field.editable or not hasattr(record, field.attname):
                continue
            if field.name in kept_out:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            setattr(existing, field.attname, getattr(record, field.attname))
        existing.restore_notes = _make_restorable(existing)
        with_reason(existing, f"restored the version of {record.history_date:%Y-%m-%d %H:%M:%S}")
        published_now = model is Dispute and existing.is_published and not was_published
        if published_now:
            _before_publication(existing)
        _save_restored(existing)
        if published_now:
            feed_items.create_for_publication(existing, actor=user)
        if model is Dispute:
            _dispute_items(existing, user=user, **before)
        elif model is Source:
            _source_checks(existing, old_url)
        elif dispute is not None:
            dispute.refresh_status()
            _status_item(dispute, status_before, user)
        return existing

    deletion = history_of(model).filter(id=record.id).order_by("-history_date", "-history_id").first()
    state = record if record.history_type != "-" else record.prev_record
    if state is None:
        raise ValidationError(_("There is no earlier version to restore."))
    instance = _bring_back(state, user)
    token = deletion.history_change_reason if deletion is not None and deletion.history_type == "-" else ""
    if token and token.startswith(MERGE_REASON):
        _merge_undone(token)
    if token and token.startswith(("deleted with", MERGE_REASON)):
        for dependent in _DEPENDENTS.get(model, []):
            gone = history_of(dependent).filter(history_type="-", history_change_reason=token)
            for dep_deletion in gone.order_by("history_date", "history_id"):
                if dependent._default_manager.filter(pk=dep_deletion.id).exists() or dep_deletion.prev_record is None:
                    continue
                _bring_back(dep_deletion.prev_record, actor=user)
    if dispute is not None:
        dispute.refresh_status()
        _status_item(dispute, status_before, user)
    return instance
