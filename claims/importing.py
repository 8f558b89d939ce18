"""Import a backlog of disputes and claims from a CSV file (the columns of the claims export).

One function, :func:`import_claims`, serves the command (``manage.py import_claims``) and
the senior editors' page (``/import/``). It always runs the whole file through the services
inside one transaction, row by row in savepoints, and reports per row what was created,
matched or refused and why. A dry run (``commit=False``), or any refused row, rolls
everything back: an import is all or nothing, and the dry run shows exactly what the import
would do because it *is* the import, undone.

Matching, so that re-importing a file (or importing the export of the same disputes) changes
nothing: a dispute by ``dispute_slug`` or else by its proposition; a party by name; a speaker
by name within the party; a source by its normalised URL; a claim by its content (dispute,
party, stance, quote, paraphrase and date).

Files come from spreadsheets, so: UTF-8 with or without a byte-order mark, UTF-16 with one,
else Windows-1252 (said in the report); commas, semicolons or tabs; the apostrophe the
export puts before a formula-like cell is taken off again, and a cell that looks like a
spreadsheet formula is kept as text with a warning.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from claims import services
from claims.claims_csv import CLAIMS_CSV_COLUMNS
from claims.models import Claim, ClaimStanding, DatePrecision, Dispute, Party, Speaker, Stance, TranslationOrigin
from claims.models.sources import Source, normalize_source_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Cells the export escaped with an apostrophe (claims/views/exports.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KNOWN_COLUMNS = set(CLAIMS_CSV_COLUMNS)
# Longest cell accepted: a whole article pasted into one cell is a mistake, not a quote.
MAX_CELL_CHARS = 20_000


class ImportFileError(Exception):
    """The file as a whole cannot be read as a claims table; nothing was looked at row by row."""


@dataclass
class RowReport:
    line: int
    action: str  # "create", "match" or "refuse"
    summary: str
    details: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    committed: bool = False
    encoding: str = "utf-8"
    delimiter: str = ","
    unit: str = "line"  # what a row is: a line of a CSV file, a review of a ClaimReview file
    notes: list[str] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def matched(self) -> int:
        return self.count("match")

    @property
    def refused(self) -> int:
        return self.count("refuse")


# Reading the file ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8 (with byte-order mark)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(_("The file says it is UTF-16 but is not; save it again as CSV (UTF-8).")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV" in Windows-1252; five of its bytes mean nothing there.
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is neither UTF-8, UTF-16 nor Windows-1252 text; save it again as CSV (UTF-8).")
        ) from None


def _dialect_delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line or sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str
    delimiter: str


def read_table(data: bytes, *, max_rows: int) -> Table:
    """The file as named rows (with their line numbers), or ImportFileError saying why not."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError(_("This is not a text file (it contains NUL bytes); export the sheet as CSV."))
    delimiter = _dialect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(
            _("The first line is not a CSV header (%(error)s).") % {"error": exc or _("empty")}
        ) from None
    columns = [_column_name(name) for name in header]
    _check_columns(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= max_rows:
                raise ImportFileError(
                    _("The file has more than %(rows)s rows, the most one import takes; split it into smaller files.")
                    % {"rows": number_format(max_rows, force_grouping=True)}
                )
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(columns) if name}
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                row["__extra__"] = "yes"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV: %(error)s.") % {"line": reader.line_num, "error": exc}
        ) from None
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return Table(columns=columns, rows=rows, encoding=encoding, delimiter=delimiter)


