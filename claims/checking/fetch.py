"""Safe HTTP fetching for the source checker — the only module that opens sockets to sources
(and, through ``post``, to webhook endpoints: the same checks, another allowlist).

The URLs come from users, so every fetch is treated as hostile:

* only ``http``/``https``, no user name or password, ports from ``CHECKER_ALLOWED_PORTS``;
* the host is resolved once and the whole lookup is refused if ANY address is not
  public (loopback, private, link-local, CGNAT, multicast, reserved, unspecified, and
  IPv6 forms that embed an IPv4 address); the socket is then opened to the address
  that was checked (pinned), while ``Host`` and TLS SNI keep the host name, so DNS
  rebinding cannot slip a second, private answer in between;
* every redirect hop goes through the same checks, at most ``CHECKER_MAX_REDIRECTS``;
* no proxy variables are read (``http.client`` never looks at them);
* the decoded body is capped (gzip/deflate/brotli bombs stop at the cap), and a
  total deadline bounds the whole fetch on top of the connect/read timeouts;
* TLS certificates and host names are always verified.

Only endpoints listed in ``CHECKER_ALLOW_HOSTS`` (``host:port``, exact) skip the
address check: the tests' local server. Nothing else does.

``fetch()`` never raises for anything a remote server or a URL can do: it returns a
``FetchResult`` whose ``error_kind`` names the outcome (a ``Source.CheckState`` value).
"""

from __future__ import annotations

import codecs
import contextlib
import email.message
import email.utils
import functools
import http.client
import ipaddress
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import brotli
import charset_normalizer
from django.conf import settings

from .outcomes import STOP_NOW

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

# Outcome names shared with Source.CheckState (kept as strings so this module needs no models).
UNSAFE = "unsafe"
TIMEOUT = "timeout"
TOO_LARGE = "too_large"
TLS_ERROR = "tls_error"
ROBOTS = "robots"
ERROR = "error"

# IPv6 ranges that carry an IPv4 address or tunnel to one; refused outright rather than
# decoded, since a public-looking IPv6 address could reach a private IPv4 host through them.
_EMBEDDING_V6 = [
    ipaddress.ip_network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
    ipaddress.ip_network("2002::/16"),  # 6to4
    ipaddress.ip_network("2001::/32"),  # Teredo
]


class FetchRefused(Exception):
    """A fetch stopped for a reason worth recording; ``kind`` is the outcome."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


@dataclass
class FetchResult:
    """What one fetch (with its redirects) produced. ``error_kind`` is empty on success."""

    url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    charset: str = ""
    body: bytes = b""
    raw_size: int = 0
    redirects: list[dict] = field(default_factory=list)
    error_kind: str = ""
    error: str = ""
    retry_after: float | None = None
    timings: dict[str, int] = field(default_factory=dict)
    fetched_at: datetime | None = None
    request_headers: dict[str, str] = field(default_factory=dict)
    raw_headers: list[tuple[str, str]] = field(default_factory=list)
    address: str = ""
    # The server answered 304 to the validators we sent: the body is the one they came with.
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_kind

    @property
    def is_html(self) -> bool:
        return self.content_type in {"text/html", "application/xhtml+xml"}

    @property
    def text(self) -> str:
        """The body decoded with the charset found (header → meta → detection)."""
        return self.body.decode(self.charset or "utf-8", errors="replace")


@dataclass(frozen=True)
class Validators:
    """What the last check read at ``url`` was tagged with, sent back as a conditional request.

    Only the hop whose URL is ``url`` carries them: an ETag belongs to one resource.
    """

    url: str
    etag: str = ""
    last_modified: str = ""

    def headers_for(self, url: str) -> dict[str, str]:
        if url.rstrip("/") != self.url.rstrip("/"):
            return {}
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


# --- Limits -------------------------------------------------------------------------


class Deadline:
    """A total time budget for one fetch, shared by every hop."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def extend(self, seconds: float) -> None:
        """Give back time spent not fetching (waiting for the host's politeness slot)."""
        self.ends += seconds

    def timeout(self, cap: float) -> float:
        left = self.remaining()
        if left <= 0:
            raise FetchRefused(TIMEOUT, f"Gave up after the {self.seconds:g} s deadline.")
        return min(cap, left)


