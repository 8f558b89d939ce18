from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.claimreview_import import import_claimreviews, looks_like_claimreview
from claims.importing import ImportFileError, import_claims, report_lines


class Command(BaseCommand):
    help = (
        "Import disputes and claims from a CSV file with the columns of a dispute's claims export. "
        "Without --commit it is a dry run: it says row by row what would be created, matched or "
        "refused and saves nothing. With --commit the whole file goes in, in one transaction, or "
        "nothing does (any refused row). Re-importing the same file changes nothing. A JSON file or an "
        "HTML page is read for schema.org ClaimReview fact-checks instead (disputes with their verdict)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab).")
        parser.add_argument("--commit", action="store_true", help="Import for real (default: a dry run).")
        parser.add_argument("--user", help="Username recorded as the author of what is created.")

    def handle(self, *args, file: str, commit: bool, user: str | None, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                f"{file} is {path.stat().st_size:,} bytes; the most one import takes is "
                f"{settings.IMPORT_MAX_BYTES:,} (IMPORT_MAX_BYTES). Split it."
            )
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            data = path.read_bytes()
            run = import_claimreviews if looks_like_claimreview(data) else import_claims
            report = run(data, user=author, commit=commit, max_rows=settings.IMPORT_MAX_ROWS)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for line in report_lines(report):
            self.stdout.write(line)
        if report.refused:
            raise CommandError(f"{report.refused} row(s) refused: nothing was imported. Fix them and run again.")
        if report.committed:
            done = f"Imported: {report.created} created, {report.matched} already there."
            self.stdout.write(self.style.SUCCESS(done))
        else:
            self.stdout.write("Dry run: nothing was saved. Run again with --commit to import.")
