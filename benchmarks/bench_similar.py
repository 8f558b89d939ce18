"""Similar claims (claims/similar.py) on the benchmark data: what one pause in typing costs.

Issue 12 asks for the suggestion query under 50 ms at 100,000 claims on PostgreSQL. Typed
texts of three kinds, as editors type them: re-quotes of claims in the data (a fragment, a
clause dropped, a word changed: each should find its claim), the typed sides of
tests/data/similar_claims_pairs.json (sentences of real articles that are mostly *not* in
the data: the common case of a new claim), and the form's three fields at once (quote,
paraphrase, and a translation-like rewording), which is what the form posts. The claims
are spliced from real sentences (claims/synthetic.py), so their words and trigrams are
those of news text. Timed in-process with the ORM (the statement, fetching, and reading
the five claims shown), median and p95 over all texts.
"""

import json
import random
import statistics
import time
from pathlib import Path

from benchmarks.common import Figure, module_arguments, setup_django, wait_for_quiet, write_figures

PER_SIZE = True
GROUP = "similar"
PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "similar_claims_pairs.json"


def _requote(quote: str, rng: random.Random) -> str:
    words = quote.split()
    kind = rng.choice(["fragment", "clause", "word"])
    if kind == "fragment" and len(words) > 10:
        start = len(words) // 5
        return " ".join(words[start : start + max(8, len(words) * 3 // 5)])
    if kind == "clause" and "," in quote[: len(quote) // 2]:
        return quote.split(",", 1)[1].strip()
    i = rng.randrange(len(words))
    words[i] = "reportedly"
    return " ".join(words)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    args = module_arguments(__doc__)
    setup_django()
    from django.db import connection

    from claims import similar
    from claims.models import Claim

    if connection.vendor != "postgresql":
        write_figures(args.out, [])
        return
    claims = Claim.objects.count()
    rng = random.Random(12)
    count = 40 if args.quick else 120
    top = Claim.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = []
    while len(picked) < count and top:
        row = Claim.objects.filter(pk__gte=rng.randint(1, top)).values_list("pk", "quote").order_by("pk").first()
        if row and len(row[1].split()) >= 8:
            picked.append(row)
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))
    kinds = {
        "re-quotes of stored claims": [[_requote(quote, rng)] for _, quote in picked],
        "new text (sentences of real articles)": [[p["typed"]] for p in rng.sample(pairs, min(count, len(pairs)))],
        "three fields at once": [
            [_requote(quote, rng), " ".join(quote.split()[:8]), pairs[i % len(pairs)]["typed"]]
            for i, (_, quote) in enumerate(picked)
        ],
    }
    similar.similar_to_any(texts=["warming up the words' frequencies"])
    figures = []
    for label, texts in kinds.items():
        q = wait_for_quiet()
        timings, found = [], 0
        for typed in texts:
            started = time.perf_counter()
            shown = similar.similar_to_any(texts=typed)
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(shown)
        hits = ""
        if label.startswith("re-quotes"):
            right = sum(
                pk in {m.claim.pk for m in similar.similar_claims(text=typed[0])}
                for (pk, _), typed in zip(picked, texts, strict=True)
            )
            hits = f"; its own claim among the five shown for {right} of {len(texts)}"
        p95 = _p95(timings)
        figures.append(
            Figure(
                group="similar",
                name=f"similar claims, {label}, {claims:,} claims: p95",
                value=round(p95, 1),
                unit="ms",
                spread=None,
                target="p95 < 50 ms at ≥ 100,000 claims (issue 12)" if claims >= 100_000 else "",
                met=(p95 < 50) if claims >= 100_000 else None,
                load=[round(q.load, 2)],
                quiet=q.came,
                note=f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms over {len(texts)} "
                f"pauses; suggestions shown for {found}{hits}",
            )
        )
    write_figures(args.out, figures)


if __name__ == "__main__":
    main()
