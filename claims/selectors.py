"""Reads that pages share: each returns everything its page renders, in a fixed number of queries.

Views call these and pick a template; no view builds a query longer than a line.
The CSV export and the feeds reuse :func:`search_disputes`.
"""

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, RowNumber
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from claims import labels, languages, positions, roles
from claims.checking.jobs import check_progress
from claims.checking.selectors import check_history
from claims.filters import DisputeFilterForm
from claims.models import (
    Appearance,
    ArticleLink,
    CheckJob,
    Claim,
    ClaimStanding,
    Dispute,
    DisputePageStamp,
    Evidence,
    EvidenceLink,
    Party,
    Source,
    Speaker,
    Stance,
)
from claims.models.checks import check_running, quote_found
from claims.models.claims import STANDING_COUNTS
from claims.models.disputes import DisputeQuerySet
from claims.roles import AnyUser
from claims.timeline import Timeline, build_timeline

DISPUTES_PER_PAGE = 20

# Verdicts that settle a dispute's proposition one way or the other.
VERDICTS_TRUE = [Dispute.Verdict.TRUE, Dispute.Verdict.MOSTLY_TRUE]
VERDICTS_FALSE = [Dispute.Verdict.FALSE, Dispute.Verdict.MOSTLY_FALSE]

# A claim "won" when the verdict agrees with its stance, "lost" when it goes the other way.
CLAIM_SETTLED_FOR = Q(dispute__verdict__in=VERDICTS_TRUE, stance=Stance.AFFIRMS) | Q(
    dispute__verdict__in=VERDICTS_FALSE, stance=Stance.DENIES
)
CLAIM_SETTLED_AGAINST = Q(dispute__verdict__in=VERDICTS_FALSE, stance=Stance.AFFIRMS) | Q(
    dispute__verdict__in=VERDICTS_TRUE, stance=Stance.DENIES
)

# The site's full-text configuration (propositions, paraphrases, names, titles); quotes and
# translations are stemmed in their own language's (migration 0014, docs/languages.md).
SEARCH_CONFIG = "english"


# --- Search ----------------------------------------------------------------------------------


def _text_match(model, fields: list[str], query: str) -> QuerySet:
    """Rows of ``model`` whose ``fields`` contain ``query`` (case-insensitive): the SQLite search."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    return model.objects.filter(condition)


def _search_condition(query: str) -> Q:
    """Disputes whose proposition, claims' quotes/paraphrases, speakers or source titles match.

    PostgreSQL: one full-text match against the dispute's search document (one vector
    per dispute, kept current by triggers; ``DisputeSearchDocument``), so the planner
    either walks the activity index and stops after a page (common words) or reads the
    few matches from the GIN index (rare words). SQLite: a UNION of substring matches.
    """
    if connection.vendor == "postgresql":
        return Q(search_document__document=languages_search_query(query))
    return substring_search_condition(query)


def languages_search_query(query: str) -> "LanguagesSearchQuery":
    """``query`` parsed as web-search syntax in each language the documents are stemmed in, OR-ed.

    The query's own language is unknown ("применяли" or "contact"), so it is parsed in every
    configuration a quote may have been stemmed with (``languages.SEARCH_CONFIGS``) and in
    ``simple`` (the unstemmed copy of every quote), without accents like the documents. One
    tsquery, parsed once by the planner (``claims_search_query``, migration 0027): the GIN
    index answers it as before, and a walk of the activity index checks each row against a
    constant instead of parsing the term 28 times per row.
    """
    return LanguagesSearchQuery(query)


class LanguagesSearchQuery(SearchQuery):
    """``claims_search_query(term, configurations)``: an immutable function of constants, folded while planning."""

    def __init__(self, value: str) -> None:
        super().__init__(value, search_type="websearch")

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        term, params = compiler.compile(self.source_expressions[0])
        return f"claims_search_query({term}, %s)", (*params, list(languages.search_configs()))


def substring_search_condition(query: str) -> Q:
    """The SQLite search: a UNION of case-insensitive substring matches (also what `make bench` compares against)."""
    sources = _text_match(Source, ["title"], query).values("pk")
    speakers = _text_match(Speaker, ["name", "aliases"], query).values("pk")
    parties = _text_match(Party, ["name", "aliases"], query).values("pk")
    ids = (
        _text_match(Dispute, ["proposition"], query)
        .values("pk")
        .union(
            _text_match(Claim, ["quote", "translation", "paraphrase"], query).values("dispute_id"),
            Claim.objects.filter(speaker__in=speakers).values("dispute_id"),
            Claim.objects.filter(party__in=parties).values("dispute_id"),
            Claim.objects.filter(source__in=sources).values("dispute_id"),
            Evidence.objects.filter(source__in=sources).values("dispute_id"),
            ArticleLink.objects.filter(source__in=sources).values("dispute_id"),
        )
    )
    return Q(pk__in=ids)


def has_source_problem_condition() -> Q:
    """Disputes citing at least one source whose last check found a problem.

    A join inside each correlated EXISTS, not ``source__in=<subquery>``: with the
    subquery PostgreSQL hashed every claim, evidence and article citing a problem
    source on every request (35 ms at 2,000 disputes, growing with the data); with the
    join it probes the 20 listed disputes' rows by index.
    """
    problem = {"source__check_state__in": Source.PROBLEM_STATES}
    return Q(
        Exists(Claim.objects.filter(dispute=OuterRef("pk"), **problem))
        | Exists(Evidence.objects.filter(dispute=OuterRef("pk"), **problem))
        | Exists(ArticleLink.objects.filter(dispute=OuterRef("pk"), **problem))
        | Exists(Appearance.objects.filter(claim__dispute=OuterRef("pk"), **problem))
    )


def search_disputes(*, user: AnyUser, query: str = "", filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The disputes ``user`` may see that match ``query`` and ``filters``, most recently moved first.

    ``filters`` keys (all optional, empty values ignored): ``status`` (a
    ``Dispute.Status`` value), ``party`` (a Party or its slug), ``occurred_from`` /
    ``occurred_to`` (dates, inclusive, on the date the disputed event took place),
    ``problems`` (true: only disputes citing a source with a check problem).
    """
    filters = filters or {}
    qs = Dispute.objects.visible_to(user)
    query = (query or "").strip()
    if query:
        qs = qs.filter(_search_condition(query))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if party := filters.get("party"):
        party_claims = Claim.objects.filter(party__slug=party) if isinstance(party, str) else party.claims.all()
        qs = qs.filter(pk__in=party_claims.values("dispute_id"))
    if occurred_from := filters.get("occurred_from"):
        qs = qs.filter(occurred_on__gte=occurred_from)
    if occurred_to := filters.get("occurred_to"):
        qs = qs.filter(occurred_on__lte=occurred_to)
    if filters.get("problems"):
        qs = qs.filter(has_source_problem_condition())
    return qs.recently_active()


# --- Home / dispute list ---------------------------------------------------------------------


def _claim_count(stance: str) -> Coalesce:
    claims = Claim.objects.filter(dispute=OuterRef("pk"), stance=stance).order_by().values("dispute")
    return Coalesce(Subquery(claims.annotate(n=Count("pk")).values("n")[:1]), 0)


