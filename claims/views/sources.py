from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from claims import selectors

from .access import get_source_for_user
from .disputes import _wants_partial
from .htmx import HtmxHttpRequest


@require_safe
@vary_on_headers("HX-Request")
def source_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Which claims, evidence and articles cite this source, and its check history."""
    source = get_source_for_user(request, pk)
    data = selectors.source_page_data(source=source, user=request.user, page_number=request.GET.get("page"))
    template = "claims/source_detail.html#citations" if _wants_partial(request) else "claims/source_detail.html"
    return render(request, template, {"source": source, "data": data})