# --- Address safety -------------------------------------------------------------------


def is_public_address(address: str) -> bool:
    """True if ``address`` is a globally routable unicast address this checker may contact."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        if any(ip in net for net in _EMBEDDING_V6):
            return False
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_unspecified
        and not ip.is_private
    )


def _allow_key(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _allowlisted(host: str, port: int, allow: tuple[str, ...] | None = None) -> bool:
    """Whether ``host:port`` is on the allowlist in force: ``CHECKER_ALLOW_HOSTS``, or ``allow``
    for another caller with its own (webhooks: ``WEBHOOK_ALLOW_HOSTS``)."""
    entries = settings.CHECKER_ALLOW_HOSTS if allow is None else allow
    return _allow_key(host, port) in _allow_set(tuple(entries))


@functools.lru_cache(maxsize=8)
def _allow_set(entries: tuple[str, ...]) -> frozenset[str]:
    # Normalised once per list, not per URL: a list of a hundred hosts (the checker benchmark's)
    # cost half a millisecond of every check.
    return frozenset(entry.strip().lower() for entry in entries)


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str
    url: str
    # The allowlist this target is checked against (None: CHECKER_ALLOW_HOSTS).
    allow: tuple[str, ...] | None = None


def parse_target(url: str, allow: tuple[str, ...] | None = None) -> Target:
    """Split a URL into what a request needs, refusing anything that is not plain http(s)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        raise FetchRefused(UNSAFE, "The URL contains spaces, control characters or backslashes.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchRefused(UNSAFE, f"Only http and https URLs are fetched, not {scheme or 'this'}:.")
    if "@" in parts.netloc:
        raise FetchRefused(UNSAFE, "URLs with a user name or password are not fetched.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(UNSAFE, "The URL has no host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchRefused(UNSAFE, "The port in the URL is not valid.") from None
    if ":" not in host:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise FetchRefused(UNSAFE, "The host name is not valid.") from None
    allowed_ports = settings.CHECKER_ALLOWED_PORTS
    if port not in allowed_ports and not _allowlisted(host, port, allow):
        raise FetchRefused(UNSAFE, f"Port {port} is not fetched (only {', '.join(map(str, allowed_ports))}).")
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    clean_url = urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return Target(scheme=scheme, host=host, port=port, path=path, url=clean_url, allow=allow)


def resolve_pinned(target: Target) -> str:
    """Resolve the host and return the one address to connect to, or refuse.

    Every address of the answer must be public: a name that resolves to a public and a
    private address is refused as a whole, since a later lookup could pick the other.
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise FetchRefused(ERROR, f"The host name {target.host} could not be resolved ({error}).") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchRefused(ERROR, f"The host name {target.host} has no addresses.")
    if _allowlisted(target.host, target.port, target.allow):
        return addresses[0]
    unsafe = [a for a in addresses if not is_public_address(a)]
    if unsafe:
        raise FetchRefused(
            UNSAFE, f"{target.host} resolves to a non-public address ({', '.join(sorted(set(unsafe)))}); not fetched."
        )
    return addresses[0]


def _open_socket(address: str, port: int, timeout: float | None) -> socket.socket:
    """Open the TCP connection to the checked address. The single place a socket is made."""
    return socket.create_connection((address, port), timeout=timeout)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, connect_timeout: float):
        super().__init__(host, port, timeout=connect_timeout)
        self.pinned_address = address
        # http.client hands the socket to the response and closes its own handle; we keep
        # setting per-read timeouts on it, so it stays open until we close it ourselves.
        self.holding = True

    def close(self) -> None:
        if not self.holding:
            super().close()

    def connect(self) -> None:
        self.sock = _open_socket(self.pinned_address, self.port, self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a fixed address with the host name as SNI and for certificate checks."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()  # verified certificates and host names, always
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


# --- Body decoding ------------------------------------------------------------------


class _Decoder:
    """Undo Content-Encoding incrementally and stop as soon as the output passes ``limit``."""

    def __init__(self, encoding: str, limit: int):
        self.encoding = (encoding or "identity").strip().lower()
        self.limit = limit
        self.out = bytearray()
        self._zlib = None
        self._brotli = None
        self._started = False
        if self.encoding in {"gzip", "x-gzip"}:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        elif self.encoding == "br":
            self._brotli = brotli.Decompressor()
        elif self.encoding not in {"identity", ""}:
            raise FetchRefused(ERROR, f"Unsupported Content-Encoding {self.encoding!r}.")

    def _room(self) -> int:
        return self.limit - len(self.out) + 1

    def _append(self, data: bytes) -> None:
        self.out += data
        if len(self.out) > self.limit:
            raise FetchRefused(TOO_LARGE, f"The page is larger than {self.limit:,} bytes once decoded; stopped there.")

    def feed(self, data: bytes) -> None:
        try:
            if self._zlib is not None:
                self._feed_zlib(self._zlib, data)
            elif self._brotli is not None:
                self._feed_brotli(self._brotli, data)
            else:
                self._append(data)
        except (zlib.error, brotli.error) as error:
            raise FetchRefused(ERROR, f"The {self.encoding} body could not be decoded ({error}).") from None

    def _feed_zlib(self, decompressor: zlib._Decompress, data: bytes) -> None:
        if not self._started and self.encoding == "deflate":
            # Servers send "deflate" both with and without the zlib header.
            self._started = True
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:2])
            except zlib.error:
                decompressor = self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        while data:
            self._append(decompressor.decompress(data, self._room()))
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                break

    def _feed_brotli(self, decompressor: Any, data: bytes) -> None:
        self._append(decompressor.process(data, output_buffer_limit=self._room()))
        while not decompressor.can_accept_more_data():
            self._append(decompressor.process(b"", output_buffer_limit=self._room()))

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._append(self._zlib.flush(self._room()))
        return bytes(self.out)


# --- Charset ------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)


# Labels browsers read as a wider encoding (the WHATWG Encoding Standard); pages labelled
# gb2312 or iso-8859-1 routinely carry characters only the wider one has.
_WIDER_CODEC = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}


def _known_codec(name: str | None) -> str:
    if not name:
        return ""
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return ""
    return _WIDER_CODEC.get(codec, codec)


def detect_charset(content_type_header: str, body: bytes) -> str:
    """The body's charset: from the Content-Type header, else a <meta> in the first 4 KB, else detected."""
    msg = email.message.Message()
    msg["content-type"] = content_type_header or ""
    param = msg.get_param("charset")  # a tuple when written the RFC 2231 way (charset*=)
    charset = _known_codec(email.utils.collapse_rfc2231_value(param) if param else None)
    if charset:
        return charset
    match = _META_CHARSET.search(body[:4096])
    if match:
        charset = _known_codec(match.group(1).decode("ascii", "ignore"))
        if charset:
            return charset
    if not body:
        return "utf-8"
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    return _known_codec(best.encoding if best else None) or "utf-8"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), 86400.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - (now or datetime.now(UTC))).total_seconds(), 86400.0))