class _AnyOf(Func):
    """``column = ANY(ARRAY(subquery))``: a filter the planner answers by looking the ids up."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def first_rows_of_search(found: QuerySet, rows: int) -> QuerySet:
    """``found`` (a search, ordered) cut to its first ``rows`` rows, planned as the capped count is.

    Asked for the first 20 matches of a word, PostgreSQL walks the disputes newest first
    and checks each one's search document, expecting matches to be spread evenly; for a
    rare word (a place named in 100 of 100,000 disputes) that walk read 14,000 documents
    (1.9–3.3 s). Asked for the first 1,001, it reads a rare word's matches from the GIN
    index (under 1 ms) and still walks for a common word, which finds 1,001 matches within
    a few thousand disputes. The rows are the same: the first n of an order are among its
    first N ≥ n, and the outer query keeps the order. On PostgreSQL the ids are an array
    (``id = ANY(ARRAY(…))``): as ``IN (…)`` the planner joined the 1,001 ids to a
    sequential scan of every dispute (85 ms for a common word) rather than look them up.
    """
    first = found.values("pk")[:rows]
    if connection.vendor == "postgresql":
        return found.model.objects.filter(_AnyOf(F("pk"), ArraySubquery(first))).order_by(*found.query.order_by)
    return found.model.objects.filter(pk__in=first).order_by(*found.query.order_by)


# A search counts its matches up to this many; past it the page says "more than 1,000".
SEARCH_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator over a search that reads the ids of its first ``cap`` + 1 rows once.

    Counting every dispute that contains a common word reads most of the index (0.37 s
    at 100,000 disputes); nobody pages past the 50th page of a search, so the count
    stops where the pages do (``is_capped`` then says so). The count and the page come
    from the same read: the first ``cap`` + 1 ids in the list's order (planned as
    ``first_rows_of_search`` explains: from the GIN index for a rare word, by a walk of
    the activity index for a common one). Before, the capped count and the page each ran
    that search, and for a common word the walk (about a thousand search documents) was
    most of the request: 2 × 30–35 ms for an editor at 100,000 disputes.
    """

    def __init__(self, object_list, per_page, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def first_ids(self) -> list[int]:
        found: QuerySet = self.object_list  # type: ignore[assignment]  # always a QuerySet here
        return list(found.values_list("pk", flat=True)[: self.cap + 1])

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        found: QuerySet = self.object_list  # type: ignore[assignment]
        rows = found.model.objects.filter(pk__in=self.first_ids[bottom:top]).order_by(*found.query.order_by)
        return Page(rows, number, self)

    @cached_property
    def count(self) -> int:
        return len(self.first_ids)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


@dataclass
class DisputeListPage:
    form: Any
    page: Page
    query_string: str = ""
    is_filtered: bool = False


def dispute_list_form(*, user: AnyUser, params: Mapping[str, Any]) -> DisputeFilterForm:
    """The home page's filter form bound to ``params`` and validated.

    An invalid field (a malformed date) shows its error and is dropped; the valid
    filters still apply.
    """
    form = DisputeFilterForm(params or None, user=user)
    if form.is_bound:
        form.is_valid()
    return form


def party_list_version() -> tuple:
    """What changes when any party is added, removed or edited (the filter form lists them by name).

    One aggregate over the parties, written out (the ORM cost more than the database).
    """
    with connection.cursor() as cursor:
        cursor.execute(_PARTY_VERSION_SQL)
        return tuple(cursor.fetchone())


_PARTY_VERSION_SQL = f"SELECT count(*), max(id), max(updated_at) FROM {Party._meta.db_table}"  # noqa: S608 — a model's table


def dispute_list_page(
    *,
    user: AnyUser,
    params: Mapping[str, Any],
    rendered: Callable[[list[Dispute]], Collection[int]] | None = None,
) -> DisputeListPage:
    """The home page: a filter form bound to ``params`` and one page of matching disputes.

    Each dispute carries ``affirms_count``, ``denies_count``,
    ``qualified_count`` and ``has_problem`` as annotations (no per-row queries), and
    ``page_stamp``: its page stamp, version, status and activity, what its row is cached
    under (claims/card_cache.py ``RowCache``). ``rendered`` is given the page's disputes
    (``pk`` and ``page_stamp`` only) and answers which of them the caller already has a
    rendered row for: those stay bare (``pk`` and ``page_stamp``) and are not annotated.
    Without ``rendered``, or without stamps (SQLite: no triggers), every row is annotated
    and its ``page_stamp`` is None.
    """
    form = dispute_list_form(user=user, params=params)
    cleaned: dict[str, Any] = form.cleaned_data if form.is_bound else {}
    found = search_disputes(user=user, query=cleaned.get("q", ""), filters=cleaned)
    paginator: Paginator
    if cleaned.get("q", "").strip():
        paginator = CappedPaginator(found, DISPUTES_PER_PAGE, SEARCH_COUNT_CAP)
    else:
        paginator = Paginator(found, DISPUTES_PER_PAGE)
    page = paginator.get_page(params.get("page"))
    # The page's rows are annotated in an outer query over the page's ids (a LIMIT
    # subquery): planned for the whole filtered set, PostgreSQL hashed every citing row
    # of every problem source for the has_problem flag on each request, whatever the page.
    rows: QuerySet = page.object_list  # type: ignore[assignment]  # a slice of ``found``
    page_ids: Any = rows.values("pk")
    if connection.vendor != "postgresql" or rendered is None:
        page.object_list = list(_annotated_rows(page_ids))
        for dispute in page.object_list:
            dispute.page_stamp = None
    else:
        # Building and compiling the annotated query cost more CPU than the database spent
        # on it (about 12 ms a page at 100,000 disputes), and rendering the rows as much
        # again: first only the ids and stamps, then the rest for the rows not rendered
        # under their stamp yet.
        bare = _stamped_rows(page_ids)
        have = set(rendered(bare))
        missing = [dispute.pk for dispute in bare if dispute.pk not in have]
        annotated = {dispute.pk: dispute for dispute in _annotated_rows(missing)} if missing else {}
        for dispute in bare:
            if dispute.pk in annotated:
                annotated[dispute.pk].page_stamp = dispute.page_stamp  # type: ignore[attr-defined]
        page.object_list = [annotated.get(dispute.pk, dispute) for dispute in bare]
    kept = [(k, v) for k, v in params.items() if k != "page" and v]
    return DisputeListPage(
        form=form,
        page=page,
        query_string=urlencode(kept),
        is_filtered=bool(kept),
    )


def _stamped_rows(ids) -> list[Dispute]:
    """Disputes ``ids`` in the list's order, bare but for ``pk`` and ``page_stamp``.

    ``page_stamp``: the dispute's page stamp (renewed by every write its row shows: the
    dispute, its claims, their sources' checks), version, status and activity; None
    without a stamp.
    """
    found = (
        Dispute.objects.filter(pk__in=ids)
        .annotate(stamp=_page_stamp_of(OuterRef("pk")))
        .recently_active()
        .values_list("pk", "stamp", "version", "status", "last_activity_at")
    )
    disputes = []
    for pk, *stamp in found:
        dispute = Dispute(pk=pk)
        dispute.page_stamp = tuple(stamp) if stamp[0] is not None else None  # type: ignore[attr-defined]
        disputes.append(dispute)
    return disputes


def _annotated_rows(ids) -> QuerySet:
    """The home page's disputes ``ids`` with what their rows show: claims by stance, source problems."""
    return (
        Dispute.objects.filter(pk__in=ids)
        .annotate(
            affirms_count=_claim_count(Stance.AFFIRMS),
            denies_count=_claim_count(Stance.DENIES),
            qualified_count=_claim_count(Stance.QUALIFIED),
            has_problem=has_source_problem_condition(),
        )
        .recently_active()
    )


# --- Dispute page ----------------------------------------------------------------------------


def _with_check_live(qs: QuerySet) -> list:
    """Rows of ``qs`` whose ``source`` knows whether a check is queued or running (``check_live``).

    The checker's badge polls while one is; an annotation on the row itself, copied
    onto the joined source, keeps that free of extra queries.
    """
    rows = list(qs.annotate(source_check_live=check_running(OuterRef("source"))))
    for row in rows:
        if row.source is not None:
            row.source.check_live = row.source_check_live
    return rows


@dataclass
class StanceColumn:
    """One stance's column: the claims it shows (``shown``) out of ``total``."""

    stance: str
    label: str
    shown: list
    total: int = 0
    claims: list | None = None  # every claim of the stance, when the page read them all

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)

    @property
    def empty_text(self) -> str:
        """What an empty column says, in the reader's language."""
        return gettext(_EMPTY_COLUMN[self.stance])


