"""The safe fetcher against the local fixture site, and the SSRF refusals."""

import pytest

from claims.checking.fetch import (
    Deadline,
    fetch,
    host_slot,
    is_public_address,
    parse_retry_after,
    robots_cache_clear,
)

pytestmark = pytest.mark.django_db(databases=[])


def test_article_is_fetched_with_status_type_and_body(site):
    result = fetch(site.url("/article"))
    assert result.ok, result.error
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert "absolute evidence of the contact" in result.text
    assert result.final_url == site.url("/article")
    assert result.redirects == []


def test_request_names_the_product_in_user_agent_and_keeps_host(site, settings):
    fetch(site.url("/article"))
    _, headers = site.requests[-1]
    assert headers["User-Agent"] == settings.CHECKER_USER_AGENT
    assert "ClaimTracker" in headers["User-Agent"]
    assert headers["Host"] == site.hostport


def test_redirect_chain_is_followed_and_recorded(site):
    result = fetch(site.url("/chain/3"))
    assert result.ok
    assert result.final_url == site.url("/article")
    assert [(hop["url"], hop["status"]) for hop in result.redirects] == [
        (site.url("/chain/3"), 301),
        (site.url("/chain/2"), 302),
        (site.url("/chain/1"), 301),
    ]


def test_more_than_five_redirects_stop(site):
    result = fetch(site.url("/chain/7"))
    assert result.error_kind == "error"
    assert "More than 5 redirects" in result.error
    assert len(site.requests) == 6


def test_redirect_loop_stops_at_once(site):
    result = fetch(site.url("/redirect-loop-a"))
    assert result.error_kind == "error"
    assert "Redirect loop" in result.error
    assert site.paths() == ["/redirect-loop-a", "/redirect-loop-b"]


@pytest.mark.parametrize("path,status", [("/gone-404", 404), ("/gone-410", 410), ("/broken-500", 500)])
def test_error_statuses_are_results_not_failures(site, path, status):
    result = fetch(site.url(path))
    assert result.ok
    assert result.status == status


def test_rate_limit_reports_retry_after(site):
    result = fetch(site.url("/rate-limited"))
    assert result.status == 429
    assert result.retry_after == 120


def test_retry_after_as_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:30 GMT", now) == 90
    assert parse_retry_after("soon", now) is None


def test_slow_drip_stops_at_the_total_deadline(site, settings):
    settings.CHECKER_DEADLINE_SECONDS = 1
    settings.CHECKER_READ_TIMEOUT = 5  # each byte arrives well within the read timeout
    result = fetch(site.url("/drip"))
    assert result.error_kind == "timeout"
    assert result.timings["total_ms"] < 2500


def test_slow_headers_stop_at_the_read_timeout(site, settings):
    settings.CHECKER_READ_TIMEOUT = 0.5
    site.drip_seconds = 2
    result = fetch(site.url("/slow-header"))
    assert result.error_kind == "timeout"
    assert result.timings["total_ms"] < 1800


def test_huge_body_stops_at_the_cap(site, settings):
    settings.CHECKER_MAX_BYTES = 300_000
    result = fetch(site.url("/huge"))
    assert result.error_kind == "too_large"
    assert result.body == b""


def test_announced_huge_body_is_refused_before_reading(site):
    result = fetch(site.url("/huge-announced"))
    assert result.error_kind == "too_large"
    assert "announced" in result.error


@pytest.mark.parametrize("kind", ["gzip", "deflate", "br"])
def test_compression_bombs_stop_at_the_cap(site, settings, kind):
    settings.CHECKER_MAX_BYTES = 1_000_000
    result = fetch(site.url(f"/bomb-{kind}"))
    assert result.error_kind == "too_large"
    assert "once decoded" in result.error


@pytest.mark.parametrize("path", ["/gzip-article", "/br-article"])
def test_compressed_pages_are_decoded(site, path):
    result = fetch(site.url(path))
    assert result.ok
    assert "absolute evidence of the contact" in result.text


def test_charset_from_header_wins_over_meta(site):
    result = fetch(site.url("/latin1-header"))
    assert result.charset == "cp1252"
    assert "ministère" in result.text and "« les avions russes" in result.text


