from django.urls import path

from .views import disputes, parties, sources

app_name = "claims"

urlpatterns = [
    path("", disputes.dispute_list, name="home"),
    path("disputes/<slug:slug>/", disputes.dispute_detail, name="dispute-detail"),
    path("parties/<slug:slug>/", parties.party_detail, name="party-detail"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
]
