"""What counts as the article (issue 10): one test per class of page that real sites serve and
the checker once read wrong. Each builds a page, edits one word a reader sees, and asserts
the reader text shows it; or changes only furniture and asserts it does not.

The edit tests also assert that the extractor alone (trafilatura, as the checker calls it) leaves
the edited paragraph out: a page whose edit the extractor already sees would pass without the
reader text, and prove nothing about it."""

import trafilatura

from claims.checking import extract as extract_module
from claims.checking.compare import find_quote
from claims.checking.extract import extract, normalise_text

FILLER = " ".join(["The council met on Tuesday and discussed the budget for the coming year."] * 3)


def page(body: str, title: str = "A story about the council") -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        f"{body}<footer><p>© Example News. Generated at 09:14.</p></footer></body></html>"
    )


def extractor_alone(html: str) -> str:
    """The main text as trafilatura gives it for the cleaned page, without the reader text's additions."""
    tree = extract_module._parse(html)
    extract_module._clean(tree)
    doc = trafilatura.bare_extraction(
        tree, with_metadata=False, include_comments=False, favor_precision=True, fast=True
    )
    return normalise_text(doc.text if doc is not None else "")


def texts(template: str, old: str, new: str) -> tuple[str, str]:
    after = page(template.format(word=new))
    assert new not in extractor_alone(after), "the extractor alone sees this edit: the page tests nothing"
    return extract(page(template.format(word=old))).text, extract(after).text


def test_loose_text_beside_blocks_is_article_text():
    # Text and inline elements directly in a container that also holds blocks (text after an embedded figure).
    template = (
        f"<main><div class='story'><p>{FILLER}</p><p>{FILLER} More.</p></div><div class='story-2'><figure>"
        "<img src='x.jpg'></figure>The mayor said the plan was <a href='/plan'>{word}</a> and would be voted on "
        "in March by the full council of the city.</div></main>"
    )
    before, after = texts(template, "affordable", "expensive")
    assert "expensive" in after and before != after


def test_a_sections_own_header_is_article_but_the_page_header_is_not():
    template = (
        "<main><section class='intro'><header><h2>Get started</h2><p>Get to know the {word} features that make "
        f"it the most complete browser for building the web.</p></header><p>{FILLER}</p></section></main>"
    )
    before, after = texts(template, "many", "few")
    assert "few features" in after and before != after
    assert "Home" not in after


def test_a_paragraph_outside_the_extractors_part_of_a_marked_article_counts():
    template = (
        "<article><div class='hero'><h1>Council story</h1></div>"
        f"<div class='block-1'><div class='text'><p>{FILLER}</p><p>{FILLER} More.</p></div></div>"
        "<div class='block-2'><div class='text'><p>Read the <a href='/r'>{word} report</a>.</p></div></div></article>"
    )
    before, after = texts(template, "closing", "opening")
    assert "opening" in after and before != after


def test_a_section_whose_id_is_its_heading_is_not_boilerplate_by_name():
    # Sphinx and Markdown anchors: id="sharing-with-other-developers" is the heading, not a share bar.
    template = (
        f"<div class='body'><p>{FILLER}</p><div class='section' id='sharing-with-other-developers'>"
        "<h2>Sharing with other developers</h2><p>Bob asks Alice to review the {word} change before it is "
        f"published to the shared repository.</p><p>{FILLER} Later.</p></div></div>"
    )
    before, after = texts(template, "small", "large")
    assert "large change" in after and before != after


def test_a_link_between_words_stays_whatever_its_class_but_a_bare_counter_goes():
    text = extract(
        page(
            f"<article><p>{FILLER}</p><p>The next day I noticed that <a class='popup' href='#n'>Bartleby did "
            f"nothing</a> but stand at his window.</p><a class='comment-count' href='#c'>12 comments</a><p>{FILLER}"
            "</p></article>"
        )
    ).text
    assert "noticed that Bartleby did nothing but stand" in text
    assert "12 comments" not in text


def test_a_most_read_list_bigger_than_a_short_article_is_still_boilerplate():
    items = "".join(f"<li><a href='/s/{i}'>Headline number {i} about something else</a></li>" for i in range(8))
    text = extract(
        page(f"<main><div>Lorem ipsum dolor sit amet.</div></main><div class='popular-stories'><ul>{items}</ul></div>")
    ).text
    assert "Lorem ipsum dolor sit amet." in text and "Headline" not in text


def test_a_quote_across_a_line_break_stays_whole_when_a_caption_follows():
    html = page(
        f"<article><p>{FILLER}</p><p>In the following decades, neon's glow and vibrant<br>\ncolors turned "
        "ordinary buildings into billboards for businesses.</p><figure><img src='n.jpg'><figcaption>A sign in "
        f"Prague in 1989.</figcaption></figure><p>{FILLER} End.</p></article>"
    )
    match = find_quote("neon's glow and vibrant colors turned ordinary buildings into billboards", extract(html).text)
    assert match.exact


def test_an_edited_last_word_of_a_quote_is_shown():
    text = "From all this we realized that changing a student newsroom is revised. Then we began."
    match = find_quote("we realized that changing a student newsroom is difficult.", text)
    assert not match.exact and "revised" in match.matched_text


def test_en_and_em_dashes_separate_the_site_name_from_the_title():
    assert extract(page(f"<p>{FILLER}</p>", title="Council meets on the budget – Example News")).title == (
        "Council meets on the budget"
    )
