from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponseBadRequest, HttpResponsePermanentRedirect, QueryDict
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format

from claims.text import normalise_text

# Paths a private site still serves to strangers: the login pages, static files,
# the feeds (which check their own per-user token) and the API's endpoints (bearer
# tokens; a stranger gets 401). The API's description and its browsable docs are pages
# like any other: on a private site they say what the newsroom keeps, so they need a login.
# The unsubscribe link in an email works without a login: its signed token is the authority;
# the language switcher works on the login page.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/i18n/setlang/",
    "/static/",
    "/feeds/",
    "/admin/login/",
    "/api/",
    "/notifications/unsubscribe/",
)
PRIVATE_EXCEPTIONS = ("/api/docs", "/api/openapi.json")


def open_to_strangers(path: str) -> bool:
    """Whether a private site serves this path without a login (the one place that decides)."""
    return path.startswith(PUBLIC_PREFIXES) and not path.startswith(PRIVATE_EXCEPTIONS)


class PrivateSiteMiddleware:
    """When SITE_PRIVATE is on, every page asks for a login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_PRIVATE and not request.user.is_authenticated and not open_to_strangers(request.path):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class HeadAsGetMiddleware:
    """HEAD is GET without the body (RFC 9110 §9.3.2), wherever GET is allowed.

    Views declare ``require_safe`` (GET and HEAD), but django-ninja's API routes and
    any view written with ``require_GET`` would answer a monitor's or a link checker's
    HEAD with 405; here every HEAD is served as the GET it stands for and the body is
    dropped, whatever the view. Outermost but for the security headers, so caching,
    CSRF, rate limits and the private-site rule see a GET, which HEAD is to them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.META["REQUEST_METHOD"] = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
            request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            response.close()
            response.streaming_content = iter(())
        else:
            # Content-Length, when the view set one, still says what a GET would carry.
            response.content = b""
        return response


class PrivateForSignedInMiddleware:
    """A response made for a signed-in user is never kept by a shared cache.

    Pages show the viewer's name, editing controls, drafts and CSRF tokens; one kept by a
    proxy or CDN would be handed to the next visitor. Views that set their own
    Cache-Control (the feeds, the same for everyone; the dispute page) keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # checked first: asking who the user is would read the session (Vary: Cookie)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


# The longest query string and the longest single value any page reads (the home page's
# search is 200 characters; the admin's saved filters a few hundred). Past them a request is
# refused before any view runs: the admin's search splits its term into words and asks the
# database once per word and field, so a 1 MB search was unbounded work.
MAX_QUERY_STRING = 16_384
MAX_QUERY_VALUE = 2_000


class QueryStringMiddleware:
    """The one place every query string is read, before any view, the admin or the API sees it.

    - More parameters than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, a query string longer than
      ``MAX_QUERY_STRING`` or a value longer than ``MAX_QUERY_VALUE`` is a 400 saying so
      (too many parameters was raised inside whichever view first read ``request.GET`` and
      answered as a form's 413; a long one was read and searched for).
    - Names and values are normalised as typed text is (``claims/text.py``: NUL and other
      control characters, lone surrogates and bidi overrides removed, line breaks made
      spaces, NFC), so no view hands the database a NUL (PostgreSQL refuses it: a 500) or
      compares against a character no one can type. Broken percent-encoding and invalid
      UTF-8 are already decoded by Django as U+FFFD.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        too_long = len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING
        try:
            query = request.GET
        except TooManyFieldsSent:
            too_long = True
        if too_long or any(len(v) > MAX_QUERY_VALUE for _, values in query.lists() for v in values):
            # Answered before LocaleMiddleware runs: in the reader's language all the same.
            with translation.override(translation.get_language_from_request(request)):
                context = {
                    "fields": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True),
                    "length": number_format(MAX_QUERY_STRING, force_grouping=True),
                    "value": number_format(MAX_QUERY_VALUE, force_grouping=True),
                }
                return HttpResponseBadRequest(loader.render_to_string("errors/400_query.html", context))
        if query:
            cleaned = QueryDict(mutable=True)
            changed = False
            for name, values in query.lists():
                clean_name = normalise_text(name, multiline=False)
                clean_values = [normalise_text(value, multiline=False) for value in values]
                changed = changed or clean_name != name or clean_values != values
                cleaned.setlistdefault(clean_name, []).extend(clean_values)
            if changed:
                cleaned._mutable = False
                request.GET = cleaned
        return self.get_response(request)


class DisputeSlugRedirectMiddleware:
    """A dispute's old address (a draft's slug, renewed on publication: ``DisputeSlugRedirect``)
    answers 301 to the same page under the new slug, for whoever may see the dispute.

    Looked up only when a dispute route answered 404 for a GET or HEAD, so no other request
    pays for it; to anyone who may not see the dispute the old address stays a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code != 404
            or request.method not in ("GET", "HEAD")
            or match is None
            or "disputes/<slug:slug>" not in (match.route or "")
        ):
            return response
        from claims.models import Dispute, DisputeSlugRedirect

        visible = Dispute.objects.visible_to(getattr(request, "user", None))
        moved = DisputeSlugRedirect.objects.filter(old_slug=match.kwargs.get("slug"), dispute__in=visible)
        new_slug = moved.values_list("dispute__slug", flat=True).first()
        if new_slug is None:
            return response
        url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "slug": new_slug})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(url + ("?" + query if query else ""))
