"""Build one size of benchmark data and describe it: ``python -m benchmarks.prepare SIZE [--build]``.

Runs against whatever ``DATABASE_URL`` says (``benchmarks/run.py`` points it at a
database of its own per size). Migrates; with ``--build`` also synthesizes SIZE disputes,
one big dispute (200 claims / 50 evidence / 100 articles), the demo story, then
ANALYZE. Always: make sure a benchmark editor with a session exists, and print one
line of JSON with what the load generator needs (slugs, the session cookie, search terms).
"""

import argparse
import json
import random
import sys
import time

from benchmarks.common import setup_django

BIG = {"claims": 200, "evidence": 50, "articles": 100}
EDITOR = "bench-editor"
# Words of claims.synthetic.WORDS that most disputes contain: common, ranked terms.
COMMON_TERMS = [
    "drone",
    "missile",
    "radar",
    "convoy",
    "pipeline",
    "satellite",
    "ceasefire",
    "border",
    "vessel",
    "pilot",
]


def claims_per_dispute(size: int) -> int:
    # The large size is 100,000 disputes with about a million claims.
    return 10 if size >= 50_000 else 6


def build(size: int) -> None:
    from django.db import connection

    from claims.demo import load_demo
    from claims.synthetic import synthesize

    started = time.monotonic()
    synthesize(disputes=size, claims_per_dispute=claims_per_dispute(size), seed=1)
    synthesize(
        disputes=1,
        claims_per_dispute=BIG["claims"],
        evidence_per_dispute=BIG["evidence"],
        articles_per_dispute=BIG["articles"],
        seed=2,
        published_share=1.0,
    )
    load_demo()
    with connection.cursor() as cursor:
        # Fresh bulk-loaded tables have no statistics (and no visibility map); autovacuum
        # would have seen to both in production.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"built {size} disputes in {time.monotonic() - started:.0f}s", file=sys.stderr)


def describe() -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from claims import roles
    from claims.models import Dispute, Party
    from claims.synthetic import PLACES

    user, _ = get_user_model().objects.get_or_create(username=EDITOR)
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend the site signs users in with: a session naming one that is not configured is
    # no session at all (the "editor" rows measured a visitor until this named RoleBackend).
    session[BACKEND_SESSION_KEY] = "claims.auth_backend.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(7 * 24 * 3600)
    session.save()

    big = Dispute.objects.annotate(n=Count("claims")).order_by("-n").first()
    demo = Dispute.objects.get(slug="russian-jet-contact-with-mq9")
    party = Party.objects.filter(slug__startswith="synthetic-1-").order_by("pk").first()
    rng = random.Random(5)
    return {
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "big_dispute": big.get_absolute_url(),
        "demo_dispute": demo.get_absolute_url(),
        "party": party.get_absolute_url(),
        "selective_terms": rng.sample(PLACES, 20),
        "common_terms": COMMON_TERMS,
        "disputes": Dispute.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", type=int)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    # Reused data still gets any new migration (an index, a column) before it is measured.
    call_command("migrate", verbosity=0, interactive=False)
    if args.build:
        build(args.size)
    print(json.dumps(describe()))


if __name__ == "__main__":
    main()
