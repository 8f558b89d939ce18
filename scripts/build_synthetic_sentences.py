#!/usr/bin/env python
"""Build claims/data/synthetic_sentences.txt.gz: real sentences that synthetic claims are spliced from.

``manage.py synthesize`` (claims/synthetic.py) makes quotes and paraphrases out of these, so
benchmark data reads like news text (thousands of distinct words, real trigram statistics)
rather than a salad of fifty words, which made every claim look like every other one to the
similar-claims index (docs/similar-claims.md). The sentences are the article text of the pages
in the checker's corpus (../shared/corpus/readability-test-pages, Apache 2.0, from Mozilla
Readability's tests), cut the way scripts/build_similar_pairs.py cuts them.

Run: .venv/bin/python scripts/build_synthetic_sentences.py [CORPUS_DIR]. Deterministic.
"""

import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_similar_pairs  # noqa: E402 — the same sentence cutter, over every page

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "claims" / "data" / "synthetic_sentences.txt.gz"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "readability-test-pages"
    build_similar_pairs.ENGLISH_PAGES = sorted(p.name for p in (corpus / "pages").iterdir())
    found = build_similar_pairs.sentences(corpus)
    unique = sorted({s for page in sorted(found) for s in found[page] if "\t" not in s})
    # mtime=0: the same corpus gives the same bytes (the benchmark data's fingerprint reads them).
    OUT.write_bytes(gzip.compress(("\n".join(unique) + "\n").encode("utf-8"), mtime=0))
    print(f"{len(unique)} sentences → {OUT}")


if __name__ == "__main__":
    main()
