"""The checker on 130 real pages (issue 10): served locally, checked by the real runner, versions made of each.

Each page's base version (the page plus a comment count, a most-read list and a "generated
at" footer) is served by the local test server and checked once by the runner, with one
claim per quote (items 1, 4 and 5). Meanwhile worker processes make every other version in
memory (boilerplate-only changes, one-word edits of the article, quote edits, quotes split
by markup) and read each with ``extract.extract``, the function the reading step calls on a
fetched body; "changed" is the reading step's rule (hash of the reader text), quotes are
searched as ``record_quotes`` does (items 2–4). The test asserts that the workers read every
base page as the runner did, and sends every tenth page's edits through the runner too.

The figures of issue 10 items 1–5 are printed in pytest's terminal summary (no ``-s``
needed) and written to ``test-artifacts/corpus-figures.md``; the thresholds are asserted as
the issue states them. Marked ``corpus``; it runs in ``make test`` (once per CI run).
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import re
import time
import unicodedata
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from claims.checking import runner
from claims.checking.compare import PageText
from claims.checking.extract import sha256_text
from claims.checking.selectors import text_diff
from claims.models import Claim, QuoteCheck, Source, SourceCheck
from tests.factories import ClaimFactory, SourceFactory

from . import corpus

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]

# Issue 10's thresholds. Item 3's is asserted on the edits in the article as the issue defines
# what is compared: outside navigation, page header and footer, aside, comment, byline/metadata
# regions and widgets (see corpus.furniture); the rate over every edit is printed beside it.
BOILERPLATE_UNCHANGED = 0.98
EDIT_CHANGED = 0.99
EDIT_CHANGED_ALL = 0.97
QUOTES_FOUND = 0.99
QUOTE_ALTERED = 0.97
QUOTE_SPANNING = 0.97
TITLE_EQUAL = 0.90


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Figures:
    pages: int = 0
    first_ok: list[str] = field(default_factory=list)
    first_failed: dict[str, str] = field(default_factory=dict)
    boilerplate: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    boilerplate_false_alarms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    edits_missed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    edits_not_made: int = 0
    quotes_pages: list[bool] = field(default_factory=list)
    quotes_missed: list[str] = field(default_factory=list)
    altered: list[bool] = field(default_factory=list)
    altered_missed: list[str] = field(default_factory=list)
    spanning: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    spanning_missed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    metadata: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    metadata_misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    edits_in_article: list[bool] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    runner_edits: list[bool] = field(default_factory=list)
    runner_altered: list[bool] = field(default_factory=list)
    seconds: float = 0.0


def _rate(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 1.0


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"}))
    return " ".join(text.split())


def _author_agrees(found: str, expected: str) -> bool:
    found, expected = _fold(found), _fold(expected)
    expected = re.sub(r"^(by|par|von|por)\s+", "", expected)
    if not found or not expected:
        return False
    names = [n.strip() for n in re.split(r",|;|\band\b|&|\|", found) if n.strip()]
    return any(n in expected or expected in n for n in names)


def _loose_agrees(found: str, expected: str) -> bool:
    found, expected = _fold(found), _fold(expected)
    return bool(found and expected) and (found in expected or expected in found)


def _check(site, source, name, html, page) -> SourceCheck:
    headers, body = corpus.served(page, html)
    site.routes[f"/corpus/{name}"] = (200, headers, body)
    check = runner.check_now(source)
    assert check is not None, f"{name}: the check did not run"
    return check


def _forget(check: SourceCheck) -> None:
    """Drop a version's check so the next version is compared with the base again."""
    SourceCheck.objects.filter(pk=check.pk).delete()


def _mojibake(text: str) -> bool:
    return "\ufffd" in text or bool(re.search("Ã[\u0080-\u00bf]|â€", text))


def _quote_rows(check: SourceCheck) -> dict[int, QuoteCheck]:
    return {q.claim_id: q for q in QuoteCheck.objects.filter(check_run=check)}


def _hash(text: str) -> str:
    """The text's hash as a check stores it (an empty text has none, and is never "changed")."""
    return sha256_text(text) if text else ""


