from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from claims import selectors

from .access import get_dispute_for_user


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx swap gets the partial; an htmx history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@vary_on_headers("HX-Request")
def dispute_list(request: HttpRequest) -> HttpResponse:
    """The home page: disputes that moved most recently first, filtered and searched by the query string."""
    page = selectors.dispute_list_page(request.user, request.GET)
    template = "claims/dispute_list.html#results" if _wants_partial(request) else "claims/dispute_list.html"
    return render(request, template, {"listing": page, "form": page.form, "page_obj": page.page})


@require_GET
@vary_on_headers("HX-Request")
def dispute_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One dispute: claims side by side by stance, evidence, later articles and the timeline."""
    dispute = get_dispute_for_user(request, slug)
    data = selectors.dispute_page_data(dispute)
    template = "claims/dispute_detail.html#dispute-body" if _wants_partial(request) else "claims/dispute_detail.html"
    return render(request, template, {"dispute": dispute, "data": data, "timeline": data.timeline})
