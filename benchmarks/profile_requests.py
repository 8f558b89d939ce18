"""One page, request by request, in-process: its queries, its cache round trips and its CPU.

Not a benchmark (nothing is written to the report): the tool the figures in
docs/performance.md ("Per-request work on the cheap paths") were taken with. Run it against
a benchmark database and cache, as the served site is configured (DEBUG off)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_2000 \\
    CACHE_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python -m benchmarks.profile_requests demo feed-304 party ceiling [--profile 25]

Names: ``demo`` (the demo dispute, anonymous), ``demo-304`` (its repeat view), ``feed``,
``feed-304``, ``party``, ``party-editor``, ``big``, ``ceiling``; or any path. Each is warmed
once, then asked ``--requests`` times; the queries and cache calls listed are those of the
last request (each call to the cache is one round trip to Redis).
"""

import argparse
import cProfile
import os
import pstats
import time
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="Print the top N functions by cumulative time.")
    parser.add_argument("--verbose", action="store_true", help="List the queries and cache calls.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "profile-requests-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["BENCH_ENDPOINTS"] = "1"
    os.environ.setdefault("CONN_MAX_AGE", "600")
    from benchmarks.run import WORK

    os.environ.setdefault("STATIC_ROOT", str(WORK / "static"))  # collected by make bench's server phase
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from benchmarks.prepare import EDITOR
    from claims.models import Dispute, Party

    demo = Dispute.objects.get(slug="russian-jet-contact-with-mq9").get_absolute_url()
    party = Party.objects.filter(slug__startswith="synthetic-1-").order_by("pk").first()
    party_url = party.get_absolute_url() if party else "/"
    from django.db.models import Count

    big = Dispute.objects.annotate(n=Count("claims")).order_by("-n").first().get_absolute_url()
    anonymous, editor = Client(), Client()
    editor.force_login(get_user_model().objects.get(username=EDITOR))

    def conditional(client: Client, path: str) -> dict:
        etag = client.get(path).headers.get("ETag", "")
        return {"HTTP_IF_NONE_MATCH": etag}

    named = {
        "demo": (anonymous, demo, False),
        "demo-304": (anonymous, demo, True),
        "big": (anonymous, big, False),
        "feed": (anonymous, "/feeds/disputed/", False),
        "feed-304": (anonymous, "/feeds/disputed/", True),
        "party": (anonymous, party_url, False),
        "party-editor": (editor, party_url, False),
        "ceiling": (anonymous, "/_bench/ceiling/", False),
    }

    # Every call to the default cache is one round trip (Redis); counted by method.
    calls: list[str] = []
    cache = caches["default"]
    for method in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "touch", "has_key"):
        original = getattr(cache, method)

        def counted(*a, _original=original, _method=method, **kw):
            calls.append(f"{_method} {str(a[0])[:60] if a else ''}")
            return _original(*a, **kw)

        setattr(cache, method, counted)
    queries: list[str] = []

    def count_query(execute, sql, params, many, context):
        queries.append(sql[:160])
        return execute(sql, params, many, context)

    for name in args.pages:
        client, path, cond = named.get(name, (anonymous, name, False))
        headers = conditional(client, path) if cond else {}
        response = client.get(path, **headers)
        status, size = response.status_code, len(response.content)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            calls.clear()
            queries.clear()
            with connection.execute_wrapper(count_query):
                client.get(path, **headers)
        if profiler:
            profiler.disable()
        spent = (time.process_time() - started) / args.requests * 1000
        by_kind = Counter(call.split()[0] for call in calls)
        print(
            f"{name:14} {status} {size:>7} B  {spent:6.2f} ms CPU/request  "
            f"queries {len(queries)}  cache round trips {len(calls)} {dict(by_kind)}"
        )
        if args.verbose:
            for sql in queries:
                print("   sql  ", sql)
            for call in calls:
                print("   cache", call)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
