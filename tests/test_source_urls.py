import pytest
from django.core.exceptions import ValidationError

from claims.models import Source, normalize_source_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Example.ORG/Story", "https://example.org/Story"),
        ("  http://example.org:80/a?b=1  ", "http://example.org/a?b=1"),
        ("https://example.org:443/a#section-2", "https://example.org/a"),
        ("https://example.org/a?utm_source=tw&id=7&fbclid=abc", "https://example.org/a?id=7"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ],
)
def test_normalize_source_url(raw, expected):
    assert normalize_source_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a URL."),
        ("ftp://example.org/file", "Only http:// and https:// URLs can be sources."),
        ("javascript:alert(1)", "Only http:// and https:// URLs can be sources."),
        ("file:///etc/passwd", "Only http:// and https:// URLs can be sources."),
        ("https://user:pw@example.org/", "URLs with a user name or password are not accepted."),
        ("https://exa mple.org/", "A URL cannot contain spaces or control characters."),
        ("https:///nohost", "This URL has no host name."),
        ("https://example.org:99999/", "The port in this URL is not valid."),
        ("https://" + "a" * 2100 + ".org/", "URLs longer than 2000 characters are not accepted."),
    ],
)
def test_bad_urls_get_a_clear_error(raw, message):
    with pytest.raises(ValidationError) as error:
        normalize_source_url(raw)
    assert error.value.messages == [message]


def test_bad_url_is_never_saved():
    with pytest.raises(ValidationError):
        Source.objects.create(url="ftp://example.org/x")
    assert Source.objects.count() == 0


def test_full_clean_reports_bad_url_on_the_field():
    source = Source(url="gopher://example.org/")
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "url" in error.value.message_dict
