"""Search in the ORM, without HTTP: the full-text search against `icontains` on the same data.

Issue 9 asks for full-text search ≥ 100× faster than `icontains` at 100,000 disputes.
For each term: the home page's search query (the ids of the first 1,001 matches, from which
the page takes its capped count and page 1), timed as a median of several runs, with the
PostgreSQL full-text condition and with the substring condition SQLite uses
(claims.selectors.substring_search_condition).

Also what searching in every language costs (issue 11): the query is parsed in each of
the 27 text search configurations a quote may be stemmed with, OR-ed into one tsquery;
the same search parsed in English and ``simple`` only is the reference.
"""

import statistics
import time

from benchmarks.common import Figure, module_arguments, setup_django, spread, wait_for_quiet, write_figures

PER_SIZE = True
GROUP = "search"


def _time(qs, runs: int) -> list[float]:
    """What the home page reads for a search: the ids of its first 1,001 matches, newest first.

    ``CappedPaginator`` takes its count (capped at 1,000: "more than 1,000") and page 1
    from that one read; the rows of the page are then read by id, whatever the search.
    """
    from claims.selectors import SEARCH_COUNT_CAP

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        list(qs.values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    args = module_arguments(__doc__)
    setup_django()
    import os

    from django.db import connection

    from benchmarks.prepare import COMMON_TERMS
    from claims.models import Dispute
    from claims.selectors import _search_condition, substring_search_condition
    from claims.synthetic import PLACES

    size = int(os.environ.get("BENCH_SIZE", "0"))
    if connection.vendor != "postgresql":
        write_figures(args.out, [])
        return
    runs = 3 if args.quick else 5
    figures = []
    for label, terms in (("common", COMMON_TERMS[:3]), ("selective", PLACES[3:6])):
        full, substring, loads, quiet = [], [], [], True
        for term in terms:
            q = wait_for_quiet()
            quiet &= q.came
            loads.append(round(q.load, 2))
            base = Dispute.objects.published().recently_active()
            full += _time(base.filter(_search_condition(term)), runs)
            substring += _time(base.filter(substring_search_condition(term)), max(2, runs // 2))
        value, reference = statistics.median(full) * 1000, statistics.median(substring) * 1000
        figures.append(
            Figure(
                group="search",
                name=f"search query in the ORM, {label} terms, {size:,} disputes: full-text vs icontains",
                value=round(value, 2),
                unit="ms",
                reference=round(reference, 2),
                reference_name="icontains",
                ratio=round(reference / value, 1) if value else None,
                spread=round(spread(full) or 0, 2),
                target="≥ 100× faster than icontains at 100,000 disputes" if size >= 100_000 else "",
                met=(reference / value >= 100) if size >= 100_000 and value else None,
                load=loads,
                quiet=quiet,
                note=f"ids of the first 1,001 matches (capped count and page 1); terms {', '.join(terms)}",
            )
        )
    figures += _parse_once_gain(size, runs)
    figures += _languages_cost(size, runs)
    write_figures(args.out, figures)


def _parsed_per_row_condition(term: str):
    """The search as it was before migration 0027: 28 ``websearch_to_tsquery`` calls the planner could not fold."""
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Func, Q, TextField, Value

    from claims import languages

    unaccented = Func(Value(term), function="unaccent", output_field=TextField())
    combined = None
    for config in languages.search_configs():
        part = SearchQuery(unaccented, config=config, search_type="websearch")
        combined = part if combined is None else combined | part
    return Q(search_document__document=combined)


def _parse_once_gain(size: int, runs: int) -> list:
    from benchmarks.prepare import COMMON_TERMS
    from claims.models import Dispute
    from claims.selectors import _search_condition
    from claims.synthetic import PLACES

    figures = []
    for label, terms in (("common", COMMON_TERMS[:3]), ("selective", PLACES[3:6])):
        now, before, loads, quiet = [], [], [], True
        for term in terms:
            q = wait_for_quiet()
            quiet &= q.came
            loads.append(round(q.load, 2))
            base = Dispute.objects.published().recently_active()
            now += _time(base.filter(_search_condition(term)), runs)
            before += _time(base.filter(_parsed_per_row_condition(term)), runs)
        value, reference = statistics.median(now) * 1000, statistics.median(before) * 1000
        figures.append(
            Figure(
                group="search",
                name=f"search query in the ORM, {label} terms, {size:,} disputes: "
                "term parsed once while planning (0027) vs parsed again for every row (before)",
                value=round(value, 2),
                unit="ms",
                reference=round(reference, 2),
                reference_name="parsed per row",
                ratio=round(reference / value, 1) if value else None,
                spread=round(spread(now) or 0, 2),
                load=loads,
                quiet=quiet,
                note=f"ids of the first 1,001 matches (capped count and page 1); terms {', '.join(terms)}",
            )
        )
    return figures


def _two_configs_condition(term: str):
    """The search as it was before issue 11: English and unstemmed only (the reference for its cost)."""
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Func, Q, TextField, Value

    unaccented = Func(Value(term), function="unaccent", output_field=TextField())
    query = SearchQuery(unaccented, config="english", search_type="websearch") | SearchQuery(
        unaccented, config="simple", search_type="websearch"
    )
    return Q(search_document__document=query)


def _languages_cost(size: int, runs: int) -> list:
    from benchmarks.prepare import COMMON_TERMS
    from claims import languages
    from claims.models import Dispute
    from claims.selectors import _search_condition
    from claims.synthetic import PLACES

    figures = []
    for label, terms in (("common", COMMON_TERMS[:3]), ("selective", PLACES[3:6])):
        every, two, loads, quiet = [], [], [], True
        for term in terms:
            q = wait_for_quiet()
            quiet &= q.came
            loads.append(round(q.load, 2))
            base = Dispute.objects.published().recently_active()
            every += _time(base.filter(_search_condition(term)), runs)
            two += _time(base.filter(_two_configs_condition(term)), runs)
        value, reference = statistics.median(every) * 1000, statistics.median(two) * 1000
        figures.append(
            Figure(
                group="search",
                name=f"search query in the ORM, {label} terms, {size:,} disputes: "
                f"{len(languages.search_configs())} language configurations vs English + simple",
                value=round(value, 2),
                unit="ms",
                reference=round(reference, 2),
                reference_name="English + simple",
                # Below 1: how many times slower searching in every language is.
                ratio=round(reference / value, 2) if value else None,
                spread=round(spread(every) or 0, 2),
                load=loads,
                quiet=quiet,
                note=f"ids of the first 1,001 matches (capped count and page 1); terms {', '.join(terms)}",
            )
        )
    return figures


if __name__ == "__main__":
    main()
