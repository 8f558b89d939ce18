from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from claims.api import api

urlpatterns = [
    # The site's own pages first: the ones read all day are found without trying the admin's and
    # the API's patterns (none of the site's paths starts with admin/, accounts/ or api/).
    path("", include("claims.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switcher posts here (django.views.i18n.set_language): a cookie, then back.
    path("i18n/setlang/", set_language, name="set_language"),
    # The read-only JSON API (claims/api.py), token-authenticated; OpenAPI at /api/openapi.json.
    path("api/", api.urls),
]

if settings.BENCH_ENDPOINTS:
    from benchmarks.views import ceiling

    urlpatterns.insert(0, path("_bench/ceiling/", ceiling, name="bench-ceiling"))

# The database being down is a 503 with Retry-After, not a 500 (claims/views/errors.py).
handler500 = "claims.views.errors.server_error"
# A form over the upload limits is a 413 saying what the limit is (claims/views/errors.py).
handler400 = "claims.views.errors.bad_request"
