"""The benchmark report (benchmarks/run.py) opens with the issue's targets: how many were met and which were not."""

from benchmarks import run
from benchmarks.common import Figure


def test_the_report_lists_the_missed_targets_first(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    meta = {"started": "now", "duration_s": 1.0, "machine": "m", "database": "d", "rounds": 1, "seconds": 1}
    meta |= {"quick": True, "sizes": [2000]}
    figures = [
        Figure("home", "home, anonymous", 500.0, "req/s", reference=3000.0, ratio=0.17, target="≥ 10% of ceiling"),
        Figure("feeds", "feed 304", 1500.0, "req/s", reference=3000.0, ratio=0.5, target="≥ 70% of ceiling"),
        Figure("search", "search, uncached", 80.0, "req/s", target="p95 ≤ 50 ms", extra={"p95_ms": 61.0}),
        Figure("home", "home, editor htmx", 900.0, "req/s", reference=3000.0, ratio=0.3),
    ]
    figures[0].met, figures[1].met, figures[2].met = True, False, False
    run.write_report(figures, meta, name="t")
    report = (tmp_path / "t.md").read_text()
    summary = report.split("## Targets", 1)[1].split("## home", 1)[0]
    assert "1 of 3 targets met in this run." in summary
    assert "- feeds: feed 304: ratio 0.50, target ≥ 70% of ceiling" in summary
    assert "- search: search, uncached: p95 61.0 ms, target p95 ≤ 50 ms" in summary
    assert "home, anonymous" not in summary and "100,000 disputes" in summary
