"""Importing a backlog from CSV (claims/importing.py): the command, the page, and bad files.

The round trip is the promise: a dispute's claims export re-imports as a no-op, and into an
empty database as the same disputes. Every bad file is a clear report and saves nothing.
"""

import codecs
import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import importing, services
from claims.models import Appearance, CheckJob, Claim, ClaimStanding, Dispute, FeedItem, Party, Source, Speaker

from .factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "proposition,party,speaker,speaker_role,stance,quote,quote_language,said_on,source_url"
ROWS = [
    "A Russian jet hit the US drone.,United States,John Kirby,NSC spokesman,affirms,"
    '"The Russian jet struck the propeller.",en,2023-03-14,https://news.example.org/drone?utm_source=x',
    "A Russian jet hit the US drone.,Russia,Igor Konashenkov,MoD spokesman,Denies,"
    "Russian aircraft did not come into contact with the drone.,en,2023-03-15,https://ru.example.org/statement",
]


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def ledger() -> tuple:
    return (
        Dispute.objects.count(),
        Claim.objects.count(),
        Party.objects.count(),
        Speaker.objects.count(),
        Source.objects.count(),
        FeedItem.objects.count(),
        CheckJob.objects.count(),
        Appearance.objects.count(),
    )


def run(data: bytes, *, commit: bool, user=None, max_rows: int = 1000) -> importing.ImportReport:
    return importing.import_claims(data, user=user, commit=commit, max_rows=max_rows)


def claims_as_text() -> set[tuple]:
    return {
        (
            c.dispute.proposition,
            c.party.name,
            c.speaker.name if c.speaker_id else "",
            c.speaker.role if c.speaker_id else "",
            c.stance,
            c.quote,
            c.quote_language,
            c.translation,
            c.translation_origin,
            c.translator,
            c.paraphrase,
            c.said_on,
            c.said_on_precision,
            c.source.url if c.source_id else "",
            tuple(sorted(a.source.url for a in c.appearances.all())),
            c.quote_reconstructed,
            c.standing,
            c.withdrawn_on,
            c.withdrawn_url,
            (c.superseded_by.quote, c.superseded_by.paraphrase) if c.superseded_by_id else None,
            c.misreported_quote,
            c.standing_note,
        )
        for c in Claim.objects.select_related(
            "dispute", "party", "speaker", "source", "superseded_by"
        ).prefetch_related("appearances__source")
    }


def test_a_dry_run_reports_each_row_and_saves_nothing():
    before = ledger()
    report = run(csv_bytes(*ROWS), commit=False)
    assert ledger() == before
    assert not report.committed
    assert [(r.line, r.action) for r in report.rows] == [(2, "create"), (3, "create")]
    first, second = report.rows
    assert "new dispute (a draft): “A Russian jet hit the US drone.”" in first.details
    assert "new party: United States" in first.details and "new speaker: John Kirby" in first.details
    assert "new source: https://news.example.org/drone" in first.details  # normalised: tracking dropped
    assert "the new dispute of line 2" in second.details


def test_an_import_creates_through_the_services_and_a_second_run_changes_nothing():
    editor = UserFactory(username="importer")
    report = run(csv_bytes(*ROWS), commit=True, user=editor)
    assert report.committed and (report.created, report.matched, report.refused) == (2, 0, 0)
    dispute = Dispute.objects.get()
    assert not dispute.is_published  # an import never publishes
    assert dispute.created_by == editor and dispute.status == "disputed"
    kirby = Claim.objects.get(party__name="United States")
    assert (kirby.speaker.name, kirby.speaker.role, kirby.created_by) == ("John Kirby", "NSC spokesman", editor)
    assert kirby.source.url == "https://news.example.org/drone"
    assert CheckJob.objects.filter(source=kirby.source).exists()  # new sources are queued for a check
    assert FeedItem.objects.filter(dispute=dispute).exists()
    assert kirby.history.first().history_user == editor

    before = ledger()
    again = run(csv_bytes(*ROWS), commit=True, user=editor)
    assert (again.created, again.matched, again.refused) == (0, 2, 0)
    assert ledger() == before