_EMPTY_COLUMN: dict[str, str] = {
    Stance.AFFIRMS: gettext_noop("No claim affirms yet."),
    Stance.DENIES: gettext_noop("No claim denies yet."),
    Stance.QUALIFIED: gettext_noop("No claim qualified yet."),
}


# A big dispute's page shows this many of each kind, with a link to all of them; its
# timeline, past this many marks, loads when scrolled to (issue 9: 570 KB of HTML for
# 200 claims / 50 evidence / 100 articles, before; rendering the cards was most of a
# first view's time, so a column shows ten).
CLAIMS_PER_COLUMN = 10
EVIDENCE_SHOWN = 10
ARTICLES_SHOWN = 10
TIMELINE_INLINE_MARKS = 60


@dataclass
class DisputePageData:
    """What the dispute page shows. ``claims``, ``evidence`` and ``articles`` are every row
    when ``complete`` (a small dispute, ``?all=1``, the timeline); a big dispute's default
    page reads only the rows it shows, with the counts beside them."""

    dispute: Dispute
    columns: list[StanceColumn]
    evidence_shown: list[Evidence]
    articles_shown: list[ArticleLink]
    evidence_count: int
    articles_count: int
    problem_sources: list[Source]
    show_all: bool = False
    complete: bool = True
    claims: list[Claim] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    articles: list[ArticleLink] = field(default_factory=list)

    @cached_property
    def timeline(self) -> Timeline:
        # Built only when drawn: a big dispute's page shows a placeholder instead.
        return build_timeline(self.claims, self.evidence, self.articles)

    @property
    def claims_count(self) -> int:
        return sum(column.total for column in self.columns)

    @property
    def has_source_problems(self) -> bool:
        return bool(self.problem_sources)

    @property
    def evidence_hidden(self) -> int:
        return self.evidence_count - len(self.evidence_shown)

    @property
    def articles_hidden(self) -> int:
        return self.articles_count - len(self.articles_shown)

    @property
    def is_truncated(self) -> bool:
        """Whether the page leaves cards out (then "Show all" links and timeline marks lead to ``?all=1``)."""
        return not self.show_all and self.truncates_by_default

    @property
    def truncates_by_default(self) -> bool:
        """Whether the dispute's page without ``?all=1`` leaves cards out."""
        return (
            self.evidence_count > EVIDENCE_SHOWN
            or self.articles_count > ARTICLES_SHOWN
            or any(column.total > CLAIMS_PER_COLUMN for column in self.columns)
        )

    @property
    def timeline_is_lazy(self) -> bool:
        # Every dated item is a mark; counting items does not need the timeline built.
        items = self.claims_count + self.evidence_count + self.articles_count
        return not self.show_all and items > TIMELINE_INLINE_MARKS


def with_appearances(claims: QuerySet) -> QuerySet:
    """``claims`` ready for their cards' appearances (``Claim.seen_in``): whether the latest check
    of the claim's own source found its quote (an annotation), and its further appearances with
    their sources, quote results and live checks (one more query for any number of claims)."""
    further = (
        Appearance.objects.select_related("source")
        .annotate(
            quote_found=quote_found(OuterRef("claim_id"), OuterRef("source_id")),
            source_check_live=check_running(OuterRef("source_id")),
        )
        .order_by(F("appeared_on").asc(nulls_last=True), "pk")
    )
    return claims.annotate(quote_found=quote_found(OuterRef("pk"), OuterRef("source_id"))).prefetch_related(
        Prefetch("appearances", queryset=further)
    )


def _claims_for_page(dispute: Dispute) -> QuerySet:
    return with_appearances(dispute.claims.select_related("party", "speaker", "source", "superseded_by"))


def _evidence_for_page(dispute: Dispute) -> QuerySet:
    return dispute.evidence.select_related("released_by", "source").prefetch_related(
        Prefetch("links", queryset=EvidenceLink.objects.select_related("claim__party").order_by("pk"))
    )


def _articles_for_page(dispute: Dispute) -> QuerySet:
    return dispute.article_links.select_related("source").order_by("linked_on", "pk")


def dispute_page_data(*, dispute: Dispute, show_all: bool = False) -> DisputePageData:
    """Everything the dispute page shows, in a fixed number of queries whatever the dispute's size.

    Claims (with party, speaker, source), evidence (with who released it, its source and
    what it supports or contradicts), and later articles. Unless ``show_all``, a big
    dispute's columns and lists show their first items (``CLAIMS_PER_COLUMN`` a stance,
    ``EVIDENCE_SHOWN``, ``ARTICLES_SHOWN``) and only those rows are read, each with its
    kind's total (a window count) for the counts and "Show all" links; the problem banner
    then has a query of its own. Small disputes and ``?all=1`` read every row (four
    queries) and the banner comes from them.
    """
    if show_all:
        return _complete_page_data(dispute, show_all=True)
    per_stance = Window(Count("pk"), partition_by=[F("stance")])
    rank = Window(RowNumber(), partition_by=[F("stance")], order_by=[F("said_on").asc(), F("pk").asc()])
    claims = _with_check_live(
        _claims_for_page(dispute)
        .annotate(stance_total=per_stance, stance_rank=rank)
        .filter(stance_rank__lte=CLAIMS_PER_COLUMN)
    )
    evidence = _with_check_live(_evidence_for_page(dispute).annotate(total=Window(Count("pk")))[:EVIDENCE_SHOWN])
    articles = _with_check_live(_articles_for_page(dispute).annotate(total=Window(Count("pk")))[:ARTICLES_SHOWN])
    columns = _columns(claims, limit=None)
    for column in columns:
        column.total = column.shown[0].stance_total if column.shown else 0
    evidence_count = evidence[0].total if evidence else 0
    articles_count = articles[0].total if articles else 0
    shown_everything = not (
        evidence_count > len(evidence)
        or articles_count > len(articles)
        or any(column.total > len(column.shown) for column in columns)
    )
    if shown_everything:
        # Small enough to be complete already: the banner and the timeline come from these rows.
        return _page_data(dispute, claims, evidence, articles, show_all=False)
    if sum(column.total for column in columns) + evidence_count + articles_count <= TIMELINE_INLINE_MARKS:
        # Cut down, yet with its timeline drawn inline, which needs every row: few enough to read them all.
        return _complete_page_data(dispute, show_all=False)
    return DisputePageData(
        dispute=dispute,
        columns=columns,
        evidence_shown=evidence,
        articles_shown=articles,
        evidence_count=evidence_count,
        articles_count=articles_count,
        problem_sources=_problem_sources(dispute),
        complete=False,
    )


def _complete_page_data(dispute: Dispute, *, show_all: bool) -> DisputePageData:
    """Every row of the dispute (``?all=1``, the timeline, a dispute whose timeline is inline)."""
    claims = _with_check_live(_claims_for_page(dispute))
    evidence = _with_check_live(_evidence_for_page(dispute))
    articles = _with_check_live(_articles_for_page(dispute))
    return _page_data(dispute, claims, evidence, articles, show_all=show_all)


def dispute_timeline_data(dispute: Dispute) -> DisputePageData:
    """Every row of the dispute, for its timeline (``truncates_by_default`` says where marks lead)."""
    return _complete_page_data(dispute, show_all=False)


def _columns(claims: list[Claim], *, limit: int | None) -> list[StanceColumn]:
    """The three stance columns of ``claims`` (in their order), each showing its first ``limit``."""
    columns = [StanceColumn(stance.value, str(stance.label), []) for stance in Stance]
    by_stance = {column.stance: column for column in columns}
    for claim in claims:
        column = by_stance[claim.stance]
        column.total += 1
        if limit is None or len(column.shown) < limit:
            column.shown.append(claim)
    return columns


def _complete_columns(claims: list[Claim], *, limit: int | None) -> list[StanceColumn]:
    columns = _columns(claims, limit=limit)
    for column in columns:
        column.claims = [claim for claim in claims if claim.stance == column.stance]
    return columns


