"""One lookup helper per kind that also checks access; views never repeat this.

What a user may see is decided by each model's ``visible_to(user)`` queryset method
(``claims.roles.can_see_drafts`` underneath); these helpers only turn "not visible" into 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from claims.models import ArticleLink, Claim, Dispute, Evidence, Party, Source

from .htmx import HtmxHttpRequest


def get_dispute_for_user(request: HtmxHttpRequest, slug: str, queryset=None) -> Dispute:
    """The dispute, if this user may see it; drafts are 404 to everyone but editors."""
    qs = queryset if queryset is not None else Dispute.objects.all()
    return get_object_or_404(qs.visible_to(request.user), slug=slug)


def get_party_for_user(request: HtmxHttpRequest, slug: str) -> Party:
    """The party, if it is on the record of a dispute this user may see."""
    return get_object_or_404(Party.objects.visible_to(request.user), slug=slug)


def get_source_for_user(request: HtmxHttpRequest, pk: int) -> Source:
    """The source, if a dispute this user may see cites it (editors: any source)."""
    return get_object_or_404(Source.objects.visible_to(request.user), pk=pk)


# The objects on a dispute page: found if this user may see their dispute.


def get_claim_for_user(request: HtmxHttpRequest, pk: int) -> Claim:
    claim = get_object_or_404(Claim.objects.select_related("dispute", "party", "speaker", "source"), pk=pk)
    get_dispute_for_user(request, claim.dispute.slug)
    return claim


def get_evidence_for_user(request: HtmxHttpRequest, pk: int) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("dispute", "released_by", "source"), pk=pk)
    get_dispute_for_user(request, evidence.dispute.slug)
    return evidence


def get_article_link_for_user(request: HtmxHttpRequest, pk: int) -> ArticleLink:
    link = get_object_or_404(ArticleLink.objects.select_related("dispute", "source"), pk=pk)
    get_dispute_for_user(request, link.dispute.slug)
    return link


def get_watchable_for_user(request: HtmxHttpRequest, kind: str, pk: int) -> Dispute | Party | Source:
    """A dispute, party or source by id (what the Watch button names), if this user may see it."""
    if kind == "dispute":
        return get_object_or_404(Dispute.objects.visible_to(request.user), pk=pk)
    if kind == "party":
        return get_object_or_404(Party.objects.visible_to(request.user), pk=pk)
    if kind == "source":
        return get_object_or_404(Source.objects.visible_to(request.user), pk=pk)
    raise Http404("Only disputes, parties and sources can be watched.")
