"""A reader of gettext .po files, enough for the catalogue tests (tests/test_translations.py).

Reads what ``makemessages``/``msgmerge`` write: comments and flags, ``msgctxt``, ``msgid``,
``msgid_plural``, ``msgstr`` and ``msgstr[n]``, strings continued over several lines.
Obsolete entries (``#~``) are kept apart.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str = ""
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] if self.msgid_plural else [self.msgstr]


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read(path: Path) -> list[Entry]:
    """Every entry of the file, the header (msgid "") first."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if current is not None and (current.msgid or current.msgctxt is not None):
                    finish()
                current = current or Entry()
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = _unquote(line)
            assert current is not None and target is not None, f"{path}: a continued string outside an entry"
            name, index = target
            if index is None:
                setattr(current, name, getattr(current, name) + value)
            else:
                current.msgstr_plural[index] += value
            continue
        if keyword == "msgctxt" or (keyword == "msgid" and current is not None and current.msgid):
            if current is not None and (current.msgid or (keyword == "msgctxt" and current.msgctxt is not None)):
                finish()
        if current is None:
            current = Entry()
        current.obsolete = current.obsolete or obsolete
        if keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.msgstr_plural[index] = _unquote(rest)
            target = ("msgstr_plural", index)
        else:
            setattr(current, keyword, _unquote(rest))
            target = (keyword, None)
    finish()
    return entries
