"""A local HTTP server that receives webhooks: records each POST and answers as told.

``answers[path]`` is an HTTP status (200, 500…), ``"hang"`` (hold the request until
``release`` is set or the test ends), or a callable returning a status (it may wait on
events, to prove what happened meanwhile).
"""

import http.server
import threading


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 — http.server's hook name
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with server.lock:
            server.received.append((self.path, dict(self.headers), body))
            server.arrived.set()
        answer = server.answers.get(self.path, 200)
        if answer == "hang":
            server.release.wait(30)
            answer = 200
        elif callable(answer):
            answer = answer()
        payload = b'{"ok": true}'
        try:
            self.send_response(answer)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the sender gave up waiting


class WebhookReceiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.received = []
        self.answers = {}
        self.arrived = threading.Event()
        self.release = threading.Event()

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.hostport}{path}"

    def posts_to(self, path: str) -> list:
        with self.lock:
            return [(headers, body) for p, headers, body in self.received if p == path]
