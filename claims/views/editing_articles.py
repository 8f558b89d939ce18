"""Linking later articles to a dispute, editing and deleting the links, in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from claims import services
from claims.decorators import require_editor, require_senior
from claims.forms import ArticleLinkForm
from claims.models import ArticleLink, Dispute

from .access import get_article_link_for_user, get_dispute_for_user
from .htmx import HtmxHttpRequest, SignedInRequest
from .inplace import (
    FORMS_PAGE,
    added_in_place,
    already_sent,
    card,
    changed,
    confirm_delete,
    deleted_notice,
    done,
    form_response,
    fragments,
    render_fragment,
    submission_key,
    with_check_progress,
    with_current_version,
)


def _article_item(request: HtmxHttpRequest, link: ArticleLink) -> str:
    link = ArticleLink.objects.select_related("source", "dispute").get(pk=link.pk)
    with_check_progress(link.source)
    return card(request, "article-item", {"link": link, "dispute": link.dispute})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def article_create(request: SignedInRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    form = ArticleLinkForm(request.POST or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link, created = services.submit_once(
                user=request.user,
                key=submission_key(request),
                create=lambda: services.article_create(
                    dispute=dispute,
                    user=request.user,
                    url=data["url"],
                    relation=data["relation"],
                    note=data["note"],
                    linked_on=data["linked_on"],
                ),
            )
        except ValidationError as error:
            # Already linked (before, or by someone else at the same moment): the service's rule.
            form.add_error("url", error)
            return _article_form(request, form, dispute)
        if link is None:
            return already_sent(request, dispute.get_absolute_url())
        if request.htmx and not created:
            return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}))
        if request.htmx:
            return added_in_place(
                request,
                slot=render_fragment(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}),
                target="#article-items",
                item=_article_item(request, link),
            )
        return done(request, "Article linked.", dispute.get_absolute_url() + f"#article-{link.pk}")
    return _article_form(request, form, dispute)


def _article_form(request: HtmxHttpRequest, form: ArticleLinkForm, dispute: Dispute) -> HttpResponse:
    return form_response(
        request,
        form=form,
        title=_("Link a later article"),
        action=reverse("claims:article-create", args=[dispute.slug]),
        dom_id="new-article",
        cancel_url=reverse("claims:article-add-slot", args=[dispute.slug]),
        dispute=dispute,
        css_class="article-item editing",
    )


@require_safe
@vary_on_headers("HX-Request")
def article_add_slot(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    dispute = get_dispute_for_user(request, slug)
    if not request.htmx:
        return redirect(dispute)
    return HttpResponse(render_fragment(request, f"{FORMS_PAGE}#add-article-slot", {"dispute": dispute}))


@require_safe
@vary_on_headers("HX-Request")
def article_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    if not request.htmx:
        return redirect(link.dispute.get_absolute_url() + f"#article-{pk}")
    return HttpResponse(_article_item(request, link))


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_editor
def article_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    form = ArticleLinkForm(request.POST or None, instance=ArticleLink.objects.select_related("source").get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.article_update(
                link=link,
                user=request.user,
                version=data["version"],
                relation=data["relation"],
                note=data["note"],
                linked_on=data["linked_on"],
            )
        except services.EditConflict as error:
            conflict = error
            form = ArticleLinkForm(with_current_version(request, error), instance=error.obj)
            form.is_valid()
        else:
            if request.htmx:
                return changed(HttpResponse(_article_item(request, link)))
            return done(request, "Article link saved.", link.dispute.get_absolute_url() + f"#article-{pk}")
    return form_response(
        request,
        form=form,
        title=_("Edit article link"),
        action=reverse("claims:article-edit", args=[pk]),
        dom_id=f"article-{pk}",
        cancel_url=reverse("claims:article-card", args=[pk]),
        dispute=link.dispute,
        conflict=conflict,
        css_class="article-item editing",
        root_tag="li",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@require_senior
def article_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    link = get_article_link_for_user(request, pk)
    dispute = link.dispute
    if request.method == "POST":
        services.article_delete(link=link, user=request.user)
        if request.htmx:
            return fragments(
                request,
                deleted_notice(
                    request, dom_id=f"article-{pk}", label=_("Article link"), kind="article", pk=pk, dispute=dispute
                ),
            )
        messages.success(request, _("Article link deleted. It can be restored from its history."))
        return redirect(reverse("claims:history", args=["article", pk]))
    return confirm_delete(
        request,
        what=_("the link to “%(source)s”") % {"source": link.source},
        obj=link,
        action=reverse("claims:article-delete", args=[pk]),
        dom_id=f"article-{pk}",
        cancel_url=reverse("claims:article-card", args=[pk]),
        dispute=dispute,
        root_tag="li",
    )
