"""What a reader sees as the article, and the page's metadata (trafilatura, htmldate, lxml).

"Changed" is decided on the *reader text*: the extractor's main text (trafilatura)
together with every visible paragraph of the article region that the extractor left
out. Extractors tuned for precision drop paragraphs that readers plainly see as part of
the story (a last paragraph after an embedded video, a lead in its own container);
comparing only their output would let a one-word edit there go unreported, the worst
failure the checker can have. Taking every visible paragraph of the page would be the
second worst: a false "changed" on every advert rotation. So:

1. The page is parsed once. Hidden elements and *strong* boilerplate (adverts, consent
   banners, comment sections, share bars, most-read and related lists, newsletter
   promos), recognised by tag, ARIA role, and class/id words, are removed before
   anything else sees the page, extractor included.
2. trafilatura extracts the main text from that cleaned tree.
3. The *article region* is the deepest element holding 90 % of the paragraphs the
   extractor kept (and the region's parent's long, link-poor paragraphs, for articles
   spread over sibling containers). Its visible paragraphs (p, li, pre, blockquote, headings,
   table cells, captions), outside navigation, header, footer, aside, byline and
   metadata regions and not made mostly of links, are added to the main text where
   they sit.

The result is normalised (one paragraph per line, single spaces) before hashing, so
whitespace churn is not an edit either. Scripts, styles, attributes and query strings are
never part of it. Numbers are: a changed figure in a sentence is an edit.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura

from . import metadata
from .outcomes import STOP_NOW

log = logging.getLogger(__name__)

# How the reader text is built; stored with each check so a check is only compared with
# one made the same way (see runner: a previous check made otherwise is re-read from its archive).
TEXT_METHOD = 3

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Never part of what a reader sees as text.
_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"}
_INVISIBLE_TAGS |= {"button", "select", "textarea", "input", "dialog", "form", "head", "title"}
# Boilerplate a reader never takes for the article: removed before extraction.
_STRONG_WORDS = {
    "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adsbygoogle", "adslot", "dfp",
    "sponsor", "sponsored", "sponsors", "promo", "promos", "promoted", "outbrain", "taboola",
    "cookie", "cookies", "consent", "gdpr", "cmp", "onetrust", "didomi", "privacy-banner",
    "comment", "comments", "disqus", "respond", "replies",
    "share", "sharing", "sharebar", "social", "newsletter", "subscribe", "subscription",
    "popup", "modal", "overlay", "trending", "popular", "mostread", "most-read", "mostpopular",
    "related", "recommended", "recirc", "more-stories",
}  # fmt: skip
_STRONG_PARTS = (
    "adsbygoogle", "gpt-ad", "advert", "sponsor", "cookie", "consent", "onetrust", "disqus", "comment",
    "most-read", "mostread", "most-popular", "newsletter", "outbrain", "taboola", "trending",
)  # fmt: skip
_STRONG_PARTS_RE = re.compile("|".join(re.escape(part) for part in _STRONG_PARTS))
_STRONG_ROLES = {"dialog", "alertdialog"}
# Page furniture around the article: left out of the reader text, but kept for the extractor
# (bylines and dates are where metadata comes from).
_WEAK_TAGS = {"nav", "header", "footer", "aside", "menu"}
_WEAK_WORDS = {
    "nav", "navbar", "navigation", "menu", "header", "masthead", "footer", "sidebar", "breadcrumb", "breadcrumbs",
    "byline", "dateline", "timestamp", "meta", "metadata", "tools", "toolbar", "tags", "widget", "pagination",
    "pager", "skip", "banner",
}  # fmt: skip
_WEAK_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar"}
_PROTECTED_TAGS = {"html", "body", "main", "article"}

_BLOCK_TAGS = (
    "p", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "td", "th", "figcaption",
)  # fmt: skip
_BLOCK_SET = set(_BLOCK_TAGS)
_CONTAINER_TAGS = _BLOCK_SET | {"div", "section", "article", "ul", "ol", "dl", "table", "tbody", "tr", "form"}
_CONTAINER_TAGS |= {"header", "footer", "nav", "aside", "main", "figure", "hr"}
_INLINE_TAGS = {"a", "span", "em", "strong", "b", "i", "u", "sup", "sub", "small", "abbr", "cite", "q", "mark"}
_INLINE_TAGS |= {"font", "time", "var", "code", "kbd", "s", "del", "ins"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SECTIONING = ("article", "aside", "main", "nav", "section")
# Containers whose own text runs (text and inline elements between their child blocks) are
# paragraphs to a reader: "<div>Text <a>link</a> more.<p>…</p>Loose text.</div>".
_RUN_CONTAINERS = {"div", "section", "article", "main", "body", "center", "figure", "header", "footer", "aside"}
_RUN_CONTAINERS |= {"span", "font"}
_ARTICLE_ROOTS = "ancestor-or-self::*[self::article or self::main or @role='main' or @itemprop='articleBody']"
_REGION_SHARE = 0.9
_SIBLING_MIN_CHARS = 80


@dataclass
class Extracted:
    text: str = ""
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    modified_on: datetime.date | None = None

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.text) if self.text else ""


def normalise_text(text: str) -> str:
    """One paragraph per line, runs of spaces collapsed, blank lines dropped."""
    lines = (_flat(line) for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _flat(text: str) -> str:
    """One line, single spaces (zero-width spaces count as spaces)."""
    return " ".join((text or "").replace("\u200b", " ").split())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tokens(text: str) -> list[str]:
    return [token for token in _TOKEN_SPLIT.split(text) if token]


def _names(el) -> str:
    """``el``'s class and id, lower case; an id that is its heading's text made into an anchor
    (Sphinx's ``<div class="section" id="sharing-with-other-developers">``) names a part of the
    text, not a component, so it is left out."""
    ident = (el.get("id") or "").lower()
    if ident and "-" in ident:
        for child in el:
            if isinstance(child.tag, str) and child.tag in _HEADINGS:
                if _tokens(child.text_content().lower()) == _tokens(ident):
                    ident = ""
                break
    return f"{el.get('class') or ''} {ident}".lower()


@functools.lru_cache(maxsize=8192)
def _name_words(names: str) -> frozenset[str]:
    """The words of a class-and-id string (pages repeat a few hundred of them thousands of times)."""
    return frozenset(_TOKEN_SPLIT.split(names)) if names.strip() else frozenset()


@functools.lru_cache(maxsize=8192)
def _strong_names(names: str) -> bool:
    return bool(_name_words(names) & _STRONG_WORDS) or _STRONG_PARTS_RE.search(names) is not None


def _words(el) -> frozenset[str]:
    return _name_words(_names(el))


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _is_strong(el) -> bool:
    if el.tag in _PROTECTED_TAGS:
        return False
    if (el.get("role") or "").lower() in _STRONG_ROLES:
        return True
    return _strong_names(_names(el))


def _is_weak(el) -> bool:
    if el.tag in ("header", "footer") and next(el.iterancestors(*_SECTIONING), None) is not None:
        # Only the page's own header and footer are furniture (HTML's banner/contentinfo rule): a
        # <header> inside an article, a section or <main> holds that part's heading and summary (NYT
        # puts the lede there, Mozilla its intro); bylines in it are still left out by their class.
        return False
    if el.tag in _WEAK_TAGS:
        return True
    if el.tag in _PROTECTED_TAGS:
        return False
    return (el.get("role") or "").lower() in _WEAK_ROLES or bool(_words(el) & _WEAK_WORDS)


_parsers = threading.local()


def _parser(encoding: str | None = None):
    """An HTML parser whose elements are ``lxml.html.HtmlElement`` (trafilatura asks for them)
    chosen by a C-level lookup: lxml.html's own lookup calls Python for every element proxy
    made, which was most of the cost of walking a large page. Otherwise as lxml.html parses
    (comments kept: trafilatura reads the page differently without them). One per thread:
    lxml parsers are not shared across threads."""
    key = f"parser_{encoding or ''}"
    parser = getattr(_parsers, key, None)
    if parser is None:
        parser = lxml.etree.HTMLParser(collect_ids=False, encoding=encoding)
        parser.set_element_class_lookup(
            lxml.etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        setattr(_parsers, key, parser)
    return parser


def _parse(html: str):
    if not html or not html.strip():
        return None
    try:
        try:
            root = lxml.etree.fromstring(html, _parser())
        except ValueError:
            # A str with an XML declaration naming its encoding: lxml wants bytes for that.
            root = lxml.etree.fromstring(html.encode("utf-8"), _parser("utf-8"))
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None
    return root


_MARKED = "//*[@class or @id or @role or @hidden or @aria-hidden or @style]"
_INVISIBLE_XPATH = "//script[not(@type='application/ld+json')]|//style|//noscript|//template"


def _visible_chars(el) -> int:
    """Characters of text in ``el``, without JSON-LD copies of the body (scripts are gone by then)."""
    total = len(el.text_content() or "")
    return total - sum(len(s.text or "") for s in el.iter("script"))


def _between_words(el) -> bool:
    """Is ``el`` an inline element inside running text (words on both sides)? Then it is part of
    the sentence whatever it is called: a link styled as a "popup" note, a "share"-classed quote."""
    if el.tag not in _INLINE_TAGS:
        return False
    before = el.getprevious()
    left = (before.tail if before is not None else el.getparent().text) or ""
    right = (el.tail or "").lstrip()[:1]
    return bool(left.strip()) and bool(right) and (right.isalnum() or right in ",.;:!?")


def _clean(tree) -> None:
    """Drop what a reader never sees: scripts (except JSON-LD, where metadata lives), styles,
    templates, hidden elements, and strong boilerplate, unless one holds a third of the page's
    text (a page whose main container is unluckily named, e.g. ``class="post has-comments"``,
    or an article shown in a "modal")."""
    for el in tree.xpath(_INVISIBLE_XPATH):
        el.drop_tree()
    body = tree.find("body")
    page_chars = _visible_chars(body if body is not None else tree) or 1
    doomed = [
        el
        for el in tree.xpath(_MARKED)
        if isinstance(el.tag, str)
        and el.tag not in _PROTECTED_TAGS
        and (_is_hidden(el) or (_is_strong(el) and not _between_words(el)))
    ]
    dropped: set = set()
    for el in doomed:
        # Inside an element already dropped: gone with it (and not worth measuring).
        if el.getparent() is None or any(ancestor in dropped for ancestor in el.iterancestors()):
            continue
        # The article's own heading inside means the article is in there (shown in a "modal"); so
        # does a third of the page's text, unless it is mostly links (a "most read" list on a short page).
        chars = _visible_chars(el)
        if next(el.iter("h1"), None) is not None or (
            chars > page_chars / 3 and _link_density(el, len(_flat(el.text_content()))) <= 0.5
        ):
            continue
        dropped.add(el)
        el.drop_tree()


def _excluded(el, cache: dict, protected: set, page_chars: int) -> bool:
    """Is ``el`` inside something a reader does not take for the article (memoised per element;
    elements, not their ``id()``, are the keys: lxml proxies are recreated and ids reused)?

    A region named like boilerplate that holds a third of the page's text is the page itself
    (an article shown in a "modal", a main column called "post has-comments"), not furniture.
    """
    path = []
    node = el
    verdict = False
    while node is not None:
        if node in cache:
            verdict = cache[node]
            break
        path.append(node)
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _INVISIBLE_TAGS:
            verdict = True
            break
        if (
            node not in protected
            and (_is_hidden(node) or _is_weak(node) or _is_strong(node))
            and (tag in _WEAK_TAGS or _visible_chars(node) <= page_chars / 3)
        ):
            verdict = True
            break
        node = node.getparent()
    for item in path:
        cache[item] = verdict
    return verdict


def _link_density(el, text_len: int) -> float:
    links = sum(len(_flat(a.text_content())) for a in el.iter("a"))
    return links / text_len if text_len else 1.0


def _is_block(el, holding: set) -> bool:
    """A paragraph-like element: a block tag, or a <div> holding only text and inline elements
    (which readers see as a paragraph, and Readability turns into one)."""
    if el.tag in _BLOCK_SET:
        return True
    return el.tag == "div" and el not in holding and bool((el.text or "").strip() or len(el))


def _holding_blocks(root) -> set:
    """The elements under ``root`` that have a block or container inside them (one pass)."""
    holding: set = set()
    for el in root.iter(*_CONTAINER_TAGS):
        for ancestor in el.iterancestors():
            if ancestor in holding:
                break
            holding.add(ancestor)
    return holding


def _runs(el, holding: set):
    """``el``'s own inline runs as (text, characters of link text): its text and the inline
    children and tails between its block children (comments are not text; their tails are)."""
    run: list[str] = [el.text or ""]
    links = 0
    for child in el:
        if isinstance(child.tag, str) and (child.tag in _CONTAINER_TAGS or child in holding):
            yield _flat(" ".join(run)), links
            run, links = [], 0
        elif isinstance(child.tag, str) and child.tag not in _INVISIBLE_TAGS:
            piece = child.text_content() if child.tag != "br" else " "
            run.append(piece)
            if child.tag == "a":
                links += len(_flat(piece))
            elif len(child):
                links += sum(len(_flat(a.text_content())) for a in child.iter("a"))
        run.append(child.tail or "")
    yield _flat(" ".join(run)), links


def _blocks(root):
    """The paragraphs under ``root`` as (element, text, link characters or None): the outermost
    paragraph-like elements (a <p> in an <li> counts once, as the <li>), and the loose text runs
    of containers that also hold blocks (given with their container)."""
    taken = set()
    inside: dict = {}  # element → inside a taken paragraph? (memoised: one walk per element in all)
    holding = _holding_blocks(root)
    for el in root.iter(*_BLOCK_TAGS, *_RUN_CONTAINERS):
        path, parent, nested = [], el.getparent(), False
        while parent is not None and parent is not root:
            if parent in inside:
                nested = inside[parent]
                break
            if parent in taken:
                nested = True
                break
            path.append(parent)
            parent = parent.getparent()
        for node in path:
            inside[node] = nested
        if nested:
            continue
        if _is_block(el, holding):
            taken.add(el)
            yield el, _flat(el.text_content()), None
        elif el.tag in _RUN_CONTAINERS and el in holding:
            for text, links in _runs(el, holding):
                if text:
                    yield el, text, links


class _MainText:
    """The extractor's text, and where a paragraph of the page sits in it.

    Most paragraphs the extractor kept are one of its lines (a dictionary look-up); the others
    are searched near where the last one was found (the extractor keeps the page's order), or in
    the whole text when it is short. So placing every paragraph of a long page costs time in
    proportion to the page, not to the page times the text (which was seconds on 1 MB).
    """

    WINDOW = 32_768

    def __init__(self, lines: list[str]):
        self.flat = " ".join(lines)
        self.offsets: list[int] = []
        self.lines: dict[str, int] = {}
        at = 0
        for line in lines:
            self.offsets.append(at)
            self.lines.setdefault(line, at)
            at += len(line) + 1
        self.cursor = 0

    def find(self, text: str) -> int:
        """The offset of ``text`` in the flattened text, or −1."""
        if not text:
            return -1
        found = self.lines.get(text)
        if found is None:
            if len(self.flat) <= 2 * self.WINDOW:
                found = self.flat.find(text)
            else:
                start = max(0, self.cursor - self.WINDOW)
                found = self.flat.find(text, start, self.cursor + self.WINDOW + len(text))
        if found >= 0:
            self.cursor = found + len(text)
        return found

    def line_of(self, found: int, length: int) -> int:
        """The index of the line where a paragraph found at ``found`` ends."""
        return bisect.bisect_right(self.offsets, found + length - 1) - 1


def _region(body, blocks, places: list[int]):
    """The article region: the deepest element holding 90 % of the paragraphs the extractor kept."""
    weight: dict = {}  # element → characters of kept paragraphs in it (elements as keys keep lxml proxies alive)
    total = 0
    for (el, text, _), found in zip(blocks, places, strict=True):
        if len(text) >= 20 and found >= 0:
            total += len(text)
            node = el
            while node is not None:
                weight[node] = weight.get(node, 0) + len(text)
                node = node.getparent()
    region = body
    if total:
        best_depth = -1
        for node, value in weight.items():
            if value >= _REGION_SHARE * total:
                depth = sum(1 for _ in node.iterancestors())
                if depth > best_depth:
                    best_depth, region = depth, node
    return region


def reader_text(tree, main_text: str) -> str:
    """``main_text`` with the article region's visible paragraphs the extractor left out, each
    placed after the main-text line it follows on the page."""
    body = tree.find("body")
    if body is None:
        body = tree
    lines = main_text.split("\n") if main_text else []
    main = _MainText(lines)
    blocks = [block for block in _blocks(body) if block[1]]
    places = [main.find(text) for _, text, _ in blocks]

    region = _region(body, blocks, places)
    if region is not body:
        # The whole article, when the page marks it: the extractor may have kept one part of it.
        roots = region.xpath(_ARTICLE_ROOTS)
        region = roots[-1] if roots else region
    else:
        # The extractor kept (almost) nothing: the page's one <main> or <article>, if it marks one.
        for query in (".//main|.//*[@role='main']", ".//article"):
            roots = body.xpath(query)
            if len(roots) == 1:
                region = roots[0]
                break
    protected = {region, *region.iterancestors()}

    cache: dict = {}  # element → inside boilerplate?
    page_chars = _visible_chars(body) or 1
    extras: dict[int, list[str]] = {}  # main-text line index (−1: before the first) → paragraphs after it
    anchor = -1
    in_region = set(region.iter())
    for (el, text, links), found in zip(blocks, places, strict=True):
        inside = el in in_region
        if found >= 0:
            anchor = main.line_of(found, len(text))
            continue
        if _excluded(el, cache, protected, page_chars):
            continue
        # Lists and link rows made of links are menus and "most read" boxes; a paragraph that is
        # one link (a reference, a further-reading entry) is still text the reader sees.
        density = _link_density(el, len(text)) if links is None else links / len(text)
        if density > 0.5 and el.tag != "p":
            continue
        # Outside the region, a long, link-poor paragraph anywhere on the page (outside furniture) is
        # still article to a reader: articles spread over sibling containers, a lede in its own box.
        if not inside and (len(text) < _SIBLING_MIN_CHARS or density > 0.25):
            continue
        # With no narrower region than the whole body, a short line in a bare <div> (a "rendered at"
        # stamp, a widget's caption) is more likely furniture than a paragraph of the story.
        if region is body and el.tag in _RUN_CONTAINERS and len(text) < _SIBLING_MIN_CHARS:
            continue
        extras.setdefault(anchor, []).append(text)

    if not extras:
        return main_text
    out = list(extras.get(-1, []))
    for index, line in enumerate(lines):
        out.append(line)
        out.extend(extras.get(index, []))
    return normalise_text("\n".join(out))


class _Stopwatch:
    """Milliseconds per stage into ``timings`` (a check's timings, the benchmark's table)."""

    def __init__(self, timings: dict | None):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = round((now - self.last) * 1000, 2)
        self.last = now


def extract(html: str, url: str = "", *, timings: dict | None = None) -> Extracted:
    """The reader text and metadata; an unparseable page gives an empty result, not an error.

    ``timings``, if given, gets the milliseconds of each stage (``parse_ms``, ``clean_ms``,
    ``extractor_ms``, ``metadata_ms``, ``reader_ms``)."""
    result = Extracted()
    watch = _Stopwatch(timings)
    tree = _parse(html)
    watch.lap("parse_ms")
    if tree is None:
        return result
    try:
        _clean(tree)
        watch.lap("clean_ms")
        # The metadata is read from the page directly (metadata.py), not by trafilatura's own
        # metadata pass, which was a third of the cost of a large page.
        doc = trafilatura.bare_extraction(
            tree, url=url or None, with_metadata=False, include_comments=False, favor_precision=True, fast=True
        )
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — a hostile page must not crash the check
        log.warning("trafilatura failed on %s", url, exc_info=True)
        doc = None
    watch.lap("extractor_ms")
    # bare_extraction answers a Document, or a dict when asked for one (as_dict=True).
    text = doc.get("text") if isinstance(doc, dict) else doc.text if doc is not None else None
    main_text = normalise_text(text or "")
    try:
        found = metadata.read(tree)
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — a page's odd metadata must not cost its text
        log.warning("metadata failed on %s", url, exc_info=True)
        found = metadata.Metadata()
    watch.lap("metadata_ms")
    result.title, result.author, result.publisher = found.title, found.author, found.publisher
    result.published_on, result.modified_on = found.published_on, found.modified_on
    try:
        result.text = reader_text(tree, main_text)
    except STOP_NOW:
        raise
    except Exception:  # noqa: BLE001 — the extractor's text is still a sound answer
        log.warning("reader text failed on %s", url, exc_info=True)
        result.text = main_text
    watch.lap("reader_ms")
    return result