# --- Politeness: one request at a time per host, spaced --------------------------------


class HostBusy(Exception):
    """The host's politeness slot stayed taken for ``CHECKER_SLOT_WAIT_SECONDS``.

    Not an outcome: the site was never contacted, so the runner gives the job back to
    the queue without spending an attempt.
    """


# Let through, never recorded as the check's own failure: a busy host (the job goes back to
# the queue) and the worker's time limits.
_HOST_BUSY_OR_STOP_NOW: tuple[type[BaseException], ...] = (HostBusy, *STOP_NOW)


# Monotonic time before which this process uses lock files instead of Redis.
_redis_down_until = 0.0

# Take the slot: -1 when taken; else how long a waiter should sleep: the spacing left
# (the key then says "spacing", set by _RELEASE), or -2 while a request is running.
_ACQUIRE = (
    "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end "
    "if redis.call('get', KEYS[1]) == 'spacing' then return redis.call('pttl', KEYS[1]) end "
    "return -2"
)
# Renew the slot only while it is still ours; release it (leaving the spacing) likewise.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "if tonumber(ARGV[2]) > 0 then return redis.call('set', KEYS[1], 'spacing', 'PX', ARGV[2]) end "
    "return redis.call('del', KEYS[1]) end return 0"
)
# While another request to the host runs, look again this often (it takes ~0.1–1 s).
_BUSY_POLL_SECONDS = 0.05


