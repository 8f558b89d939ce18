from django.core.management.base import BaseCommand

from claims.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the Black Sea drone story (parties, speakers, disputes, claims, evidence and the "
        "article as a source) as published data. Safe to run again: existing rows are left as they are."
    )

    def handle(self, *args, **options) -> None:
        writes = load_demo()
        if writes:
            self.stdout.write(self.style.SUCCESS(f"Demo story loaded ({writes} rows written)."))
        else:
            self.stdout.write("Demo story already loaded; nothing changed.")
