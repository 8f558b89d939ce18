"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd), and a dead one.

``LocalSMTP`` accepts every message and keeps it; ``messages()`` parses them back as a mail
program would. ``stop()``/``start()`` take it down and bring it back on the same port, so a
test can show what happens while the mail server is down.
"""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Sink:
    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class LocalSMTP:
    def __init__(self):
        self.port = free_port()
        self.sink = _Sink()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[email.message.EmailMessage]:
        with self.sink.lock:
            return [
                email.message_from_bytes(e.original_content, policy=email.policy.default) for e in self.sink.envelopes
            ]

    def recipients(self) -> list[list[str]]:
        with self.sink.lock:
            return [list(e.rcpt_tos) for e in self.sink.envelopes]


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
