from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        verbose_name = _("dispute search document")

    def __str__(self) -> str:
        return f"Search document of dispute {self.dispute_id}"


class DisputePageStamp(models.Model):
    """A number that changes whenever anything shown on a dispute's page changes.

    PostgreSQL only: statement-level triggers (migration 0013) set ``changed`` to the
    next value of one sequence on every write to the dispute and to what its page
    shows (claims, evidence and their links, article links, the cited sources and
    their live check jobs, parties, speakers), whoever writes: services, admin, the
    checker's ``update()`` calls, bulk loads. A repeat view is answered 304 from the
    page's lookup query, which reads this row by primary key; the page's rendered
    body, and the home page's list, are cached under it. Deleted disputes keep their
    row (no foreign key), so the newest stamp of all never goes back to an old value.
    On SQLite the table stays empty and the page falls back to aggregates
    (``claims.selectors.disputes_with_page_stamp``).
    """

    dispute_id = models.BigIntegerField(primary_key=True)
    changed = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("dispute page stamp")

    def __str__(self) -> str:
        return f"Page stamp {self.changed} of dispute {self.dispute_id}"
