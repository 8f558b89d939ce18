"""The real-page corpus (Mozilla Readability's test pages) and the versions the tests make of each page.

The corpus lives beside the project, in ``../shared/corpus/readability-test-pages`` (it is
6 MB of gzipped pages, Apache 2.0; it is not copied into the repository). ``corpus_root``
also looks in ``$CORPUS_DIR`` and this machine's shared folder; when it finds none the test is
skipped with the reason in capitals in the run's summary, never silently.

Each page has the article a reader sees (``expected.html``: what Readability extracts) and
its metadata. From them this module makes:

* boilerplate-only versions (cache-busting query strings, changed inline scripts, an
  advertisement block inside the article, a "generated at" footer, a comment count, a
  rotated "most read" list, a consent banner), each in one of several shapes real sites use,
  chosen per page with a fixed seed, so no one markup pattern is what the checker learns;
* one-word edits of the first, middle and last paragraph of the article;
* quotes (sentences of the article), a one-word edit inside a quoted sentence, and the
  same sentence split by an inline link, a line break and a footnote marker.

Edits are made on the raw HTML at a word that occurs exactly once in it, so the change
lands in the text the reader sees and nowhere else (not in a JSON-LD copy, not in an
attribute).
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import os
import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import lxml.html
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS_NAME = "readability-test-pages"


def corpus_root() -> Path:
    """Where the corpus is: ``$CORPUS_DIR``, else ``<project>/../shared/corpus/readability-test-pages``,
    else the shared folder of this machine (CI may clone the project elsewhere). Missing, the test
    is skipped with the reason in the run's summary (``-ra``), never silently."""
    candidates = [
        *([Path(os.environ["CORPUS_DIR"])] if os.environ.get("CORPUS_DIR") else []),
        PROJECT_ROOT.parent / "shared" / "corpus" / CORPUS_NAME,
        Path("/work/shared/corpus") / CORPUS_NAME,
    ]
    for root in candidates:
        if (root / "pages").is_dir():
            return root
    pytest.skip(
        f"THE REAL-PAGE CORPUS IS MISSING: looked in {', '.join(map(str, candidates))}. "
        "Set CORPUS_DIR to run the corpus test."
    )


_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_BLOCKS = ("p",)
_OTHER_BLOCKS = ("li", "pre", "blockquote", "td", "dd", "h2", "h3", "div")


def _flat(text: str) -> str:
    return " ".join((text or "").split())


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@dataclass
class Page:
    name: str
    raw: str
    expected_html: str
    metadata: dict
    index: int

    @cached_property
    def rng(self) -> random.Random:
        return random.Random(f"corpus-{self.name}")

    @cached_property
    def paragraphs(self) -> list[str]:
        """The article's paragraphs as a reader sees them (in Readability's extraction)."""
        root = lxml.html.fromstring(self.expected_html or "<div></div>")
        found = [_flat(p.text_content()) for p in root.iter(*_BLOCKS)]
        found = [p for p in found if len(_WORD.findall(p)) >= 4 or (p and _is_cjk(p[0]) and len(p) >= 12)]
        if not found:
            leaves = [el for el in root.iter(*_OTHER_BLOCKS) if not any(True for _ in el.iter(*_OTHER_BLOCKS))]
            found = [_flat(el.text_content()) for el in leaves]
            found = [p for p in found if len(p) >= 20]
        return found

    def unique_words(self, paragraph: str, html: str | None = None, limit: int = 6) -> list[tuple[int, int, str]]:
        """Up to ``limit`` words of ``paragraph`` that occur exactly once in the page's HTML, as
        (start, end, word) in the HTML, in page order; longer words first. Long CJK runs (no spaces
        between words) are cut into two-character pieces."""
        html = self.raw if html is None else html
        candidates = []
        for match in _WORD.finditer(paragraph):
            word = match.group()
            if word[0].isdigit():
                continue
            if _is_cjk(word[0]):
                candidates.extend(word[i : i + 2] for i in range(0, len(word) - 1, 2))
            elif len(word) >= 4:
                candidates.append(word)
        spots = []
        for word in sorted(dict.fromkeys(candidates), key=len, reverse=True):
            if html.count(word) > 20:
                continue
            # Where the word is text a reader sees (not a tag, script, comment or <title>), as a whole word.
            places, at = [], html.find(word)
            while at >= 0:
                end = at + len(word)
                whole = _is_cjk(word[0]) or not (
                    (at > 0 and html[at - 1].isalnum()) or (end < len(html) and html[end].isalnum())
                )
                if whole and _in_text(html, at):
                    places.append((at, end, word))
                at = html.find(word, at + 1)
            if len(places) == 1:
                spots.append(places[0])
                if len(spots) >= limit:
                    break
        return sorted(spots)


