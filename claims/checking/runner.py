"""Runs one check job. Filled in by the source-check work; for now it records nothing."""

import logging

log = logging.getLogger(__name__)


def run_job(job_id: int) -> None:
    log.info("check job %s received; the checker is not built yet", job_id)
