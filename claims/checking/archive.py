"""Archived copies of what was fetched: one gzipped WARC per distinct body, in default storage.

Files are named by the SHA-256 of the body, so fetching an unchanged page again
reuses the file it already has. The response record holds the body as decoded (the
Content-Encoding and Transfer-Encoding headers are dropped and Content-Length set to
match), with the request that was sent before it. Archived HTML is never served as a
page from this site: the views offer the WARC as a download (see views/checks.py).
"""

from __future__ import annotations

import hashlib
import http
import io
import zlib
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

from .fetch import FetchResult

_DROPPED = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def archive_name(body_sha256: str) -> str:
    return f"checks/warc/{body_sha256[:2]}/{body_sha256}.warc.gz"


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# warcio gzips at level 9: on the 130 corpus pages that is 2.3 times the CPU of zlib's default
# level 6 for 1 % smaller files, and it was the largest part of a changed page's cost in the
# worker (40 ms for a 300 KB page; docs/performance.md, "Checker: where the CPU went").
GZIP_LEVEL = 6


class _Gzip(GzippingWrapper):
    def __init__(self, out):
        super().__init__(out)
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)


class _Writer(WARCWriter):
    """warcio's writer, each record still its own gzip member (as WARC readers expect)."""

    def _write_warc_record(self, out, record):
        return super()._write_warc_record(_Gzip(out), record)


def build_warc(result: FetchResult) -> bytes:
    """A gzipped WARC with the request and the response of the last hop of ``result``."""
    buffer = io.BytesIO()
    writer = _Writer(buffer, gzip=False)
    date = result.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ") if result.fetched_at else None
    target = result.final_url
    warc_headers = {"WARC-Date": date} if date else {}
    if result.address:
        warc_headers["WARC-IP-Address"] = result.address
    headers = [(k, v) for k, v in result.raw_headers if k.lower() not in _DROPPED]
    headers.append(("Content-Length", str(len(result.body))))
    response = writer.create_warc_record(
        target,
        "response",
        payload=io.BytesIO(result.body),
        http_headers=StatusAndHeaders(f"{result.status} {_reason(result.status or 0)}", headers, protocol="HTTP/1.1"),
        warc_headers_dict=dict(warc_headers),
    )
    writer.write_record(response)
    parts = urlsplit(target)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request_headers = [("Host", parts.netloc), *result.request_headers.items()]
    request = writer.create_warc_record(
        target,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {path or '/'} HTTP/1.1", request_headers, is_http_request=True),
        warc_headers_dict={**warc_headers, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
    )
    writer.write_record(request)
    return buffer.getvalue()


def archive_fetch(result: FetchResult) -> tuple[str, str]:
    """Store ``result`` as a WARC unless that body is archived already; return (name, body sha256)."""
    digest = hashlib.sha256(result.body).hexdigest()
    name = archive_name(digest)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(build_warc(result)))
        if saved != name:  # a concurrent worker stored the same body first; keep one copy
            default_storage.delete(saved)
    return name, digest


def read_archived(name: str) -> tuple[str, bytes] | None:
    """The Content-Type header and body of an archived response, or None if it cannot be read."""
    try:
        with default_storage.open(name) as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else ""
                    return content_type or "", record.content_stream().read()
    except (OSError, ValueError):
        return None
    return None
