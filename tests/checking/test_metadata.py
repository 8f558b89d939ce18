"""The metadata a page declares (claims/checking/metadata.py): one test per way publishers
declare an author, a publisher and dates, read from the whole page as the checker reads it."""

import datetime
import json

import pytest

from claims.checking.extract import extract

BODY = "<p>" + " ".join(["The council met on Tuesday and discussed the budget for the coming year."] * 4) + "</p>"


def page(head: str = "", body: str = "") -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Budget talks stall - Example News</title>{head}"
        f"</head><body><header><nav><a href='/'>Home</a></nav></header><main><article><h1>Budget talks stall</h1>"
        f"{body}{BODY}</article></main><footer><p>© 2019 Example News</p></footer></body></html>"
    )


JANE = {"@type": "Person", "name": "Jane Doe"}
ORGANIZATION = {"@type": "Organization", "name": "Example News"}


def json_ld(data) -> str:
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


@pytest.mark.parametrize(
    "head, body, author",
    [
        # JSON-LD: a Person, a list of Persons, a plain name, a reference into an @graph
        (json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}}), "", "Jane Doe"),
        (
            json_ld({"@type": "BlogPosting", "author": [JANE, {"name": "Ali Khan"}]}),
            "",
            "Jane Doe, Ali Khan",
        ),
        (json_ld({"@type": "Article", "author": "Jane Doe"}), "", "Jane Doe"),
        (
            json_ld(
                {
                    "@context": "https://schema.org",
                    "@graph": [
                        {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
                        {"@type": "NewsArticle", "headline": "Budget talks stall", "author": {"@id": "#jane"}},
                    ],
                }
            ),
            "",
            "Jane Doe",
        ),
        # meta tags: author, Dublin Core, Parse.ly, NYT's "byl" with its "By"
        ("<meta name='author' content='Jane Doe'>", "", "Jane Doe"),
        ("<meta name='DC.creator' content='Jane Doe'>", "", "Jane Doe"),
        ("<meta name='parsely-author' content='Jane Doe'>", "", "Jane Doe"),
        ("<meta name='byl' content='By Jane Doe'>", "", "Jane Doe"),
        # a profile URL is not a name: the byline on the page is used instead
        (
            "<meta property='article:author' content='https://facebook.com/janedoe'>",
            "<p class='byline'>By Jane Doe</p>",
            "Jane Doe",
        ),
        # the page: rel=author, itemprop=author with a name inside, a byline class, "By … | Updated …"
        ("", "<p>By <a rel='author' href='/staff/jane'>Jane Doe</a></p>", "Jane Doe"),
        (
            "",
            "<div itemprop='author' itemscope><span itemprop='name'>Jane Doe</span>, Staff Writer</div>",
            "Jane Doe",
        ),
        ("", "<div class='article-byline'>By Jane Doe | Updated 3 hours ago</div>", "Jane Doe"),
    ],
)
def test_the_author_is_read_however_the_page_declares_it(head, body, author):
    assert extract(page(head, body)).author == author


def test_a_comment_author_or_an_author_bio_is_not_the_byline():
    body = "<aside class='author-bio'>Jane writes about councils.</aside>"
    comments = "<div class='comment-author'>troll42</div>"
    assert extract(page("", body + comments)).author == ""


@pytest.mark.parametrize(
    "head, publisher",
    [
        (json_ld({"@type": "NewsArticle", "publisher": ORGANIZATION}), "Example News"),
        ("<meta property='og:site_name' content='Example News'>", "Example News"),
        (json_ld({"@graph": [{"@type": "WebSite", "name": "Example News"}]}), "Example News"),
        ("<meta name='application-name' content='Example News'>", "Example News"),
    ],
)
def test_the_publisher_is_read_however_the_page_declares_it(head, publisher):
    assert extract(page(head)).publisher == publisher


def test_declared_dates_are_read_and_the_modified_date_is_never_guessed():
    declared = json_ld({"@type": "NewsArticle", "datePublished": "2023-03-15T09:00:00Z", "dateModified": "2023-03-16"})
    found = extract(page(declared))
    assert (found.published_on, found.modified_on) == (datetime.date(2023, 3, 15), datetime.date(2023, 3, 16))

    meta = "<meta property='article:published_time' content='2022-11-02T10:00:00+01:00'>"
    meta += "<meta property='article:modified_time' content='2022-11-03'>"
    found = extract(page(meta))
    assert (found.published_on, found.modified_on) == (datetime.date(2022, 11, 2), datetime.date(2022, 11, 3))

    # Nothing declared: the publication date is looked for in the page (htmldate); the modification
    # date is left empty rather than taken from the newest date on the page (a copyright line).
    found = extract(page("", "<p class='dateline'>Published <time datetime='2021-06-01'>1 June 2021</time></p>"))
    assert found.published_on == datetime.date(2021, 6, 1)
    assert found.modified_on is None


def test_a_publication_date_in_the_future_is_not_believed():
    later = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    found = extract(page(f"<meta property='article:published_time' content='{later}'>"))
    assert found.published_on is None or found.published_on <= datetime.date.today()