def test_charset_from_meta_when_header_has_none(site):
    result = fetch(site.url("/latin1-meta"))
    assert result.charset == "cp1252"  # browsers read an iso-8859-1 label as windows-1252
    assert "ministère" in result.text


def test_legacy_labels_are_read_as_browsers_read_them(site):
    """A page labelled gb2312 routinely carries characters only GBK/GB18030 has (鎔, 堃)."""
    html = '<html><head><meta charset="gb2312"><title>t</title></head><body><p>朱鎔基 王堃 说</p></body></html>'
    site.routes["/gbk"] = (200, {"Content-Type": "text/html"}, html.encode("gb18030"))
    result = fetch(site.url("/gbk"))
    assert "朱鎔基 王堃 说" in result.text and "\ufffd" not in result.text


def test_charset_detected_when_declared_nowhere(site):
    result = fetch(site.url("/koi8-detect"))
    assert "Министерство обороны" in result.text


def test_pdf_is_fetched_but_not_html(site):
    result = fetch(site.url("/doc.pdf"))
    assert result.ok
    assert result.content_type == "application/pdf"
    assert not result.is_html
    assert result.body.startswith(b"%PDF")


def test_robots_txt_blocks_when_asked_to_respect_it(site):
    result = fetch(site.url("/private/page"), respect_robots=True)
    assert result.error_kind == "robots"
    assert "/private/page" not in site.paths()


def test_robots_txt_allows_other_pages(site):
    assert fetch(site.url("/article"), respect_robots=True).ok
    assert site.paths() == ["/robots.txt", "/article"]


def test_robots_txt_is_ignored_for_checks_on_request(site):
    assert fetch(site.url("/private/page")).ok


def test_connection_refused_is_recorded(site, settings, canary):
    port = canary.port
    canary.close()  # nothing listens there now
    settings.CHECKER_ALLOW_HOSTS = [f"127.0.0.1:{port}"]
    result = fetch(f"http://127.0.0.1:{port}/")
    assert result.error_kind == "error"
    assert "refused" in result.error


def test_tls_is_verified(site, settings):
    # The fixture site speaks plain HTTP; an https:// fetch fails the TLS handshake.
    result = fetch(f"https://{site.hostport}/article")
    assert result.error_kind == "tls_error"


