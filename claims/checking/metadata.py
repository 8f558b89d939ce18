"""A page's metadata as its publisher declares it: title, author, publisher, dates.

Read in the order Firefox's reader view (Readability) reads them, which is also what
publishers write for search engines and social cards:

1. **JSON-LD** of an article type (``NewsArticle``, ``BlogPosting``…, also inside an
   ``@graph``): ``headline``/``name``, ``author`` (a name, a ``Person``, a list of them, or a
   reference to a ``Person`` elsewhere in the graph), ``publisher.name``,
   ``datePublished``, ``dateModified``;
2. **meta tags**: Dublin Core, Open Graph, ``article:*``, Twitter, Parse.ly, ``author``,
   ``itemprop``;
3. **the page**: a byline (``rel=author``, ``itemprop=author``, an element whose class or id
   says byline/author, with a name inside), the ``<title>`` less its site name.

The publication date falls back to htmldate only when the page declares none; the
modification date is only what the page declares (htmldate's guess at it is the newest
date anywhere on the page: a comment, a copyright year, a "most read" box). One pass over
the ``<meta>`` tags and one over the JSON-LD scripts, so it costs little even on very large
pages, unlike a general extractor's metadata pass.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import re
from dataclasses import dataclass

import htmldate

_ARTICLE_TYPES = re.compile(
    r"^(Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|"
    r"BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|SatiricalArticle|"
    r"ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|LiveBlogPosting|"
    r"DiscussionForumPosting|TechArticle|APIReference|WebPage|ItemPage|CreativeWork)$"
)
_ARTICLE_ONLY = re.compile(r"^(?!WebPage$|ItemPage$|CreativeWork$)")
_TITLE_PROPERTY = re.compile(r"\s*(dc|dcterm|og|twitter)\s*:\s*(title)\s*", re.I)
_TITLE_NAME = re.compile(r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?title\s*$", re.I)
_TITLE_ORDER: tuple[str, ...] = (
    "dc:title",
    "dcterm:title",
    "og:title",
    "weibo:article:title",
    "weibo:webpage:title",
    "title",
)
_TITLE_ORDER += ("twitter:title", "parsely-title")
_SEPARATOR = re.compile(r" [|\-–—\\/>»] ")

# meta name/property → our key (lower case, spaces removed, "." and "-" as ":").
_AUTHOR_KEYS: tuple[str, ...] = (
    "dc:creator",
    "dcterm:creator",
    "dcterms:creator",
    "author",
    "parsely:author",
    "sailthru:author",
)
_AUTHOR_KEYS += ("article:author", "og:article:author", "byl", "citation_author")
_SITE_KEYS: tuple[str, ...] = ("og:site_name", "application:name", "publisher", "dc:publisher", "dcterms:publisher")
_PUBLISHED_KEYS: tuple[str, ...] = ("article:published_time", "og:published_time", "parsely:pub:date", "sailthru:date")
_PUBLISHED_KEYS += ("datepublished", "dc:date:issued", "dcterms:issued", "dc:date", "dcterms:date", "pubdate")
_PUBLISHED_KEYS += ("date", "publish:date", "publication_date", "citation_publication_date", "article:published")
_MODIFIED_KEYS: tuple[str, ...] = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms:modified",
    "last:modified",
)
_MODIFIED_KEYS += ("article:modified",)

_BY_PREFIX = re.compile(r"^\s*(?:by|par|von|por|door|di|av|af)\s*:?\s+", re.I)
_BYLINE_MAX = 100
_URL = re.compile(r"^\s*(https?:)?//|^\s*www\.", re.I)
_SPACES = re.compile(r"\s+")


@dataclass
class Metadata:
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    modified_on: datetime.date | None = None


def _flat(text) -> str:
    return _SPACES.sub(" ", text or "").strip() if isinstance(text, str) else ""


def _date(value) -> datetime.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:  # "Tue, 15 Mar 2023 09:00:00 GMT"
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    match = re.match(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", value)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


# --- JSON-LD ------------------------------------------------------------------------------


def _json_ld_items(tree) -> list[dict]:
    items: list = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().removeprefix("<![CDATA[").removesuffix("]]>"))
        except ValueError:
            continue
        found = data if isinstance(data, list) else [data]
        for item in list(found):
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                found.extend(item["@graph"])
        items.extend(item for item in found if isinstance(item, dict))
    return items


def _kinds(item: dict) -> list[str]:
    kinds = item.get("@type")
    return [k for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)]


def _json_ld_article(items: list[dict], *, pages: bool = False) -> dict:
    """The first item of an article type (with ``pages``, of a page type when there is no article)."""
    page: dict = {}
    for item in items:
        kinds = _kinds(item)
        if any(_ARTICLE_TYPES.match(k) and _ARTICLE_ONLY.match(k) for k in kinds):
            return item
        if pages and not page and any(_ARTICLE_TYPES.match(k) for k in kinds):
            page = item
    return page


def _names_of(value, by_id: dict) -> list[str]:
    """Names in a JSON-LD ``author``/``publisher`` value: a string, a Person or Organization (or
    a reference to one by ``@id``), or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = []
    for entry in values:
        if isinstance(entry, dict) and "name" not in entry and isinstance(entry.get("@id"), str):
            entry = by_id.get(entry["@id"], entry)
        if isinstance(entry, dict):
            name = entry.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), "")
            name = _flat(name)
        else:
            name = _flat(entry)
        if name and not _URL.match(name):
            names.append(name)
    return names


