"""One lookup helper per kind that also checks access; views never repeat this."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from claims.models import Dispute, Party, Source


def get_dispute_for_user(request: HttpRequest, slug: str, queryset=None) -> Dispute:
    """The dispute, if this user may see it; drafts are 404 to everyone but editors."""
    qs = queryset if queryset is not None else Dispute.objects.all()
    return get_object_or_404(qs.visible_to(request.user), slug=slug)


def get_party_for_user(request: HttpRequest, slug: str) -> Party:
    return get_object_or_404(Party.objects.visible_to(request.user), slug=slug)


def get_source_for_user(request: HttpRequest, pk: int) -> Source:
    source = get_object_or_404(Source, pk=pk)
    user = request.user
    if user.is_authenticated and (user.is_staff or user.has_perm("claims.change_source")):
        return source
    # Strangers see a source only if a published dispute cites it.
    visible = (
        Dispute.objects.published().filter(claims__source=source).exists()
        or Dispute.objects.published().filter(article_links__source=source).exists()
        or Dispute.objects.published().filter(evidence__source=source).exists()
    )
    if not visible:
        raise Http404("No such source")
    return source
