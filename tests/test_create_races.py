"""Two editors creating the same thing at the same moment: both succeed, nothing is a 500.

Real threads on PostgreSQL, made to collide every time: the first create is held
uncommitted until the second is waiting on its row lock (seen in ``pg_locks``), then
committed. The database's unique index is the arbiter; the services retry with a new
slug or reuse what the other editor made.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from claims import services
from claims.models import Claim, Dispute, Party, Stance

from .factories import DisputeFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]

DEADLINE = 20.0


def _is_waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid])
        return cursor.fetchone()[0]


def collide(first: Callable[[], object], second: Callable[[], object]) -> tuple[list, list]:
    """Run ``first`` in a transaction held open until ``second`` waits on it; return (results, errors)."""
    results, errors = [], []
    second_pid: list[int] = []
    first_inserted, second_started = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                results.append(first())
                first_inserted.set()
                second_started.wait(DEADLINE)
                deadline = time.monotonic() + DEADLINE
                while not _is_waiting_for_a_lock(second_pid[0]):
                    assert time.monotonic() < deadline, "the second create never waited for the first"
                    time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            first_inserted.set()
        finally:
            connections.close_all()

    def run_second() -> None:
        try:
            first_inserted.wait(DEADLINE)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_started.set()
            results.append(second())
        except Exception as error:  # noqa: BLE001
            errors.append(error)
            second_started.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE * 2)
    return results, errors


def test_two_disputes_with_one_proposition_at_once_both_saved(editor):
    proposition = "A Russian Su-27 struck the MQ-9's propeller."

    def create():
        return services.dispute_create(user=editor, proposition=proposition)

    results, errors = collide(create, create)
    assert errors == []
    assert len(results) == 2
    slugs = sorted(Dispute.objects.values_list("slug", flat=True))
    assert slugs == ["a-russian-su-27-struck-the-mq-9s-propeller", "a-russian-su-27-struck-the-mq-9s-propeller-2"]


def test_two_editors_naming_one_new_party_at_once_share_it(editor):
    dispute = DisputeFactory()

    def claim(stance):
        return lambda: services.claim_create(
            dispute=dispute, user=editor, new_party="Wagner Group", stance=stance, quote=f"We {stance}."
        )

    results, errors = collide(claim(Stance.AFFIRMS), claim(Stance.DENIES))
    assert errors == []
    assert Party.objects.filter(name="Wagner Group").count() == 1
    assert set(Claim.objects.values_list("party__name", flat=True)) == {"Wagner Group"}
    assert Claim.objects.count() == 2


def test_two_parties_whose_names_make_one_slug_both_saved(editor):
    dispute = DisputeFactory()

    def claim(name):
        return lambda: services.claim_create(dispute=dispute, user=editor, new_party=name, stance="affirms", quote="Q.")

    results, errors = collide(claim("Ministry of Defence"), claim("Ministry of Defence!"))
    assert errors == []
    assert sorted(Party.objects.values_list("slug", flat=True)) == ["ministry-of-defence", "ministry-of-defence-2"]


def test_two_opposite_claims_saved_at_once_make_the_dispute_disputed(editor):
    from .factories import PartyFactory

    dispute = DisputeFactory()
    us, russia = PartyFactory(name="United States"), PartyFactory(name="Russia")

    def claim(party, stance):
        return lambda: services.claim_create(dispute=dispute, user=editor, party=party, stance=stance, quote="Q.")

    results, errors = collide(claim(us, Stance.AFFIRMS), claim(russia, Stance.DENIES))
    assert errors == []
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DISPUTED
