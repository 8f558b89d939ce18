"""Links built without a reverse() each are the links reverse() would build."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from claims.fast_urls import object_url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("claims:dispute-detail", "russian-jet-contact-with-mq9"),
        ("claims:dispute-detail", "a"),
        ("claims:party-detail", "united_states-2"),
        ("claims:source-detail", 1),
        ("claims:source-detail", 9081726354),
        ("claims:feed-dispute", "x-9"),
    ],
)
@pytest.mark.parametrize("prefix", ["/", "/newsroom/claims/"])
def test_same_url_as_reverse_under_any_script_prefix(name, value, prefix):
    set_script_prefix(prefix)
    try:
        assert object_url(name, value) == reverse(name, args=[value])
        assert object_url(name, value).startswith(prefix)
    finally:
        clear_script_prefix()


@pytest.mark.parametrize("value", ["россия", "a b", "a/b", "", -1])
def test_arguments_the_route_does_not_take_as_they_are_go_through_reverse(value):
    name = "claims:source-detail" if isinstance(value, int) else "claims:party-detail"
    try:
        expected = reverse(name, args=[value])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            object_url(name, value)
    else:
        assert object_url(name, value) == expected
