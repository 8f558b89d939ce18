"""What newsrooms and social platforms take away from a published dispute (docs/sharing.md).

The embeddable card (``/embed/disputes/<slug>/``), its oEmbed description (``/oembed``)
and the dispute's share image (``/disputes/<slug>/share.png``). None of them depends on
who asks: each shows what a stranger sees, sets no cookie, and may be kept by shared
caches for ``EMBED_MAX_AGE`` seconds (on a private site only the reader's browser may); a
repeat request is answered 304 from the dispute's page stamp (one query). Drafts, deleted
and unknown disputes are 404 to everyone.
"""

import hashlib
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from claims import selectors, share_images
from claims.cache_headers import cache_for_everyone
from claims.languages import in_site_language
from claims.release import release_stamp

from .htmx import HtmxHttpRequest

# oEmbed sizes: the card reads well from 280 px up and needs no more than 640; without the
# host script the iframe keeps the fixed height given here (the card scrolls inside it).
EMBED_WIDTH = 560
EMBED_MIN_WIDTH = 280
EMBED_HEIGHT = 420
EMBED_MIN_HEIGHT = 200
EMBED_MAX_HEIGHT = 2000


def _stranger_version(slug: str) -> selectors.PageVersion:
    """The page version of a *published* dispute, whoever asks; 404 otherwise."""
    version = selectors.dispute_page_version(slug=slug, user=AnonymousUser())
    if version is None:
        raise Http404("No published dispute here.")
    return version


def _etag(*parts) -> str:
    return '"' + hashlib.sha256(repr((*parts, release_stamp())).encode()).hexdigest()[:32] + '"'


def _public(response: HttpResponse, etag: str) -> HttpResponse:
    """The same for everyone: shared caches may keep it briefly (not on a private site:
    ``cache_headers``), then revalidate with the ETag."""
    response.headers["ETag"] = etag
    cache_for_everyone(response, settings.EMBED_MAX_AGE)
    return response


def embed_csp() -> dict:
    """The embed's own policy: its stylesheet and script, framed only by ``EMBED_ALLOWED_ORIGINS``."""
    origins = settings.EMBED_ALLOWED_ORIGINS
    ancestors = [CSP.NONE] if origins == ["none"] else list(origins) or [CSP.NONE]
    return {
        "default-src": [CSP.NONE],
        "style-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "img-src": [CSP.SELF],
        "frame-ancestors": ancestors,
        "base-uri": [CSP.NONE],
        "form-action": [CSP.NONE],
    }