def _page_data(dispute, claims, evidence, articles, *, show_all: bool) -> DisputePageData:
    """The page from every row of the dispute; unless ``show_all``, each kind shows its first few."""
    seen: dict[int, Source] = {}
    further = [seen.source for c in claims for seen in c.seen_in if not seen.first]
    for source in [c.source for c in claims] + further + [e.source for e in evidence] + [a.source for a in articles]:
        if source is not None and source.has_problem:
            seen.setdefault(source.pk, source)
    return DisputePageData(
        dispute=dispute,
        columns=_complete_columns(claims, limit=None if show_all else CLAIMS_PER_COLUMN),
        evidence_shown=evidence if show_all else evidence[:EVIDENCE_SHOWN],
        articles_shown=articles if show_all else articles[:ARTICLES_SHOWN],
        evidence_count=len(evidence),
        articles_count=len(articles),
        problem_sources=list(seen.values()),
        show_all=show_all,
        complete=True,
        claims=claims,
        evidence=evidence,
        articles=articles,
    )


def _problem_sources(dispute: Dispute) -> list[Source]:
    """The sources with a check problem cited anywhere on the dispute (the page's banner), in one query."""
    cited = (
        Q(pk__in=Claim.objects.filter(dispute=dispute).values("source_id"))
        | Q(pk__in=Appearance.objects.filter(claim__dispute=dispute).values("source_id"))
        | Q(pk__in=Evidence.objects.filter(dispute=dispute).values("source_id"))
        | Q(pk__in=ArticleLink.objects.filter(dispute=dispute).values("source_id"))
    )
    found = Source.objects.filter(cited, check_state__in=Source.PROBLEM_STATES).with_check_progress()
    return list(found.order_by("pk"))


# --- Dispute page: what says it changed ------------------------------------------------------


def _per_dispute(qs: QuerySet, key: str, aggregate) -> Subquery:
    """One correlated aggregate over the ``qs`` rows of the outer dispute (``key`` leads to it)."""
    grouped = qs.filter(**{key: OuterRef("pk")}).order_by().values(key)
    return Subquery(grouped.annotate(v=aggregate).values("v")[:1])


def _count_and_newest() -> Concat:
    # Both, so that one row removed and another added between two views still shows.
    return Concat(Cast(Count("pk"), CharField()), Value(":"), Cast(Max("pk"), CharField()))


def disputes_with_page_stamp() -> DisputeQuerySet:
    """Disputes annotated with everything whose change changes the dispute page (``stamp_*``).

    Folded into the page's own lookup query, so a repeat view can be answered 304 from
    it before any other query or template work. What it watches, and why each:

    - the history tables of claims, evidence and article links (newest ``history_id``):
      every create, edit and delete through ``save()``/``delete()`` — services, admin,
      restores — writes a history row, even for models without an ``updated_at``;
    - evidence links (count and newest id): added and removed without touching the evidence;
    - the cited sources' ``last_checked_at``/``updated_at`` and their queued or running
      check jobs: the checker writes these with ``update()``, which no signal sees, and
      they are what the source badges show;
    - the parties' ``updated_at`` and the newest speaker history row: names on the cards.

    The dispute row itself (version, status, activity) is compared by the caller.

    On PostgreSQL all of that is one number, ``stamp_page``: the dispute's
    ``DisputePageStamp``, renewed by triggers on every one of those writes (migration
    0013), read by primary key. The aggregates below are SQLite's fallback.
    """
    if connection.vendor == "postgresql":
        return Dispute.objects.annotate(stamp_page=_page_stamp_of(OuterRef("pk")))
    live = CheckJob.objects.live()
    stamps = {
        "stamp_claims": _per_dispute(Claim.history.model.objects.all(), "dispute_id", Max("history_id")),
        "stamp_evidence": _per_dispute(Evidence.history.model.objects.all(), "dispute_id", Max("history_id")),
        "stamp_articles": _per_dispute(ArticleLink.history.model.objects.all(), "dispute_id", Max("history_id")),
        "stamp_links": _per_dispute(EvidenceLink.objects.all(), "evidence__dispute", _count_and_newest()),
        "stamp_parties": _per_dispute(Claim.objects.all(), "dispute", Max("party__updated_at")),
        # Speakers have no timestamp; any speaker's edit (rare) renews every dispute page.
        "stamp_speakers": Subquery(Speaker.history.model.objects.order_by("-history_id").values("history_id")[:1]),
    }
    for name, model, citing in (
        ("claim", Claim, "claims"),
        ("evidence", Evidence, "evidence"),
        ("article", ArticleLink, "article_links"),
    ):
        checked = Greatest(Coalesce("source__last_checked_at", "source__updated_at"), "source__updated_at")
        stamps[f"stamp_{name}_sources"] = _per_dispute(model.objects.all(), "dispute", Max(checked))
        stamps[f"stamp_{name}_jobs"] = _per_dispute(live, f"source__{citing}__dispute", _count_and_newest())
    # Further appearances of the claims: added, removed, edited, and their sources' checks.
    appearances = Appearance.objects.all()
    checked = Greatest(Coalesce("source__last_checked_at", "source__updated_at"), "source__updated_at")
    stamps["stamp_appearances"] = _per_dispute(appearances, "claim__dispute", _count_and_newest())
    stamps["stamp_appearances_edited"] = _per_dispute(appearances, "claim__dispute", Max("updated_at"))
    stamps["stamp_appearance_sources"] = _per_dispute(appearances, "claim__dispute", Max(checked))
    stamps["stamp_appearance_jobs"] = _per_dispute(live, "source__appearances__claim__dispute", _count_and_newest())
    return Dispute.objects.annotate(**stamps)


def _page_stamp_of(dispute) -> Subquery:
    return Subquery(DisputePageStamp.objects.filter(dispute_id=dispute).values("changed")[:1])


def newest_page_stamp() -> int | None:
    """The newest stamp of any dispute (PostgreSQL; None on SQLite): it changes on every
    write that changes any dispute's page, so it also versions the lists of disputes
    (their rows show the dispute, its claim counts and its sources' problems).
    An index-only read of the stamps' ``changed`` index, backwards, one row."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_NEWEST_STAMP_SQL)
        return cursor.fetchone()[0] or 0


# How long anything cached under the newest stamp of all (or under another aggregate such as a
# maximum, or dropped by a receiver before its write commits) may be kept. A dispute's own stamp
# is a row that every write to it updates, so a copy keyed by it is never older than its key;
# the newest stamp of all is not: a write that took stamp 101 and commits after one that took
# 102 leaves the maximum at 102, and a copy a reader built between the two commits (without
# 101's write) would be served under the same key until it expired. No cheap read can tell
# (the maximum, a count, the sequence: none changes on that commit), so these copies are kept
# a minute, not ten; every key still changes with the next write after that.
NEWEST_STAMP_SECONDS = 60

_NEWEST_STAMP_SQL = f"SELECT max(changed) FROM {DisputePageStamp._meta.db_table}"  # noqa: S608 — a model's table


@dataclass(frozen=True)
class PageVersion:
    """Which version of a dispute's page a viewer would get: ``stamp`` changes with any write it shows."""

    dispute_id: int
    stamp: str


def dispute_page_version(*, slug: str, user: AnyUser) -> PageVersion | None:
    """The page version of the dispute ``slug``, or None if there is none ``user`` may see.

    A repeat view is answered 304 from this alone, so on PostgreSQL it is one indexed
    query written out: building and compiling the same query with the ORM cost several
    times what the database does for it. The dispute's own row (version, status,
    activity) plus its ``DisputePageStamp``. On SQLite: the aggregates of
    ``disputes_with_page_stamp``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_VERSION_SQL, [slug, roles.can_see_drafts(user)])
            row = cursor.fetchone()
        return PageVersion(row[0], repr(row)) if row else None
    dispute = disputes_with_page_stamp().visible_to(user).filter(slug=slug).first()
    return PageVersion(dispute.pk, dispute_page_stamp(dispute)) if dispute else None


_PAGE_VERSION_SQL = f"""
SELECT d.id, d.version, d.updated_at, d.last_activity_at, d.status, s.changed
  FROM {Dispute._meta.db_table} d
  LEFT JOIN {DisputePageStamp._meta.db_table} s ON s.dispute_id = d.id
 WHERE d.slug = %s AND (d.is_published OR %s)
