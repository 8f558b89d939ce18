"""Hostile URLs on every route: never a 500, a clear 4xx or a normal page, bounded work.

Every route the URL resolver knows (``tests/test_every_route.py``'s walk, so a route added
tomorrow is covered the day it is added) is asked with query strings no browser would send:
huge values, thousands of repeated parameters, NUL and other control characters, broken
percent-encoding and invalid UTF-8, lone surrogates, and wrong types for every parameter a
page, a filter, the admin or the API reads; and its path parameters are filled with the same
kinds of segment. Each answer must be below 500, and each must stay within a fixed number of
database queries (no request does unbounded work).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import ApiToken

from .factories import UserFactory
from .helpers import HTMX
from .test_every_route import every_url
from .test_visibility import _candidates, _fill, _params, _routes, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

# Every query parameter a page, filter, export, the admin or the API reads.
PARAMETERS = [
    # pages, filters, exports, the diff, feeds
    "page", "q", "status", "party", "problems", "occurred_from", "occurred_to", "all", "a", "b", "stance", "token",
    # the admin's changelist, popups, autocomplete
    "p", "o", "e", "_popup", "_to_field", "_changelist_filters", "term", "app_label", "model_name", "field_name",
    "is_published__exact", "status__exact", "id__gte", "all",
    # the API's lists
    "source", "kind", "host", "outcome", "page_size", "updated_since",
]  # fmt: skip

# Values as they appear in the raw query string (already percent-encoded where they need to be).
HOSTILE_VALUES = {
    # NUL, C0 and C1 controls, a bidi override and a BOM, bytes that are not UTF-8, a lone
    # surrogate, and broken percent-encoding, all in one value.
    "controls and broken encodings": "a%00b%01%1b%7f%c2%85%e2%80%ae%ef%bb%bf%ff%fe%c3%28%ed%a0%80%zz%G0%",
    "huge": "x" * 20_000,
    # Not a number, not a date, not a choice, not a slug, for every parameter.
    "wrong types": "-9.9e999-13-45",
    "Django lookups in names": "1&id__in=1,2&__gte=1&o=-9.-8&p=-1",
}


def hostile_queries() -> dict[str, str]:
    queries = {name: "&".join(f"{p}={value}" for p in PARAMETERS) for name, value in HOSTILE_VALUES.items()}
    queries["a parameter repeated 5,000 times"] = "&".join(["page=1"] * 5000)
    queries["900 repeats of every kind"] = "&".join(f"{p}=1" for p in PARAMETERS * 27)
    queries["names only, no values"] = "&".join(PARAMETERS) + "&=&&&=x"
    queries["a 1 MB query string"] = "q=" + "word%20" * 150_000
    return queries


# The passes after the first (htmx, a stranger, the API's token) get the kinds most likely to
# differ by who asks; the first pass gets them all.
SHORT_KINDS = ("controls and broken encodings", "wrong types", "a parameter repeated 5,000 times")


# Path segments put where a route takes a parameter (as the raw, percent-encoded path).
HOSTILE_SEGMENTS = ["x%00y%ff%fe%ed%a0%80", "a" * 5000, "..%2f..%2f%0d%0aSet-Cookie:x=1"]

# The most database queries one request may make, whatever the URL (an admin change page of
# a dispute is the heaviest honest page, about 30).
MAX_QUERIES = 60


@pytest.fixture
def superuser(world):  # noqa: F811
    return UserFactory(username="root-hostile", is_staff=True, is_superuser=True)


def _ask(client, path, query, extra, failures, heaviest):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, QUERY_STRING=query, **extra)
    label = f"{path}?{query[:80]}"
    if response.status_code >= 500:
        failures[label] = response.status_code
    elif response.status_code == 400:
        # Clear: a page that says what was wrong, not an empty answer.
        if not response.content.strip():
            failures[label] = "400 with an empty body"
    if len(queries) > MAX_QUERIES:
        failures[label] = f"{len(queries)} queries"
    heaviest[0] = max(heaviest[0], len(queries))
    return response


def _clients(superuser):
    token = ApiToken.issue(superuser, "hostile")[1]
    root = Client(raise_request_exception=False)
    root.force_login(superuser)
    return {
        "superuser": (root, {}),
        "superuser's htmx": (root, HTMX),
        "stranger": (Client(raise_request_exception=False), {}),
        "API token": (Client(raise_request_exception=False), {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
    }


def _applies(who: str, path: str) -> bool:
    if path.startswith(("/accounts/logout/", "/admin/logout/")):
        return False
    if who == "API token":
        return path.startswith("/api/")
    if who == "superuser's htmx" or who == "stranger":
        return not path.startswith("/admin/")  # the admin is no htmx page, and sends strangers to log in
    return True


# The admin's pages that read query parameters: its index, app and changelist pages (its
# change, delete and history pages read only the popup flags, which the changelist reads too).
def _reads_parameters(path: str) -> bool:
    if not path.startswith("/admin/"):
        return True
    parts = [p for p in path.split("/") if p]
    # /admin/, /admin/<app>/, /admin/<app>/<model>/ (its changelist), /admin/autocomplete/
    return len(parts) <= 3 and not any(p.isdigit() for p in parts)


def one_url_per_route(world) -> list[str]:  # noqa: F811
    seen, urls = set(), []
    for url in every_url(world):
        path = url.split("?")[0]
        key = path.rstrip("/0123456789")
        if key not in seen and _reads_parameters(path):
            seen.add(key)
            urls.append(url)
    return urls


def test_hostile_query_strings_on_every_route(world, superuser, settings):  # noqa: F811
    settings.RATELIMIT_ENABLE = False
    failures, heaviest, asked = {}, [0], 0
    queries = hostile_queries()
    for who, (client, extra) in _clients(superuser).items():
        for url in one_url_per_route(world):
            path = url.split("?")[0]
            if not _applies(who, path):
                continue
            for kind, query in queries.items():
                if who != "superuser" and kind not in SHORT_KINDS:
                    continue
                _ask(client, path, query, extra, failures, heaviest)
                asked += 1
    assert not failures, f"hostile query strings answered badly ({len(failures)}): {dict(list(failures.items())[:30])}"
    assert asked > 200


def test_hostile_path_segments_on_every_route(world, superuser, settings):  # noqa: F811
    settings.RATELIMIT_ENABLE = False
    failures, heaviest, asked = {}, [0], 0
    candidates = _candidates(world)
    clients = _clients(superuser)
    for route in _routes():
        names = _params(route)
        if not names:
            continue
        for segment in HOSTILE_SEGMENTS:
            # The last parameter hostile (the object's id or slug), the others real, so the
            # hostile one is what is read.
            values = {n: candidates.get(n, candidates["pk"])[0] for n in names}
            values[names[-1]] = segment
            path = _fill(route, values)
            who = "API token" if path.startswith("/api/") else "superuser"
            client, extra = clients[who]
            _ask(client, path, "", extra, failures, heaviest)
            asked += 1
    assert not failures, f"hostile path segments answered badly ({len(failures)}): {dict(list(failures.items())[:30])}"
    assert asked > 150


@pytest.mark.parametrize(
    "query",
    [
        "&".join(["page=1"] * 5000),  # more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS
        "q=" + "word%20" * 3000,  # one value longer than any page reads
        "&".join(f"p{n}=" + "x" * 1000 for n in range(20)),  # a query string longer than 16 KB
    ],
    ids=["too many parameters", "a value too long", "a query string too long"],
)
def test_an_address_too_long_is_a_clear_400_before_any_view(client, query, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/admin/claims/dispute/", QUERY_STRING=query)
    assert response.status_code == 400
    assert b"This address is too long" in response.content
    assert b"at most 1,000 parameters" in response.content
    assert b"Nothing was saved" not in response.content  # a GET saves nothing; a form's 413 is another page


def test_a_search_with_control_characters_searches_for_the_text_around_them(client, world):  # noqa: F811
    """NUL and other controls in a search are dropped, as they are from typed text; the search still runs."""
    response = client.get("/", QUERY_STRING="q=public%00%01%1b%7f%20proposition")
    assert response.status_code == 200
    assert b"The public proposition holds." in response.content


@pytest.mark.parametrize("path", ["/admin/claims/dispute/x%00y/history/", "/admin/claims/claim/abc/history/1/"])
def test_the_admin_history_pages_answer_a_bad_id_with_404(path, superuser_client_for_history):
    """Found by the walk above: django-simple-history passed a non-numeric id to the database (a 500)."""
    assert superuser_client_for_history.get(path).status_code == 404


@pytest.fixture
def superuser_client_for_history(db):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="root-history", is_staff=True, is_superuser=True))
    return client
