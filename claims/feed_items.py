"""Adding feed items: what happened on a dispute, one row per event, for the feeds.

Called by the services that make the event (``claims.services``) and by the checker
(``claims.checking.runner``), never from a signal. Events make feed items: a new
claim, evidence or article; a status or verdict change; a claim withdrawn, superseded or
corrected; a party's change of position; a source check that found a problem. Saving an
existing claim again (an edit of its words) makes none, so a feed item's guid stays put when
an editor fixes a typo.
"""

import logging

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from claims import following
from claims.checking import outcomes
from claims.languages import in_site_language
from claims.models import ArticleLink, Claim, ClaimStanding, Dispute, Evidence, FeedItem, Source, SourceCheck, Stance

log = logging.getLogger(__name__)

OPPOSITE = {Stance.AFFIRMS: Stance.DENIES, Stance.DENIES: Stance.AFFIRMS}


def _short(text: str, length: int = 90) -> str:
    return Truncator(" ".join((text or "").split())).chars(length)


def _touch(dispute_ids) -> None:
    # Bookkeeping only: keeps "most recently active" ordering right without a history row.
    Dispute.objects.filter(pk__in=list(dispute_ids)).update(last_activity_at=timezone.now())


def _announced(item: FeedItem) -> FeedItem:
    """The item, saved if it is not yet, told to the watchers (``following.announce``)."""
    if item.pk is None:
        item.save()
    following.announce([item])
    return item


def _claim_item(claim: Claim, kind: str, *, actor=None) -> FeedItem:
    """A new claim's feed item, unsaved: who said what on which proposition, in today's words."""
    kind = FeedItem.Kind(kind)
    who = claim.speaker.name if claim.speaker_id else claim.party.name
    if claim.speaker_id:
        who = f"{who} ({claim.party.name})"
    dispute = claim.dispute
    stance = claim.get_stance_display().lower()
    return FeedItem(
        dispute=dispute,
        kind=kind,
        title=_("%(kind)s: %(party)s %(stance)s “%(proposition)s”")
        % {
            "kind": kind.label,
            "party": claim.party.name,
            "stance": stance,
            "proposition": _short(dispute.proposition),
        },
        summary=f"{who} {stance}: {claim.quote or claim.paraphrase}",
        claim=claim,
        source=claim.source,
        actor_id=actor.pk if actor is not None else claim.created_by_id,
    )


@in_site_language
def create_for_claim(claim: Claim, *, actor=None) -> FeedItem:
    opposite = OPPOSITE.get(claim.stance)
    is_counter = bool(
        opposite and Claim.objects.filter(dispute_id=claim.dispute_id, stance=opposite).exclude(pk=claim.pk).exists()
    )
    return _announced(
        _claim_item(claim, FeedItem.Kind.COUNTERCLAIM if is_counter else FeedItem.Kind.CLAIM, actor=actor)
    )


@in_site_language
def create_for_standing_change(claim: Claim, old: str, *, actor=None) -> FeedItem:
    """A claim was withdrawn, superseded, corrected, or came back into force: readers are told."""
    names = {"party": claim.party.name, "proposition": _short(claim.dispute.proposition)}
    standing = claim.standing
    if standing == ClaimStanding.WITHDRAWN:
        title = _("Withdrawn: %(party)s withdrew its claim on “%(proposition)s”") % names
        summary = _("%(summary)s. Withdrawn in %(url)s.") % {
            "summary": claim.standing_summary,
            "url": claim.withdrawn_url,
        }
    elif standing == ClaimStanding.SUPERSEDED:
        later = claim.superseded_by
        title = _("Superseded: %(party)s replaced its claim on “%(proposition)s”") % names
        when = later.said_on_display or _("an unknown date")
        summary = _("Now superseded by its claim of %(date)s: %(words)s") % {
            "date": when,
            "words": later.quote or later.paraphrase,
        }
    elif standing == ClaimStanding.CORRECTED:
        title = _("Corrected: a quote of %(party)s on “%(proposition)s” was misreported") % names
        summary = _("First reported as: %(old)s — corrected to: %(new)s") % {
            "old": claim.misreported_quote,
            "new": claim.quote,
        }
    else:
        title = _("Back in force: %(party)s’s claim on “%(proposition)s”") % names
        summary = _("It was %(standing)s; it is current again.") % {"standing": ClaimStanding(old).label.lower()}
    if claim.standing_note:
        summary += f" {claim.standing_note}"
    return _announced(
        FeedItem.objects.create(
            dispute=claim.dispute,
            kind=FeedItem.Kind.STANDING,
            title=title,
            summary=summary,
            claim=claim,
            source=claim.source,
            old_value=old,
            new_value=standing,
            actor_id=_actor_id(actor),
        )
    )