def _redis_client():
    url = settings.CHECKER_REDIS_URL or settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")) or time.monotonic() < _redis_down_until:
        return None
    return _redis_for(url)


@functools.lru_cache(maxsize=4)
def _redis_for(url: str):
    """One client (and connection pool) per URL for the life of the process."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No silent retries: a Redis that does not answer in 2 s is treated as down at once.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 0))


class _Renewer(threading.Thread):
    """Keeps a short Redis slot alive while its request runs; a dead worker's slot lapses in seconds."""

    def __init__(self, client, key: str, token: str, lease_ms: int):
        super().__init__(name=f"slot-renew-{key}", daemon=True)
        self.client, self.key, self.token, self.lease_ms = client, key, token, lease_ms
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.lease_ms / 3000):
            try:
                self.client.eval(_RENEW, 1, self.key, self.token, self.lease_ms)
            except STOP_NOW:
                raise
            except Exception as error:  # noqa: BLE001 — the slot then lapses; the fetch goes on
                log.warning("could not renew politeness slot %s: %s", self.key, error)
                return


def _wait_budget() -> float:
    return float(settings.CHECKER_SLOT_WAIT_SECONDS)


@contextlib.contextmanager
def _redis_slot(client, host: str, spacing: float) -> Iterator[None]:
    global _redis_down_until
    lease_ms = int(float(settings.CHECKER_SLOT_LEASE_SECONDS) * 1000)
    key = f"checker:host:{host}"
    token = uuid.uuid4().hex
    give_up = time.monotonic() + _wait_budget()
    acquired = False
    try:
        while (wait_ms := client.eval(_ACQUIRE, 1, key, token, lease_ms)) != -1:
            left = give_up - time.monotonic()
            if left <= 0:
                raise HostBusy(f"{host} was busy with another check for {_wait_budget():g} s.")
            # Sleep through the spacing in one go rather than polling through it: with
            # many threads waiting on busy hosts, polling would be most of Redis's work.
            # The jitter spreads the waiters that wake for the same host.
            pause = wait_ms / 1000 if wait_ms >= 0 else _BUSY_POLL_SECONDS
            time.sleep(min(left, pause + random.uniform(0, 0.02)))
        acquired = True
    except _HOST_BUSY_OR_STOP_NOW:
        raise
    except Exception as error:  # noqa: BLE001 — politeness must not break checks when Redis is down
        log.warning("politeness via Redis unavailable (%s); using lock files for 30 s", error)
        _redis_down_until = time.monotonic() + 30
    if not acquired:
        with _file_slot(host, spacing):
            yield
        return
    renewer = _Renewer(client, key, token, lease_ms)
    renewer.start()
    try:
        yield
    finally:
        renewer.stopped.set()
        try:
            client.eval(_RELEASE, 1, key, token, max(0, int(spacing * 1000)))
        except STOP_NOW:
            raise
        except Exception as error:  # noqa: BLE001 — the slot lapses on its own
            log.warning("could not release politeness slot for %s: %s", host, error)