def test_one_refused_row_refuses_the_whole_file_and_says_why():
    bad = [
        ROWS[0],
        "A Russian jet hit the US drone.,Russia,,,denies,No contact.,en,15/03/2023,https://ru.example.org/s",
        "A Russian jet hit the US drone.,Russia,,,maybe,No contact.,en,2023-03-15,javascript:alert(1)",
        "A Russian jet hit the US drone.,,,,denies,,,,",
    ]
    before = ledger()
    report = run(csv_bytes(*bad), commit=True)
    assert not report.committed and ledger() == before
    actions = [(r.line, r.action) for r in report.rows]
    assert actions == [(2, "create"), (3, "refuse"), (4, "refuse"), (5, "refuse")]
    assert any("said_on '15/03/2023' is not a date" in e for e in report.rows[1].errors)
    errors = " ".join(report.rows[2].errors)
    assert "stance 'maybe' is not one of: affirms, denies, qualified" in errors and "source_url" in errors
    assert {"party is empty", "give a quote or a paraphrase"} <= set(report.rows[3].errors)


STANDING_HEADER = HEADER + ",claim_id,standing,withdrawn_on,withdrawn_url,superseded_by_claim_id,standing_reason"


def test_a_superseded_claim_finds_its_later_claim_further_down_the_file(editor):
    rows = [
        ROWS[1] + ",7,superseded,,,9,Russia has since changed its account.",
        "A Russian jet hit the US drone.,Russia,Igor Konashenkov,MoD spokesman,denies,"
        "The drone fell after a sharp manoeuvre.,en,2023-03-20,https://ru.example.org/later,9,,,,,",
    ]
    report = run(csv_bytes(*rows, header=STANDING_HEADER), commit=True, user=editor)
    assert report.committed, list(importing.report_lines(report))
    earlier = Claim.objects.get(said_on=datetime.date(2023, 3, 15))
    assert earlier.standing == ClaimStanding.SUPERSEDED
    assert earlier.superseded_by.quote == "The drone fell after a sharp manoeuvre."
    assert earlier.standing_note == "Russia has since changed its account."
    assert "superseded by the claim of claim_id 9" in report.rows[0].details


@pytest.mark.parametrize(
    ("standing", "message"),
    [
        (",7,superseded,,,42,", "superseded_by_claim_id 42 is not the claim_id of any row in this file"),
        (",7,superseded,,,,", "standing is superseded but superseded_by_claim_id is empty"),
        (",7,retracted,,,,", "standing 'retracted' is not one of: current, withdrawn, superseded, corrected"),
        (",7,withdrawn,14/03/2023,https://x.example.org/w,,", "withdrawn_on '14/03/2023' is not a date"),
        (",7,withdrawn,,,,", "Say when the speaker withdrew it."),
    ],
)
def test_a_standing_that_cannot_be_kept_refuses_the_file_and_says_why(editor, standing, message):
    before = ledger()
    report = run(csv_bytes(ROWS[1] + standing, header=STANDING_HEADER), commit=True, user=editor)
    [row] = report.rows
    assert not report.committed and ledger() == before
    assert row.action == "refuse" and any(message in error for error in row.errors), row.errors


def test_a_claim_the_model_refuses_is_refused_with_the_models_reason():
    row = "A jet hit the drone.,Russia,,,denies,Нет контакта.,xx-not-a-tag!,2023-03-15,"
    report = run(csv_bytes(row), commit=True)
    [only] = report.rows
    assert only.action == "refuse" and any("quote_language" in e for e in only.errors), only.errors
    assert Dispute.objects.count() == 0  # the dispute its savepoint created is gone too


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8 (with byte-order mark)"),
        ("utf-16", "utf-16"),
        ("cp1252", "windows-1252"),
    ],
)
def test_files_from_spreadsheets_in_any_common_encoding_read_the_same(encoding, expected):
    row = "Le café a brûlé.,Café de Flore,,,affirms,Le café a brûlé – hier.,fr,2023-03-15,"
    report = run(csv_bytes(row, encoding=encoding), commit=True)
    assert report.encoding == expected and report.committed
    assert Claim.objects.get().quote == "Le café a brûlé – hier."
    if encoding == "cp1252":
        assert any("Windows-1252" in note for note in report.notes)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files(delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["proposition", "party", "stance", "quote"])
    writer.writerow(["A jet hit the drone; or did it?", "Russia", "denies", "No contact, none at all."])
    report = run(out.getvalue().encode(), commit=True)
    assert report.delimiter == delimiter and report.committed
    assert Claim.objects.get().quote == "No contact, none at all."