@in_site_language
def create_for_position_shift(claim: Claim, *, actor=None) -> FeedItem | None:
    """ "<party> changed its position on …": the claim's stance differs from the party's preceding one."""
    from claims.positions import preceding_position

    if claim.standing == ClaimStanding.WITHDRAWN:
        return None
    previous = preceding_position(claim)
    if previous is None or previous.stance == claim.stance:
        return None
    before, after = previous.get_stance_display().lower(), claim.get_stance_display().lower()
    return _announced(
        FeedItem.objects.create(
            dispute=claim.dispute,
            kind=FeedItem.Kind.POSITION_SHIFT,
            title=_("%(party)s changed its position on “%(proposition)s”")
            % {"party": claim.party.name, "proposition": _short(claim.dispute.proposition)},
            summary=_("From %(before)s (%(before_date)s) to %(after)s (%(after_date)s).")
            % {
                "before": before,
                "before_date": previous.said_on_display,
                "after": after,
                "after_date": claim.said_on_display,
            },
            claim=claim,
            source=claim.source,
            old_value=previous.stance,
            new_value=claim.stance,
            actor_id=_actor_id(actor) if actor is not None else claim.created_by_id,
        )
    )


def _evidence_item(evidence: Evidence, *, actor=None) -> FeedItem:
    by = _(", released by %(party)s") % {"party": evidence.released_by.name} if evidence.released_by_id else ""
    return FeedItem(
        dispute=evidence.dispute,
        kind=FeedItem.Kind.EVIDENCE,
        title=_("New evidence: %(title)s (%(kind)s%(by)s)")
        % {"title": _short(evidence.title), "kind": evidence.get_kind_display().lower(), "by": by},
        summary=evidence.description,
        evidence=evidence,
        source=evidence.source,
        actor_id=actor.pk if actor is not None else evidence.created_by_id,
    )


@in_site_language
def create_for_evidence(evidence: Evidence, *, actor=None) -> FeedItem:
    return _announced(_evidence_item(evidence, actor=actor))


def _article_item(link: ArticleLink, *, actor=None) -> FeedItem:
    source = link.source
    name = source.title or source.url
    return FeedItem(
        dispute=link.dispute,
        kind=FeedItem.Kind.ARTICLE,
        title=_("New article %(relation)s: %(title)s")
        % {"relation": link.get_relation_display().lower(), "title": _short(name)},
        summary=link.note,
        article_link=link,
        source=source,
        actor_id=actor.pk if actor is not None else link.created_by_id,
    )


@in_site_language
def create_for_article_link(link: ArticleLink, *, actor=None) -> FeedItem:
    return _announced(_article_item(link, actor=actor))


@in_site_language
def create_for_publication(dispute: Dispute, *, actor=None) -> list[FeedItem]:
    """Tell the readers what a dispute holds when it is published.

    What happened while it was a draft stays out of the public feeds (``FeedItem.made_on_draft``):
    working titles, claims deleted before anyone outside saw them. Its claims, evidence and
    articles as they stand are news at publication instead: one item each, in today's words,
    unless it already had a public item (a dispute published before, taken back and published
    again). Watchers are not notified of each: they follow the dispute's page.
    """
    told = FeedItem.objects.filter(dispute=dispute, made_on_draft=False)
    told_claims = set(told.exclude(claim=None).values_list("claim_id", flat=True))
    told_evidence = set(told.exclude(evidence=None).values_list("evidence_id", flat=True))
    told_links = set(told.exclude(article_link=None).values_list("article_link_id", flat=True))
    items: list[FeedItem] = []
    stances: set[str] = set()
    claims = dispute.claims.select_related("party", "speaker", "source").order_by(
        models.F("said_on").asc(nulls_last=True), "pk"
    )
    for claim in claims:
        if claim.pk not in told_claims:
            # As a claim made then: a counterclaim when the other side had spoken before it.
            counter = OPPOSITE.get(claim.stance) in stances
            items.append(
                _claim_item(claim, FeedItem.Kind.COUNTERCLAIM if counter else FeedItem.Kind.CLAIM, actor=actor)
            )
        stances.add(claim.stance)
    for evidence in dispute.evidence.select_related("released_by", "source").order_by("pk"):
        if evidence.pk not in told_evidence:
            items.append(_evidence_item(evidence, actor=actor))
    for link in dispute.article_links.select_related("source").order_by("pk"):
        if link.pk not in told_links:
            items.append(_article_item(link, actor=actor))
    return FeedItem.objects.bulk_create(items)


def _actor_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