@contextlib.contextmanager
def _file_slot(host: str, spacing: float) -> Iterator[None]:
    """The host's slot as an exclusive lock on a file shared by this machine's processes.

    The kernel drops the lock when its process dies, so a killed worker holds nothing.
    The file keeps the time the next request may start (the spacing).
    """
    import fcntl
    import hashlib
    import os

    folder = settings.CHECKER_SLOT_DIR or "var/checker-slots"
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, hashlib.sha256(host.encode()).hexdigest()[:32])
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    give_up = time.monotonic() + _wait_budget()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= give_up:
                    raise HostBusy(f"{host} was busy with another check for {_wait_budget():g} s.") from None
                time.sleep(0.05)
        try:
            free_at = float(os.pread(fd, 32, 0).decode() or 0)
        except ValueError:
            free_at = 0.0
        wait = free_at - time.time()
        if wait > 0:
            if time.monotonic() + wait > give_up:
                raise HostBusy(f"{host} asked for spacing between requests; not free for {wait:.1f} s.")
            time.sleep(wait)
        try:
            yield
        finally:
            stamp = f"{time.time() + spacing:.3f}".encode().ljust(32)
            os.pwrite(fd, stamp, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def host_free(host: str) -> bool:
    """Whether no request to ``host`` is running or spacing now, as far as Redis knows
    (a hint for choosing work; the slot itself is still taken with ``host_slot``)."""
    client = _redis_client()
    if client is None:
        return True
    try:
        return not client.exists(f"checker:host:{host.lower()}")
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — only a hint: without Redis every host looks free
        return True


@contextlib.contextmanager
def host_slot(host: str, deadline: Deadline) -> Iterator[None]:
    """Hold the host's slot for one request; the next may start ``CHECKER_HOST_SPACING_SECONDS`` after.

    Shared through Redis (all workers on all machines) when there is one, otherwise, or
    while Redis is not answering, through lock files (all workers on this machine).
    Waiting for the slot is not fetching: the time waited is given back to the fetch's
    deadline, and after ``CHECKER_SLOT_WAIT_SECONDS`` the wait ends with ``HostBusy``.
    """
    spacing = float(settings.CHECKER_HOST_SPACING_SECONDS)
    started = time.monotonic()
    client = _redis_client()
    slot = _redis_slot(client, host, spacing) if client is not None else _file_slot(host, spacing)
    with slot:
        deadline.extend(time.monotonic() - started)
        yield


# --- The request --------------------------------------------------------------------


def _request_headers() -> dict[str, str]:
    return {
        "User-Agent": settings.CHECKER_USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en;q=0.9, *;q=0.5",
        "Connection": "close",
    }


@dataclass
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_size: int
    address: str

    def header(self, name: str) -> str:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return ""


def _one_request(
    target: Target,
    deadline: Deadline,
    *,
    read_body: bool = True,
    extra_headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> _Response:
    """One request to one URL, address pinned, with limits. Raises FetchRefused.

    A GET by default, with the checker's headers; ``post`` sends ``body`` with its own ``headers``.
    """
    address = resolve_pinned(target)
    connect_timeout = deadline.timeout(float(settings.CHECKER_CONNECT_TIMEOUT))
    read_timeout = float(settings.CHECKER_READ_TIMEOUT)
    max_bytes = int(settings.CHECKER_MAX_BYTES if max_bytes is None else max_bytes)
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target.host, target.port, address=address, connect_timeout=connect_timeout)
    watchdog: threading.Timer | None = None
    try:
        conn.connect()
        sock = conn.sock

        def _cut() -> None:
            # A server dripping bytes inside one recv() would outlive the read timeout; cut it.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(max(deadline.remaining(), 0.001), _cut)
        watchdog.daemon = True
        watchdog.start()
        sock.settimeout(deadline.timeout(read_timeout))
        conn.putrequest(method, target.path, skip_accept_encoding=True)
        sent_headers = headers if headers is not None else _request_headers()
        if body is not None:
            sent_headers = {**sent_headers, "Content-Length": str(len(body))}
        for name, value in {**sent_headers, **(extra_headers or {})}.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        resp = _Response(
            status=response.status, headers=list(response.getheaders()), body=b"", raw_size=0, address=address
        )
        if not read_body or response.status in REDIRECT_STATUSES or response.status == 304:
            return resp
        length = resp.header("content-length")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchRefused(TOO_LARGE, f"The server announced {int(length):,} bytes; the limit is {max_bytes:,}.")
        decoder = _Decoder(resp.header("content-encoding"), max_bytes)
        raw = 0
        while True:
            sock.settimeout(deadline.timeout(read_timeout))
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            raw += len(chunk)
            if raw > max_bytes:
                raise FetchRefused(TOO_LARGE, f"The page is larger than {max_bytes:,} bytes; stopped there.")
            decoder.feed(chunk)
        if deadline.remaining() <= 0:
            raise FetchRefused(TIMEOUT, f"Gave up after the {deadline.seconds:g} s deadline.")
        resp.body = decoder.finish()
        resp.raw_size = raw
        return resp
    except FetchRefused:
        raise
    except ssl.SSLError as error:
        raise FetchRefused(TLS_ERROR, f"TLS failed: {error.reason or error}.") from None
    except TimeoutError:
        if deadline.remaining() <= 0:
            raise FetchRefused(TIMEOUT, f"Gave up after the {deadline.seconds:g} s deadline.") from None
        raise FetchRefused(TIMEOUT, "The server stopped answering (read or connect timeout).") from None
    except (http.client.HTTPException, OSError) as error:
        if deadline.remaining() <= 0:
            raise FetchRefused(TIMEOUT, f"Gave up after the {deadline.seconds:g} s deadline.") from None
        if isinstance(error, ConnectionRefusedError):
            raise FetchRefused(ERROR, "The server refused the connection.") from None
        raise FetchRefused(ERROR, f"The connection failed: {error.__class__.__name__}: {error}.") from error
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.holding = False
        conn.close()


# origin -> (monotonic expiry, robots.txt lines or None when anything is allowed)
_robots_cache: dict[str, tuple[float, list[str] | None]] = {}
_ROBOTS_CACHE_MAX = 10_000


def robots_cache_clear() -> None:
    _robots_cache.clear()


_robots_locks: dict[str, threading.Lock] = {}
_robots_locks_guard = threading.Lock()


def _robots_lines(robots: Target, deadline: Deadline) -> list[str] | None:
    """robots.txt of one origin, from this process's cache while fresh (``CHECKER_ROBOTS_CACHE_SECONDS``).

    One thread fetches it while the process's other threads checking that origin wait for
    its answer: each extra fetch would take the host's politeness slot and spacing.
    """
    cached = _robots_cache.get(robots.url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    with _robots_locks_guard:
        if len(_robots_locks) >= _ROBOTS_CACHE_MAX:
            _robots_locks.clear()
        lock = _robots_locks.setdefault(robots.url, threading.Lock())
    with lock:
        return _robots_lines_fetched(robots, deadline)


# Shared between all worker processes through Redis, with its own expiry (the key's TTL).
_ROBOTS_KEY = "checker:robots:"
_ROBOTS_WAIT_SECONDS = 5.0
_MISSING = object()


def _shared_robots(client, origin: str):
    """robots.txt of ``origin`` as another process stored it: lines, None (anything allowed), or _MISSING."""
    if client is None:
        return _MISSING
    try:
        raw = client.get(_ROBOTS_KEY + origin)
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — only a cache: without Redis each process asks for itself
        return _MISSING
    if raw is None:
        return _MISSING
    try:
        return json.loads(raw)
    except ValueError:
        return _MISSING


def _robots_from_another_process(client, origin: str):
    """Wait a little for a process already fetching ``origin``'s robots.txt (it holds the short
    fetch mark) rather than take the host's slot for a second copy; _MISSING if none is."""
    if client is None:
        return _MISSING
    try:
        if client.set(_ROBOTS_KEY + "fetching:" + origin, "1", nx=True, ex=int(_ROBOTS_WAIT_SECONDS) + 10):
            return _MISSING  # ours to fetch
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001
        return _MISSING
    give_up = time.monotonic() + _ROBOTS_WAIT_SECONDS
    while time.monotonic() < give_up:
        time.sleep(0.1)
        lines = _shared_robots(client, origin)
        if lines is not _MISSING:
            return lines
    return _MISSING


def _store_shared_robots(client, origin: str, lines) -> None:
    """Share ``lines`` (not when _MISSING: the fetch failed) and drop the fetch mark."""
    if client is None:
        return
    seconds = int(settings.CHECKER_ROBOTS_CACHE_SECONDS)
    try:
        if seconds > 0 and lines is not _MISSING:
            client.set(_ROBOTS_KEY + origin, json.dumps(lines), ex=seconds)
        client.delete(_ROBOTS_KEY + "fetching:" + origin)
    except STOP_NOW:
        raise
    except Exception as error:  # noqa: BLE001 — only a cache
        log.info("could not share robots.txt of %s: %s", origin, error)


def _robots_lines_fetched(robots: Target, deadline: Deadline) -> list[str] | None:
    now = time.monotonic()
    cached = _robots_cache.get(robots.url)
    if cached and cached[0] > now:
        return cached[1]
    client = _redis_client() if float(settings.CHECKER_ROBOTS_CACHE_SECONDS) > 0 else None
    shared = _shared_robots(client, robots.url)
    if shared is _MISSING:
        shared = _robots_from_another_process(client, robots.url)
    if shared is not _MISSING:
        _remember_robots(robots.url, now, shared)
        return shared
    lines = None  # unreachable robots.txt allows (and is asked again after the expiry)
    answered = False
    try:
        with host_slot(robots.host, deadline):
            response = _one_request(robots, deadline)
        answered = True
        if response.status < 400 and response.status not in REDIRECT_STATUSES:
            lines = response.body.decode("utf-8", errors="replace").splitlines()[:5000]
    except FetchRefused as refused:
        if refused.kind in {UNSAFE, TIMEOUT}:
            raise
        answered = True
    finally:
        if not answered:  # refused, the host stayed busy, or a time limit: let another process try
            _store_shared_robots(client, robots.url, _MISSING)
    _store_shared_robots(client, robots.url, lines)
    _remember_robots(robots.url, now, lines)
    return lines


def _remember_robots(origin: str, now: float, lines: list[str] | None) -> None:
    if len(_robots_cache) >= _ROBOTS_CACHE_MAX:
        _robots_cache.pop(next(iter(_robots_cache)))
    _robots_cache[origin] = (now + float(settings.CHECKER_ROBOTS_CACHE_SECONDS), lines)


def robots_allowed(url: str, deadline: Deadline | None = None) -> bool:
    """Whether robots.txt at the URL's origin lets this checker fetch it; unreachable robots.txt allows."""
    deadline = deadline or Deadline(float(settings.CHECKER_DEADLINE_SECONDS))
    target = parse_target(url)
    robots = parse_target(urlunsplit((target.scheme, urlsplit(target.url).netloc, "/robots.txt", "", "")))
    lines = _robots_lines(robots, deadline)
    if lines is None:
        return True
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(lines)
    agent = settings.CHECKER_USER_AGENT.split("/", 1)[0]
    return parser.can_fetch(agent, target.url)


def fetch(
    url: str,
    *,
    respect_robots: bool = False,
    validators: Validators | None = None,
    deadline_seconds: float | None = None,
) -> FetchResult:
    """Fetch ``url`` safely, following at most ``CHECKER_MAX_REDIRECTS`` checked redirects.

    With ``validators``, the hop at their URL is a conditional request; a 304 answer to it
    sets ``not_modified`` (and leaves the body empty). ``deadline_seconds``: a shorter total
    budget than ``CHECKER_DEADLINE_SECONDS`` (the paste-a-URL preview's couple of seconds).
    Never raises for what a URL or server does; see ``FetchResult.error_kind``.
    """
    started = time.monotonic()
    budget = float(settings.CHECKER_DEADLINE_SECONDS)
    deadline = Deadline(min(budget, deadline_seconds) if deadline_seconds else budget)
    max_redirects = int(settings.CHECKER_MAX_REDIRECTS)
    result = FetchResult(url=url, fetched_at=datetime.now(UTC), request_headers=_request_headers())
    current = url
    seen: set[str] = set()
    try:
        if respect_robots and not robots_allowed(url, deadline):
            raise FetchRefused(ROBOTS, "robots.txt asks this checker not to fetch the page.")
        while True:
            target = parse_target(current)
            if target.url in seen:
                raise FetchRefused(ERROR, f"Redirect loop: {target.url} was already visited.")
            seen.add(target.url)
            conditional = validators.headers_for(target.url) if validators else {}
            with host_slot(target.host, deadline):
                response = _one_request(target, deadline, extra_headers=conditional)
            result.final_url = target.url
            result.status = response.status
            result.address = response.address
            if response.status in REDIRECT_STATUSES and response.header("location"):
                location = urljoin(target.url, response.header("location"))
                result.redirects.append({"url": target.url, "status": response.status, "location": location})
                if len(result.redirects) > max_redirects:
                    raise FetchRefused(ERROR, f"More than {max_redirects} redirects; stopped.")
                current = location
                continue
            break
        result.not_modified = response.status == 304 and bool(conditional)
        if conditional:
            result.request_headers = {**result.request_headers, **conditional}
        result.raw_headers = response.headers
        result.headers = {k.lower(): v for k, v in response.headers}
        content_type = result.headers.get("content-type", "")
        result.content_type = content_type.split(";", 1)[0].strip().lower()
        result.body = response.body
        result.raw_size = response.raw_size
        if result.content_type.startswith("text/") or result.is_html or not result.content_type:
            result.charset = detect_charset(content_type, response.body)
        if response.status in {429, 503}:
            result.retry_after = parse_retry_after(result.headers.get("retry-after"))
    except FetchRefused as refused:
        result.error_kind = refused.kind
        result.error = refused.message
        if not result.final_url:
            result.final_url = current
    except _HOST_BUSY_OR_STOP_NOW:
        raise
    except Exception as error:  # noqa: BLE001 — a check records every failure instead of crashing
        log.exception("unexpected error fetching %s", url)
        result.error_kind = ERROR
        result.error = f"Unexpected error: {error.__class__.__name__}: {error}"
    result.timings["total_ms"] = int((time.monotonic() - started) * 1000)
    return result


def post(
    url: str, body: bytes, headers: dict[str, str], *, allow: tuple[str, ...], deadline_seconds: float
) -> FetchResult:
    """POST ``body`` to ``url`` under the same rules as a fetch (webhooks, ``claims.webhooks``).

    The URL is parsed, resolved and pinned as for a source, against the caller's allowlist
    ``allow`` instead of ``CHECKER_ALLOW_HOSTS``; redirects are not followed (a 3xx is the
    answer); the answer's body is read up to 64 KB; ``deadline_seconds`` bounds it all.
    Never raises for what a URL or server does: see ``FetchResult.error_kind``.
    """
    started = time.monotonic()
    deadline = Deadline(float(deadline_seconds))
    result = FetchResult(url=url, fetched_at=datetime.now(UTC), request_headers=dict(headers))
    try:
        target = parse_target(url, allow=allow)
        response = _one_request(target, deadline, method="POST", body=body, headers=headers, max_bytes=64 * 1024)
        result.final_url = target.url
        result.status = response.status
        result.address = response.address
        result.raw_headers = response.headers
        result.headers = {k.lower(): v for k, v in response.headers}
        result.body = response.body
    except FetchRefused as refused:
        result.error_kind = refused.kind
        result.error = refused.message
        result.final_url = result.final_url or url
    except STOP_NOW:
        raise
    except Exception as error:  # noqa: BLE001 — a delivery records every failure instead of crashing
        log.exception("unexpected error posting to %s", url)
        result.error_kind = ERROR
        result.error = f"Unexpected error: {error.__class__.__name__}: {error}"
    result.timings["total_ms"] = int((time.monotonic() - started) * 1000)
    return result
