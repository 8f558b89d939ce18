"""The checker's per-page pipeline, timed: extraction, comparison, quote matching (issue 9 target 4).

A plain module so any harness can include it: ``run()`` returns a list of figures (dicts)
and ``table(figures)`` renders them as Markdown; ``python -m benchmarks.checker_pipeline``
prints the table. No database, no network: the pipeline's functions are called directly
on pages in memory, each several times, and the median is reported.

Pages: the largest real page of the corpus (``../shared/corpus/readability-test-pages``)
and a ~300 KB one when the corpus is there; synthetic pages of 300 KB and 1 MB of article
text always. Quotes are sentences of the page; the "long quote" rows use 200- and
2,000-word quotes with one word changed, to show the cost grows with the text, not with
its square.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "readability-test-pages" / "pages"
RUNS = int(os.environ.get("BENCH_CHECKER_RUNS", "7"))


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()


def _median_ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _synthetic_page(target_bytes: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    vocabulary = [f"{w}" for w in "the drone jet said ministry over sea contact evidence defence officials".split()]
    vocabulary += [f"word{i}" for i in range(3000)]
    paragraphs, size = [], 0
    while size < target_bytes:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(60, 120))) + "."
        paragraph = f"<p>{sentence.capitalize()}</p>\n"
        paragraphs.append(paragraph)
        size += len(paragraph)
    nav = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(40))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>A long story - Example</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>A long story</h1>"
        + "".join(paragraphs)
        + "</article></main><footer><p>© Example</p></footer></body></html>"
    )


def _corpus_pages() -> list[tuple[str, str]]:
    if not CORPUS.is_dir():
        return []
    sized = []
    for folder in CORPUS.iterdir():
        source = folder / "source.html.gz"
        if source.exists():
            sized.append((len(gzip.decompress(source.read_bytes())), folder.name))
    sized.sort()
    largest = sized[-1][1]
    near_300k = min(sized, key=lambda item: abs(item[0] - 300_000))[1]
    pages = []
    for name in dict.fromkeys([near_300k, largest]):
        pages.append((f"corpus {name}", gzip.decompress((CORPUS / name / "source.html.gz").read_bytes()).decode()))
    return pages


def _sized_corpus() -> list[tuple[int, str]]:
    if not CORPUS.is_dir():
        return []
    sized = []
    for folder in CORPUS.iterdir():
        source = folder / "source.html.gz"
        if source.exists():
            sized.append((len(gzip.decompress(source.read_bytes())), folder.name))
    return sorted(sized)


STAGES = ("parse_ms", "clean_ms", "extractor_ms", "metadata_ms", "reader_ms", "quotes_ms")


def stage_rows() -> list[dict]:
    """Median milliseconds of each stage of a changed page, for the smallest, the median and the
    largest page of the corpus (issue 10 item 6): parse, cleaning, trafilatura, metadata, reader
    text, quote matching (5 quotes)."""
    from claims.checking import compare, extract

    sized = _sized_corpus()
    if not sized:
        return []
    rows = []
    picks = (sized[0], sized[len(sized) // 2], sized[-1])
    for label, (size, name) in zip(("smallest", "median", "largest"), picks, strict=True):
        html = gzip.decompress((CORPUS / name / "source.html.gz").read_bytes()).decode("utf-8", "replace")
        quotes = _quotes(extract.extract(html).text)
        laps: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total_ms")}
        for _ in range(RUNS):
            timings: dict = {}
            started = time.perf_counter()
            found = extract.extract(html, f"https://example.org/{name}", timings=timings)
            quoted = time.perf_counter()
            page = compare.PageText(found.text)
            for quote in quotes:
                page.find(quote)
            timings["quotes_ms"] = (time.perf_counter() - quoted) * 1000
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            for stage in laps:
                laps[stage].append(timings.get(stage, 0.0))
        rows.append(
            {
                "page": f"{label}: {name}",
                "size": f"{size // 1024} KB",
                **{stage: round(statistics.median(values), 2) for stage, values in laps.items()},
            }
        )
    return rows


def stage_table(rows: list[dict]) -> str:
    names = [stage.removesuffix("_ms") for stage in (*STAGES, "total_ms")]
    lines = ["| page | size | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for row in rows:
        cells = " | ".join(f"{row[stage]:.1f}" for stage in (*STAGES, "total_ms"))
        lines.append(f"| {row['page']} | {row['size']} | {cells} |")
    return "\n".join(lines)


def _quotes(text: str, count: int = 5) -> list[str]:
    lines = [line for line in text.split("\n") if len(line.split()) >= 12]
    picked = []
    for index in range(count):
        if not lines:
            break
        words = lines[(index * 7919) % len(lines)].split()
        picked.append(" ".join(words[2:14]))
    return picked


def _pipeline_rows(label: str, html: str) -> list[dict]:
    from claims.checking import compare, extract, fetch, reading
    from claims.models import SourceCheck

    found = extract.extract(html)
    quotes = _quotes(found.text)
    body = html.encode()

    def changed_page():
        page_found = extract.extract(html)
        page_found.text_sha256 != found.text_sha256  # noqa: B015 — the comparison is part of the work
        page = compare.PageText(page_found.text)
        for quote in quotes:
            page.find(quote)

    def quotes_only():
        page = compare.PageText(found.text)
        for quote in quotes:
            page.find(quote)

    def unchanged_page():
        # What the reading step does when the body is byte-for-byte the last one: a hash.
        hashlib.sha256(body).hexdigest()

    previous = SourceCheck(
        text=found.text,
        text_sha256=found.text_sha256,
        text_method=extract.TEXT_METHOD,
        final_url="https://example.org/story",
        etag='"v1"',
    )
    answer_304 = fetch.FetchResult(url=previous.final_url, status=304, not_modified=True, headers={"etag": '"v1"'})

    def not_modified():
        # A 304 to the conditional request: the reading step carries the last check over.
        reading.read_page(None, answer_304, "", {}, previous=previous)

    size = f"{len(body) // 1024} KB, text {len(found.text) // 1024} KB, {len(quotes)} quotes"
    return [
        {
            "case": f"{label}: changed page (extract + compare + quotes)",
            "size": size,
            "median_ms": _median_ms(changed_page),
        },
        {"case": f"{label}: quote matching only", "size": size, "median_ms": _median_ms(quotes_only)},
        {"case": f"{label}: unchanged body (raw hash)", "size": size, "median_ms": _median_ms(unchanged_page)},
        {"case": f"{label}: 304 Not Modified (reading step)", "size": size, "median_ms": _median_ms(not_modified)},
    ]


def _long_quote_rows() -> list[dict]:
    from claims.checking import compare

    rng = random.Random(2)
    rows = []
    for text_kb in (250, 1000):
        words = [f"w{rng.randint(0, 50000)}" for _ in range(text_kb * 1024 // 7)]
        text = "\n".join(" ".join(words[i : i + 80]) for i in range(0, len(words), 80))
        for quote_words in (200, 2000):
            start = len(words) // 2
            quote = words[start : start + quote_words]
            quote = quote[: quote_words // 2] + ["edited"] + quote[quote_words // 2 + 1 :]
            needle = " ".join(quote)

            def search(needle=needle, text=text):
                compare.PageText(text).find(needle)

            rows.append(
                {
                    "case": f"one-word-edited quote of {quote_words} words in {text_kb} KB of text",
                    "size": f"{len(text) // 1024} KB",
                    "median_ms": _median_ms(search, runs=3),
                }
            )
    return rows


def run() -> list[dict]:
    """Every figure: one dict per case with ``case``, ``size`` and ``median_ms``."""
    _setup_django()
    figures = []
    pages = [
        *_corpus_pages(),
        ("synthetic 300 KB", _synthetic_page(300_000)),
        ("synthetic 1 MB", _synthetic_page(1_000_000)),
    ]
    for label, html in pages:
        figures.extend(_pipeline_rows(label, html))
    figures.extend(_long_quote_rows())
    for row in stage_rows():
        for stage in (*STAGES, "total_ms"):
            case = f"corpus {row['page']}, stage {stage.removesuffix('_ms')}"
            figures.append({"case": case, "size": row["size"], "median_ms": row[stage]})
    return figures


def table(figures: list[dict]) -> str:
    lines = ["| case | size | median ms |", "|---|---|---|"]
    lines += [f"| {f['case']} | {f['size']} | {f['median_ms']:.2f} |" for f in figures]
    return "\n".join(lines)


if __name__ == "__main__":
    figures = run()
    print(table(figures))
    print()
    print("Per stage, median ms (changed page: extract + quotes):")
    print(stage_table(stage_rows()))
