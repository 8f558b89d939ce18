"""The benchmark ceiling view exists only for `make bench` (BENCH_ENDPOINTS)."""

import pytest
from django.test import RequestFactory

from benchmarks.views import ceiling


@pytest.mark.django_db
def test_ceiling_url_is_not_served_unless_benchmarking(client):
    assert client.get("/_bench/ceiling/").status_code == 404


def test_ceiling_view_answers_ok_to_get_only():
    assert ceiling(RequestFactory().get("/_bench/ceiling/")).content == b"ok"
    assert ceiling(RequestFactory().post("/_bench/ceiling/")).status_code == 405


@pytest.mark.django_db
def test_the_benchmarks_editor_session_signs_the_editor_in(client):
    """The "editor" rows of the report are an editor's pages: its session must be one the site accepts
    (it named a backend the site no longer has, and every editor row measured a visitor)."""
    from benchmarks.prepare import EDITOR, describe
    from claims.demo import load_demo
    from claims.synthetic import synthesize

    load_demo()
    synthesize(disputes=3, claims_per_dispute=2, parties=2, published_share=1.0, seed=1)  # as prepare.py
    name, key = describe()["session_cookie"].split("=", 1)
    client.cookies[name] = key
    html = client.get("/").text
    assert f'<span class="who">{EDITOR}</span>' in html
