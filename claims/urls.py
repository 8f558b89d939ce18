from django.urls import path

from .views import disputes, parties, sources
from .views import exports as export_views
from .views import feeds as feed_views

app_name = "claims"

urlpatterns = [
    path("", disputes.dispute_list, name="home"),
    path("disputes/<slug:slug>/", disputes.dispute_detail, name="dispute-detail"),
    path("parties/<slug:slug>/", parties.party_detail, name="party-detail"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
    # Feeds (claims/views/feeds.py): RSS 2.0 and Atom 1.0 of developments.
    path("feeds/disputed/", feed_views.disputed_rss, name="feed-disputed"),
    path("feeds/disputed/atom/", feed_views.disputed_atom, name="feed-disputed-atom"),
    path("feeds/disputes/<slug:slug>/", feed_views.dispute_rss, name="feed-dispute"),
    path("feeds/disputes/<slug:slug>/atom/", feed_views.dispute_atom, name="feed-dispute-atom"),
    path("feeds/parties/<slug:slug>/", feed_views.party_rss, name="feed-party"),
    path("feeds/parties/<slug:slug>/atom/", feed_views.party_atom, name="feed-party-atom"),
    path("account/feed-token/", feed_views.feed_token, name="feed-token"),
    # CSV exports (claims/views/exports.py).
    path("disputes.csv", export_views.search_csv, name="disputes-csv"),
    path("disputes/<slug:slug>/claims.csv", export_views.dispute_claims_csv, name="dispute-claims-csv"),
    path("disputes/<slug:slug>/sources.csv", export_views.dispute_sources_csv, name="dispute-sources-csv"),
]