def test_formulas_are_kept_as_text_with_a_warning_and_the_exports_escape_is_undone():
    rows = [
        'A jet hit the drone.,Russia,,,denies,"=HYPERLINK(""http://evil.example"",""x"")",en,,',
        "A jet hit the drone.,Russia,,,denies,'-5 metres away.,en,,",
    ]
    report = run(csv_bytes(*rows), commit=True)
    assert report.committed
    assert any("spreadsheet formula" in w for w in report.rows[0].warnings)
    assert set(Claim.objects.values_list("quote", flat=True)) == {
        '=HYPERLINK("http://evil.example","x")',
        "-5 metres away.",
    }


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"party,stance\nRussia,denies\n", "Missing required column(s): proposition (or dispute_slug), quote"),
        (HEADER.encode() + b"\n", "The file has a header but no rows."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text file"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "The file says it is UTF-16 but is not"),
        (b"proposition,party,party,stance,quote\n", "Column(s) appear twice: party."),
    ],
)
def test_files_that_are_not_a_claims_table_are_refused_before_any_row(data, message):
    before = ledger()
    with pytest.raises(importing.ImportFileError) as caught:
        run(data, commit=True)
    assert str(caught.value).startswith(message), str(caught.value)
    assert ledger() == before


def test_a_hundred_thousand_rows_are_refused_at_the_limit_without_reading_them_all():
    data = csv_bytes(
        *(f"Dispute {i},Party,affirms,Quote {i}" for i in range(100_000)), header="proposition,party,stance,quote"
    )
    with pytest.raises(importing.ImportFileError, match="more than 20,000 rows"):
        run(data, commit=True, max_rows=20_000)
    assert Dispute.objects.count() == 0


def test_a_row_with_more_cells_than_columns_is_refused():
    report = run(csv_bytes("A jet hit the drone.,Russia,,,denies,No.,en,,,surprise"), commit=True)
    assert report.rows[0].action == "refuse" and "more cells than the header" in report.rows[0].errors[0]


# The round trip -------------------------------------------------------------------------------


def demo_export(client) -> bytes:
    """Every demo dispute's claims export, as one file (one header)."""
    lines: list[str] = []
    for dispute in Dispute.objects.order_by("pk"):
        response = client.get(reverse("claims:dispute-claims-csv", args=[dispute.slug]))
        text = response.content.decode("utf-8").lstrip("\ufeff")
        header, _, body = text.partition("\r\n")
        if not lines:
            lines.append(header)
        lines.append(body.rstrip("\r\n"))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_the_demo_export_reimports_as_a_no_op_and_into_an_empty_database_as_the_same_claims(client, editor):
    call_command("loaddemo")
    # Two claims that appeared in more than one source (issue 11): their other appearances go
    # out in the export's other_appearances column and come back.
    first, second = Claim.objects.filter(source__isnull=False).order_by("pk")[:2]
    services.appearance_create(claim=first, user=editor, url="https://wire.example.org/drone-repeat")
    services.appearance_create(claim=first, user=editor, url="https://wire.example.org/drone-again")
    services.appearance_create(claim=second, user=editor, url="https://wire.example.org/drone-repeat")
    # Where claims stand goes out and comes back too: the demo has a superseded claim; one more
    # is withdrawn, one corrected, one quote reconstructed.
    assert Claim.objects.filter(standing=ClaimStanding.SUPERSEDED).exists()
    current = Claim.objects.filter(standing=ClaimStanding.CURRENT).exclude(quote="").order_by("pk")
    withdrawn, corrected, rebuilt = current[0], current[1], current[2]
    services.claim_update(
        claim=withdrawn,
        user=editor,
        version=withdrawn.version,
        standing=ClaimStanding.WITHDRAWN,
        withdrawn_on=withdrawn.said_on + datetime.timedelta(days=3),
        withdrawn_url="https://news.example.org/withdrawn",
        standing_note="Retracted at a briefing.",
    )
    services.claim_update(
        claim=corrected,
        user=editor,
        version=corrected.version,
        standing=ClaimStanding.CORRECTED,
        misreported_quote="A wording first reported wrongly.",
        standing_note="The agency corrected its report.",
    )
    services.claim_update(claim=rebuilt, user=editor, version=rebuilt.version, quote_reconstructed=True)
    data = demo_export(client)
    assert "https://wire.example.org/drone-repeat" in data.decode()
    expected = claims_as_text()
    disputes = set(Dispute.objects.values_list("proposition", "slug"))
    before = ledger()

    report = run(data, commit=True)
    assert report.refused == 0 and report.created == 0 and report.matched == len(expected)
    assert ledger() == before

    Claim.objects.all().delete()  # the empty database: no ledger at all
    for model in (Dispute, Speaker, Party, Source):
        for obj in model.objects.all():
            obj.delete()
    report = run(data, commit=True)
    assert report.refused == 0 and report.created == len(expected), list(importing.report_lines(report))
    assert claims_as_text() == expected
    assert Appearance.objects.count() == 3
    assert Claim.objects.filter(standing=ClaimStanding.WITHDRAWN).count() == 1
    assert set(Dispute.objects.values_list("proposition", "slug")) == disputes


