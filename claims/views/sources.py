from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import get_source_for_user


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for_user(request, pk)
    return render(request, "claims/source_detail.html", {"source": source})