@in_site_language
def create_for_status_change(dispute: Dispute, old: str, new: str, *, actor=None) -> FeedItem | None:
    """A status change worth telling readers about: not the first claim's open → single-sided, nor the
    way back to open when the last claim is deleted (the claims themselves are the news there)."""
    if old == new or Dispute.Status.OPEN in (old, new):
        return None
    label = Dispute.Status(new).label
    return _announced(
        FeedItem.objects.create(
            dispute=dispute,
            kind=FeedItem.Kind.STATUS,
            title=_("Now %(status)s: “%(proposition)s”")
            % {"status": label.lower(), "proposition": _short(dispute.proposition)},
            summary=_("Status changed from %(old)s to %(new)s.")
            % {"old": Dispute.Status(old).label.lower(), "new": label.lower()},
            old_value=old,
            new_value=new,
            actor_id=_actor_id(actor),
        )
    )


@in_site_language
def create_for_verdict_change(dispute: Dispute, old: str, *, actor=None) -> FeedItem:
    if dispute.verdict:
        title = _("Verdict: %(verdict)s — “%(proposition)s”") % {
            "verdict": dispute.get_verdict_display(),
            "proposition": _short(dispute.proposition),
        }
    else:
        title = _("Verdict withdrawn — “%(proposition)s”") % {"proposition": _short(dispute.proposition)}
    return _announced(
        FeedItem.objects.create(
            dispute=dispute,
            kind=FeedItem.Kind.VERDICT,
            title=title,
            summary=dispute.verdict_reasoning,
            old_value=old,
            new_value=dispute.verdict,
            actor_id=_actor_id(actor),
        )
    )


def kind_for_check(check: SourceCheck) -> str | None:
    """What a finished check means for readers, or None if it is not news."""
    if check.outcome == Source.CheckState.QUOTE_MISSING:
        return FeedItem.Kind.QUOTE_MISSING
    if check.outcome in outcomes.DIED:
        return FeedItem.Kind.SOURCE_DIED
    if check.outcome == Source.CheckState.CHANGED or check.changed:
        return FeedItem.Kind.SOURCE_CHANGED
    return None


_UNKNOWN = object()


@in_site_language
def create_for_source_check(check: SourceCheck, *, new: bool = False, previous_outcome=_UNKNOWN) -> list[FeedItem]:
    """One feed item per dispute citing the source, when a check found news.

    A source that stays dead is reported when it dies, not at every re-check:
    a problem outcome equal to the previous check's is skipped (a changed text
    is news each time it changes).

    The checker, which records a check once with its final outcome, says so (``new``: no
    feed item of it can exist yet) and passes the outcome of the check before it, which it
    has already read: two statements fewer per problem found.
    """
    kind = kind_for_check(check)
    if kind is None:
        return []
    if kind != FeedItem.Kind.SOURCE_CHANGED:
        if previous_outcome is _UNKNOWN:
            previous_outcome = (
                SourceCheck.objects.filter(source_id=check.source_id, started_at__lt=check.started_at)
                .exclude(pk=check.pk)
                .order_by("-started_at")
                .values_list("outcome", flat=True)
                .first()
            )
        if previous_outcome == check.outcome:
            return []
    source = check.source
    name = source.title or source.url
    label = FeedItem.Kind(kind).label
    detail = str(check.get_outcome_display())
    if check.http_status:
        detail += f" (HTTP {check.http_status})"
    title = f"{label}: {_short(name)}"
    summary = _("A check of %(url)s found: %(detail)s.") % {"url": source.url, "detail": detail}
    # The checker may save a check twice, refining its outcome (a changed text whose quote turns
    # out to be missing): the same event, so its feed items are re-described, not repeated.
    already: set[int] = set()
    if not new:
        FeedItem.objects.filter(source_check=check).exclude(kind=kind).update(
            kind=kind, title=title, summary=summary, new_value=check.outcome
        )
        already = set(FeedItem.objects.filter(source_check=check).values_list("dispute_id", flat=True))
    disputes = (
        Dispute.objects.filter(
            models.Q(claims__source=source)
            | models.Q(claims__appearances__source=source)
            | models.Q(evidence__source=source)
            | models.Q(article_links__source=source)
        )
        .exclude(pk__in=already)
        .distinct()
    )
    made = [
        FeedItem(
            dispute=dispute,
            kind=kind,
            title=title,
            summary=summary,
            source=source,
            source_check=check,
            new_value=check.outcome,
            made_on_draft=not dispute.is_published,  # bulk_create skips FeedItem.save
        )
        for dispute in disputes
    ]
    if made:
        FeedItem.objects.bulk_create(made)
        _touch(d.dispute_id for d in made)
        following.announce(made)
    return made
