"""One lookup helper per kind that also checks access; views never repeat this.

What a user may see is decided by each model's ``visible_to(user)`` queryset method
(``claims.roles.can_see_drafts`` underneath); these helpers only turn "not visible" into 404.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from claims.models import Dispute, Party, Source


def get_dispute_for_user(request: HttpRequest, slug: str, queryset=None) -> Dispute:
    """The dispute, if this user may see it; drafts are 404 to everyone but editors."""
    qs = queryset if queryset is not None else Dispute.objects.all()
    return get_object_or_404(qs.visible_to(request.user), slug=slug)


def get_party_for_user(request: HttpRequest, slug: str) -> Party:
    """The party, if it is on the record of a dispute this user may see."""
    return get_object_or_404(Party.objects.visible_to(request.user), slug=slug)


def get_source_for_user(request: HttpRequest, pk: int) -> Source:
    """The source, if a dispute this user may see cites it (editors: any source)."""
    return get_object_or_404(Source.objects.visible_to(request.user), pk=pk)
