"""Template tags for feed autodiscovery and ClaimReview markup in page heads."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from claims.jsonld import claimreview_script

register = template.Library()


def _user_feed_token(request) -> str:
    """The logged-in user's feed token on a private site, looked up once per request."""
    if not settings.SITE_PRIVATE or request is None or not request.user.is_authenticated:
        return ""
    if not hasattr(request, "_feed_token"):
        from claims.models import FeedToken

        request._feed_token = FeedToken.objects.filter(user=request.user).values_list("token", flat=True).first() or ""
    return request._feed_token


@register.simple_tag(takes_context=True)
def feed_url(context, name: str, *args) -> str:
    """The absolute URL of a feed, with the reader's token on a private site."""
    request = context.get("request")
    path = reverse(name, args=args)
    url = request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path
    token = _user_feed_token(request)
    return f"{url}?token={token}" if token else url


@register.simple_tag(takes_context=True)
def claimreview_jsonld(context, dispute) -> SafeString:
    """The ClaimReview ``<script type="application/ld+json">`` of a dispute with a verdict, else nothing."""
    request = context.get("request")
    # The dispute page passes the payload it built from its own claims (or its cache).
    payload = context.get("claimreview_payload")
    return claimreview_script(dispute, request=request, nonce=context.get("csp_nonce", ""), payload=payload)


@register.simple_tag
def feed_link_tags(title: str, rss: str, atom: str) -> SafeString:
    return format_html(
        '<link rel="alternate" type="application/rss+xml" title="{} (RSS)" href="{}">\n'
        '  <link rel="alternate" type="application/atom+xml" title="{} (Atom)" href="{}">',
        title,
        rss,
        title,
        atom,
    )
