import time

from django.core.management.base import BaseCommand, CommandError

from claims.synthetic import synthesize


class Command(BaseCommand):
    help = (
        "Generate synthetic disputes with claims, evidence and later articles at a chosen size, for "
        "benchmarks (make bench) and trying the pages with a lot of data. Written in bulk: no history "
        "rows, sources on the reserved host synthetic.invalid. The same --seed gives the same content; "
        "running again adds more rather than replacing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--disputes", type=int, required=True, help="How many disputes to create.")
        parser.add_argument("--claims-per-dispute", type=int, default=6, help="Claims on each dispute (default 6).")
        parser.add_argument(
            "--evidence-per-dispute", type=int, default=2, help="Pieces of evidence on each dispute (default 2)."
        )
        parser.add_argument(
            "--articles-per-dispute", type=int, default=2, help="Later articles linked to each dispute (default 2)."
        )
        parser.add_argument("--parties", type=int, default=8, help="How many parties the claims are spread over.")
        parser.add_argument(
            "--published-share",
            type=float,
            default=0.9,
            help="Share of the disputes that are published, between 0 and 1 (default 0.9); the rest are drafts.",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed, for reproducible content (default 0).")

    def handle(self, *args, **options) -> None:
        for name in ("disputes", "claims_per_dispute", "evidence_per_dispute", "articles_per_dispute"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["parties"] < 2:
            raise CommandError("--parties must be at least 2.")
        if not 0 <= options["published_share"] <= 1:
            raise CommandError("--published-share must be between 0 and 1.")
        started = time.monotonic()
        result = synthesize(
            disputes=options["disputes"],
            claims_per_dispute=options["claims_per_dispute"],
            evidence_per_dispute=options["evidence_per_dispute"],
            articles_per_dispute=options["articles_per_dispute"],
            parties=options["parties"],
            seed=options["seed"],
            published_share=options["published_share"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.disputes} disputes, {result.claims} claims, {result.evidence} evidence, "
                f"{result.articles} article links, {result.sources} sources and {result.parties} parties "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