def _workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def first_checks(site, pages, figures: Figures) -> dict[str, SourceCheck]:
    """Item 1, the quotes of item 4 and item 5: each page's base version checked by the runner,
    fetched from the local server, with one claim per quote."""
    bases = {}
    for page in pages:
        name = page.name
        source = SourceFactory(url=site.url(f"/corpus/{name}"), title="", publisher="")
        claims = [ClaimFactory(source=source, quote=q) for q in corpus.quotes_for(page)]
        base = _check(site, source, name, corpus.base_version(page), page)
        bases[name] = base

        if base.outcome in (Source.CheckState.OK, Source.CheckState.REDIRECTED, Source.CheckState.QUOTE_MISSING) and (
            not _mojibake(base.text + base.title) or _mojibake(page.expected_html)
        ):
            figures.first_ok.append(name)
        else:
            figures.first_failed[name] = f"{base.outcome} {base.error}".strip() or "mojibake"

        rows = _quote_rows(base)
        if claims:
            found = all(c.pk in rows and rows[c.pk].score == 100 for c in claims)
            figures.quotes_pages.append(found)
            if not found:
                figures.quotes_missed.append(name)

        meta = page.metadata
        if meta.get("title"):
            equal = _fold(base.title) == _fold(meta["title"])
            figures.metadata["title"].append(equal)
            if not equal:
                figures.metadata_misses["title"].append(f"{name}: {base.title!r} ≠ {meta['title']!r}")
        if meta.get("byline"):
            figures.metadata["author"].append(_author_agrees(base.author, meta["byline"]))
        if meta.get("siteName"):
            figures.metadata["publisher"].append(_loose_agrees(base.publisher, meta["siteName"]))
        if meta.get("publishedTime"):
            try:
                expected_date = datetime.date.fromisoformat(meta["publishedTime"][:10])
            except ValueError:
                expected_date = None
            if expected_date:
                figures.metadata["date"].append(base.published_on == expected_date)
    return bases


def judge_versions(page, base: SourceCheck, read: dict, figures: Figures) -> None:
    """Items 2–4 for one page's versions, read in a worker process exactly as the reading step
    reads a fetched body; "changed" is the reading step's rule (the reader text's hash differs
    from the last check's), the quote search is ``record_quotes``'s."""
    name = page.name
    # The stored text may be cut at CHECKER_MAX_TEXT_CHARS; the hash is of the whole text.
    base_hash = base.text_sha256
    if _hash(read["base"]) != base_hash:
        figures.inconsistent.append(name)
    threshold = float(django_settings.CHECKER_QUOTE_THRESHOLD)

    for kind, text in read["boilerplate"].items():
        unchanged = _hash(text) == base_hash
        figures.boilerplate[kind].append(unchanged)
        if not unchanged:
            figures.boilerplate_false_alarms[kind].append(name)

    for where, edit in read["edits"].items():
        if edit is None:
            figures.edits_not_made += 1
            continue
        text, old, new, furniture = edit
        pieces = text_diff(read["base"], text)
        shown = any(p.op == "added" and new in p.text for p in pieces) and any(
            p.op == "removed" and old in p.text for p in pieces
        )
        ok = _hash(text) != base_hash and shown
        figures.edits[where].append(ok)
        if not furniture:
            figures.edits_in_article.append(ok)
        if not ok:
            figures.edits_missed[where].append(f"{name} ({old}→{new}{'; in ' + furniture if furniture else ''})")

    quotes = read["quotes"]
    if not quotes:
        return
    if read["altered"] is not None:
        text, old, new, _ = read["altered"]
        match = PageText(text).find(quotes[0], threshold)
        ok = match.score < 100 and new in match.matched_text
        figures.altered.append(ok)
        if not ok:
            figures.altered_missed.append(f"{name} (score {match.score}, {match.matched_text[:80]!r})")
    for kind, text in read["spanning"].items():
        match = PageText(text).find(quotes[0], threshold)
        figures.spanning[kind].append(match.present)
        if not match.present:
            figures.spanning_missed[kind].append(f"{name} (score {match.score})")


def end_to_end(site, pages, bases, figures: Figures, every: int = 10) -> None:
    """Every ``every``-th page's middle-paragraph edit and quote edit also go through the runner:
    the outcome is "changed" and the quote's row shows the new word, as the in-memory figures say."""
    for page in pages[::every]:
        base = bases[page.name]
        source = base.source
        edit = corpus.paragraph_edits(page).get("middle")
        if edit is not None:
            check = _check(site, source, page.name, edit.html, page)
            figures.runner_edits.append(
                check.changed and check.outcome in (Source.CheckState.CHANGED, Source.CheckState.QUOTE_MISSING)
            )
            _forget(check)
        claim = Claim.objects.filter(source=source).order_by("pk").first()
        if claim is not None:
            quote_edit = corpus.word_edit(
                page, claim.quote, spots=page.unique_words(claim.quote, corpus.base_version(page))
            )
            if quote_edit is not None:
                check = _check(site, source, page.name, quote_edit.html, page)
                row = _quote_rows(check).get(claim.pk)
                figures.runner_altered.append(
                    row is not None and row.score < 100 and quote_edit.new in row.matched_text
                )
                _forget(check)


def measure(site, pages) -> Figures:
    figures = Figures(pages=len(pages))
    started = time.monotonic()
    # The versions are read in worker processes while this one runs the first checks.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(_workers(), mp_context=context) as pool:
        futures = {
            page.name: pool.submit(corpus.read_versions, page.name, site.url(f"/corpus/{page.name}")) for page in pages
        }
        bases = first_checks(site, pages, figures)
        for page in pages:
            judge_versions(page, bases[page.name], futures[page.name].result(), figures)
    end_to_end(site, pages, bases, figures)
    figures.seconds = time.monotonic() - started
    return figures