_LOWER: dict[int, str] = {}


def _in_text(html: str, pos: int) -> bool:
    """Is ``pos`` in character data (not inside a tag, a script, a style, a comment or the title)?"""
    last_open, last_close = html.rfind("<", 0, pos), html.rfind(">", 0, pos)
    if last_open > last_close:
        return False
    lower = _LOWER.get(id(html))
    if lower is None or len(lower) != len(html):
        _LOWER.clear()
        lower = _LOWER[id(html)] = html.lower()
    for opener, closer in (("<script", "</script"), ("<style", "</style"), ("<!--", "-->"), ("<title", "</title")):
        if lower.rfind(opener, 0, pos) > lower.rfind(closer, 0, pos):
            return False
    return True


def replacement_for(word: str) -> str:
    """A different word of the same kind: what an editor's one-word change would look like."""
    if _is_cjk(word[0]):
        return "改动" if word != "改动" else "变更"
    new = "revised" if word.lower() != "revised" else "amended"
    if word[0].isupper():
        new = new.capitalize()
    if not word.isascii():
        new = "révisé"
    return new


def load_pages() -> list[Page]:
    pages = []
    for index, folder in enumerate(sorted((corpus_root() / "pages").iterdir())):
        if not folder.is_dir():
            continue
        raw = gzip.decompress((folder / "source.html.gz").read_bytes()).decode("utf-8")
        expected = gzip.decompress((folder / "expected.html.gz").read_bytes()).decode("utf-8")
        meta_file = folder / "expected-metadata.json"
        metadata = json.loads(meta_file.read_text("utf-8")) if meta_file.exists() else {}
        pages.append(Page(folder.name, raw, expected, metadata, index))
    return pages