# The command ----------------------------------------------------------------------------------


def test_the_command_dry_runs_by_default_and_imports_with_commit(tmp_path, capsys):
    path = tmp_path / "backlog.csv"
    path.write_bytes(csv_bytes(*ROWS))
    UserFactory(username="desk")
    call_command("import_claims", str(path))
    out = capsys.readouterr().out
    assert "line 2: CREATE: New claim: United States (affirms)" in out and "Dry run: nothing was saved" in out
    assert Claim.objects.count() == 0
    call_command("import_claims", str(path), "--commit", "--user", "desk")
    assert Claim.objects.filter(created_by__username="desk").count() == 2
    assert "Imported: 2 created, 0 already there." in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, args, message",
    [
        (None, [], "No such file"),
        (b"party\nx\n", [], "Missing required column(s)"),
        (csv_bytes("A jet hit the drone.,Russia,,,denies,No.,en,yesterday,"), ["--commit"], "1 row(s) refused"),
        (csv_bytes(*ROWS), ["--user", "nobody"], "No user named 'nobody'"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_message(tmp_path, content, args, message):
    path = tmp_path / "backlog.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_claims", str(path), *args)
    assert Claim.objects.count() == 0


# The page -------------------------------------------------------------------------------------


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_senior_checks_a_file_then_imports_it(client, senior):
    client.force_login(senior)
    page = client.get(reverse("claims:home"))
    assert reverse("claims:import").encode() in page.content
    checked = client.post(reverse("claims:import"), {"action": "check", "file": upload("b.csv", csv_bytes(*ROWS))})
    assert checked.status_code == 200
    html = checked.content.decode()
    assert "<strong>2</strong> to create" in html and "new party: United States" in html
    assert Claim.objects.count() == 0
    payload = checked.context["payload"]
    done = client.post(reverse("claims:import"), {"action": "import", "payload": payload}, follow=True)
    assert Claim.objects.filter(created_by=senior).count() == 2
    assert "Imported: 2 claims created, 0 already there." in done.content.decode()


def test_the_page_shows_refused_rows_and_offers_no_import(client, senior):
    client.force_login(senior)
    data = csv_bytes(ROWS[0], "A jet hit the drone.,Russia,,,denies,No.,en,2023-13-45,")
    html = client.post(reverse("claims:import"), {"file": upload("b.csv", data)}).content.decode()
    assert "<strong>1</strong> refused" in html and "is not a date" in html
    assert 'value="import"' not in html


@pytest.mark.parametrize(
    "post, message",
    [
        ({}, "Choose a CSV file to check."),
        ({"action": "import", "payload": "not base64!!"}, "did not come back intact"),
        ({"file": "big"}, "this page takes up to"),
        ({"file": "png"}, "This is not a text file"),
    ],
)
def test_the_page_answers_bad_uploads_with_a_400_that_says_why(client, senior, settings, post, message):
    settings.IMPORT_PAGE_MAX_BYTES = 1000
    client.force_login(senior)
    if post.get("file") == "big":
        post = {"file": upload("big.csv", csv_bytes(*ROWS * 20))}
    elif post.get("file") == "png":
        post = {"file": upload("x.csv", b"\x89PNG\x00\x00")}
    response = client.post(reverse("claims:import"), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Claim.objects.count() == 0


def test_only_seniors_import(client, editor):
    response = client.get(reverse("claims:import"))
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(editor)
    assert client.get(reverse("claims:import")).status_code == 403
    posted = client.post(reverse("claims:import"), {"file": upload("b.csv", csv_bytes(*ROWS))})
    assert posted.status_code == 403 and Claim.objects.count() == 0


# ClaimReview (claims/claimreview_import.py) ------------------------------------------------------

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://factcheck.example.org/2023/03/drone-contact",
    "datePublished": "2023-03-17",
    "author": {"@type": "Organization", "name": "Example Fact Check"},
    "claimReviewed": "The Russian jet never touched the American drone.",
    "itemReviewed": {
        "@type": "Claim",
        "author": {
            "@type": "Person",
            "name": "Igor Konashenkov",
            "affiliation": {"@type": "Organization", "name": "Russian Ministry of Defence"},
        },
        "datePublished": "2023-03-14T18:00:00+03:00",
        "firstAppearance": {"@type": "CreativeWork", "url": "https://mil.example.ru/statement?utm_medium=x"},
    },
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": "1",
        "bestRating": "5",
        "worstRating": "1",
        "alternateName": "False",
    },
}


