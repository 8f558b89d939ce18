"""``manage.py updatemessages``: the translation catalogue brought up to date with the source, then compiled.

One place for makemessages' options, so the catalogue is always made the same way: by hand
(``make messages``) and by the test that fails when it is out of date
(``tests/test_translations.py``). Needs GNU gettext (``scripts/ensure-gettext``).
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Folders that hold no interface text (tests, tools, the virtualenv, collected static files).
IGNORED = [".venv", "venv", "benchmarks", "tests", "staticfiles", "var", "scripts", "test-artifacts", "node_modules"]
MAKEMESSAGES_OPTIONS = ["--no-location", "--no-obsolete", *(f"--ignore={name}" for name in IGNORED)]


def shipped_languages() -> list[str]:
    """The interface's languages other than the one it is written in (locale names: ``ru``)."""
    source = settings.LANGUAGE_CODE.split("-")[0]
    return [code.replace("-", "_") for code, _name in settings.LANGUAGES if code.split("-")[0] != source]


class Command(BaseCommand):
    help = "Update locale/<lang>/LC_MESSAGES/django.po from the source and compile the .mo files."

    def handle(self, *args, **options) -> None:
        for language in shipped_languages():
            catalogue = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
            before = catalogue.read_text(encoding="utf-8") if catalogue.exists() else ""
            call_command("makemessages", f"--locale={language}", *MAKEMESSAGES_OPTIONS)
            _keep_creation_date(catalogue, before)
            call_command("compilemessages", f"--locale={language}")


POT_DATE = re.compile(r'^"POT-Creation-Date: [^"]*"$', re.M)


def _keep_creation_date(catalogue: Path, before: str) -> None:
    """makemessages stamps the catalogue with the time it ran: every run by anyone then changes
    the file, and two branches that both ran it conflict on that line alone. The old stamp is kept."""
    old = POT_DATE.search(before)
    if old is None or not catalogue.exists():
        return
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(POT_DATE.sub(lambda _match: old.group(0), text, count=1), encoding="utf-8")