"""  # noqa: S608 — table names from the models, values as parameters


def dispute_page_stamp(dispute: Dispute) -> str:
    """The dispute's own state and its ``stamp_*`` annotations, as one string."""
    own = (dispute.pk, dispute.version, dispute.updated_at, dispute.last_activity_at, dispute.status)
    stamps = sorted((k, v) for k, v in vars(dispute).items() if k.startswith("stamp_"))
    return repr((own, stamps))


# --- The dispute card (embeds, oEmbed, share images, link previews) --------------------------

# The most parties a card shows a latest claim for; the counts still cover every claim.
CARD_PARTIES = 4


@dataclass
class DisputeCard:
    """What a published dispute's card shows: counts per stance and each party's latest claim."""

    dispute: Dispute
    counts: dict[str, int]
    latest: list[Claim]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sides(self) -> list[tuple[str, str, int]]:
        """(stance, label, count) for each stance, affirms first."""
        return [(stance.value, str(stance.label), self.counts.get(stance.value, 0)) for stance in Stance]


def published_dispute_card(slug: str) -> DisputeCard | None:
    """The card of the published dispute ``slug`` (None for a draft or no such dispute), in two queries.

    Only claims that stand count (``STANDING_COUNTS``: current or corrected), as for the status.

    Never depends on who asks: embeds, oEmbed and share images show what a stranger
    sees, to everyone. The dispute row carries its per-stance counts; the latest claim of
    each party (by the date it was said, then when it was recorded) comes from one window query.
    """
    # Withdrawn and superseded claims are no longer the party's position (they do not count
    # towards the status either); corrected ones stand, in their corrected wording.
    standing = Q(claims__standing__in=STANDING_COUNTS)
    counts = {stance.value: Count("claims", filter=Q(claims__stance=stance.value) & standing) for stance in Stance}
    dispute = Dispute.objects.published().filter(slug=slug).annotate(**{f"n_{k}": v for k, v in counts.items()}).first()
    if dispute is None:
        return None
    ranked = (
        Claim.objects.filter(dispute=dispute, standing__in=STANDING_COUNTS)
        .select_related("party", "speaker")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("party_id")],
                order_by=[F("said_on").desc(nulls_last=True), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .order_by(F("said_on").desc(nulls_last=True), "-created_at", "-pk")
    )
    return DisputeCard(
        dispute=dispute,
        counts={stance.value: getattr(dispute, f"n_{stance.value}") for stance in Stance},
        latest=list(ranked[:CARD_PARTIES]),
    )


# --- Party page ------------------------------------------------------------------------------


@dataclass
class PartyPageData:
    party: Party
    page: Page
    settled_for: int
    settled_against: int
    dispute_count: int
    claim_count: int
    speakers: list = field(default_factory=list)
    # Its positions over time on the disputes where its stance changed (positions.by_dispute).
    positions_timeline: Timeline | None = None

    @property
    def shifts(self) -> int:
        """How many times it changed position, on the disputes shown."""
        if self.positions_timeline is None:
            return 0
        return sum(len(p.shifts) for p in self.positions_timeline.shifted_positions)

    @property
    def claims(self) -> list[Claim]:
        return list(self.page.object_list)


CLAIMS_PER_PARTY_PAGE = 50
# The party page's positions timeline: the most recently active disputes where its stance
# changed, and at most this many of its claims on them (a bounded read, whatever the party).
POSITION_DISPUTES = 8
POSITION_CLAIMS = 200


def party_positions_timeline(claims_qs: QuerySet) -> Timeline | None:
    """A timeline of the party's stances (one lane per dispute) where they changed; None if they never did.

    One query: its claims on the disputes where its dated, not withdrawn claims take more than
    one stance (a subquery)."""
    counted = claims_qs.filter(said_on__isnull=False).exclude(standing=ClaimStanding.WITHDRAWN)
    shifted = (
        counted.order_by()
        .values("dispute")
        .annotate(stances=Count("stance", distinct=True), latest=Max("said_on"))
        .filter(stances__gt=1)
        .order_by("-latest", "-dispute_id")
        .values("dispute")[:POSITION_DISPUTES]
    )
    claims = list(
        counted.filter(dispute__in=shifted)
        .select_related("dispute", "party", "speaker")
        .order_by("said_on", "pk")[:POSITION_CLAIMS]
    )
    if not claims:
        return None
    return build_timeline(
        claims,
        [],
        [],
        lane_of=lambda c: c.dispute.proposition,
        href_of=lambda c: c.get_absolute_url(),
        group_positions=positions.by_dispute,
    )


def _with_page_stamps(claims: list[Claim]) -> list[Claim]:
    """Give each claim (read with ``dispute`` and ``dispute_stamp``) its dispute's page version as
    ``page_stamp``, what its row on the party page is cached under (claims/card_cache.py);
    None without a stamp (SQLite: no triggers), and the row is rendered every time."""
    for claim in claims:
        dispute = claim.dispute
        claim.page_stamp = (  # type: ignore[attr-defined]
            (claim.dispute_stamp, dispute.pk, dispute.version, dispute.updated_at, dispute.status)  # type: ignore[attr-defined]
            if claim.dispute_stamp is not None  # type: ignore[attr-defined]
            else None
        )
    return claims


@dataclass
class PartyRecord:
    """How a party's claims fared, and its positions over time: what its page shows above the claims."""

    settled_for: int
    settled_against: int
    dispute_count: int
    claim_count: int
    positions_timeline: Timeline | None


def party_record(*, party: Party, user: AnyUser) -> PartyRecord:
    """The party's record over the disputes ``user`` may see: one aggregate and the positions' query.

    The counts are distinct disputes, computed by the database in one aggregate.
    """
    claims_qs = Claim.objects.visible_to(user).filter(party=party)
    totals = claims_qs.aggregate(
        settled_for=Count("dispute", distinct=True, filter=CLAIM_SETTLED_FOR),
        settled_against=Count("dispute", distinct=True, filter=CLAIM_SETTLED_AGAINST),
        dispute_count=Count("dispute", distinct=True),
        claim_count=Count("pk"),
    )
    return PartyRecord(**totals, positions_timeline=party_positions_timeline(claims_qs))


def visitor_party_page_version(slug: str) -> tuple[str, int | None] | None:
    """What a visitor's party page shows, as one string, and the newest page stamp it read
    (the record's key, so the page need not read it again); None if visitors may not see the party.

    PostgreSQL only (it carries the newest page stamp), one query written out, read in one
    snapshot: the party's row, its speakers visitors may see (a speaker with no claim yet
    renews no stamp), and the newest page stamp of all (every claim row and the record). The
    visibility rule is ``PartyQuerySet.visible_to`` and ``SpeakerQuerySet.visible_to`` for a
    visitor; the ORM's version of the party's lookup cost more to build than the stored page
    cost to serve.
    """
    with connection.cursor() as cursor:
        cursor.execute(_VISITOR_PARTY_SQL, {"slug": slug})
        row = cursor.fetchone()
    return (repr(row), row[3]) if row else None


_PUBLISHED_CLAIM_BY = f"""EXISTS (SELECT 1 FROM {Claim._meta.db_table} c JOIN {Dispute._meta.db_table} d
  ON d.id = c.dispute_id WHERE c.{{column}} = {{outer}}.id AND d.is_published)"""  # noqa: S608 — a model's table