def review_page(*reviews: dict) -> bytes:
    import json

    blocks = "".join(f'<script type="application/ld+json">{json.dumps(r)}</script>' for r in reviews)
    return (
        "<!doctype html><html><head><title>Fact check</title>"
        '<script type="application/ld+json">{"@type": "Organization", "name": "Example"}</script>'
        '<script type="application/ld+json">{broken json</script>'
        f"{blocks}</head><body><p>Our rating: False.</p></body></html>"
    ).encode()


def test_a_fact_check_page_imports_as_a_dispute_with_its_verdict_claim_and_review_link(senior):
    from claims.claimreview_import import import_claimreviews

    report = import_claimreviews(review_page(REVIEW), user=senior, commit=True, max_rows=100)
    assert report.committed, list(importing.report_lines(report))
    dispute = Dispute.objects.get()
    assert dispute.proposition == "The Russian jet never touched the American drone."
    assert (dispute.verdict, dispute.verdict_by) == ("false", senior)
    assert "Example Fact Check" in dispute.verdict_reasoning and REVIEW["url"] in dispute.verdict_reasoning
    claim = dispute.claims.get()
    assert (claim.party.name, claim.speaker.name) == ("Russian Ministry of Defence", "Igor Konashenkov")
    assert (claim.stance, claim.quote, claim.paraphrase) == ("affirms", "", REVIEW["claimReviewed"])
    assert str(claim.said_on) == "2023-03-14" and claim.source.url == "https://mil.example.ru/statement"
    link = dispute.article_links.get()
    assert (link.source.url, link.relation) == (REVIEW["url"], "contradicts")

    before = ledger()
    again = import_claimreviews(review_page(REVIEW), user=senior, commit=True, max_rows=100)
    assert (again.created, again.matched, again.refused) == (0, 1, 0) and ledger() == before


def test_a_fact_checks_other_appearances_become_the_claims_appearances(senior):
    from claims.claimreview_import import import_claimreviews

    review = {**REVIEW, "itemReviewed": {**REVIEW["itemReviewed"]}}
    review["itemReviewed"]["appearance"] = [
        {"@type": "CreativeWork", "url": "https://mil.example.ru/statement"},  # the first again
        {"@type": "CreativeWork", "url": "https://tass.example.ru/repeat"},
        "https://rt.example.com/repeat?utm_source=feed",
    ]
    report = import_claimreviews(review_page(review), user=senior, commit=True, max_rows=100)
    assert report.committed, list(importing.report_lines(report))
    claim = Claim.objects.get()
    assert claim.source.url == "https://mil.example.ru/statement"
    assert [a.source.url for a in claim.appearances.order_by("pk")] == [
        "https://tass.example.ru/repeat",
        "https://rt.example.com/repeat",
    ]
    before = ledger()
    again = import_claimreviews(review_page(review), user=senior, commit=True, max_rows=100)
    assert (again.created, again.matched, again.refused) == (0, 1, 0) and ledger() == before


