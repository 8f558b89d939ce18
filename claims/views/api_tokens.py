"""A logged-in user's tokens for the read-only JSON API: list, make (shown once), revoke."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from claims.forms import ApiTokenForm
from claims.models import ApiToken
from claims.text import normalise_text

from .htmx import SignedInRequest

MAX_ACTIVE_TOKENS = 10


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: SignedInRequest) -> HttpResponse:
    tokens = ApiToken.objects.active().filter(user=request.user)
    new_token = ""
    error = ""
    typed = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token_id = request.POST.get("token_id") or ""
            if not (token_id.isascii() and token_id.isdecimal() and len(token_id) <= 18):
                raise Http404("No such token")
            get_object_or_404(tokens, pk=int(token_id)).revoke()
            return redirect("claims:api-tokens")
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            error = " ".join(str(message) for message in form.errors["name"])
            typed = normalise_text(form.data.get("name", ""), multiline=False)
        elif tokens.count() >= MAX_ACTIVE_TOKENS:
            error = _("You have %(count)d tokens; revoke one first.") % {"count": MAX_ACTIVE_TOKENS}
        else:
            # Shown on this response only: the database keeps its hash.
            _token, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
    return render(
        request,
        "claims/api_tokens.html",
        {"tokens": list(tokens), "new_token": new_token, "error": error, "typed": typed},
        status=400 if error else 200,
    )