def report(figures: Figures) -> str:
    lines = [
        f"Checker on {figures.pages} real pages ({figures.seconds:.0f} s)",
        "",
        "| item | figure | threshold |",
        "|---|---|---|",
        f"| 1. first check succeeds | {len(figures.first_ok)}/{figures.pages} | all |",
    ]
    pages_unchanged = [all(v) for v in zip(*figures.boilerplate.values(), strict=True)]
    lines.append(
        f"| 2. boilerplate-only → unchanged (pages with all 7 kinds) | {_rate(pages_unchanged):.1%} | ≥ 98 % |"
    )
    for kind, values in figures.boilerplate.items():
        lines.append(f"| 2. · {kind} | {_rate(values):.1%} | |")
    all_edits = [v for values in figures.edits.values() for v in values]
    lines.append(
        f"| 3. one-word edit in the article → changed, diff shows the word | {_rate(figures.edits_in_article):.1%} "
        f"({len(figures.edits_in_article)} edits) | ≥ 99 % |"
    )
    lines.append(f"| 3. · every edit, furniture regions included | {_rate(all_edits):.1%} ({len(all_edits)}) | |")
    for where, values in figures.edits.items():
        lines.append(f"| 3. · {where} paragraph | {_rate(values):.1%} ({len(values)} pages) | |")
    lines.append(f"| 4. quotes found with score 100 | {_rate(figures.quotes_pages):.1%} | ≥ 99 % |")
    lines.append(f"| 4. · one-word edit in a quote → altered, new word shown | {_rate(figures.altered):.1%} | |")
    for kind, values in figures.spanning.items():
        lines.append(f"| 4. · quote across a {kind} found | {_rate(values):.1%} ({len(values)} pages) | |")
    for name, values in figures.metadata.items():
        threshold = "≥ 90 %" if name == "title" else "reported"
        lines.append(f"| 5. {name} agrees | {_rate(values):.1%} ({len(values)} pages) | {threshold} |")
    lines.append(
        f"| runner end to end (sample): edit → changed, quote edit → altered | "
        f"{sum(figures.runner_edits)}/{len(figures.runner_edits)}, "
        f"{sum(figures.runner_altered)}/{len(figures.runner_altered)} | all |"
    )
    lines.append("")
    if figures.inconsistent:
        lines.append(f"Base read differently by the workers: {', '.join(figures.inconsistent)}")
    if figures.first_failed:
        lines.append(f"First check failed: {figures.first_failed}")
    for kind, names in figures.boilerplate_false_alarms.items():
        lines.append(f"False alarm ({kind}): {', '.join(names)}")
    for where, names in figures.edits_missed.items():
        lines.append(f"Missed edit ({where}): {'; '.join(names)}")
    if figures.edits_not_made:
        lines.append(f"Edits not made (no word unique in the page): {figures.edits_not_made}")
    if figures.quotes_missed:
        lines.append(f"Quotes not found with 100: {', '.join(figures.quotes_missed)}")
    if figures.altered_missed:
        lines.append(f"Altered quote not shown: {'; '.join(figures.altered_missed)}")
    for kind, names in figures.spanning_missed.items():
        lines.append(f"Quote across a {kind} missed: {'; '.join(names)}")
    for name, misses in figures.metadata_misses.items():
        lines.append(f"{name} misses: " + "; ".join(misses))
    return "\n".join(lines)


def test_checker_on_real_pages(site, settings):
    settings.CHECKER_DEADLINE_SECONDS = 30  # the 1.6 MB page on a loaded machine, with the workers busy
    settings.CHECKER_READ_TIMEOUT = 10
    pages = corpus.load_pages()
    assert len(pages) >= 130, "the corpus should have 130 pages"
    only = os.environ.get("CORPUS_ONLY")  # a developer's quick look at some pages: CORPUS_ONLY=bbc-1,cnn
    if only:
        pages = [p for p in pages if p.name in only.split(",")]
    figures = measure(site, pages)
    text = report(figures)
    out = Path(corpus.PROJECT_ROOT) / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "corpus-figures.md").write_text(text + "\n", "utf-8")
    print("\n" + text)  # shown with -s; the terminal summary prints the file in any case

    assert not figures.first_failed
    assert not figures.inconsistent, "the worker processes read a base page differently from the runner"
    assert all(figures.runner_edits) and all(figures.runner_altered), "the runner disagrees with the figures"
    pages_unchanged = [all(v) for v in zip(*figures.boilerplate.values(), strict=True)]
    assert _rate(pages_unchanged) >= BOILERPLATE_UNCHANGED
    assert _rate(figures.edits_in_article) >= EDIT_CHANGED
    assert _rate(v for values in figures.edits.values() for v in values) >= EDIT_CHANGED_ALL
    assert figures.edits_not_made <= 0.25 * 3 * figures.pages, "too few edits could be made to judge item 3"
    assert _rate(figures.quotes_pages) >= QUOTES_FOUND
    assert _rate(figures.altered) >= QUOTE_ALTERED
    for values in figures.spanning.values():
        assert _rate(values) >= QUOTE_SPANNING
    assert _rate(figures.metadata["title"]) >= TITLE_EQUAL
