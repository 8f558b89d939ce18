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