_VISITOR_PARTY_SQL = f"""
SELECT p.id, row_to_json(p)::text,
  (SELECT json_agg(row_to_json(s) ORDER BY s.name, s.id)::text FROM {Speaker._meta.db_table} s
    WHERE s.party_id = p.id AND {_PUBLISHED_CLAIM_BY.format(column="speaker_id", outer="s")}),
  (SELECT max(changed) FROM {DisputePageStamp._meta.db_table})
  FROM {Party._meta.db_table} p
 WHERE p.slug = %(slug)s
   AND ({_PUBLISHED_CLAIM_BY.format(column="party_id", outer="p")}
        OR EXISTS (SELECT 1 FROM {Evidence._meta.db_table} e JOIN {Dispute._meta.db_table} d
                    ON d.id = e.dispute_id WHERE e.released_by_id = p.id AND d.is_published))
"""  # noqa: S608 — table names from the models, values as parameters


def party_page_data(
    *,
    party: Party,
    user: AnyUser,
    page_number: str | int | None = None,
    record: PartyRecord | None = None,
) -> PartyPageData:
    """A party's claims across the disputes ``user`` may see (one page, newest first), and how they fared.

    A verdict of true or mostly true settles a dispute *for* the claims that affirm
    its proposition and *against* those that deny it; false or mostly false the
    reverse. Each claim carries ``outcome`` ("for", "against" or ""). ``record``: the
    party's ``party_record`` for ``user`` when the caller has it (the view caches it).
    """
    claims_qs = Claim.objects.visible_to(user).filter(party=party)
    if record is None:
        record = party_record(party=party, user=user)
    newest_first: list[Any] = [F("said_on").desc(nulls_last=True), "-pk"]
    # The aggregate already counted the claims; the paginator need not count again.
    paginator: Paginator = Paginator(claims_qs.order_by(*newest_first).values("pk"), CLAIMS_PER_PARTY_PAGE)
    paginator.count = record.claim_count
    page = paginator.get_page(page_number)
    # The page's rows are read in an outer query over the page's ids (a LIMIT subquery): with
    # the joins in the same query PostgreSQL joined every claim of the party to its source,
    # speaker and dispute before keeping 50 (47 ms for a party of 1,500 claims; 2 ms now).
    page_ids: QuerySet = page.object_list  # type: ignore[assignment]  # a slice of the ids
    rows = (
        Claim.objects.filter(pk__in=page_ids)
        .select_related("dispute", "speaker", "source", "superseded_by")
        .annotate(
            outcome=Case(
                When(CLAIM_SETTLED_FOR, then=Value("for")),
                When(CLAIM_SETTLED_AGAINST, then=Value("against")),
                default=Value(""),
            ),
            dispute_stamp=_page_stamp_of(OuterRef("dispute_id")),
        )
        .order_by(*newest_first)
    )
    page.object_list = _with_page_stamps(list(rows))
    return PartyPageData(
        party=party,
        page=page,
        settled_for=record.settled_for,
        settled_against=record.settled_against,
        dispute_count=record.dispute_count,
        claim_count=record.claim_count,
        speakers=list(party.speakers.visible_to(user)),
        positions_timeline=record.positions_timeline,
    )


# --- Source page -----------------------------------------------------------------------------


# What a source page lists at once: a page of its claims (``?page=``), and the first of its
# evidence, article links and disputes (a wire story may be cited thousands of times).
SOURCE_CLAIMS_PER_PAGE = 50
SOURCE_CITATIONS_SHOWN = 50


@dataclass
class SourcePageData:
    source: Source
    page: Page  # of the claims citing it, oldest said first
    evidence: list[Evidence]
    articles: list[ArticleLink]
    disputes: list[Dispute]
    evidence_count: int = 0
    article_count: int = 0
    dispute_count: int = 0
    checks: list = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return list(self.page.object_list)

    @property
    def claim_count(self) -> int:
        return self.page.paginator.count


def source_page_data(*, source: Source, user: AnyUser, page_number: Any = None) -> SourcePageData:
    """Which claims, evidence and article links cite ``source``, among disputes ``user`` may
    see, and its checks: one page of claims and the first few of the rest, with how many
    there are of each (the same queries at any number of citations)."""
    check_progress(source)
    # Claims that first appeared here, and those that appeared here too (an appearance).
    claims = Claim.objects.visible_to(user).filter(
        Q(source=source) | Q(pk__in=Appearance.objects.filter(source=source).values("claim_id"))
    )
    evidence = source.evidence.visible_to(user)
    articles = source.article_links.visible_to(user)
    disputes = Dispute.objects.visible_to(user).filter(
        Q(pk__in=claims.values("dispute_id"))
        | Q(pk__in=evidence.values("dispute_id"))
        | Q(pk__in=articles.values("dispute_id"))
    )
    paginator = Paginator(
        claims.select_related("dispute", "party", "speaker", "source").order_by("said_on", "pk"),
        SOURCE_CLAIMS_PER_PAGE,
    )
    shown = SOURCE_CITATIONS_SHOWN
    return SourcePageData(
        source=source,
        checks=check_history(source, user),
        page=paginator.get_page(page_number),
        evidence=list(evidence.select_related("dispute", "released_by").order_by("pk")[:shown]),
        articles=list(articles.select_related("dispute").order_by("pk")[:shown]),
        disputes=list(disputes.order_by("-last_activity_at", "-pk")[:shown]),
        evidence_count=evidence.count(),
        article_count=articles.count(),
        dispute_count=disputes.count(),
    )


# --- History pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed since a form was opened."""

    field: str
    label: str
    old: str
    new: str
    old_short: bool = False  # cut to ``HISTORY_VALUE_SHOWN`` characters on a history page
    new_short: bool = False


def _display(model: type[models.Model], name: str, value: Any, related: "RelatedNames | None" = None) -> str:
    """A history value as an editor would read it (choice labels, related names).

    ``related``: the names of the related objects the reader may see, read once per page
    (``RelatedNames``); without it each related value is looked up alone (an edit conflict's
    few fields)."""
    if value in (None, ""):
        return "—"
    try:
        field: Any = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a historical field that no longer exists
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model is not None:
        if related is not None:
            return related.name(field.related_model, value)
        found = field.related_model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else f"#{value} (deleted)"
    return str(value)


class RelatedNames:
    """The current names of the objects a page of history points at: one read per related
    model, of those ``user`` may see (``visible_to``). A draft dispute, or a party named only
    on drafts, reads as unavailable to a reader, as a deleted one does."""

    def __init__(self, user: AnyUser) -> None:
        self.user = user
        self.wanted: dict[type[models.Model], set] = {}
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], name: str, *values: Any) -> None:
        try:
            field: Any = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a historical field that no longer exists
            return
        if field.is_relation and field.related_model is not None and not field.choices:
            self.wanted.setdefault(field.related_model, set()).update(v for v in values if v not in (None, ""))

    def read(self) -> None:
        for related_model, pks in self.wanted.items():
            manager: Any = related_model._default_manager
            qs = manager.all()
            if hasattr(qs, "visible_to"):
                qs = qs.visible_to(self.user)
            self.found[related_model] = qs.in_bulk(list(pks)) if pks else {}

    def name(self, related_model: type[models.Model], value: Any) -> str:
        found = self.found.get(related_model, {}).get(value)
        if found is not None:
            return str(found)
        if roles.can_see_drafts(self.user):
            return f"#{value} (deleted)"
        return gettext("#%(pk)s (not available)") % {"pk": value}


def _raw_changes(new_record, old_record) -> list:
    return new_record.diff_against(old_record, excluded_fields=["version"]).changes


def _field_change(model: type[models.Model], change: Any, related: "RelatedNames | None") -> FieldChange:
    try:
        label = labels.field_label(model, change.field)
    except Exception:  # noqa: BLE001
        label = change.field
    return FieldChange(
        field=change.field,
        label=label[:1].upper() + label[1:],
        old=_display(model, change.field, change.old, related),
        new=_display(model, change.field, change.new, related),
    )


def history_changes(model: type[models.Model], new_record, old_record) -> list[FieldChange]:
    """Field-by-field differences between two historical records, readable."""
    return [_field_change(model, change, None) for change in _raw_changes(new_record, old_record)]


