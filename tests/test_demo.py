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
        # A reconstructed wording is not verbatim (marked so); what it is rebuilt from must be.
        wording = claim.translation if claim.quote_reconstructed else claim.quote
        assert wording
        for sentence in wording.replace("…", ".").split(". "):
            fragment = sentence.strip().rstrip(".")
            if len(fragment) > 10:
                assert fragment.lower() in text.lower(), fragment


def test_demo_loader_is_idempotent(capsys):
    call_command("loaddemo")
    before = counts()
    call_command("loaddemo")
    assert counts() == before
    assert "nothing changed" in capsys.readouterr().out


def _article():
    return (Path(__file__).parent / "data" / "black-sea-drone-article.txt").read_text()


def test_demo_has_a_russian_wording_beside_its_english_translation(client):
    call_command("loaddemo")
    contact = Dispute.objects.get(slug="russian-jet-contact-with-mq9")
    denial = contact.claims.get(party__slug="russia", stance=Stance.DENIES)
    assert denial.quote_language == "ru" and denial.translation and denial.translation_origin == "editor"
    # The article carries the denial in English only: the Russian is rebuilt from it and marked so.
    assert denial.quote_reconstructed and denial.quote not in _article()
    html = client.get(contact.get_absolute_url()).content.decode()
    card = html[html.index(f'id="claim-{denial.pk}"') :]
    card = card[: card.index("</article>")]
    assert "Reconstructed wording, in Russian: a paraphrase, not verbatim" in card
    assert 'lang="ru" dir="ltr"' in card and denial.quote in card
    assert denial.translation in card and "Translation by Al Jazeera" in card
    # Not looked for in the English article by the checker.
    from claims.checking.reading import record_quotes
    from claims.models import SourceCheck

    check = SourceCheck.objects.create(source=denial.source, text=_article(), outcome="ok")
    assert denial.pk not in {q.claim_id for q in record_quotes(check, denial.source)}


def test_demo_has_a_superseded_claim_and_a_shifted_position(client):
    call_command("loaddemo")
    airspace = Dispute.objects.get(slug="drone-in-international-airspace")
    first, later = airspace.claims.filter(party__slug="russia").order_by("said_on", "pk")
    assert (first.stance, later.stance) == (Stance.QUALIFIED, Stance.DENIES)
    assert first.said_on < later.said_on
    assert first.standing == "superseded" and first.superseded_by == later
    assert first.standing_note.rstrip(".") in _article()
    # The superseded claim is out of the status: the US affirms and Lavrov denies.
    assert airspace.status == Dispute.Status.DISPUTED
    html = client.get(airspace.get_absolute_url()).content.decode()
    assert "Superseded by a later claim" in html and f"#claim-{later.pk}" in html


def test_a_demo_loaded_before_the_story_gained_its_russian_wording_is_brought_up_to_date(capsys):
    call_command("loaddemo")
    denial = Claim.objects.get(dispute__slug="russian-jet-contact-with-mq9", party__slug="russia")
    superseded = Claim.objects.get(standing="superseded")
    Claim.objects.filter(pk=denial.pk).update(
        quote="", quote_language="", quote_reconstructed=False, translation="", translation_origin="", translator=""
    )
    Claim.objects.filter(pk=superseded.pk).update(standing="current", superseded_by=None, standing_note="")
    before = counts()
    call_command("loaddemo")
    denial.refresh_from_db()
    assert denial.quote_language == "ru" and denial.quote_reconstructed
    assert Claim.objects.get(pk=superseded.pk).standing == "superseded"
    assert counts()["Claim"] == before["Claim"]


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
