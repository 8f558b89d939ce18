"""check_sources: check sources now (in-process) or queue checks for the workers."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from claims import services
from claims.checking import runner
from claims.checking.jobs import job_request
from claims.models import CheckJob, Source, normalize_source_url


class Command(BaseCommand):
    help = (
        "Check sources: --due (those whose next check is due), --all, --id N [N ...], or --url URL "
        "(creating the source if it is new). Without --sync, checks are queued for the Celery workers; "
        "with --sync they run here, one after another, without a broker. One line per source with its outcome."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--due", action="store_true", help="Sources whose scheduled re-check is due.")
        which.add_argument("--all", action="store_true", help="Every source.")
        which.add_argument("--id", type=int, nargs="+", metavar="N", help="Sources with these ids.")
        which.add_argument("--url", help="One URL; the source is created if it does not exist yet.")
        parser.add_argument("--sync", action="store_true", help="Run the checks in this process and wait for them.")

    def handle(self, *args, **options) -> None:
        sources = self._sources(options)
        if not sources:
            self.stdout.write("No sources to check.")
            return
        reason = CheckJob.Reason.SCHEDULED if options["due"] else CheckJob.Reason.MANUAL
        for source in sources:
            if options["sync"]:
                check = runner.check_now(source, reason=reason)
                if check is None:
                    job = source.check_jobs.order_by("-created_at").first()
                    state = job.get_state_display().lower() if job else "not run"
                    detail = f" ({job.last_error})" if job and job.last_error else ""
                    self.stdout.write(f"{source.pk}\t{source.url}\t{state}{detail}")
                    continue
                detail = f" ({check.error})" if check.error else ""
                status = f" HTTP {check.http_status}" if check.http_status else ""
                self.stdout.write(f"{source.pk}\t{source.url}\t{check.outcome}{status}{detail}")
            else:
                with transaction.atomic():
                    job = job_request(source=source, reason=reason)
                state = job.get_state_display().lower()
                self.stdout.write(f"{source.pk}\t{source.url}\tqueued (job {job.pk}, {state})")

    def _sources(self, options) -> list[Source]:
        if options["url"]:
            try:
                url = normalize_source_url(options["url"])
            except ValidationError as error:
                raise CommandError(f"--url {options['url']!r}: {' '.join(error.messages)}") from None
            created = not Source.objects.filter(url=url).exists()
            source = services.source_for_url(url=url)
            if created:
                self.stdout.write(f"Created source {source.pk} for {url}")
            return [source]
        if options["id"]:
            found = {s.pk: s for s in Source.objects.filter(pk__in=options["id"])}
            missing = [str(pk) for pk in options["id"] if pk not in found]
            if missing:
                raise CommandError(f"No source with id {', '.join(missing)}.")
            return [found[pk] for pk in dict.fromkeys(options["id"])]
        if options["due"]:
            return list(Source.objects.due_for_check(timezone.now()).order_by("next_check_at"))
        return list(Source.objects.order_by("pk"))