# --- meta tags ----------------------------------------------------------------------------


def _meta_values(tree) -> tuple[dict[str, str], list[str]]:
    """Every ``<meta>`` with content by its property (each of a space-separated list, as RDFa
    allows), name or itemprop; a later tag wins, as in Readability. Also every author named by a
    repeated author tag (scholarly pages give one ``citation_author`` or ``DC.creator`` per author)."""
    values: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = _flat(meta.get("content"))
        if not content:
            continue
        keys = (meta.get("property") or "").split() + [meta.get("name") or "", meta.get("itemprop") or ""]
        for key in keys:
            if key:
                key = key.lower().replace(".", ":").replace("-", ":")
                values[key] = content
                if key in _AUTHOR_KEYS or key == "citation_author":
                    repeated.setdefault(key, []).append(content)
    authors = next((names for names in repeated.values() if len(names) > 1), [])
    return values, list(dict.fromkeys(authors))


# --- the page -----------------------------------------------------------------------------


_BYLINE_WORDS = {"byline", "bylines", "author", "authors", "writtenby", "byl", "authorname", "writer"}
_NOT_BYLINE_WORDS = {"comment", "comments", "avatar", "bio", "about", "related", "more", "share", "follow", "image"}
_NOT_BYLINE_WORDS |= {"photo", "img", "pic", "thumb", "social", "twitter", "link", "links", "list"}
# Elements that may be a byline, chosen in C by plain substring tests (a Python walk over a
# large page, or XPath's translate(), costs ~15–200 ms); the words are checked in Python after.
_BYLINE_CANDIDATES = (
    "//body//*[@rel='author' or contains(@itemprop, 'author') or "
    + " or ".join(
        f"contains(@{attr}, '{part}')"
        for attr in ("class", "id")
        for part in ("uthor", "UTHOR", "yline", "YLINE", "yLine")
    )
    + " or contains(@class, 'riter')]"
)
_FURNITURE = {"nav", "aside", "footer", "form", "button", "select", "script", "style", "noscript"}


def _byline_word(word: str) -> bool:
    """byline, FeatureByline, author, post_author, authorname — not authorization or FollowAuthor."""
    if word in _BYLINE_WORDS or "byline" in word:
        return True
    return word.endswith(("author", "authors")) and not word.startswith("follow")


def _byline_from_page(tree) -> str:
    """Readability's rule, made a little stricter: the first element marked as the author
    (``rel=author``, ``itemprop=author``) or whose class or id has the word byline/author (not
    "authorization", not an author's photo, bio, comment or "follow" button), outside navigation,
    asides and footers, with 1–99 characters of text; a name inside it (``itemprop=name``) is
    preferred."""
    for el in tree.xpath(_BYLINE_CANDIDATES):
        if not isinstance(el.tag, str) or el.tag in _FURNITURE | {"meta", "link", "img", "time"}:
            continue
        marked = (el.get("rel") or "").lower() == "author" or "author" in (el.get("itemprop") or "").lower()
        words = set(re.split(r"[^a-z0-9]+", f"{el.get('class') or ''} {el.get('id') or ''}".lower()))
        if not marked and (not any(_byline_word(word) for word in words) or words & _NOT_BYLINE_WORDS):
            continue
        ancestors = [a.tag for a in el.iterancestors() if isinstance(a.tag, str)]
        # An <aside> inside the article is its own information box (author, date); elsewhere a sidebar.
        outside_article = "article" not in ancestors
        if any(tag in _FURNITURE and (tag != "aside" or outside_article) for tag in ancestors):
            continue
        named = el.xpath(".//*[@itemprop='name']")
        text = _flat((named[0] if named else el).text_content())
        if 0 < len(text) < _BYLINE_MAX:
            return text
    return ""


def clean_author(text: str) -> str:
    """A byline as a name list: no "By", no trailing "| Updated …" or ", Staff Writer"-style
    second line, at most 300 characters."""
    text = _flat(text)
    text = _BY_PREFIX.sub("", text)
    text = re.split(r"\s[|•·]\s|\s{2,}|\n", text, maxsplit=1)[0]
    return text.strip(" ,;:-–—")[:300]


