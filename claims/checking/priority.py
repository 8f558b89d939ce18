"""The checker's database work at a lower CPU priority than the site's (``CHECKER_DATABASE_NICE``).

The worker runs under ``nice`` so that a reader's request gets the CPU first; but about a
third of a check's CPU is spent by its PostgreSQL backend, a process of the database
server at normal priority, which competes with the site's own queries as an equal. When
PostgreSQL runs on the same machine (one server, as ``make run`` and small newsrooms do),
the worker can lower the priority of the backends serving *its* connections, and of nothing
else, so the whole of a check's work yields to the site.

Only where it is safe and permitted: the database must be reached on this machine (a
loopback address or a Unix socket), the backend's process id (which PostgreSQL reports on
each connection, without a query) must be a ``postgres`` process here (not another
container's numbering), and the worker's user must be allowed to renice it (root, or
``CAP_SYS_NICE``; PostgreSQL's own user cannot be, by design). Otherwise the first attempt
logs why and the worker goes on at normal database priority. A backend keeps its lowered
priority until its connection closes; pooled connections are lowered once.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}

_lock = threading.Lock()
_lowered: set[int] = set()
_unavailable = ""


def lower_database_priority() -> None:
    """Renice this thread's database backend to ``CHECKER_DATABASE_NICE`` if it is not yet
    (opening the connection if needed). A no-op when the setting is 0 or it cannot be done."""
    nice = int(settings.CHECKER_DATABASE_NICE)
    if nice <= 0 or _unavailable or connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _lock:
        if pid in _lowered:
            return
    reason = _cannot_renice(pid)
    if reason is None:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError as error:
            reason = f"the worker may not renice PostgreSQL's processes ({error.strerror})"
    if reason is not None:
        _give_up(reason)
        return
    with _lock:
        if len(_lowered) > 1000:  # backends of closed connections; their pids get reused
            _lowered.clear()
        _lowered.add(pid)


def _cannot_renice(pid: int) -> str | None:
    host = str(connection.settings_dict.get("HOST") or "")
    if host not in _LOCAL_HOSTS and not host.startswith("/"):
        return f"the database is on another machine ({host})"
    try:
        with open(f"/proc/{pid}/comm") as comm:
            name = comm.read().strip()
    except OSError:
        return f"backend {pid} is not a process on this machine"
    if not name.startswith("postgres"):
        return f"process {pid} here is {name!r}, not the backend (another process namespace?)"
    return None


def _give_up(reason: str) -> None:
    global _unavailable
    _unavailable = reason
    log.warning("CHECKER_DATABASE_NICE is set but not applied: %s", reason)


def reset() -> None:
    """Forget which backends were lowered and any earlier refusal (tests)."""
    global _unavailable
    with _lock:
        _lowered.clear()
    _unavailable = ""
