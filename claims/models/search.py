from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .disputes import Dispute


class DisputeSearchDocument(models.Model):
    """Everything the home page's search looks at for one dispute, as one full-text vector.

    PostgreSQL only: triggers (migration 0006) keep it current on every write to the
    dispute, its claims, evidence and article links, and to the speakers and sources
    they cite, whoever writes (services, admin, API, bulk loads). Django never writes
    it. On SQLite the table exists but stays empty and the search uses ``icontains``.
    See docs/decisions/0007-search-document-per-dispute.md.
    """

    dispute = models.OneToOneField(Dispute, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    # Weighted: A for the proposition, B for what claims, speakers and sources say.
    document = SearchVectorField(null=True)

    class Meta:
        # The GIN index on ``document`` is created by migration 0006 on PostgreSQL only.
        verbose_name = "dispute search document"

    def __str__(self) -> str:
        return f"Search document of dispute {self.dispute_id}"