def _document_title(tree) -> str:
    """The <title>, less its site-name part (Readability's rule: drop the last " | Site" part unless
    that leaves three words or fewer; a short result keeps the whole title)."""
    node = tree.find(".//title")
    original = _flat(node.text_content()) if node is not None else ""
    title = original
    hierarchical = False
    if _SEPARATOR.search(title):
        hierarchical = bool(re.search(r" [\\/>»] ", title))
        title = re.sub(r"(.*)[|\-–—\\/>»] .*", r"\1", original)
        if len(title.split()) < 3:
            title = re.sub(r"[^|\-–—\\/>»]*[|\-–—\\/>»](.*)", r"\1", original)
    elif ": " in title:
        headings = {_flat(h.text_content()) for h in tree.iter("h1", "h2")}
        if title not in headings:
            title = original[original.rfind(":") + 1 :]
            if len(title.split()) < 3:
                title = original[original.find(":") + 1 :]
            elif len(original[: original.find(":")].split()) > 5:
                title = original
    elif len(title) > 150 or len(title) < 15:
        h1s = list(tree.iter("h1"))
        if len(h1s) == 1:
            title = _flat(h1s[0].text_content())
    title = _flat(title)
    count = len(title.split())
    if count <= 4 and (not hierarchical or count != len(re.sub(r"[|\-–—\\/>»]+", "", original).split()) - 1):
        title = original
    return title


def _title_values(tree) -> dict[str, str]:
    values = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        prop, name_attr = meta.get("property"), meta.get("name")
        match = _TITLE_PROPERTY.search(prop) if prop else None
        if match:
            values[match.group(0).lower().replace(" ", "")] = content
        elif name_attr and _TITLE_NAME.match(name_attr):
            values[name_attr.lower().replace(" ", "").replace(".", ":")] = content
    return values


def _title(tree, article: dict) -> str:
    """JSON-LD, then Dublin Core / Open Graph / Twitter meta tags, then the <title> less the site name."""
    name, headline = article.get("name"), article.get("headline")
    if isinstance(name, str) and isinstance(headline, str) and name.strip() and name != headline:
        document = _document_title(tree).casefold()
        name_close = name.casefold() in document or document in name.casefold()
        headline_close = headline.casefold() in document or document in headline.casefold()
        return _flat(name if name_close and not headline_close else headline)
    for value in (name, headline):
        if isinstance(value, str) and value.strip():
            return _flat(value)
    values = _title_values(tree)
    for key in _TITLE_ORDER:
        if values.get(key):
            return _flat(values[key])
    title = _document_title(tree)
    if not title:  # no <title>: the page's one top heading
        h1s = list(tree.iter("h1"))
        title = _flat(h1s[0].text_content()) if len(h1s) == 1 else ""
    return title


def _first(values: dict, keys) -> str:
    for key in keys:
        value = values.get(key)
        if value and not _URL.match(value):
            return value
    return ""


def _first_date(values: dict, keys) -> datetime.date | None:
    for key in keys:
        found = _date(values.get(key))
        if found:
            return found
    return None


def _time_element(tree, prop: str) -> datetime.date | None:
    for el in tree.iter("time"):
        if (el.get("itemprop") or "").lower() == prop.lower() or (prop == "datePublished" and el.get("pubdate")):
            found = _date(el.get("datetime"))
            if found:
                return found
    return None


def read_title(tree) -> str:
    return _title(tree, _json_ld_article(_json_ld_items(tree)))[:500]


def read(tree, *, today: datetime.date | None = None) -> Metadata:
    """The page's declared metadata (``tree``: the parsed page, JSON-LD scripts still in it)."""
    items = _json_ld_items(tree)
    by_id = {item["@id"]: item for item in items if isinstance(item.get("@id"), str)}
    found = Metadata(title=_title(tree, _json_ld_article(items))[:500])
    article = _json_ld_article(items, pages=True)
    values, meta_authors = _meta_values(tree)

    authors = _names_of(article.get("author"), by_id) if article else []
    author = ", ".join(dict.fromkeys(authors)) or "; ".join(meta_authors) or _first(values, _AUTHOR_KEYS)
    author = author or _byline_from_page(tree)
    found.author = clean_author(author)

    publishers = _names_of(article.get("publisher"), by_id) if article else []
    if not publishers:
        for item in items:
            if any(k in ("WebSite", "NewsMediaOrganization", "Organization") for k in _kinds(item)):
                publishers = _names_of(item, by_id)
                if publishers:
                    break
    found.publisher = (publishers[0] if publishers else _first(values, _SITE_KEYS)).lstrip("@")[:200]

    today = today or datetime.date.today()
    published = _date(article.get("datePublished")) or _first_date(values, _PUBLISHED_KEYS)
    published = published or _time_element(tree, "datePublished")
    if published is None or published > today:
        published = _date(htmldate.find_date(tree, original_date=True, extensive_search=False, max_date=str(today)))
    found.published_on = published
    modified = _date(article.get("dateModified")) or _first_date(values, _MODIFIED_KEYS)
    found.modified_on = modified or _time_element(tree, "dateModified")
    return found
