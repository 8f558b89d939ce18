"""The big dispute's page in-process, with every cache empty and with its fragments cached.

The HTTP figure "big dispute, uncached" asks a query string never asked before, so the
body is rendered on every request; its rows, its ClaimReview and its cards come from the
caches kept per page stamp (claims/card_cache.py, ``_page_data`` in claims/views/
disputes.py). What the first view after a write costs, when those are empty too, is
measured here: the cache is cleared before each request (so each one reads the rows and
renders every card, as every view did before the fragments were cached). CPU time per
request in this process (Django's test client, DEBUG off), the median of the rounds, against
the trivial ceiling view measured the same way; ratio = ceiling time / page time.
"""

import os
import secrets
import statistics
import time

from benchmarks.common import Figure, module_arguments, setup_django, spread, wait_for_quiet, write_figures
from benchmarks.run import WORK

GROUP = "dispute"


def main() -> None:
    args = module_arguments(__doc__)
    # As the served site: DEBUG off (from the harness), static files collected by the server phase.
    os.environ.setdefault("STATIC_ROOT", str(WORK / "static"))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["BENCH_ENDPOINTS"] = "1"
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client

    from benchmarks.prepare import EDITOR
    from claims.models import Dispute

    # The big dispute (200 claims / 50 evidence / 100 articles), found as benchmarks/prepare.py finds it.
    big = Dispute.objects.annotate(n=Count("claims")).order_by("-n").first()
    if big is None:
        write_figures(args.out, [])
        return
    path = big.get_absolute_url()
    anonymous = Client()
    editor = Client()
    editor.force_login(get_user_model().objects.get(username=EDITOR))
    requests = 10 if args.quick else 20
    rounds = 2 if args.quick else 3

    def per_request(client: Client, url, *, cold: bool) -> float:
        client.get(url() if callable(url) else url)  # warm: imports, templates, connections
        spent = 0.0
        for _ in range(requests):
            if cold:
                cache.clear()
                if client is editor:  # with a shared cache the session lives there too (cached_db): read it back now
                    client.get("/_bench/ceiling/")
            started = time.process_time()
            response = client.get(url() if callable(url) else url)
            spent += time.process_time() - started
            assert response.status_code == 200, response.status_code
        return spent / requests * 1000

    def fresh() -> str:
        return f"{path}?fresh={secrets.token_hex(6)}"

    cases = [
        ("big dispute, anonymous, cold (every cache empty: rows read, every card rendered)", anonymous, fresh, True),
        ("big dispute, anonymous, new query string (rows and cards cached per page stamp)", anonymous, fresh, False),
        ("big dispute, editor, cold (every cache empty)", editor, path, True),
        ("big dispute, editor (rows and cards cached per page stamp)", editor, path, False),
    ]
    figures = []
    for name, client, url, cold in cases:
        page, ceiling, loads, quiet = [], [], [], True
        for _ in range(rounds):
            q = wait_for_quiet()
            quiet &= q.came
            loads.append(round(q.load, 2))
            ceiling.append(per_request(anonymous, "/_bench/ceiling/", cold=False))
            page.append(per_request(client, url, cold=cold))
        value, reference = statistics.median(page), statistics.median(ceiling)
        figures.append(
            Figure(
                group=GROUP,
                name=f"{name}, CPU per request in-process",
                value=round(value, 2),
                unit="ms",
                reference=round(reference, 2),
                reference_name="ceiling view, in-process",
                ratio=round(reference / value, 4),
                spread=spread(page),
                load=loads,
                quiet=quiet,
            )
        )
    write_figures(args.out, figures)


if __name__ == "__main__":
    main()