@dataclass
class HistoryEntry:
    record: Any
    action: str
    changes: list[FieldChange]

    @property
    def reason(self) -> str:
        """The change reason without the restore token a deletion carries."""
        return re.sub(r" \([0-9a-f]{12}\)$", "", self.record.history_change_reason or "")

    @property
    def shortened(self) -> bool:
        """Whether a value was cut short here (the version's own page shows it whole)."""
        return any(change.old_short or change.new_short for change in self.changes)


@dataclass
class ObjectHistory:
    model: type[models.Model]
    pk: int
    obj: models.Model | None  # None once deleted
    entries: list[HistoryEntry]
    title: str
    back_url: str = ""
    deleted_children: list[tuple[str, Any, str]] = field(default_factory=list)
    page: Page | None = None  # the page of versions shown (newest first)
    last_record: Any = None  # the newest version the user may see (a merge's reason)
    before_last_id: int | None = None  # the one before it (after a deletion, what undoing it restores)
    version: int | None = None  # one version shown whole (``?version=``)


HISTORY_ACTIONS = {
    "+": pgettext_lazy("history", "Created"),
    "~": pgettext_lazy("history", "Changed"),
    "-": pgettext_lazy("history", "Deleted"),
}
# The first version a reader sees of something begun as a draft: as it stood when published.
AS_PUBLISHED = pgettext_lazy("history", "As published")

# Versions per history page, newest first; and how much of a changed value a page shows (a
# claim's quote may be 10,000 characters: the version's own page, ``?version=``, shows it whole).
HISTORY_PER_PAGE = 50
HISTORY_VALUE_SHOWN = 300


def history_of(model: type[models.Model]) -> Any:
    """The model's django-simple-history manager (``Model.history``, added at class creation)."""
    return model.history  # type: ignore[attr-defined]


def history_label(record) -> str:
    """How a historical record reads, even when what it points at is gone too."""
    try:
        return str(record.instance)
    except ObjectDoesNotExist:
        return f"{labels.model_name(record.instance)} #{record.id}"


def _history_visible(model: type[models.Model], pk: int, user: AnyUser, records: list) -> tuple[bool, Any]:
    """Whether ``user`` may see this object's history, and the live object (None if deleted)."""
    manager: Any = model._default_manager
    obj = manager.visible_to(user).filter(pk=pk).first()
    if obj is not None:
        return True, obj
    if not records or manager.filter(pk=pk).exists():
        return False, None  # nothing by that number, or there and hidden from ``user``
    if roles.can_see_drafts(user):
        return True, None
    if model in (Dispute, Source):
        return False, None  # deleted, it is on no published record any more
    # A deleted claim, evidence, article or appearance is seen as its dispute is.
    return Dispute.objects.visible_to(user).filter(pk=_dispute_id_of(records[0])).exists(), None


def _dispute_id_of(record) -> int:
    """The dispute a historical claim, evidence, article link or appearance was on (an
    appearance through its claim, which may be deleted too)."""
    if hasattr(record, "dispute_id"):
        return record.dispute_id
    claim_id: int = record.claim_id
    found = Claim.objects.filter(pk=claim_id).values_list("dispute_id", flat=True).first()
    if found is None:
        found = history_of(Claim).filter(id=claim_id).values_list("dispute_id", flat=True).first()
    return found or 0


type Windows = dict[int, list[tuple[Any, Any]]]


def publication_windows(dispute_ids: Collection[int]) -> Windows:
    """When each dispute was published, from its own history (``dispute_publish`` saves it, so
    every publishing and unpublishing is a version): ``(since, until)`` spans, ``until`` None
    while it still is. One query."""
    windows: Windows = {}
    since: dict[int, Any] = {}
    rows = (
        history_of(Dispute)
        .filter(id__in=list(dispute_ids))
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "is_published", "history_type")
    )
    for pk, when, published, kind in rows:
        windows.setdefault(pk, [])
        public = published and kind != "-"
        if public and pk not in since:
            since[pk] = when
        elif not public and pk in since:
            windows[pk].append((since.pop(pk), when))
    for pk, when in since.items():
        windows[pk].append((when, None))
    return windows


def _public_at(windows: Windows, dispute_id: int, when) -> bool:
    return any(start <= when and (end is None or when < end) for start, end in windows.get(dispute_id, []))


def _published_between(windows: Windows, dispute_id: int, after, before) -> bool:
    """Whether the dispute was published after ``after`` and before ``before`` (None: since)."""
    return any(after < start and (before is None or start < before) for start, _end in windows.get(dispute_id, []))


def _shown_versions(model: type[models.Model], pk: int, user: AnyUser) -> list[tuple[int, bool]]:
    """The versions of one object ``user`` may see, newest first, each with whether it is shown
    as the object stood when its dispute was published.

    Someone who sees drafts sees every version. Anyone else sees those recorded while the
    object's dispute was published, and, for an object that existed then, its last version
    from before (what the publication showed); what was written, renamed or deleted while
    the dispute was a draft stays unpublished (two queries; an appearance's dispute, one more).
    """
    history = history_of(model).filter(id=pk)
    if roles.can_see_drafts(user) or model is Source:
        ids = history.order_by("-history_date", "-history_id").values_list("history_id", flat=True)
        return [(history_id, False) for history_id in ids]
    fields = ["history_id", "history_date", "history_type"]
    if model is Dispute:
        rows = [(*row, pk) for row in history.order_by("history_date", "history_id").values_list(*fields)]
    elif model is Appearance:
        found = list(history.order_by("history_date", "history_id").values_list(*fields, "claim_id"))
        disputes = _disputes_of_claims({row[3] for row in found})
        rows = [(*row[:3], disputes.get(row[3], 0)) for row in found]
    else:
        rows = list(history.order_by("history_date", "history_id").values_list(*fields, "dispute_id"))
    windows = publication_windows({row[3] for row in rows})
    shown: list[tuple[int, bool]] = []
    for index, (history_id, when, kind, dispute_id) in enumerate(rows):
        if _public_at(windows, dispute_id, when):
            shown.append((history_id, False))
        elif kind != "-":
            later = rows[index + 1][1] if index + 1 < len(rows) else None
            if _published_between(windows, dispute_id, when, later):
                shown.append((history_id, True))
    shown.reverse()
    return shown


def _disputes_of_claims(claim_ids: set[int]) -> dict[int, int]:
    """The dispute of each claim, live or deleted (an appearance's dispute is its claim's)."""
    found = dict(Claim.objects.filter(pk__in=claim_ids).values_list("pk", "dispute_id"))
    gone = claim_ids - found.keys()
    if gone:
        for claim_id, dispute_id in history_of(Claim).filter(id__in=gone).values_list("id", "dispute_id"):
            found.setdefault(claim_id, dispute_id)
    return found


def _cut(text: str) -> tuple[str, bool]:
    if len(text) <= HISTORY_VALUE_SHOWN:
        return text, False
    return text[:HISTORY_VALUE_SHOWN].rstrip() + "…", True


