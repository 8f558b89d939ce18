"""The checker's vocabulary in one place: which outcomes are problems, which are retried,
which job states are live, and which exceptions mean "stop now".

Outcomes are the values of ``Source.CheckState`` (kept as plain strings here so that the
models, the scheduler and the feeds can all import this module without a cycle).
Everything that asks "is this outcome bad?" or "is this job still alive?" asks here.
"""

from __future__ import annotations

from billiard.exceptions import SoftTimeLimitExceeded, Terminated, TimeLimitExceeded

# --- Outcomes (Source.CheckState values) ------------------------------------------------
UNCHECKED = "unchecked"
OK = "ok"
REDIRECTED = "redirected"
CHANGED = "changed"
QUOTE_MISSING = "quote_missing"
GONE = "gone"
SERVER_ERROR = "server_error"
TIMEOUT = "timeout"
UNSAFE = "unsafe"
TOO_LARGE = "too_large"
ROBOTS = "robots"
TLS_ERROR = "tls_error"
NOT_HTML = "not_html"
ERROR = "error"

# The page was read; text and quotes were compared.
READ = frozenset({OK, REDIRECTED, CHANGED, QUOTE_MISSING})

# Worth another attempt of the same job (with backoff) before it is recorded as the answer.
RETRYABLE = frozenset({TIMEOUT, SERVER_ERROR, ERROR})

# The page could not be read this time; looked at again about twice a day, backing off.
UNREACHABLE = frozenset({GONE, SERVER_ERROR, TIMEOUT, ERROR, TLS_ERROR})

# The checker refused to read it (unsafe address, robots.txt, too large, not HTML): weekly.
REFUSED = frozenset({UNSAFE, ROBOTS, TOO_LARGE, NOT_HTML})

# News for readers: the source died (a feed item "source died" per dispute citing it).
DIED = UNREACHABLE | {UNSAFE}

# Shown as a problem on badges, in the "has source problems" filter and the API.
PROBLEM = DIED | {CHANGED, QUOTE_MISSING}

# --- Job states (CheckJob.State values) -------------------------------------------------
QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"

# A job in one of these states is the source's live job (at most one per source).
LIVE_JOB_STATES = [QUEUED, RUNNING]
FINISHED_JOB_STATES = [DONE, FAILED]

# --- "Stop now" ------------------------------------------------------------------------
# Exceptions that end the work at hand: Celery's soft time limit and termination. They
# derive from Exception, so every broad ``except Exception`` in the checker re-raises them
# first (``tests/checking/test_outcomes.py`` reads the code to make sure); the runner
# records a job stopped this way with the TIMEOUT outcome.
STOP_NOW: tuple[type[BaseException], ...] = (SoftTimeLimitExceeded, TimeLimitExceeded, Terminated)
