"""Helpers the test modules share: what a browser sends, not what a test guesses."""

from html.parser import HTMLParser

from django.conf import settings

# The header htmx puts on every request it makes; views answer it with a partial.
HTMX = {"HTTP_HX_REQUEST": "true"}

# What being signed in costs a request: the user with their permissions, one query
# (claims/auth_backend.py), and the session: from the shared cache when there is one
# (CACHE_URL: SESSION_ENGINE cached_db), else one more query.
SIGNED_IN_QUERIES = 1 if settings.SESSION_ENGINE.endswith("cached_db") else 2


class _Forms(HTMLParser):
    """Each <form> on a page as (action, [(name, value)]) in the order a browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs.get("action") or "", self._fields))
        if self._fields is None or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._fields.append((name, attrs.get("value") or "on"))
                return
            self._fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option = attrs
            self._text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value = self._option.get("value", self._text.strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option:
                self._fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            self._fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def form_data(response, action: str | None = None, **changes) -> dict:
    """The values a browser would post back from the form rendered in ``response``.

    With several forms on the page, ``action`` picks the one posting there; otherwise the
    form with the most fields. Hidden fields (the version, the one-submit key) come along,
    as they would from a browser; ``changes`` then overwrite fields by name.
    """
    parser = _Forms()
    parser.feed(response.content.decode())
    forms = parser.forms
    if action is not None:
        forms = [f for f in forms if f[0] == action]
    assert forms, "no such form on the page"
    _, fields = max(forms, key=lambda f: len(f[1]))
    data: dict = {}
    for name, value in fields:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data


class CacheCalls:
    """Every call to the default cache inside ``with CacheCalls() as calls:``, as "method key".

    With a shared cache (Redis, as in production) each call is a round trip, so the cheap
    paths (a 304, a visitor's cached page) guard how many they make, as they guard queries.
    """

    METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "touch", "has_key")

    def __init__(self):
        self.calls: list[str] = []

    def __enter__(self) -> list[str]:
        from django.core.cache import caches

        target = self._target = caches["default"]  # what ``django.core.cache.cache`` stands for
        for method in self.METHODS:
            original = getattr(target, method)

            def counted(*args, _original=original, _method=method, **kwargs):
                self.calls.append(f"{_method} {args[0] if args else ''}")
                return _original(*args, **kwargs)

            setattr(target, method, counted)
        return self.calls

    def __exit__(self, *exc) -> None:
        for method in self.METHODS:
            self._target.__dict__.pop(method, None)


def log_in(page, username: str, password: str, *, base: str = "") -> None:
    """Sign in through the login form in a browser (Playwright ``page``), as a person would, and
    wait until the page names who is signed in: a test that moves on at the click can leave
    the login's POST unanswered. ``base`` is the site's address for a page opened without a
    ``base_url``."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(username, exact=True)).to_be_visible()
