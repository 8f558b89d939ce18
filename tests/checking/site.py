"""A small hostile-and-friendly web site for the checker's tests, served on 127.0.0.1.

Each route returns what a real site might: an article with quotes, the same article
edited, one where only an advert and a timestamp changed, error statuses, redirect
chains and loops, a slow drip, a huge body, compression bombs, legacy charsets, a PDF,
rate limiting. Tests can also put their own responses in ``server.routes``.
"""

import gzip
import http.server
import threading
import time
import zlib

import brotli

ARTICLE_PARAGRAPHS = [
    "A US MQ-9 Reaper drone went down over the Black Sea on Tuesday after an encounter with two "
    "Russian Su-27 fighter jets, the US military said.",
    "According to US European Command, one of the jets dumped fuel on the drone and then struck its "
    "propeller, forcing operators to bring the aircraft down in international waters.",
    "“We have absolute evidence of the contact,” said Gen. Mark Milley, chairman of the Joint Chiefs "
    "of Staff, at a briefing at the Pentagon on Wednesday afternoon.",
    "Russia’s defence ministry denied that its jets had come into contact with the drone. “The Russian "
    "fighters did not use their onboard weapons, did not come into contact with the unmanned aerial "
    "vehicle and returned safely to their home airfield,” the ministry said in a statement.",
    "The United States was working to declassify footage of the encounter, officials said, adding that "
    "the recovery of the wreckage would be difficult because of the depth of the water in the area.",
    "Sergey Lavrov, the Russian foreign minister, accused Washington of provoking an escalation and said "
    "the flights near the Crimean coast were not a coincidence but a deliberate act.",
]