def object_history(
    *, model: type[models.Model], pk: int, user: AnyUser, page_number: Any = None, version: int | None = None
) -> ObjectHistory | None:
    """One page of the versions of one object ``user`` may see (``HISTORY_PER_PAGE``, newest
    first), with what changed; ``None`` if there is nothing by that number or ``user`` may not
    see it. ``version``: that one version alone, its values whole. A dispute's also lists its
    claims, evidence and articles deleted since (each once, to be restored from its own
    history). The same number of queries at any number of versions."""
    shown = _shown_versions(model, pk, user)
    if not shown:
        return None  # nothing, or nothing but what was written while its dispute was a draft
    ids = [history_id for history_id, _baseline in shown]
    page = None
    if version is None:
        page = Paginator(shown, HISTORY_PER_PAGE).get_page(page_number)
        start, on_page = page.start_index() - 1, list(page.object_list)
    elif version in ids:
        start = ids.index(version)
        on_page = [shown[start]]
    else:
        return None
    # Each version is compared with the next older one the user may see (never with a draft's).
    olders = ids[start + 1 : start + 1 + len(on_page)] + [None] * len(on_page)
    wanted = {ids[0], *ids[start : start + 1 + len(on_page)]}
    by_id = history_of(model).filter(history_id__in=wanted).select_related("history_user").in_bulk()
    newest = by_id[ids[0]]
    visible, obj = _history_visible(model, pk, user, [newest])
    if not visible:
        return None
    related = RelatedNames(user)
    raw: list[list] = []
    for (history_id, baseline), older_id in zip(on_page, olders, strict=False):
        record, older = by_id[history_id], by_id.get(older_id) if older_id else None
        changes = _raw_changes(record, older) if older and record.history_type == "~" and not baseline else []
        for change in changes:
            related.want(model, change.field, change.old, change.new)
        raw.append(changes)
    related.read()
    drafts = roles.can_see_drafts(user)
    entries = []
    for (history_id, baseline), older_id, changes in zip(on_page, olders, raw, strict=False):
        record = by_id[history_id]
        readable = [_field_change(model, change, related) for change in changes]
        if version is None:
            readable = [_shortened(change) for change in readable]
        first_public = baseline or (older_id is None and record.history_type == "~")
        action = AS_PUBLISHED if first_public and not drafts else HISTORY_ACTIONS.get(record.history_type, "?")
        entries.append(HistoryEntry(record=record, action=str(action), changes=readable))
    return ObjectHistory(
        model=model,
        pk=pk,
        obj=obj,
        entries=entries,
        title=str(obj) if obj is not None else history_label(newest),
        back_url=_back_url(model, obj, newest),
        deleted_children=_deleted_children(pk, user) if model is Dispute and version is None else [],
        page=page,
        last_record=newest,
        before_last_id=ids[1] if len(ids) > 1 else None,
        version=version,
    )


def _shortened(change: FieldChange) -> FieldChange:
    old, old_short = _cut(change.old)
    new, new_short = _cut(change.new)
    return FieldChange(change.field, change.label, old, new, old_short, new_short)


def _back_url(model: type[models.Model], obj: Any, newest: Any) -> str:
    if obj is not None or model is Dispute or model is Source:
        return ""
    parent = Dispute.objects.filter(pk=_dispute_id_of(newest)).first()
    return parent.get_absolute_url() if parent is not None else ""


def _deleted_children(pk: int, user: AnyUser) -> list[tuple[str, Any, str]]:
    """A dispute's claims, evidence and articles deleted since, each once; for someone who does
    not see drafts, only those deleted while the dispute was published."""
    windows = None if roles.can_see_drafts(user) else publication_windows([pk])
    found: list[tuple[str, Any, str]] = []
    children: tuple[tuple[str, Any], ...] = (("claim", Claim), ("evidence", Evidence), ("article", ArticleLink))
    for child_kind, child_model in children:
        live = child_model._default_manager.filter(dispute_id=pk).values("pk")
        gone = (
            history_of(child_model)
            .filter(dispute_id=pk, history_type="-")
            .exclude(id__in=live)
            .select_related("history_user")
            .order_by("-history_date")
        )
        seen = set()
        for record in gone:
            if record.id in seen or (windows is not None and not _public_at(windows, pk, record.history_date)):
                continue
            seen.add(record.id)
            found.append((child_kind, record, history_label(record)))
    return found


def history_record(*, model: type[models.Model], pk: int, history_id: int, user: AnyUser) -> Any | None:
    """One version of one object, if ``user`` may see the object's history (else ``None``)."""
    record = history_of(model).filter(id=pk, history_id=history_id).first()
    if record is None or not _history_visible(model, pk, user, [record])[0]:
        return None
    return record


# --- CSV exports -----------------------------------------------------------------------------


def export_claims(*, dispute: Dispute) -> QuerySet[Claim]:
    """A (visible) dispute's claims for its CSV, in the order they were said."""
    further = Appearance.objects.select_related("source").order_by(F("appeared_on").asc(nulls_last=True), "pk")
    return (
        Claim.objects.filter(dispute=dispute)
        .select_related("party", "speaker", "source")
        .prefetch_related(Prefetch("appearances", queryset=further))
        .order_by("said_on", "pk")
    )


def export_sources(*, dispute: Dispute) -> list[tuple[Source, list[str]]]:
    """Every source a (visible) dispute cites, once, with how it is used (claim, evidence, article)."""
    uses: dict[int, list[str]] = {}
    sources: dict[int, Source] = {}
    for claim in Claim.objects.filter(dispute=dispute, source__isnull=False).select_related("source", "party"):
        assert claim.source is not None and claim.source_id is not None
        sources[claim.source_id] = claim.source
        uses.setdefault(claim.source_id, []).append(f"claim {claim.pk} ({claim.party.name}, {claim.stance})")
    for appearance in Appearance.objects.filter(claim__dispute=dispute).select_related("source", "claim__party"):
        sources[appearance.source_id] = appearance.source
        claim = appearance.claim
        uses.setdefault(appearance.source_id, []).append(
            f"appearance of claim {claim.pk} ({claim.party.name}, {claim.stance})"
        )
    for evidence in Evidence.objects.filter(dispute=dispute, source__isnull=False).select_related("source"):
        assert evidence.source is not None and evidence.source_id is not None
        sources[evidence.source_id] = evidence.source
        uses.setdefault(evidence.source_id, []).append(f"evidence {evidence.pk}: {evidence.title}")
    for link in ArticleLink.objects.filter(dispute=dispute).select_related("source"):
        sources[link.source_id] = link.source
        uses.setdefault(link.source_id, []).append(f"article ({link.relation})")
    return [(source, uses[pk]) for pk, source in sorted(sources.items())]


# A search export is for a desk's spreadsheet, not a database dump.
MAX_EXPORT_ROWS = 5000


def export_search(*, user: AnyUser, filters: Mapping[str, Any]) -> QuerySet[Dispute]:
    """The disputes the home page's search and filters find for ``user`` (at most
    ``MAX_EXPORT_ROWS``), each with its number of claims and the names of the parties that
    affirm and that deny (``affirming``, ``denying``: lists of names), worked out by
    the database: one query, whatever the number of disputes and claims."""
    found = search_disputes(user=user, query=filters.get("q", ""), filters=filters)
    if (filters.get("q") or "").strip():
        found = first_rows_of_search(found, MAX_EXPORT_ROWS)
    return found.annotate(
        claim_total=Coalesce(_per_dispute(Claim.objects.all(), "dispute", Count("pk")), 0),
        affirming=_party_names(Stance.AFFIRMS),
        denying=_party_names(Stance.DENIES),
    )[:MAX_EXPORT_ROWS]


class _DistinctNames(models.Aggregate):
    """Distinct values as a JSON array, on both databases: ``jsonb_agg`` on PostgreSQL,
    ``json_group_array`` on SQLite (the zero-configuration default)."""

    function = "JSON_GROUP_ARRAY"
    allow_distinct = True
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _party_names(stance: str) -> Subquery:
    """The names of the parties that take ``stance`` on the dispute, each once (unordered;
    None when no party does)."""
    names = _DistinctNames("party__name", distinct=True)
    return _per_dispute(Claim.objects.filter(stance=stance), "dispute", names)


# The Clip form's dispute picker: this many matches at a time.
DISPUTE_CHOICES = 8


def dispute_choices(user: AnyUser, query: str = "", chosen: int | None = None) -> list[Dispute]:
    """Disputes to pick from as a query is typed (the Clip form): the best few matches, newest
    activity first, with the one already chosen kept in the list (two queries at most)."""
    matching = search_disputes(user=user, query=(query or "")[:200])
    if (query or "").strip():
        matching = first_rows_of_search(matching, SEARCH_COUNT_CAP + 1)
    found = list(matching[:DISPUTE_CHOICES])
    if chosen is not None and all(d.pk != chosen for d in found):
        kept = Dispute.objects.visible_to(user).filter(pk=chosen).first()
        if kept is not None:
            found.insert(0, kept)
    return found
