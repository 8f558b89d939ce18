"""Many local "news sites" for the checker throughput benchmark, and a referee of politeness.

One asyncio process listens on ``--hosts`` loopback addresses (127.0.0.2, 127.0.0.3, …;
never any other address), all on ``--port``, each standing for one site. Every answer
comes after ``--latency`` seconds. ``/story/<n>`` is an article page of 50–300 KB (most
of it scripts, styles and navigation, as real pages are); a story for which
``is_changed(n)`` holds gets a new paragraph per ``--edition``, the others never change.
Even-numbered hosts tag their pages with an ETag and answer a matching
``If-None-Match`` with 304; odd ones send no validators (the checker must then compare
body hashes). ``/robots.txt`` is a 404.

Each host records what politeness is about: how many requests it had at once (at most
one is polite) and the gap between one request's end and the next one's start (at least
``--spacing`` seconds, less a small tolerance for clocks). ``GET /stats`` on
``127.0.0.1:--control`` returns them as JSON; ``GET /reset`` clears them.

    python -m benchmarks.checker_hosts --hosts 100 --port 8731 --control 8732 --edition 2
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import time
from functools import lru_cache

VARIANTS = 20
# Clock slack when judging spacing: the checker stamps "free after" when it has read the
# whole body, a moment after this server finished writing it.
GAP_TOLERANCE_SECONDS = 0.02

WORDS = (
    "the minister said drone jet sea contact evidence defence officials statement according "
    "reported wednesday government military spokesman agency briefing footage recovered waters "
    "international coast flight fighter aircraft pentagon ministry denied confirmed"
).split()


def host_address(index: int) -> str:
    """The loopback address of host ``index`` (0-based): 127.0.0.2 upwards, at most 127.0.0.254."""
    if not 0 <= index < 253:
        raise ValueError("at most 253 local hosts (127.0.0.2 … 127.0.0.254)")
    return f"127.0.0.{index + 2}"


def is_changed(story: int) -> bool:
    """Three stories in ten change between checks; the rest are byte-for-byte the same."""
    return (story * 7) % 10 < 3


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) + (str(rng.randint(0, 999)) if rng.random() < 0.3 else "") for _ in range(18)]
    return " ".join(words).capitalize() + "."


@lru_cache(maxsize=VARIANTS)
def article_paragraphs(variant: int) -> tuple[str, ...]:
    rng = random.Random(variant)
    return tuple(" ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(rng.randint(12, 25)))


@lru_cache(maxsize=VARIANTS)
def _page_parts(variant: int) -> tuple[str, str]:
    """A page of 50–300 KB (growing with ``variant``), split where an edit would go."""
    rng = random.Random(1000 + variant)
    target = 50_000 + variant * (250_000 // (VARIANTS - 1))
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(60))
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Story variant {variant} - Example Wire</title>"
        "<meta property='og:site_name' content='Example Wire'>"
        "<meta name='author' content='Jane Reporter'>"
        "<meta property='article:published_time' content='2026-11-01T09:30:00Z'>"
    )
    article = "".join(f"<p>{p}</p>\n" for p in article_paragraphs(variant))
    body_start = (
        f"</head><body><header><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>Story variant {variant}</h1><p class='byline'>By Jane Reporter</p>{article}"
    )
    body_end = "</article></main><footer><p>© Example Wire</p></footer></body></html>"
    filler = []
    size = len(head) + len(body_start) + len(body_end)
    while size < target:  # the bulk of a real page: inline scripts and styles
        chunk = "<script>window.__data=" + json.dumps([rng.random() for _ in range(200)]) + ";</script>\n"
        filler.append(chunk)
        size += len(chunk)
    return head + "".join(filler) + body_start, body_end


def page(story: int, edition: int) -> bytes:
    """The body of ``/story/<story>`` in ``edition`` (edition 0: as first checked)."""
    if not (edition and is_changed(story)):
        return _unchanged_page(story % VARIANTS)
    start, end = _page_parts(story % VARIANTS)
    start += f"<p>Correction {edition}: an earlier version of story {story} misstated the time of the flight.</p>"
    return (start + end).encode()


@lru_cache(maxsize=VARIANTS)
def _unchanged_page(variant: int) -> bytes:
    # Built once: the local sites should cost the machine little (real ones are elsewhere).
    start, end = _page_parts(variant)
    return (start + end).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def page_and_etag(story: int, edition: int) -> tuple[bytes, str]:
    """``page`` and its ETag; an unchanged page's (seven in ten answers) hashed once per variant."""
    if not (edition and is_changed(story)):
        return _unchanged_page_and_etag(story % VARIANTS)
    body = page(story, edition)
    return body, etag_of(body)