def article_html(
    paragraphs=None, *, advert="Subscribe today for 1 euro", stamp="Updated 10:02 GMT", title=None, charset_meta="utf-8"
):
    paragraphs = paragraphs if paragraphs is not None else ARTICLE_PARAGRAPHS
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    title = title or "US drone downed over Black Sea after encounter with Russian jets"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="{charset_meta}">
<title>{title}</title>
<meta name="author" content="Jane Reporter">
<meta property="og:site_name" content="Example Wire">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2023-03-15T09:30:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<aside class="advert">{advert}</aside>
<article>
<h1>{title}</h1>
<p class="byline">By Jane Reporter · <time datetime="2023-03-15">15 March 2023</time> · {stamp}</p>
{body}
</article>
<footer>© Example Wire. All rights reserved.</footer>
</body></html>"""


EDITED_PARAGRAPHS = list(ARTICLE_PARAGRAPHS)
EDITED_PARAGRAPHS[2] = (
    "“We have clear evidence of the contact,” said Gen. Mark Milley, chairman of the Joint Chiefs "
    "of Staff, at a briefing at the Pentagon on Wednesday afternoon."
)
EDITED_PARAGRAPHS[5] = "Russia’s foreign ministry declined to comment further on Thursday."

BIG = 50 * 1024 * 1024
_bombs = {}


def bomb(kind):
    """A response body that is tiny on the wire and 50 MB once decoded (built once)."""
    if kind not in _bombs:
        zeros = b"\0" * BIG
        if kind == "gzip":
            _bombs[kind] = gzip.compress(zeros, 9)
        elif kind == "deflate":
            _bombs[kind] = zlib.compress(zeros, 9)
        else:
            _bombs[kind] = brotli.compress(zeros, quality=5)
    return _bombs[kind]


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _static_routes(server):
    html = "text/html; charset=utf-8"
    latin = article_html(
        [
            "Le ministère a déclaré que « les avions russes n'ont pas touché le drone » près de la Crimée, "
            "selon un communiqué publié mercredi à Moscou et repris par l'agence."
        ]
        * 3,
        title="Déclaration du ministère",
        charset_meta="iso-8859-1",
    )
    cyrillic = article_html(
        [
            "Министерство обороны заявило, что российские истребители не вступали в контакт с беспилотником "
            "и не применяли бортовое оружие, вернувшись на аэродром базирования."
        ]
        * 4,
        title="Заявление министерства",
        charset_meta="",
    ).replace('<meta charset="">', "")
    return {
        "/article": (200, {"Content-Type": html}, article_html().encode()),
        "/article-edited": (200, {"Content-Type": html}, article_html(EDITED_PARAGRAPHS).encode()),
        "/article-advert": (
            200,
            {"Content-Type": html},
            article_html(advert="Win a trip to Rome!", stamp="Updated 17:45 GMT").encode(),
        ),
        "/gone-404": (404, {"Content-Type": html}, b"<h1>Not found</h1>"),
        "/gone-410": (410, {"Content-Type": html}, b"<h1>Gone</h1>"),
        "/broken-500": (500, {"Content-Type": html}, b"<h1>Oops</h1>"),
        "/unavailable-503": (503, {"Content-Type": html, "Retry-After": "30"}, b"<h1>Later</h1>"),
        "/rate-limited": (429, {"Content-Type": "text/plain", "Retry-After": "120"}, b"slow down"),
        "/doc.pdf": (200, {"Content-Type": "application/pdf"}, PDF),
        # charset only in <meta>, encoded accordingly
        "/latin1-meta": (200, {"Content-Type": "text/html"}, latin.encode("iso-8859-1")),
        # charset only in the header (the meta lies: says utf-8)
        "/latin1-header": (
            200,
            {"Content-Type": "text/html; charset=windows-1252"},
            latin.replace("iso-8859-1", "utf-8").encode("windows-1252"),
        ),
        # no charset anywhere: detection
        "/koi8-detect": (200, {"Content-Type": "text/html"}, cyrillic.encode("koi8-r")),
        "/gzip-article": (
            200,
            {"Content-Type": html, "Content-Encoding": "gzip"},
            gzip.compress(article_html().encode()),
        ),
        "/br-article": (
            200,
            {"Content-Type": html, "Content-Encoding": "br"},
            brotli.compress(article_html().encode()),
        ),
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/private/page": (200, {"Content-Type": html}, article_html().encode()),
        "/redirect-loop-a": (302, {"Location": "/redirect-loop-b"}, b""),
        "/redirect-loop-b": (302, {"Location": "/redirect-loop-a"}, b""),
    }


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.requests.append((self.path, dict(self.headers)))
            server.active[self.path] = server.active.get(self.path, 0) + 1
            server.max_active[self.path] = max(server.max_active.get(self.path, 0), server.active[self.path])
            server.started.append(time.monotonic())
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with server.lock:
                server.active[self.path] -= 1

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _not_modified(self, headers):
        """As real servers do: If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return "ETag" in headers and headers["ETag"] in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        return since is not None and headers.get("Last-Modified") == since

    def _serve(self):
        path, _, query = self.path.partition("?")
        server = self.server
        if path in server.routes:
            status, headers, body = server.routes[path]
            if status == 200 and self._not_modified(headers):
                validators = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
                return self._send(304, validators, b"")
            return self._send(status, headers, body)
        if path.startswith("/chain/"):  # /chain/3 → /chain/2 → /chain/1 → /chain/0 → /article
            n = int(path.rsplit("/", 1)[1])
            return self._send(301 if n % 2 else 302, {"Location": f"/chain/{n - 1}" if n > 1 else "/article"}, b"")
        if path == "/redirect-to":  # ?<absolute url>
            return self._send(302, {"Location": query}, b"")
        if path == "/slow-header":  # status line after a long wait
            time.sleep(server.drip_seconds)
            return self._send(200, {"Content-Type": "text/html"}, b"<p>late</p>")
        if path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"<html><body><p>")
            for _ in range(200):  # bounded: stops by itself after ~20 s at most
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
            return None
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            block = b"<p>" + b"filler " * 9000 + b"</p>\n"
            for _ in range(2000):  # bounded at ~120 MB; the client hangs up long before
                self.wfile.write(block)
            return None
        if path == "/huge-announced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(500 * 1024 * 1024))
            self.end_headers()
            return None
        if path.startswith("/bomb-"):
            kind = path.removeprefix("/bomb-")
            return self._send(200, {"Content-Type": "text/html", "Content-Encoding": kind}, bomb(kind))
        return self._send(404, {"Content-Type": "text/html"}, b"<h1>No such fixture</h1>")


class FixtureServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address=("127.0.0.1", 0)):
        super().__init__(address, Handler)
        self.lock = threading.Lock()
        self.requests = []
        self.started = []
        self.active = {}  # per path, so a lingering drip from another test does not count
        self.max_active = {}
        self.drip_seconds = 3
        self.routes = _static_routes(self)
        self.base_routes = dict(self.routes)

    @property
    def hostport(self):
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    def url(self, path):
        return f"http://{self.hostport}{path}"

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.started.clear()
            self.max_active = {}
            self.routes = dict(self.base_routes)

    def paths(self):
        return [p for p, _ in self.requests]
