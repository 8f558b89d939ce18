"""Every management command that writes the ledger does it through ``claims.services``, so
a command's rows come out as an editor's would: status, feed items, versions, the author.

Each save of a ledger model (disputes, claims, evidence, its links, article links) made
while a command runs must come from inside ``claims/services.py``. Every command of the
app is listed here with how to run it, so a new command fails this test until it says.
``synthesize`` is the documented exception: a development tool for benchmarks that writes
in bulk on its own reserved host (``claims/synthetic.py``) and never runs on real data."""

import tempfile
import traceback
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

from claims import services
from claims.models import ArticleLink, Claim, Dispute, Evidence, EvidenceLink, FeedItem

from .factories import ClaimFactory, UserFactory
from .test_claim_languages import MINISTRY_RU

pytestmark = pytest.mark.django_db

LEDGER = (Dispute, Claim, Evidence, EvidenceLink, ArticleLink)
SERVICES = str(Path(services.__file__).resolve())

HOW_TO_RUN = {
    "loaddemo": lambda: call_command("loaddemo"),
    "create_editor": lambda: call_command("create_editor", "alice", "--role", "senior", "--password", "pw-for-tests"),
    "create_api_token": lambda: call_command("create_api_token", UserFactory(username="tok").username, "--name", "t"),
    "check_sources": lambda: call_command("check_sources", "--url", "https://example.org/a-story"),
    "detect_quote_languages": lambda: call_command("detect_quote_languages"),
    "import_claims": lambda: _import_a_file(),
}
# What a command needs in the database to have something to write (made before the saves are watched).
PREPARE = {
    "detect_quote_languages": lambda: ClaimFactory(quote=MINISTRY_RU, quote_language=""),
}


def _import_a_file() -> None:
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(b"proposition,party,speaker,stance,quote,source_url\n")
        file.write(b"A jet hit the drone.,Russia,Igor K.,denies,No contact.,https://example.org/a\n")
        file.flush()
        call_command("import_claims", file.name, "--commit")
    assert Claim.objects.exists()


EXEMPT = {
    "synthesize": "a development tool for benchmarks, documented as writing in bulk (claims/synthetic.py)",
    "updatemessages": "writes the translation catalogue (locale/), never the database",
}


def test_every_command_is_listed():
    ours = {name for name, app in get_commands().items() if app == "claims"}
    assert ours == set(HOW_TO_RUN) | set(EXEMPT), "say how to run the new command here"


@pytest.fixture
def ledger_saves(monkeypatch):
    """Every save of a ledger model, with whether claims/services.py was on the stack."""
    saves = []
    for model in LEDGER:
        original = model.save

        def save(self, *args, _original=original, **kwargs):
            via_services = any(frame.filename == SERVICES for frame in traceback.extract_stack())
            saves.append((type(self).__name__, via_services))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(model, "save", save)
    return saves


@pytest.mark.parametrize("command", sorted(HOW_TO_RUN))
def test_the_command_writes_the_ledger_only_through_services(command, ledger_saves, capsys):
    if command in PREPARE:
        PREPARE[command]()
        ledger_saves.clear()
    HOW_TO_RUN[command]()
    direct = [name for name, via_services in ledger_saves if not via_services]
    assert not direct, f"{command} saved {direct} without going through claims.services"
    if command in PREPARE:
        assert ledger_saves, f"{command} had something to write and wrote nothing"


def test_the_demo_story_is_written_as_an_editors_work(ledger_saves):
    call_command("loaddemo")
    assert ledger_saves, "the demo writes the ledger"
    author = Dispute.objects.first().created_by
    assert author is not None and author.username == "demo" and not author.has_usable_password()
    for model in (Dispute, Claim, Evidence):
        assert not model.objects.exclude(created_by=author).exists(), model.__name__
    for dispute in Dispute.objects.all():
        assert dispute.is_published and dispute.published_at is not None
        # The feed items the services' saves record: one per claim and per piece of evidence.
        assert FeedItem.objects.filter(dispute=dispute).count() >= dispute.claims.count()
        assert dispute.history.exists()
    assert EvidenceLink.objects.exists()


def test_a_draft_taken_back_stays_a_draft_when_the_demo_is_loaded_again():
    call_command("loaddemo")
    dispute = Dispute.objects.order_by("pk").first()
    dispute.is_published = False
    dispute.save()
    call_command("loaddemo")
    dispute.refresh_from_db()
    assert not dispute.is_published
