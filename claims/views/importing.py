"""The senior editors' CSV import page: check a file (a dry run), then import it (claims/importing.py)."""

import base64
import binascii
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from claims.claimreview_import import import_claimreviews, looks_like_claimreview
from claims.decorators import require_senior
from claims.importing import ImportFileError, import_claims

from .htmx import HtmxHttpRequest, SignedInRequest

TEMPLATE = "claims/import.html"


def _too_big(size: int) -> str:
    return _(
        "The file is %(size)s bytes; this page takes up to %(limit)s. "
        "Split it, or ask an administrator to run manage.py import_claims."
    ) % {
        "size": number_format(size, force_grouping=True),
        "limit": number_format(settings.IMPORT_PAGE_MAX_BYTES, force_grouping=True),
    }


def _uploaded(request: HtmxHttpRequest) -> tuple[bytes | None, str]:
    """The file's bytes from the upload (first step) or the payload carried to the second; or an error."""
    if "payload" in request.POST:
        try:
            data = base64.b64decode(request.POST["payload"], validate=True)
        except (binascii.Error, ValueError):
            return None, _("The checked file did not come back intact; choose it again.")
        return (None, _too_big(len(data))) if len(data) > settings.IMPORT_PAGE_MAX_BYTES else (data, "")
    upload = request.FILES.get("file")
    if upload is None:
        return None, _("Choose a CSV file to check.")
    size = upload.size or 0
    if size > settings.IMPORT_PAGE_MAX_BYTES:
        return None, _too_big(size)
    return upload.read(), ""


@require_http_methods(["GET", "HEAD", "POST"])
@require_senior
def import_page(request: SignedInRequest) -> HttpResponse:
    context: dict[str, Any] = {"max_rows": settings.IMPORT_PAGE_MAX_ROWS, "max_bytes": settings.IMPORT_PAGE_MAX_BYTES}
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    data, error = _uploaded(request)
    commit = request.POST.get("action") == "import" and data is not None
    if data is not None:
        try:
            run = import_claimreviews if looks_like_claimreview(data) else import_claims
            report = run(data, user=request.user, commit=commit, max_rows=settings.IMPORT_PAGE_MAX_ROWS)
        except ImportFileError as exc:
            error = str(exc)
        else:
            if report.committed:
                messages.success(
                    request,
                    ngettext(
                        "Imported: %(created)d claim created, %(matched)d already there.",
                        "Imported: %(created)d claims created, %(matched)d already there.",
                        report.created,
                    )
                    % {"created": report.created, "matched": report.matched},
                )
                return redirect("claims:home")
            context.update(report=report, payload=base64.b64encode(data).decode("ascii"))
    context["error"] = error
    return render(request, TEMPLATE, context, status=400 if error else 200)
