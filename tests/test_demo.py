from pathlib import Path

import pytest
from django.core.management import call_command

from claims.models import Claim, Dispute, Evidence, Party, Source, Speaker, Stance

pytestmark = pytest.mark.django_db


def counts():
    return {m.__name__: m.objects.count() for m in (Party, Speaker, Dispute, Claim, Evidence, Source)} | {
        "history": Claim.history.count() + Dispute.history.count()
    }


def test_demo_story_loads_the_black_sea_disputes(capsys):
    call_command("loaddemo")
    assert Dispute.objects.published().count() >= 4
    contact = Dispute.objects.get(slug="russian-jet-contact-with-mq9")
    assert contact.status == Dispute.Status.DISPUTED
    milley = contact.claims.get(speaker__name="Mark Milley")
    assert milley.stance == Stance.AFFIRMS
    assert "We have absolute evidence of the contact" in milley.quote
    assert contact.claims.filter(party__slug="russia", stance=Stance.DENIES).exists()
    assert contact.evidence.get().kind == Evidence.Kind.FOOTAGE
    assert Source.objects.filter(title__contains="Prevent miscalculation").exists()
    for slug in ["intercept-was-intentional", "russia-downed-the-drone", "drone-in-international-airspace"]:
        assert Dispute.objects.filter(slug=slug).exists()
    assert "Demo story loaded" in capsys.readouterr().out


def test_demo_quotes_are_verbatim_from_the_seed_article():
    # A copy of ../shared/seed/black-sea-drone-article.txt, kept with the tests so CI has it.
    text = (Path(__file__).parent / "data" / "black-sea-drone-article.txt").read_text()
    call_command("loaddemo")
    for claim in Claim.objects.exclude(quote=""):
        for sentence in claim.quote.replace("…", ".").split(". "):
            fragment = sentence.strip().rstrip(".")
            if len(fragment) > 10:
                assert fragment in text, fragment


def test_demo_loader_is_idempotent(capsys):
    call_command("loaddemo")
    before = counts()
    call_command("loaddemo")
    assert counts() == before
    assert "nothing changed" in capsys.readouterr().out


HISTORY_MODELS = (Party, Speaker, Dispute, Claim, Evidence, Source)


def test_every_demo_history_row_says_the_demo_account_wrote_it(client, django_user_model):
    """History pages show who made each version; the demo story is the ``demo`` account's,
    not "the system"'s."""
    from claims.models import ArticleLink, EvidenceLink

    call_command("loaddemo")
    demo = django_user_model.objects.get(username="demo")
    rows = 0
    for model in (*HISTORY_MODELS, EvidenceLink, ArticleLink):
        rows += model.history.count()
        assert not model.history.exclude(history_user=demo).exists(), model.__name__
    assert rows > 20
    dispute = Dispute.objects.get(slug="russian-jet-contact-with-mq9")
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    page = client.get(f"/history/dispute/{dispute.pk}/").content.decode()
    assert "by demo" in page and "the system" not in page


def test_history_author_leaves_a_requests_user_alone(rf, django_user_model):
    from simple_history.models import HistoricalRecords

    from claims import services

    editor = django_user_model.objects.create(username="someone")
    request = rf.get("/")
    request.user = editor
    HistoricalRecords.context.request = request
    try:
        with services.history_author(django_user_model.objects.create(username="other")):
            assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request
    with services.history_author(editor):
        assert HistoricalRecords.context.request.user == editor
    assert getattr(HistoricalRecords.context, "request", None) is None
