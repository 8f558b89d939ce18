"""The benchmark ceiling: the cheapest response the site can give, through all its middleware.

Mounted at ``/_bench/ceiling/`` only when ``BENCH_ENDPOINTS`` is on (``make bench``
turns it on for its own server); every page's throughput is reported as a ratio to it.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
