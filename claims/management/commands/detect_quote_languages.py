"""detect_quote_languages: record the language of quotes that have none, where detection is confident."""

from django.core.management.base import BaseCommand

from claims import detection, services
from claims.models import Claim


class Command(BaseCommand):
    help = (
        "Fill in the language of every quote recorded without one (for instance before languages were "
        "recorded), when the detector is confident; short or mixed quotes are left unset for an editor. "
        "Each change is saved with its history. --dry-run only lists what would change."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the changes without saving them.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        set_count = left = 0
        for claim in Claim.objects.filter(quote_language="").exclude(quote="").iterator(chunk_size=500):
            suggestion = detection.suggest_language(claim.quote)
            if suggestion is None:
                left += 1
                continue
            self.stdout.write(f"claim {claim.pk}: {suggestion.name} ({suggestion.tag})")
            set_count += 1
            if not dry_run:
                # Through the services; a language an editor chose meanwhile stays.
                services.claim_language_detected(claim=claim, tag=suggestion.tag)
        verb = "Would set" if dry_run else "Set"
        self.stdout.write(f"{verb} the language of {set_count} quote(s); {left} left unset (too short or mixed).")