def _check_columns(columns: list[str]) -> None:
    present = set(columns)
    missing = []
    if not present & {"proposition", "dispute_slug"}:
        missing.append("proposition (or dispute_slug)")
    for name in ("party", "stance"):
        if name not in present:
            missing.append(name)
    if not present & {"quote", "paraphrase"}:
        missing.append("quote (or paraphrase)")
    if missing:
        found = ", ".join(c for c in columns if c) or _("none")
        raise ImportFileError(
            _(
                "Missing required column(s): %(missing)s. Columns found: %(found)s. "
                "Use the columns of a dispute's claims export."
            )
            % {"missing": ", ".join(missing), "found": found}
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise ImportFileError(_("Column(s) appear twice: %(columns)s.") % {"columns": ", ".join(duplicated)})


# One row --------------------------------------------------------------------------------------


class RowRefused(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _cell(row: dict[str, str], name: str, warnings: list[str]) -> str:
    value = row.get(name, "")
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]  # the export's escape, taken off again
    elif value.startswith("=") and name not in {"said_on"}:
        warnings.append(
            _("%(column)s starts with '=' like a spreadsheet formula; it is kept as text, never run.")
            % {"column": name}
        )
    value = value.strip()
    if len(value) > MAX_CELL_CHARS:
        raise RowRefused(
            [
                _("%(column)s is %(length)s characters long; the most a cell may hold is %(limit)s.")
                % {
                    "column": name,
                    "length": number_format(len(value), force_grouping=True),
                    "limit": number_format(MAX_CELL_CHARS, force_grouping=True),
                }
            ]
        )
    return value


def _choice(value: str, choices, name: str) -> str:
    wanted = value.strip().lower()
    for choice in choices:
        # Its value, or its label as the export writes it (the site's language) or as the reader reads it.
        with translation.override(settings.LANGUAGE_CODE):
            exported = str(choice.label).lower()
        if wanted in (str(choice.value).lower(), exported, str(choice.label).lower()):
            return choice.value
    allowed = ", ".join(str(c.value) for c in choices)
    raise RowRefused(
        [_("%(column)s '%(value)s' is not one of: %(allowed)s.") % {"column": name, "value": value, "allowed": allowed}]
    )


def _said_on(value: str, precision: str) -> tuple[datetime.date | None, str]:
    if not value:
        return None, precision or DatePrecision.DAY
    patterns = (
        (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d", DatePrecision.DAY),
        (r"\d{4}-\d{2}", "%Y-%m", DatePrecision.MONTH),
        (r"\d{4}", "%Y", DatePrecision.YEAR),
    )
    for pattern, fmt, implied in patterns:
        if re.fullmatch(pattern, value):
            try:
                return datetime.datetime.strptime(value, fmt).date(), precision or implied
            except ValueError:
                break
    raise RowRefused([_("said_on '%(value)s' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY).") % {"value": value}])


def _day(value: str, name: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RowRefused(
            [_("%(column)s '%(value)s' is not a date (write YYYY-MM-DD).") % {"column": name, "value": value}]
        ) from None


def _yes_no(value: str, name: str) -> bool:
    wanted = value.strip().lower()
    if wanted in ("", "no", "false", "0"):
        return False
    if wanted in ("yes", "true", "1"):
        return True
    raise RowRefused([_("%(column)s '%(value)s' is not yes or no.") % {"column": name, "value": value}])


@dataclass
class _Standing:
    """A row's standing columns; a supersession waits for the end of the file (the later claim may come after)."""

    fields: dict
    superseded_by: str = ""  # the later claim's claim_id in the file


def _standing(cells: dict[str, str]) -> _Standing:
    standing = _choice(cells["standing"], ClaimStanding, "standing") if cells.get("standing") else ""
    note = cells.get("standing_reason", "")
    if standing == ClaimStanding.WITHDRAWN:
        fields = {
            "withdrawn_on": _day(cells.get("withdrawn_on", ""), "withdrawn_on"),
            "withdrawn_url": cells.get("withdrawn_url", ""),
        }
    elif standing == ClaimStanding.CORRECTED:
        fields = {"misreported_quote": cells.get("misreported_quote", "")}
    elif standing == ClaimStanding.SUPERSEDED:
        later = cells.get("superseded_by_claim_id", "")
        if not later:
            raise RowRefused([_("standing is superseded but superseded_by_claim_id is empty")])
        return _Standing(fields={"standing_note": note}, superseded_by=later)
    else:
        return _Standing(fields={})
    return _Standing(fields={"standing": standing, "standing_note": note, **fields})


def _translation_credit(value: str) -> tuple[str, str]:
    """The export's "translated_by" text back to (origin, translator)."""
    if not value:
        return TranslationOrigin.EDITOR, ""
    # As the export writes it: in the site's language (Claim.translation_credit), or in English.
    with translation.override(settings.LANGUAGE_CODE):
        machine, by_editor = gettext("Machine translation"), gettext("Translation by an editor")
        by = gettext("Translation by %(translator)s")
    for machine_words in {"Machine translation", machine}:
        if match := re.fullmatch(re.escape(machine_words) + r"(?: \((.*)\))?", value):
            return TranslationOrigin.MACHINE, (match.group(1) or "").strip()
    if value in {"Translation by an editor", by_editor}:
        return TranslationOrigin.EDITOR, ""
    for by_words in {"Translation by %(translator)s", by}:
        before, _sep, after = by_words.partition("%(translator)s")
        if match := re.fullmatch(re.escape(before) + r"(.+)" + re.escape(after), value):
            return TranslationOrigin.EDITOR, match.group(1).strip()
    return TranslationOrigin.EDITOR, value


def _errors_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [
            f"{'' if name == '__all__' else name + ': '}{msg}"
            for name, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    return list(exc.messages)


class _Importer:
    def __init__(self, *, user: User | None, unit: str = "line"):
        self.user = user
        self.unit = unit
        self.new_disputes: dict[int, int] = {}  # pk → line that created it
        self.new_parties: set[int] = set()
        self.new_source_urls: set[str] = set()
        # The file's claim ids (its claim_id column) → the claim each row made or matched, and
        # the supersessions that wait for them: (line, claim, later claim's id in the file, note).
        self.claims_by_file_id: dict[str, Claim] = {}
        self.supersessions: list[tuple[int, Claim, str, dict]] = []

    def row(self, line: int, row: dict[str, str]) -> RowReport:
        warnings: list[str] = []
        try:
            if row.get("__extra__"):
                raise RowRefused([_("this row has more cells than the header has columns")])
            cells = {name: _cell(row, name, warnings) for name in KNOWN_COLUMNS if name in row}
            report = self._apply(line, cells)
        except RowRefused as exc:
            return RowReport(line=line, action="refuse", summary=_("Refused"), errors=exc.errors, warnings=warnings)
        report.warnings = warnings
        return report

    def _apply(self, line: int, cells: dict[str, str]) -> RowReport:
        errors: list[str] = []
        party_name = cells.get("party", "")
        if not party_name:
            errors.append(_("party is empty"))
        stance = ""
        try:
            stance = _choice(cells.get("stance", ""), Stance, "stance") if cells.get("stance") else ""
            if not stance:
                errors.append(_("stance is empty"))
        except RowRefused as exc:
            errors.extend(exc.errors)
        said_on, precision = None, ""
        try:
            precision = (
                _choice(cells["said_on_precision"], DatePrecision, "said_on_precision")
                if cells.get("said_on_precision")
                else ""
            )
            said_on, precision = _said_on(cells.get("said_on", ""), precision)
        except RowRefused as exc:
            errors.extend(exc.errors)
        url = cells.get("source_url", "")
        if url:
            try:
                url = normalize_source_url(url)
            except ValidationError as exc:
                errors.append("source_url: " + " ".join(exc.messages))
        further = _appearance_urls(cells.get("other_appearances", ""), errors)
        standing, reconstructed = _Standing(fields={}), False
        try:
            standing = _standing(cells)
            reconstructed = _yes_no(cells.get("quote_reconstructed", ""), "quote_reconstructed")
        except RowRefused as exc:
            errors.extend(exc.errors)
        quote, paraphrase = cells.get("quote", ""), cells.get("paraphrase", "")
        if not quote and not paraphrase:
            errors.append(_("give a quote or a paraphrase"))
        if errors:
            raise RowRefused(errors)

        details: list[str] = []
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            try:
                dispute = self._dispute(line, cells, details)
                party = self._party(party_name, details)
                existing = Claim.objects.filter(
                    dispute=dispute, party=party, stance=stance, quote=quote, paraphrase=paraphrase, said_on=said_on
                ).first()
                what = _("%(party)s (%(stance)s) on “%(proposition)s”") % {
                    "party": party.name,
                    "stance": Stance(stance).label.lower(),
                    "proposition": dispute.proposition[:80],
                }
                if existing is not None:
                    self._remember(cells, existing)
                    self._appearances(existing, further, details)
                    wanted = ClaimStanding.SUPERSEDED if standing.superseded_by else standing.fields.get("standing")
                    if (
                        wanted or ClaimStanding.CURRENT
                    ) != existing.standing or reconstructed != existing.quote_reconstructed:
                        # An import adds; it does not edit a claim already there (its editors do).
                        details.append(
                            _("its standing in the file differs from the claim's; the claim is left as it is")
                        )
                    summary = _("Already there: claim #%(pk)d, %(what)s") % {"pk": existing.pk, "what": what}
                    return RowReport(line=line, action="match", summary=summary, details=details)
                self._speaker_detail(party, cells.get("speaker", ""), details)
                self._source_detail(url, details)
                origin, translator = _translation_credit(cells.get("translated_by", ""))
                translation = cells.get("translation", "")
                claim = services.claim_create(
                    dispute=dispute,
                    user=self.user,
                    party=party,
                    stance=stance,
                    quote=quote,
                    paraphrase=paraphrase,
                    quote_language=cells.get("quote_language", ""),
                    translation=translation,
                    translation_language=cells.get("translation_language", "") if translation else "",
                    translation_origin=origin if translation else "",
                    translator=translator if translation else "",
                    said_on=said_on,
                    said_on_precision=precision,
                    source_url=url,
                    new_speaker=cells.get("speaker", ""),
                    new_speaker_role=cells.get("speaker_role", ""),
                    quote_reconstructed=reconstructed,
                    **({} if standing.superseded_by else standing.fields),
                )
                self._remember(cells, claim)
                if standing.superseded_by:
                    self.supersessions.append((line, claim, standing.superseded_by, standing.fields))
                self._appearances(claim, further, details)
            except ValidationError as exc:
                raise RowRefused(_errors_of(exc)) from None
        if url:
            self.new_source_urls.add(url)
        return RowReport(line=line, action="create", summary=_("New claim: %(what)s") % {"what": what}, details=details)

    def _remember(self, cells: dict[str, str], claim: Claim) -> None:
        if file_id := cells.get("claim_id", ""):
            self.claims_by_file_id[file_id] = claim

    def finish(self, rows: list[RowReport]) -> None:
        """Mark the superseded claims once every row is in: the later claim may be further down the file.

        Through ``claim_update``, as an editor would (a history entry and a feed item each).
        """
        by_line = {row.line: row for row in rows}
        for line, claim, later_id, fields in self.supersessions:
            row = by_line[line]
            later = self.claims_by_file_id.get(later_id)
            if later is None:
                row.action, row.summary = "refuse", _("Refused")
                row.errors.append(
                    _(
                        "superseded_by_claim_id %(id)s is not the claim_id of any row in this file: "
                        "add the later claim's row, or set standing to current"
                    )
                    % {"id": later_id}
                )
                continue
            try:
                with transaction.atomic():
                    claim.refresh_from_db()
                    services.claim_update(
                        claim=claim,
                        user=self.user,
                        version=claim.version,
                        standing=ClaimStanding.SUPERSEDED,
                        superseded_by=later,
                        **fields,
                    )
            except ValidationError as exc:
                row.action, row.summary = "refuse", _("Refused")
                row.errors.extend(_errors_of(exc))
                continue
            row.details.append(_("superseded by the claim of claim_id %(id)s") % {"id": later_id})

    def _dispute(self, line: int, cells: dict[str, str], details: list[str]) -> Dispute:
        slug, proposition = cells.get("dispute_slug", ""), cells.get("proposition", "")
        dispute = None
        if slug:
            dispute = Dispute.objects.filter(slug=slug).first()
        if dispute is None and proposition:
            dispute = Dispute.objects.filter(proposition__iexact=proposition).order_by("pk").first()
        if dispute is None:
            if not proposition:
                raise RowRefused(
                    [
                        _("no dispute has the slug '%(slug)s', and the row has no proposition to create one")
                        % {"slug": slug}
                    ]
                )
            dispute = services.dispute_create(user=self.user, proposition=proposition, slug=slug)
            self.new_disputes[dispute.pk] = line
            details.append(_("new dispute (a draft): “%(proposition)s”") % {"proposition": proposition[:80]})
        elif dispute.pk in self.new_disputes:
            details.append(
                (
                    _("the new dispute of review %(number)d")
                    if self.unit == "review"
                    else _("the new dispute of line %(number)d")
                )
                % {"number": self.new_disputes[dispute.pk]}
            )
        else:
            details.append(_("existing dispute: %(slug)s") % {"slug": dispute.slug})
        return dispute

    def _party(self, name: str, details: list[str]) -> Party:
        existing = Party.objects.filter(name__iexact=name).first()
        if existing is not None:
            new = existing.pk in self.new_parties
            details.append(
                (_("new party: %(name)s") if new else _("existing party: %(name)s")) % {"name": existing.name}
            )
            return existing
        party = services.party_for_name(name=name)
        self.new_parties.add(party.pk)
        details.append(_("new party: %(name)s") % {"name": party.name})
        return party

    def _speaker_detail(self, party: Party, name: str, details: list[str]) -> None:
        if name:
            known = Speaker.objects.filter(party=party, name=name).exists()
            details.append((_("existing speaker: %(name)s") if known else _("new speaker: %(name)s")) % {"name": name})

    def _appearances(self, claim: Claim, urls: list[str], details: list[str]) -> None:
        """Give ``claim`` each further appearance in ``urls`` it lacks (normalised already), so a
        re-import of the same file adds nothing and an import into an empty database adds them all."""
        known = {claim.source.url} if claim.source_id and claim.source else set()
        known |= set(claim.appearances.values_list("source__url", flat=True))
        for url in urls:
            if url in known:
                continue
            self._source_detail(url, details)
            services.appearance_create(claim=claim, user=self.user, url=url)
            known.add(url)
            self.new_source_urls.add(url)
            details.append(_("new appearance: %(url)s") % {"url": url})

    def _source_detail(self, url: str, details: list[str]) -> None:
        if url:
            known = url not in self.new_source_urls and Source.objects.filter(url=url).exists()
            details.append((_("existing source: %(url)s") if known else _("new source: %(url)s")) % {"url": url})


def _appearance_urls(cell: str, errors: list[str]) -> list[str]:
    """The ``other_appearances`` cell's URLs (one a line), normalised; a bad one is an error of the row."""
    urls: list[str] = []
    for raw in cell.splitlines():
        if not raw.strip():
            continue
        try:
            url = normalize_source_url(raw)
        except ValidationError as exc:
            errors.append(f"other_appearances: {raw.strip()[:200]}: {' '.join(exc.messages)}")
            continue
        if url not in urls:
            urls.append(url)
    return urls


def import_claims(data: bytes, *, user: User | None, commit: bool, max_rows: int) -> ImportReport:
    """Run the file through the services in one transaction; keep it only if ``commit`` and nothing was refused.

    Raises ImportFileError when the file as a whole cannot be read (nothing was tried).
    """
    table = read_table(data, max_rows=max_rows)
    report = ImportReport(encoding=table.encoding, delimiter=table.delimiter)
    if table.encoding == "windows-1252":
        report.notes.append(_("The file is not UTF-8; it was read as Windows-1252 (as Excel saves CSV on Windows)."))
    unknown = [c for c in table.columns if c and c not in KNOWN_COLUMNS]
    if unknown:
        report.notes.append(_("Column(s) not imported: %(columns)s.") % {"columns": ", ".join(unknown)})
    importer = _Importer(user=user)
    with services.history_author(user), transaction.atomic():
        for line, row in table.rows:
            report.rows.append(importer.row(line, row))
        importer.finish(report.rows)
        keep = commit and report.refused == 0
        if not keep:
            transaction.set_rollback(True)
    report.committed = keep
    return report


def report_lines(report: ImportReport) -> Iterator[str]:
    """The report as plain text lines (the command prints them)."""
    if report.delimiter:
        separator = "tab" if report.delimiter == "\t" else repr(report.delimiter)
        yield f"Read as {report.encoding}, separated by {separator}."
    yield from report.notes
    for row in report.rows:
        yield f"{report.unit} {row.line}: {row.action.upper()}: {row.summary}"
        for detail in row.details:
            yield f"    {detail}"
        for error in row.errors:
            yield f"    error: {error}"
        for warning in row.warnings:
            yield f"    warning: {warning}"
    yield f"{report.created} to create, {report.matched} already there, {report.refused} refused."