def test_a_fact_check_with_a_hostile_appearance_is_refused_whole(senior):
    from claims.claimreview_import import import_claimreviews

    review = {**REVIEW, "itemReviewed": {**REVIEW["itemReviewed"], "appearance": ["javascript:alert(1)"]}}
    report = import_claimreviews(review_page(review), user=senior, commit=True, max_rows=100)
    assert not report.committed and "other_appearances: javascript:alert(1)" in report.rows[0].errors[0]
    assert not Claim.objects.exists()


def test_a_csv_row_with_a_bad_other_appearance_is_refused(senior):
    row = ROWS[0] + ',"https://ok.example.org/a\nftp://bad.example.org/b"'
    report = run(csv_bytes(row, header=HEADER + ",other_appearances"), commit=True, user=senior)
    assert report.refused == 1 and "ftp://bad.example.org/b" in report.rows[0].errors[0]
    assert not Appearance.objects.exists()


@pytest.mark.parametrize(
    "rating, verdict",
    [
        ({"alternateName": "Pants on Fire!"}, "false"),
        ({"alternateName": "Mostly False"}, "mostly_false"),
        ({"alternateName": "Half True"}, "mixed"),
        ({"alternateName": "Mostly true"}, "mostly_true"),
        ({"ratingValue": 5, "bestRating": 5, "worstRating": 1}, "true"),
        ({"ratingValue": 4, "bestRating": 5, "worstRating": 1}, "mostly_true"),
        ({"ratingValue": 2, "bestRating": 7, "worstRating": 1, "alternateName": "Quelque chose"}, "mostly_false"),
        ({"alternateName": "Unsubstantiated"}, "unproven"),
        ({"alternateName": "Satire"}, ""),
        ({"ratingValue": 9, "bestRating": 5, "worstRating": 1}, ""),
    ],
)
def test_ratings_map_onto_the_verdicts_or_onto_none(rating, verdict):
    from claims.claimreview_import import verdict_of

    assert verdict_of({"@type": "Rating", **rating})[0] == verdict


def test_a_review_needs_a_senior_editor_for_its_verdict_and_a_named_author(editor):
    from claims.claimreview_import import import_claimreviews

    anonymous_author = {**REVIEW, "claimReviewed": "Something else.", "itemReviewed": {"@type": "Claim"}}
    report = import_claimreviews(review_page(REVIEW, anonymous_author), user=editor, commit=True, max_rows=100)
    assert not report.committed and ledger()[0] == 0
    assert "setting a verdict needs a senior editor" in report.rows[0].errors[0]
    assert "itemReviewed.author has no name" in report.rows[1].errors[0]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<html><body>No markup</body></html>", "The page has no JSON-LD"),
        (b'{"@type": "NewsArticle"}', "No ClaimReview was found"),
        (b'{"@type": "ClaimReview",', "The file is not JSON"),
    ],
)
def test_files_without_fact_checks_are_refused_with_the_reason(senior, data, message):
    from claims.claimreview_import import import_claimreviews

    with pytest.raises(importing.ImportFileError, match=message):
        import_claimreviews(data, user=senior, commit=True, max_rows=100)


def test_the_command_and_the_page_take_a_fact_check_file_too(client, senior, tmp_path):
    import json

    path = tmp_path / "reviews.json"
    path.write_text(json.dumps({"@graph": [REVIEW]}))
    call_command("import_claims", str(path), "--commit", "--user", senior.username)
    assert Dispute.objects.get().verdict == "false"
    client.force_login(senior)
    html = client.post(reverse("claims:import"), {"file": upload("page.html", review_page(REVIEW))}).content.decode()
    assert '<th scope="col">Review</th>' in html and "<strong>1</strong> already there" in html
