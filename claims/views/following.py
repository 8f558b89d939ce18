"""Watching and email notifications: the Watch button, the Watching page, the account page, unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from claims import clip, following
from claims.forms import NotificationSettingsForm

from .access import get_watchable_for_user
from .htmx import SignedInRequest


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def watch(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    """The Watch button of a dispute, party or source: GET shows it, POST watches or unwatches.

    Pages carry a placeholder that htmx replaces with this button (so the page itself, cached
    and answered 304 for everyone, holds nothing of the viewer's); without JavaScript the
    placeholder is a link to this URL as a small page.
    """
    target = get_watchable_for_user(request, kind, pk)
    in_list = request.POST.get("from") == "list"
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "watch":
            following.watch_add(user=request.user, target=target)
        elif action == "unwatch":
            following.watch_remove(user=request.user, target=target)
        else:
            return render(request, "claims/watch.html", {"target": target, "kind": kind, "error": True}, status=400)
        if not request.htmx:
            return redirect("claims:watching" if in_list else target.get_absolute_url())
    context = {"target": target, "kind": kind, "watching": following.is_watching(request.user, target)}
    if request.htmx:
        template = "claims/watching.html#watch-row" if in_list else "claims/watching.html#watch-control"
    else:
        template = "claims/watch.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "HEAD"])
def watching(request: SignedInRequest) -> HttpResponse:
    """What the user watches, with one-click unwatch."""
    grouped = following.watches_of(request.user)
    sections = [
        ("dispute", _("Disputes"), grouped["dispute"]),
        ("party", _("Parties"), grouped["party"]),
        ("source", _("Sources"), grouped["source"]),
    ]
    context = {
        "sections": sections,
        "count": sum(len(found) for found in grouped.values()),
        "prefs": following.settings_of(request.user),
    }
    return render(request, "claims/watching.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: SignedInRequest) -> HttpResponse:
    """The account page: email notifications, and the ways in (feeds, API tokens)."""
    prefs = following.settings_of(request.user)
    form = NotificationSettingsForm(request.POST or None, instance=prefs)
    if request.method == "POST":
        if form.is_valid():
            following.notification_settings_update(
                user=request.user,
                email_mode=form.cleaned_data["email_mode"],
                watch_what_i_create=form.cleaned_data["watch_what_i_create"],
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("claims:account")
    context = {"form": form, "bookmarklet": clip.bookmarklet(request.build_absolute_uri("/").rstrip("/"))}
    return render(request, "claims/account.html", context, status=400 if form.errors else 200)


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the signed token is the authority
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: GET asks to confirm (link scanners only GET), POST turns email off.

    Works without a login, for the user the signed token names; a token we did not sign is a 404.
    """
    user = following.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "claims/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        following.unsubscribe(user=user)
        done = True
    context = {"done": done, "email": user.email, "account_url": reverse("claims:account")}
    return render(request, "claims/unsubscribe.html", context)