@require_safe
@xframe_options_exempt
@in_site_language
def embed_card(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A published dispute as a compact card for an ``<iframe>`` in an article.

    Rendered without the request (no session, CSRF token or viewer), once per page stamp.
    ``X-Frame-Options`` is left off here only; ``frame-ancestors`` says who may frame it.
    """
    version = _stranger_version(slug)
    etag = _etag(version.stamp, "embed")
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = "embed-card:" + etag
        html = cache.get(key)
        if html is None:
            card = selectors.published_dispute_card(slug)
            if card is None:
                raise Http404("No published dispute here.")
            html = render_to_string("claims/embed_card.html", {"card": card, "SITE_NAME": settings.SITE_NAME})
            cache.set(key, html, 24 * 3600)
        response = HttpResponse(html)
    response._csp_config = embed_csp()  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return _public(response, etag)


def embed_snippet(
    request: HtmxHttpRequest | None, slug: str, title: str, width: int | None = None, height: int = EMBED_HEIGHT
) -> str:
    """The HTML an editor pastes into an article: the iframe at a fixed height, and the
    optional host script that resizes it to the card (docs/sharing.md)."""
    base = settings.SITE_URL if request is None else request.build_absolute_uri("/").rstrip("/")
    src = base + reverse("claims:embed-card", args=[slug])
    script = base + "/" + settings.STATIC_URL.strip("/") + "/js/embed-host.js"
    return render_to_string(
        "claims/embed_snippet.html",
        {"src": src, "script": script, "title": title, "width": width, "height": height},
    ).strip()


class BadOembedRequest(ValueError):
    pass


def _size(request: HtmxHttpRequest, name: str, low: int, high: int) -> int:
    """``maxwidth``/``maxheight``: a whole number of pixels, kept within what the card can use."""
    raw = request.GET.get(name, "")
    if raw == "":
        return high
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadOembedRequest(f"{name} must be a whole number of pixels, e.g. {name}=600")
    value = int(raw)
    if value < low:
        raise BadOembedRequest(f"{name}={value} is too small for the card (at least {low})")
    return min(value, high)


def _dispute_slug_of(url: str, request: HtmxHttpRequest) -> str | None:
    """The slug of a dispute page or embed address on this site; None for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    ours = {request.get_host().lower(), urlsplit(settings.SITE_URL).netloc.lower()}
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in ours:
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name in ("claims:dispute-detail", "claims:embed-card"):
        return match.kwargs["slug"]
    return None


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@require_safe
@in_site_language
def oembed(request: HtmxHttpRequest) -> HttpResponse:
    """oEmbed 1.0 (https://oembed.com) for dispute pages: a ``rich`` answer whose HTML is the embed snippet.

    400 for a missing ``url`` or a size that is not a positive number; 404 for an address that is
    not a published dispute of this site (another host, a draft, nothing); 501 for a format other
    than JSON, as the specification asks.
    """
    fmt = request.GET.get("format") or "json"
    if fmt != "json":
        return _plain(501, "Only format=json is served.")
    url = request.GET.get("url", "")
    if not url:
        return _plain(400, "Give the address of a dispute page: /oembed?url=…")
    try:
        width = _size(request, "maxwidth", EMBED_MIN_WIDTH, EMBED_WIDTH)
        height = _size(request, "maxheight", EMBED_MIN_HEIGHT, EMBED_MAX_HEIGHT)
    except BadOembedRequest as error:
        return _plain(400, str(error))
    slug = _dispute_slug_of(url[:2000], request)
    if slug is None:
        return _plain(404, "No published dispute of this site at that address.")
    try:
        version = _stranger_version(slug)
    except Http404:
        return _plain(404, "No published dispute of this site at that address.")
    height = min(height, EMBED_HEIGHT)
    etag = _etag(version.stamp, "oembed", width, height, request.get_host())
    response = get_conditional_response(request, etag=etag)
    if response is None:
        card = selectors.published_dispute_card(slug)
        if card is None:
            return _plain(404, "No published dispute of this site at that address.")
        dispute = card.dispute
        base = request.build_absolute_uri("/").rstrip("/")
        data = {
            "version": "1.0",
            "type": "rich",
            "title": dispute.proposition,
            "provider_name": settings.SITE_NAME,
            "provider_url": base + "/",
            "cache_age": settings.EMBED_MAX_AGE,
            "html": embed_snippet(request, slug, dispute.proposition, width, height),
            "width": width,
            "height": height,
            "thumbnail_url": base + reverse("claims:dispute-share-image", args=[slug]),
            "thumbnail_width": share_images.WIDTH,
            "thumbnail_height": share_images.HEIGHT,
        }
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _public(response, etag)


def oembed_discovery_url(request: HtmxHttpRequest, dispute) -> str:
    """The ``<link rel="alternate" type="application/json+oembed">`` address for a dispute page."""
    page = request.build_absolute_uri(dispute.get_absolute_url())
    return request.build_absolute_uri(reverse("claims:oembed")) + "?" + urlencode({"url": page, "format": "json"})


@require_safe
@in_site_language
def dispute_share_image(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The dispute's 1200×630 PNG for link previews, drawn once per version of what it shows."""
    version = _stranger_version(slug)
    etag = _etag(version.stamp, "share-image", share_images.RENDERER_VERSION)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        card = selectors.published_dispute_card(slug)
        if card is None:
            raise Http404("No published dispute here.")
        response = HttpResponse(share_images.image_for(card), content_type="image/png")
    return _public(response, etag)