def test_one_request_at_a_time_per_host_spaced(site, settings):
    import threading

    settings.CHECKER_HOST_SPACING_SECONDS = 0.3
    threads = [threading.Thread(target=fetch, args=(site.url("/article"),)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert site.max_active["/article"] == 1
    gaps = [b - a for a, b in zip(site.started, site.started[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.29


def test_politeness_slot_is_shared_through_redis(site, settings):
    import os

    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {url}")
    settings.CHECKER_REDIS_URL = url
    settings.CHECKER_HOST_SPACING_SECONDS = 0.5
    client = redis.Redis.from_url(url)
    client.delete("checker:host:127.0.0.1")
    with host_slot("127.0.0.1", Deadline(5)):
        assert client.exists("checker:host:127.0.0.1")
    assert 0 < client.pttl("checker:host:127.0.0.1") <= 500
    result = fetch(site.url("/article"))  # waits for the spacing, then goes
    assert result.ok


# --- SSRF: refused before any connection -------------------------------------------------

UNSAFE_HOSTS = [
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "0x7f000001",
    "0x7f.0.0.1",
    "2130706433",
    "0177.0.0.1",
    "127.255.255.254",
    "localhost",
    "LOCALHOST.",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:0:0:1]",
    "0.0.0.0",
    "[::]",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "[fe80::1]",
    "[fd00::1]",
    "100.64.0.1",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "[::ffff:10.0.0.1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    "[::127.0.0.1]",
]


@pytest.mark.parametrize("host", UNSAFE_HOSTS)
def test_unsafe_addresses_are_refused_without_connecting(site, settings, canary, connection_attempts, host):
    # Open the canary's port so only the address check stands between the URL and the canary.
    settings.CHECKER_ALLOWED_PORTS = (80, 443, canary.port)
    result = fetch(f"http://{host}:{canary.port}/latest/meta-data/")
    assert result.error_kind == "unsafe", result.error
    assert "non-public address" in result.error
    assert connection_attempts == []
    assert canary.connections() == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://127.0.0.1/",
        "dict://127.0.0.1:11211/stat",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://example.org@127.0.0.1/",
        "http://user:pass@127.0.0.1/",
        "http://127.0.0.1\\@example.org/",
        "http://127.0.0.1 /",
        "http:///nohost",
        "http://127.0.0.1:22/",
        "http://127.0.0.1:6379/",
        "https://127.0.0.1:99999/",
    ],
)
def test_unsafe_urls_are_refused_without_connecting(site, canary, connection_attempts, url):
    result = fetch(url.replace("CANARY", str(canary.port)))
    assert result.error_kind == "unsafe", result.error
    assert connection_attempts == []
    assert canary.connections() == 0


def test_allowlist_is_exact_host_and_port(site, canary, connection_attempts):
    # The fixture site's port is allowed for 127.0.0.1 only, not for other spellings of it.
    port = site.hostport.rsplit(":", 1)[1]
    for host in ["localhost", "127.1", "[::ffff:127.0.0.1]", "2130706433"]:
        result = fetch(f"http://{host}:{port}/article")
        assert result.error_kind == "unsafe", (host, result.error)
    assert site.requests == []
    assert connection_attempts == []


@pytest.mark.parametrize("where", ["http://127.0.0.1:CANARY/", "http://localhost:CANARY/", "http://[::1]:CANARY/"])
def test_redirect_to_loopback_is_refused_at_that_hop(site, settings, canary, connection_attempts, where):
    settings.CHECKER_ALLOWED_PORTS = (80, 443, canary.port)
    target = where.replace("CANARY", str(canary.port))
    result = fetch(site.url(f"/redirect-to?{target}"))
    assert result.error_kind == "unsafe"
    assert result.redirects[0]["location"] == target
    assert canary.connections() == 0
    assert len(connection_attempts) == 1  # only the fixture site itself


def test_redirect_to_file_scheme_is_refused(site):
    result = fetch(site.url("/redirect-to?file:///etc/passwd"))
    assert result.error_kind == "unsafe"
    assert "file:" in result.error


def test_public_address_rules():
    assert is_public_address("93.184.216.34")
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    assert not is_public_address("::ffff:192.168.0.1")
    assert not is_public_address("not an address")


def test_robots_txt_is_fetched_once_per_host_until_it_expires(site, settings):
    settings.CHECKER_ROBOTS_CACHE_SECONDS = 3600
    assert fetch(site.url("/article"), respect_robots=True).ok
    assert fetch(site.url("/article-advert"), respect_robots=True).ok
    assert fetch(site.url("/private/page"), respect_robots=True).error_kind == "robots"
    assert site.paths().count("/robots.txt") == 1


def test_robots_txt_is_asked_again_once_expired(site, settings):
    settings.CHECKER_ROBOTS_CACHE_SECONDS = 0  # every entry is expired as soon as it is stored
    assert fetch(site.url("/article"), respect_robots=True).ok
    assert fetch(site.url("/article"), respect_robots=True).ok
    assert site.paths().count("/robots.txt") == 2


def test_robots_txt_is_fetched_once_per_host_by_all_worker_processes(site, settings):
    """Each worker process would otherwise fetch every host's robots.txt for itself, spending the
    host's politeness slot and spacing each time: the answer is shared through Redis, with its expiry."""
    import os

    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/4")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {url}")
    settings.CHECKER_REDIS_URL = url
    settings.CHECKER_ROBOTS_CACHE_SECONDS = 60
    client = redis.Redis.from_url(url)
    for key in client.scan_iter("checker:robots:*"):
        client.delete(key)
    assert fetch(site.url("/article"), respect_robots=True).ok
    robots_cache_clear()  # another process: nothing cached in its memory
    assert fetch(site.url("/private/page"), respect_robots=True).error_kind == "robots"
    assert site.paths().count("/robots.txt") == 1
    key = next(client.scan_iter("checker:robots:*"))
    assert 0 < client.ttl(key) <= 60  # expires on its own

    client.delete(key)  # expired
    robots_cache_clear()
    assert fetch(site.url("/article"), respect_robots=True).ok
    assert site.paths().count("/robots.txt") == 2
    for key in client.scan_iter("checker:robots:*"):  # other tests start from an empty cache
        client.delete(key)
