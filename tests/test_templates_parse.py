"""Every template's source as Django reads it: no template syntax left over as page text.

Django's ``{# … #}`` comment is one line only; written over several lines it is not a
comment but text, and the page shows it (the head of every page once began with a
paragraph of developer notes). The same goes for a tag or variable broken over lines. The
lexer turns such a thing into a text token, which is what this looks for, in every
template the project ships (``{% verbatim %}`` blocks excepted: there the braces are meant).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

LEFTOVERS = ("{#", "#}", "{%", "%}", "{{", "}}")


def project_templates() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(settings.BASE_DIR) / "claims" / "templates"]
    return sorted(
        p for root in roots if root.is_dir() for p in root.rglob("*") if p.suffix in {".html", ".txt", ".xml"}
    )


def test_the_project_has_templates_to_look_at():
    names = {p.name for p in project_templates()}
    assert {"base.html", "dispute_detail.html"} <= names


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_syntax_is_left_as_page_text(path):
    verbatim = False
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        if token.token_type == TokenType.BLOCK:
            if token.contents.startswith("verbatim"):
                verbatim = True
            elif token.contents.startswith("endverbatim"):
                verbatim = False
        if token.token_type == TokenType.TEXT and not verbatim:
            left = [mark for mark in LEFTOVERS if mark in token.contents]
            assert not left, f"line {token.lineno}: {left} would show on the page: {token.contents.strip()[:120]!r}"