@lru_cache(maxsize=VARIANTS)
def _unchanged_page_and_etag(variant: int) -> tuple[bytes, str]:
    body = _unchanged_page(variant)
    return body, etag_of(body)


class Host:
    def __init__(self, address: str, tagged: bool):
        self.address, self.tagged = address, tagged
        self.reset()

    def reset(self) -> None:
        self.active = self.max_active = self.requests = self.conditional = self.not_modified = self.robots = 0
        self.last_end: float | None = None
        self.min_gap: float | None = None
        self.too_close = 0
        self.first_start: float | None = None
        self.last_finish: float | None = None


class Referee:
    def __init__(self, hosts: int, latency: float, spacing: float, edition: int):
        self.latency, self.spacing, self.edition = latency, spacing, edition
        self.hosts = {host_address(i): Host(host_address(i), tagged=i % 2 == 0) for i in range(hosts)}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = self.hosts[writer.get_extra_info("sockname")[0]]
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        started = time.monotonic()
        host.requests += 1
        host.active += 1
        host.max_active = max(host.max_active, host.active)
        host.first_start = host.first_start or started
        if host.last_end is not None:
            gap = started - host.last_end
            host.min_gap = gap if host.min_gap is None else min(host.min_gap, gap)
            if gap < self.spacing - GAP_TOLERANCE_SECONDS:
                host.too_close += 1
        try:
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "/"
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            await asyncio.sleep(self.latency)
            status, extra, body = self.answer(host, path, headers)
            reply = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Other'}", "Connection: close"]
            reply += [f"{k}: {v}" for k, v in extra.items()] + [f"Content-Length: {len(body)}", "", ""]
            writer.write("\r\n".join(reply).encode() + body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            host.active -= 1
            host.last_end = host.last_finish = time.monotonic()
            writer.close()

    def answer(self, host: Host, path: str, headers: dict) -> tuple[int, dict, bytes]:
        if path == "/robots.txt":
            host.robots += 1
            return 404, {"Content-Type": "text/plain"}, b"no robots.txt here"
        if not path.startswith("/story/") or not path.removeprefix("/story/").isdigit():
            return 404, {"Content-Type": "text/plain"}, b"no such story"
        body, etag = page_and_etag(int(path.removeprefix("/story/")), self.edition)
        extra = {"Content-Type": "text/html; charset=utf-8"}
        if "if-none-match" in headers or "if-modified-since" in headers:
            host.conditional += 1
        if host.tagged:
            extra["ETag"] = etag
            if headers.get("if-none-match") == extra["ETag"]:
                host.not_modified += 1
                return 304, {"ETag": extra["ETag"]}, b""
        return 200, extra, body

    def stats(self) -> dict:
        hosts = list(self.hosts.values())
        gaps = [h.min_gap for h in hosts if h.min_gap is not None]
        return {
            "hosts": len(hosts),
            "requests": sum(h.requests for h in hosts),
            "robots": sum(h.robots for h in hosts),
            "conditional": sum(h.conditional for h in hosts),
            "not_modified": sum(h.not_modified for h in hosts),
            "max_concurrency_per_host": max((h.max_active for h in hosts), default=0),
            "hosts_over_concurrency": sum(1 for h in hosts if h.max_active > 1),
            "min_gap_seconds": round(min(gaps), 4) if gaps else None,
            "spacing_violations": sum(h.too_close for h in hosts),
            "spacing": self.spacing,
            "latency": self.latency,
            "busiest_host_requests": max((h.requests for h in hosts), default=0),
        }

    async def control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        path = request.split(" ")[1] if " " in request else "/"
        if path.startswith("/reset"):
            for host in self.hosts.values():
                host.reset()
            if "edition=" in path:
                self.edition = int(path.split("edition=", 1)[1])
        body = json.dumps(self.stats()).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


async def main_async(args: argparse.Namespace) -> None:
    referee = Referee(args.hosts, args.latency, args.spacing, args.edition)
    servers = [
        await asyncio.start_server(referee.serve, address, args.port, backlog=64, reuse_address=True)
        for address in referee.hosts
    ]
    servers.append(await asyncio.start_server(referee.control, "127.0.0.1", args.control, reuse_address=True))
    print(f"serving {args.hosts} hosts on port {args.port}; control on 127.0.0.1:{args.control}", flush=True)
    # Bounded: the benchmark stops this process; if it does not, it stops by itself.
    await asyncio.sleep(args.max_seconds)
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--control", type=int, default=8732)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--spacing", type=float, default=1.0)
    parser.add_argument("--edition", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1800)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
