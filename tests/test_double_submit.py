"""A form sent twice — double click, resend, or two requests at the same moment — adds one thing."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from claims import services
from claims.models import ArticleLink, Claim, Dispute, Evidence, EvidenceLink

from .factories import ClaimFactory, DisputeFactory, EvidenceFactory, PartyFactory, UserFactory
from .helpers import HTMX
from .test_create_races import collide


def form_key(response) -> str:
    match = re.search(r'name="submission" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "the form carries its one-time key"
    return match.group(1)


def claim_data(client, dispute, **extra) -> dict:
    page = client.get(f"/disputes/{dispute.slug}/claims/new/")
    party = PartyFactory()
    return {
        "party": party.pk,
        "stance": "affirms",
        "quote": "We have absolute evidence of the contact.",
        "said_on_precision": "day",
        "submission": form_key(page),
    } | extra


@pytest.mark.django_db
def test_the_same_claim_form_sent_twice_adds_one_claim(editor_client):
    dispute = DisputeFactory()
    data = claim_data(editor_client, dispute)
    first = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    second = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    assert Claim.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == Claim.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_a_resent_htmx_claim_form_does_not_add_a_second_card(editor_client):
    dispute = DisputeFactory()
    data = claim_data(editor_client, dispute)
    first = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data, **HTMX)
    second = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data, **HTMX)
    assert Claim.objects.count() == 1
    assert "hx-swap-oob" in first.content.decode()
    assert "hx-swap-oob" not in second.content.decode()
    assert "Add a claim" in second.content.decode()


@pytest.mark.django_db
def test_two_renderings_of_the_form_add_two_claims(editor_client):
    dispute = DisputeFactory()
    for _ in range(2):
        editor_client.post(f"/disputes/{dispute.slug}/claims/new/", claim_data(editor_client, dispute))
    assert Claim.objects.count() == 2


@pytest.mark.django_db
def test_a_form_that_failed_validation_can_be_fixed_and_sent(editor_client):
    dispute = DisputeFactory()
    data = claim_data(editor_client, dispute)
    refused = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data | {"quote": "", "paraphrase": ""})
    assert refused.status_code == 200 and form_key(refused) == data["submission"]
    assert editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data).status_code == 302
    assert Claim.objects.count() == 1


@pytest.mark.django_db
def test_another_users_key_is_not_their_result(editor_client, client):
    dispute = DisputeFactory()
    data = claim_data(editor_client, dispute)
    editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    from claims import roles

    client.force_login(UserFactory(username="olga", roles=[roles.EDITORS]))
    client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    assert Claim.objects.count() == 2


@pytest.mark.django_db
def test_resending_after_the_result_was_deleted_adds_nothing(editor_client, senior):
    dispute = DisputeFactory()
    data = claim_data(editor_client, dispute)
    editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data)
    services.claim_delete(claim=Claim.objects.get(), user=senior)
    response = editor_client.post(f"/disputes/{dispute.slug}/claims/new/", data, follow=True)
    assert Claim.objects.count() == 0
    assert "already been sent" in response.content.decode()


@pytest.mark.django_db
def test_dispute_form_sent_twice_makes_one_dispute(editor_client):
    page = editor_client.get("/disputes/new/")
    data = {"proposition": "The drone was in international airspace.", "submission": form_key(page)}
    first = editor_client.post("/disputes/new/", data)
    second = editor_client.post("/disputes/new/", data)
    assert Dispute.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.django_db
def test_evidence_form_sent_twice_adds_one_evidence(editor_client):
    dispute = DisputeFactory()
    page = editor_client.get(f"/disputes/{dispute.slug}/evidence/new/")
    data = {"kind": "footage", "title": "Declassified footage", "released_on_precision": "day"}
    data["submission"] = form_key(page)
    for _ in range(2):
        editor_client.post(f"/disputes/{dispute.slug}/evidence/new/", data, **HTMX)
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_article_form_sent_twice_links_once_without_an_error(editor_client):
    dispute = DisputeFactory()
    page = editor_client.get(f"/disputes/{dispute.slug}/articles/new/")
    data = {"url": "https://news.example.org/later", "relation": "reports", "linked_on": "2023-03-20"}
    data["submission"] = form_key(page)
    first = editor_client.post(f"/disputes/{dispute.slug}/articles/new/", data)
    second = editor_client.post(f"/disputes/{dispute.slug}/articles/new/", data)
    assert ArticleLink.objects.count() == 1
    assert first.status_code == 302
    # The resend is answered as the first was (the same redirect), never a second link or an error.
    assert second.status_code == 302 and second["Location"] == first["Location"]


@pytest.mark.django_db
def test_evidence_link_form_sent_twice_links_once(editor_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(dispute=claim.dispute)
    page = editor_client.get(f"/evidence/{evidence.pk}/links/new/")
    data = {"bears_on": f"claim:{claim.pk}", "effect": "supports", "strength": "strong", "note": ""}
    data["submission"] = form_key(page)
    for _ in range(2):
        editor_client.post(f"/evidence/{evidence.pk}/links/new/", data)
    assert EvidenceLink.objects.count() == 1


@pytest.mark.django_db
def test_every_edit_form_disables_its_button_while_sending(editor_client):
    claim = ClaimFactory()
    for url in (
        "/disputes/new/",
        f"/disputes/{claim.dispute.slug}/claims/new/",
        f"/claims/{claim.pk}/edit/",
        f"/disputes/{claim.dispute.slug}/evidence/new/",
        f"/disputes/{claim.dispute.slug}/articles/new/",
    ):
        html = editor_client.get(url, **HTMX).content.decode()
        assert "hx-disabled-elt=\"find button[type='submit']\"" in html, url


# At the same moment, on PostgreSQL --------------------------------------------------


@pytest.mark.parametrize("trial", range(5))
@pytest.mark.usefixtures("editor")
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="simultaneous requests need PostgreSQL")
def test_two_simultaneous_posts_of_one_form_add_one_claim(editor, trial):
    dispute = DisputeFactory()
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(editor)
    data = claim_data(clients[0], dispute)
    barrier = threading.Barrier(2)
    statuses = []

    def post(c: Client) -> None:
        try:
            barrier.wait(10)
            statuses.append(c.post(f"/disputes/{dispute.slug}/claims/new/", data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302, 302]
    assert Claim.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_second_submit_waiting_on_the_first_gets_its_claim(editor):
    dispute = DisputeFactory()
    party = PartyFactory()
    key = "0123456789abcdef0123456789abcdef"

    def send():
        return services.submit_once(
            user=editor,
            key=key,
            create=lambda: services.claim_create(
                dispute=dispute, user=editor, party=party, stance="denies", quote="No."
            ),
        )

    results, errors = collide(send, send)
    assert errors == []
    assert Claim.objects.count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert {obj.pk for obj, _ in results} == {Claim.objects.get().pk}
