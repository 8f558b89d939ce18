"""The shipped translation catalogue: complete, not fuzzy, in step with the source, compiled.

A string added to a template or to the code without its Russian fails here (out of date, or
untranslated once `make messages` has run); so does a .mo left behind its .po.
"""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from claims import labels
from claims.management.commands.updatemessages import MAKEMESSAGES_OPTIONS, shipped_languages
from claims.models import Claim

from . import po_files

ROOT = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _po(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def _entries(language: str) -> list[po_files.Entry]:
    return [e for e in po_files.read(_po(language)) if e.msgid and not e.obsolete]


def _plural_count(language: str) -> int:
    header = po_files.read(_po(language))[0].msgstr
    return int(re.search(r"nplurals=(\d+)", header).group(1))


LANGUAGES = shipped_languages()


def test_russian_is_shipped():
    assert LANGUAGES == ["ru"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    entries = _entries(language)
    assert len(entries) > 700
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not all(t.strip() for t in e.translations)]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert "fuzzy" not in po_files.read(_po(language))[0].flags, "the header is fuzzy: msgfmt would drop it"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plurals_have_every_form_of_the_language(language):
    forms = _plural_count(language)
    for entry in _entries(language):
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(forms)), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    """A translation that drops or misspells %(name)s would break or lose the value at run time."""
    for entry in _entries(language):
        wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        for text in entry.translations:
            found = set(PLACEHOLDER.findall(text))
            # A singular form may leave the count out ("ещё одно"); nothing else may be missing or new.
            assert found <= wanted, (entry.msgid, text)
            assert wanted - found <= ({("count", ""), ("total", "")} if entry.msgid_plural else set()), (
                entry.msgid,
                text,
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    """The .mo is committed (a fresh clone runs without gettext tools); it must say what the .po says."""
    mo = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for entry in _entries(language):
        context = f"{entry.msgctxt}\x04" if entry.msgctxt else ""
        if entry.msgid_plural:
            for n, text in ((1, entry.msgstr_plural[0]), (2, entry.msgstr_plural[1]), (5, entry.msgstr_plural[2])):
                key = (context + entry.msgid, compiled.plural(n))
                assert compiled._catalog.get(key) == text, f"{entry.msgid} (n={n}): run `make messages`"
        else:
            assert compiled._catalog.get(context + entry.msgid) == entry.msgstr, f"{entry.msgid}: run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_up_to_date_with_the_source(language, tmp_path):
    """makemessages run on a copy of the source finds exactly the msgids the committed .po has."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.fail("GNU gettext is needed to check the catalogue: scripts/ensure-gettext (apt-get install gettext)")
    for name in ["claims", "templates", "tracker", "static", "locale"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", f"--locale={language}", *MAKEMESSAGES_OPTIONS],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "VAR_DIR": str(tmp_path / "var"), "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    fresh = {e.key for e in po_files.read(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po") if e.msgid}
    committed = {e.key for e in _entries(language)}
    assert not fresh - committed, (
        f"strings missing from the catalogue (run `make messages`): {sorted(fresh - committed)[:10]}"
    )
    assert not committed - fresh, (
        f"strings no longer in the source (run `make messages`): {sorted(committed - fresh)[:10]}"
    )


def test_every_model_and_field_name_is_in_the_catalogue():
    """The admin, history pages and forms name models and fields (claims/labels.py); each must be translatable."""
    with translation.override("en-gb"):
        for model in apps.get_app_config("claims").get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert str(model._meta.verbose_name) in labels.MODEL_NAMES, model
            assert str(model._meta.verbose_name_plural) in labels.MODEL_NAMES, model
            for model_field in model._meta.get_fields():
                if getattr(model_field, "concrete", False):
                    assert str(model_field.verbose_name) in labels.FIELD_NAMES, (model, model_field.name)


def test_the_admin_names_models_and_fields_in_russian(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    index = staff_client.get("/admin/").content.decode()
    assert "Споры" in index and "Заявления" in index
    form = staff_client.get("/admin/claims/dispute/add/").content.decode()
    assert "Тезис" in form and "Дата события" in form


def test_model_and_field_names_come_out_in_russian():
    with translation.override("ru"):
        assert labels.model_name(Claim) == "заявление"
        assert labels.field_label(Claim, "said_on") == "Дата заявления"
    with translation.override("en-gb"):
        assert labels.field_label(Claim, "said_on") == "Said on"