def served(page: Page, html: str) -> tuple[dict, bytes]:
    """Headers and body as a real server would send this version.

    A page whose ``<meta>`` names a legacy charset is sent in that charset with no charset
    in the header (as its site did); the others alternate between a charset in the header
    and none, so the header, ``<meta>`` and detection paths are all exercised.
    """
    meta = re.search(r"<meta[^>]+charset=[\"']?([\w-]+)", html[:4096], re.I)
    declared = meta.group(1).lower() if meta else ""
    if declared and declared not in ("utf-8", "utf8"):
        # Browsers read these labels as the wider encodings (WHATWG), and sites rely on it.
        codec = {"gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "windows-1252"}.get(declared, declared)
        try:
            return {"Content-Type": "text/html"}, html.encode(codec)
        except (LookupError, UnicodeEncodeError):
            pass
    if page.index % 2 or not declared:
        return {"Content-Type": "text/html; charset=utf-8"}, html.encode("utf-8")
    return {"Content-Type": "text/html"}, html.encode("utf-8")


# --- Where to put things -------------------------------------------------------------------


def _body_open_end(html: str) -> int:
    match = re.search(r"<body[^>]*>", html, re.I)
    return match.end() if match else 0


def _body_close(html: str) -> int:
    pos = html.lower().rfind("</body")
    return pos if pos >= 0 else len(html)


def _after_paragraph(page: Page, html: str, which: int) -> int | None:
    """Just after the closing tag of the block holding the article's paragraph ``which``."""
    paragraphs = page.paragraphs
    if not paragraphs:
        return None
    spots = page.unique_words(paragraphs[which], html)
    if not spots:
        return None
    start = spots[0][0]
    match = re.compile(r"</(p|div|li|pre|blockquote|td)>", re.I).search(html, start)
    return match.end() if match else None


def _before_paragraph(page: Page, html: str, which: int) -> int | None:
    paragraphs = page.paragraphs
    if not paragraphs:
        return None
    spots = page.unique_words(paragraphs[which], html)
    if not spots:
        return None
    pos = html.rfind("<p", 0, spots[0][0])
    return pos if pos >= 0 else None


def _insert(html: str, pos: int | None, fragment: str, fallback: int | None = None) -> str:
    if pos is None:
        pos = fallback if fallback is not None else _body_open_end(html)
    return html[:pos] + fragment + html[pos:]


# --- Boilerplate: the base a page is served with, and the versions that change only it -------

HEADLINES = [
    "Storm closes schools across the region",
    "Central bank holds rates for third month",
    "Local team wins championship in extra time",
    "Ten things to do this weekend",
    "Scientists map the ocean floor in new detail",
    "Why rents keep rising in big cities",
    "The best phones of the year, tested",
    "Mayor announces new cycling lanes",
]


@dataclass
class Decor:
    """The page furniture a version carries; a version differs from the base only here."""

    generated: str = "2026-11-28 09:14:03 UTC"
    comments: int = 12
    most_read: list[str] = field(default_factory=lambda: HEADLINES[:5])
    consent: bool = False
    advert: bool = False


def _generated_footer(page: Page, stamp: str) -> str:
    shapes = [
        f'<footer class="site-footer"><p>© News Corp. Page generated at {stamp}.</p></footer>',
        f'<div id="footer"><div class="footer-inner"><p>Generated {stamp} in 0.31 s</p></div></div>',
        f'<div class="build-info"><small>Rendered at {stamp} by node web-7</small></div>',
        f"<!-- page generated at {stamp} -->",
    ]
    return shapes[page.index % len(shapes)]


def _comment_count(page: Page, count: int) -> str:
    shapes = [
        f'<a class="comment-count" href="#comments">{count} comments</a>',
        f'<div class="article-tools"><a href="#comments">{count} Comments</a> · <a href="#share">Share</a></div>',
        f'<span class="comments-link"><a href="#respond">Join the conversation ({count})</a></span>',
        f'<div class="social-bar"><span class="count">{count}</span> <a href="#disqus_thread">comments</a></div>',
    ]
    return shapes[page.index % len(shapes)]


def _most_read(page: Page, items: list[str]) -> str:
    entries = "".join(f'<li><a href="/story/{abs(hash(h)) % 10000}">{h}</a></li>' for h in items)
    shapes = [
        f'<aside class="most-read"><h2>Most read</h2><ol>{entries}</ol></aside>',
        f'<div class="popular-stories"><h3>Popular now</h3><ul>{entries}</ul></div>',
        f'<section class="trending" aria-label="Trending"><h2>Trending</h2><ol>{entries}</ol></section>',
    ]
    return shapes[page.index % len(shapes)]


def _advert(page: Page) -> str:
    shapes = [
        '<div class="ad-slot" id="div-gpt-ad-1234"><span>Advertisement</span>'
        '<a href="https://ads.example/c"><p>Win a cruise for two: enter today!</p></a></div>',
        '<ins class="adsbygoogle" data-ad-client="ca-pub-1"><p>Sponsored: the sofa everyone is buying</p></ins>',
        '<aside class="advertisement"><p>ADVERTISEMENT</p><p>Save 50% on your first box of meals.</p></aside>',
        '<div class="sponsored-content promo"><p>Paid post: how one retailer rethought logistics.</p></div>',
    ]
    return shapes[page.index % len(shapes)]


def _consent(page: Page) -> str:
    shapes = [
        '<div id="cookie-banner" class="cookie-consent" role="dialog"><p>We use cookies to improve your '
        "experience. By continuing you agree to our cookie policy.</p><button>Accept</button></div>",
        '<div id="onetrust-banner-sdk" class="otFlat"><div class="ot-sdk-container"><p>We and our partners '
        "store and access information on your device.</p><button>I accept</button></div></div>",
        '<div class="gdpr-consent"><p>This site uses cookies for analytics and personalised ads.</p>'
        '<a href="/privacy">Manage choices</a></div>',
    ]
    return shapes[page.index % len(shapes)]


def decorate(page: Page, decor: Decor, html: str | None = None) -> str:
    """The page with its furniture: comment count before the article, most-read list and footer
    at the end of the body, and the advert and consent banner when asked for."""
    html = page.raw if html is None else html
    if decor.advert:
        middle = len(page.paragraphs) // 2
        html = _insert(html, _after_paragraph(page, html, middle), _advert(page))
    html = _insert(html, _before_paragraph(page, html, 0), _comment_count(page, decor.comments))
    end = _body_close(html)
    tail = _most_read(page, decor.most_read) + _generated_footer(page, decor.generated)
    html = html[:end] + tail + html[end:]
    if decor.consent:
        at = _body_open_end(html) if page.index % 2 else _body_close(html)
        html = html[:at] + _consent(page) + html[at:]
    return html


_ASSET = re.compile(r"(<(?:script|link|img)\b[^>]*?\s(?:src|href)=)([\"'])([^\"']+)\2", re.I)
_INLINE_SCRIPT = re.compile(r"(<script\b(?![^>]*\ssrc=)[^>]*>)(.*?)(</script>)", re.I | re.S)


def cache_busted(html: str) -> str:
    def bust(match):
        url = match.group(3)
        if url.startswith("data:"):
            return match.group(0)
        url = re.sub(r"([?&](?:v|ver|_|cb)=)[^&]*", r"\g<1>99887766", url)
        if "99887766" not in url:
            url += ("&" if "?" in url else "?") + "v=99887766"
        return f"{match.group(1)}{match.group(2)}{url}{match.group(2)}"

    return _ASSET.sub(bust, html)


def scripts_changed(html: str) -> str:
    changed = _INLINE_SCRIPT.sub(lambda m: f"{m.group(1)}{m.group(2)};window.__pv='a9f3c2';{m.group(3)}", html)
    head = changed.lower().find("</head")
    extra = "<script>window.dataLayer=[{'pageview':'7f2e','ts':1764406443}];</script>"
    return changed[:head] + extra + changed[head:] if head >= 0 else extra + changed


BASE = Decor()
BOILERPLATE = {
    "cache-busting query strings": lambda page: cache_busted(decorate(page, BASE)),
    "changed inline scripts": lambda page: scripts_changed(decorate(page, BASE)),
    "advertisement block": lambda page: decorate(page, Decor(advert=True)),
    "generated-at footer": lambda page: decorate(page, Decor(generated="2026-11-29 17:45:59 UTC")),
    "comment count": lambda page: decorate(page, Decor(comments=13)),
    "rotated most-read list": lambda page: decorate(page, Decor(most_read=HEADLINES[2:7][::-1] + HEADLINES[7:])),
    "consent banner": lambda page: decorate(page, Decor(consent=True)),
}


def base_version(page: Page) -> str:
    if "_base" not in page.__dict__:
        page.__dict__["_base"] = decorate(page, BASE)
    return page.__dict__["_base"]


# --- Edits and quotes -------------------------------------------------------------------------


@dataclass
class Edit:
    html: str
    old: str
    new: str
    at: int = 0  # where the word was, in the version edited


def word_edit(page: Page, paragraph: str, html: str | None = None, spots=None) -> Edit | None:
    """``html`` (the base version) with one word of ``paragraph`` replaced, or None if no word of it is
    unique in the page."""
    html = base_version(page) if html is None else html
    spots = page.unique_words(paragraph, html) if spots is None else spots
    if not spots:
        return None
    start, end, word = spots[len(spots) // 2]
    new = replacement_for(word)
    return Edit(html[:start] + new + html[end:], word, new, start)


def paragraph_edits(page: Page) -> dict[str, Edit | None]:
    paragraphs = page.paragraphs
    if not paragraphs:
        return {}
    positions = {"first": 0, "middle": len(paragraphs) // 2, "last": len(paragraphs) - 1}
    return {where: word_edit(page, paragraphs[i]) for where, i in positions.items()}


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def quotes_for(page: Page, count: int = 2) -> list[str]:
    """Sentences a journalist might quote: from the first and the middle paragraph, 6–60 words
    (or 15–150 characters of CJK text)."""
    paragraphs = page.paragraphs
    picked = []
    # A sentence the page says once (in any case, also inside a longer sentence): a quote found
    # verbatim elsewhere cannot show one place's edit.
    article = " ".join(paragraphs).casefold()
    for paragraph in dict.fromkeys([paragraphs[len(paragraphs) // 2], paragraphs[0]] if paragraphs else []):
        for sentence in sentences(paragraph):
            words = len(sentence.split())
            cjk = bool(sentence) and _is_cjk(sentence[0])
            if article.count(sentence.casefold()) != 1:
                continue
            if (6 <= words <= 60) or (cjk and 15 <= len(sentence) <= 150):
                picked.append(sentence)
                break
    return picked[:count]


def spanning_version(page: Page, quote: str) -> dict[str, str]:
    """The base version with ``quote`` split by an inline link, a line break or a footnote marker
    (one each, at different words), keyed by what was inserted."""
    html = base_version(page)
    last = (_WORD.findall(quote) or [""])[-1]
    spots = [spot for spot in page.unique_words(quote, html) if spot[2] != last]
    if len(spots) < 3:
        return {}
    (s1, e1, w1), (s2, e2, _), (s3, e3, _) = spots[0], spots[len(spots) // 2], spots[-1]
    if len({s1, s2, s3}) < 3:
        return {}
    versions = {}
    versions["inline link"] = html[:s1] + f'<a href="/topic/{html_lib.escape(w1)}">{w1}</a>' + html[e1:]
    versions["line break"] = html[:e2] + "<br>\n" + html[e2:]
    marker = '<sup class="reference" id="cite_ref-4"><a href="#cite_note-4">[4]</a></sup>'
    versions["footnote marker"] = html[:e3] + marker + html[e3:]
    return versions


# --- Reading every version of a page (run in worker processes) ---------------------------------

_PAGES: dict[str, Page] = {}


def page_named(name: str) -> Page:
    if not _PAGES:
        _PAGES.update((page.name, page) for page in load_pages())
    return _PAGES[name]


_FURNITURE_TAGS = {"nav": "navigation", "aside": "an aside", "footer": "a footer", "header": "a header"}
_FURNITURE_NAMES = {
    "comment": "comments", "comments": "comments", "byline": "a byline", "author": "a byline",
    "contributors": "a byline", "meta": "metadata", "dateline": "metadata", "vote": "a poll", "poll": "a poll",
    "subscribe": "a subscription box", "newsletter": "a subscription box", "noprint": "page furniture",
}  # fmt: skip
_NAME_TOKENS = re.compile(r"[^a-z]+")


def furniture(html: str, pos: int) -> str:
    """What kind of page furniture the text at ``pos`` of ``html`` sits in, or "" if none: the
    regions issue 10 leaves out of what is compared (navigation, the page's header and footer,
    asides, comments) and the byline, metadata, poll and subscription boxes beside an article.

    Judged on the page's own markup, independently of the checker: a marker is put at ``pos``
    and its ancestors' tags, classes and ids are read."""
    marker = "corpus-edit-spot"
    root = lxml.html.document_fromstring(html[:pos] + f'<span id="{marker}"></span>' + html[pos:])
    found = root.get_element_by_id(marker, None)
    if found is None:
        return ""
    for el in found.iterancestors():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _FURNITURE_TAGS:
            if tag in ("header", "footer") and next(el.iterancestors("article", "main", "section"), None) is not None:
                continue
            return _FURNITURE_TAGS[tag]
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        for token in _NAME_TOKENS.split(names):
            if token in _FURNITURE_NAMES:
                return _FURNITURE_NAMES[token]
    return ""


def read_versions(name: str, url: str = "") -> dict:
    """Every version of page ``name`` read as the checker's reading step reads a fetched body
    (``extract.extract``, what ``reading.read_page`` calls), as plain data for the parent process:
    the reader text of the base, of each boilerplate-only version, of each one-word edit (with the
    words changed and the furniture it sits in), of the version with a word of the first quote
    edited, and of each version with that quote split by markup. ``url`` is the page's address,
    as the reading step passes it (trafilatura's judgement depends on it)."""
    from claims.checking import extract

    page = page_named(name)
    base = base_version(page)
    out: dict = {"base": extract.extract(base, url).text, "boilerplate": {}, "edits": {}, "spanning": {}}
    for kind, make in BOILERPLATE.items():
        out["boilerplate"][kind] = extract.extract(make(page), url).text
    for where, edit in paragraph_edits(page).items():
        if edit is None:
            out["edits"][where] = None
        else:
            out["edits"][where] = (extract.extract(edit.html, url).text, edit.old, edit.new, furniture(base, edit.at))
    quotes = quotes_for(page)
    out["quotes"] = quotes
    out["altered"] = None
    if quotes:
        edit = word_edit(page, quotes[0], spots=page.unique_words(quotes[0], base))
        if edit is not None:
            out["altered"] = (extract.extract(edit.html, url).text, edit.old, edit.new, "")
        for kind, html in spanning_version(page, quotes[0]).items():
            out["spanning"][kind] = extract.extract(html, url).text
    return out
