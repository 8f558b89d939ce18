from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# Paths a private site still serves to strangers: the login page, static files,
# the feeds (which check their own per-user token) and the API (bearer tokens).
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/feeds/", "/admin/login/", "/api/")


class PrivateSiteMiddleware:
    """When SITE_PRIVATE is on, every page asks for a login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_PRIVATE and not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
