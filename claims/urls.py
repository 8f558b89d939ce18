from django.urls import path

from .views import api_tokens as api_token_views
from .views import appearances as appearance_views
from .views import checks as check_views
from .views import clip as clip_views
from .views import (
    disputes,
    editing_articles,
    editing_claims,
    editing_disputes,
    editing_evidence,
    history,
    merging,
    parties,
    sharing,
    sources,
)
from .views import exports as export_views
from .views import feeds as feed_views
from .views import following as following_views
from .views import importing as import_views

app_name = "claims"

urlpatterns = [
    path("", disputes.dispute_list, name="home"),
    # Feeds (claims/views/feeds.py): RSS 2.0 and Atom 1.0 of feed items. Early in the list: feed
    # readers poll them all day, and a 304 costs little more than finding its URL.
    path("feeds/disputed/", feed_views.disputed_rss, name="feed-disputed"),
    path("feeds/disputed/atom/", feed_views.disputed_atom, name="feed-disputed-atom"),
    path("feeds/disputes/<slug:slug>/", feed_views.dispute_rss, name="feed-dispute"),
    path("feeds/disputes/<slug:slug>/atom/", feed_views.dispute_atom, name="feed-dispute-atom"),
    path("feeds/parties/<slug:slug>/", feed_views.party_rss, name="feed-party"),
    path("feeds/parties/<slug:slug>/atom/", feed_views.party_atom, name="feed-party-atom"),
    # Before dispute-detail, which would take "new" for a slug.
    path("disputes/new/", editing_disputes.dispute_create, name="dispute-create"),
    path("disputes/<slug:slug>/", disputes.dispute_detail, name="dispute-detail"),
    path("disputes/<slug:slug>/timeline/", disputes.dispute_timeline, name="dispute-timeline"),
    path("parties/<slug:slug>/", parties.party_detail, name="party-detail"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
    # The source checker (claims/views/checks.py).
    path("sources/<int:pk>/check/", check_views.source_check_now, name="source-check-now"),
    path("sources/<int:pk>/badge/", check_views.source_badge, name="source-badge"),
    path("sources/preview/", check_views.source_preview, name="source-preview"),
    path("sources/<int:pk>/diff/", check_views.source_check_diff, name="source-check-diff"),
    path("checks/<int:check_id>/archive.warc.gz", check_views.source_archive, name="source-archive"),
    path("checks/<int:check_id>/text.txt", check_views.source_check_text, name="source-check-text"),
    # Editing in place (claims/views/editing_*.py over inplace.py) and history (claims/views/history.py).
    path("disputes/<slug:slug>/edit/", editing_disputes.dispute_edit, name="dispute-edit"),
    path("disputes/<slug:slug>/header/", editing_disputes.dispute_header, name="dispute-header"),
    path("disputes/<slug:slug>/verdict/", editing_disputes.dispute_verdict, name="dispute-verdict"),
    path("disputes/<slug:slug>/publish/", editing_disputes.dispute_publish, name="dispute-publish"),
    path("disputes/<slug:slug>/unpublish/", editing_disputes.dispute_unpublish, name="dispute-unpublish"),
    path("disputes/<slug:slug>/delete/", editing_disputes.dispute_delete, name="dispute-delete"),
    path("disputes/<slug:slug>/claims/new/", editing_claims.claim_create, name="claim-create"),
    path("disputes/<slug:slug>/claims/add/", editing_claims.claim_add_slot, name="claim-add-slot"),
    path("disputes/<slug:slug>/evidence/new/", editing_evidence.evidence_create, name="evidence-create"),
    path("disputes/<slug:slug>/evidence/add/", editing_evidence.evidence_add_slot, name="evidence-add-slot"),
    path("disputes/<slug:slug>/articles/new/", editing_articles.article_create, name="article-create"),
    path("disputes/<slug:slug>/articles/add/", editing_articles.article_add_slot, name="article-add-slot"),
    path("claims/<int:pk>/", editing_claims.claim_card, name="claim-card"),
    # Near-duplicates, merging, linking a repeat as an appearance (claims/views/merging.py).
    path("claims/duplicates/", merging.claim_duplicates, name="claim-duplicates"),
    path("claims/<int:pk>/merge/<int:other>/", merging.claim_merge, name="claim-merge"),
    path("claims/<int:pk>/link-appearance/", merging.claim_link_appearance, name="claim-link-appearance"),
    # Appearances of a claim (claims/views/appearances.py).
    path("claims/<int:pk>/appearances/new/", appearance_views.appearance_add, name="appearance-add"),
    path(
        "claims/<int:pk>/appearances/first/remove/",
        appearance_views.first_appearance_remove,
        name="first-appearance-remove",
    ),
    path("appearances/<int:pk>/remove/", appearance_views.appearance_remove, name="appearance-remove"),
    path(
        "appearances/<int:pk>/undo/<int:history_id>/",
        appearance_views.appearance_undo_remove,
        name="appearance-undo-remove",
    ),
    path("claims/language/", editing_claims.claim_language_suggestion, name="claim-language"),
    path("claims/similar/", editing_claims.claim_similar, name="claim-similar"),
    path("claims/<int:pk>/edit/", editing_claims.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/delete/", editing_claims.claim_delete, name="claim-delete"),
    path("evidence/<int:pk>/", editing_evidence.evidence_card, name="evidence-card"),
    path("evidence/<int:pk>/edit/", editing_evidence.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/links/new/", editing_evidence.evidence_link_add, name="evidence-link-add"),
    path("evidence-links/<int:pk>/remove/", editing_evidence.evidence_link_remove, name="evidence-link-remove"),
    path("evidence/<int:pk>/delete/", editing_evidence.evidence_delete, name="evidence-delete"),
    path("articles/<int:pk>/", editing_articles.article_card, name="article-card"),
    path("articles/<int:pk>/edit/", editing_articles.article_edit, name="article-edit"),
    path("articles/<int:pk>/delete/", editing_articles.article_delete, name="article-delete"),
    path("history/<str:kind>/<int:pk>/", history.object_history, name="history"),
    path("history/<str:kind>/<int:pk>/restore/<int:history_id>/", history.object_restore, name="history-restore"),
    path("account/feed-token/", feed_views.feed_token, name="feed-token"),
    # CSV exports (claims/views/exports.py).
    path("disputes.csv", export_views.search_csv, name="disputes-csv"),
    path("disputes/<slug:slug>/claims.csv", export_views.dispute_claims_csv, name="dispute-claims-csv"),
    path("disputes/<slug:slug>/sources.csv", export_views.dispute_sources_csv, name="dispute-sources-csv"),
    path("account/api-tokens/", api_token_views.api_tokens, name="api-tokens"),
    # Following (claims/views/following.py): watches, the account page's email settings, unsubscribe.
    path("account/", following_views.account, name="account"),
    path("watching/", following_views.watching, name="watching"),
    path("watch/<str:kind>/<int:pk>/", following_views.watch, name="watch"),
    path("notifications/unsubscribe/<str:token>/", following_views.unsubscribe, name="unsubscribe"),
    path("import/", import_views.import_page, name="import"),
    # Publish and share (claims/views/sharing.py, docs/sharing.md): the card newsrooms embed, its
    # oEmbed description, and the share image of link previews. Published disputes only.
    path("embed/disputes/<slug:slug>/", sharing.embed_card, name="embed-card"),
    path("oembed", sharing.oembed, name="oembed"),
    path("disputes/<slug:slug>/share.png", sharing.dispute_share_image, name="dispute-share-image"),
    # The Clip bookmarklet (claims/clip.py, claims/views/clip.py).
    path("clip/", clip_views.clip_claim, name="clip"),
    path("clip/disputes/", clip_views.clip_disputes, name="clip-disputes"),
    path("clip/landing/", clip_views.clip_landing, name="clip-landing"),
]
