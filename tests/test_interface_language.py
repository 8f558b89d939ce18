"""The interface in the reader's language: chosen, switched, cached apart, and complete in Russian.

The walk at the end renders every main page in Russian over a story whose own words are
Russian too (names, quotes, titles) and fails on any Latin word left in what the page shows
(text, titles, labels): an English interface string anywhere is caught, whatever its page.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims import roles, services
from claims.models import ArticleLink, ClaimStanding, Stance

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RU = {"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.5"}


def russian_client(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


@pytest.fixture
def story():
    russia = PartyFactory(name="Russian Ministry of Defence", aliases="ru: Министерство обороны России")
    usa = PartyFactory(name="United States European Command", aliases="ru: Европейское командование США")
    shoigu = SpeakerFactory(party=russia, name="Sergei Shoigu", aliases="ru: Шойгу", role="")
    dispute = DisputeFactory(proposition="A Russian jet struck the US drone.", occurred_on=datetime.date(2023, 3, 14))
    ClaimFactory(dispute=dispute, party=usa, stance=Stance.AFFIRMS, quote="The jet struck the propeller.")
    ClaimFactory(dispute=dispute, party=russia, speaker=shoigu, stance=Stance.DENIES, quote="No contact occurred.")
    return dispute


def _page(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- Choosing the language --------------------------------------------------------------------


def test_a_browser_asking_for_russian_gets_the_russian_interface(client, story):
    html = _page(client, "/", **RU)
    assert '<html lang="ru">' in html
    assert "<h1>Споры</h1>" in html


def test_without_a_choice_the_interface_is_english(client, story):
    html = _page(client, "/")
    assert '<html lang="en-gb">' in html
    assert "<h1>Disputes</h1>" in html


def test_every_page_has_the_switcher_posting_back_to_the_same_page(client, story):
    html = _page(client, story.get_absolute_url())
    assert f'<form class="language-switcher" method="post" action="{reverse("set_language")}">' in html
    assert f'<input type="hidden" name="next" value="{story.get_absolute_url()}">' in html
    assert re.search(r'<button type="submit" name="language" value="ru" lang="ru"[^>]*>Русский</button>', html)
    assert re.search(r'value="en-gb" lang="en-gb" class="link" aria-pressed="true">English</button>', html)


def test_the_switcher_keeps_the_choice_over_the_browsers(story):
    client = Client(enforce_csrf_checks=False)
    url = story.get_absolute_url()
    response = client.post(reverse("set_language"), {"language": "ru", "next": url}, **{"HTTP_ACCEPT_LANGUAGE": "en"})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    html = _page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ru">' in html and "Хронология" in html
    client.post(reverse("set_language"), {"language": "en-gb", "next": url})
    assert "Timeline" in _page(client, url, **RU)


def test_the_switcher_works_on_a_private_site_before_logging_in(client, settings):
    settings.SITE_PRIVATE = True
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "Войти" in _page(client, "/accounts/login/")


def test_the_switcher_refuses_to_send_anyone_elsewhere(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "https://evil.example/"})
    assert response["Location"] == "/"


# --- Dates, numbers and names per language --------------------------------------------------


def test_dates_are_written_as_each_language_writes_them(client, story):
    assert "14 March 2023" in _page(client, story.get_absolute_url())
    html = _page(russian_client(), story.get_absolute_url())
    assert "14 марта 2023" in html and "15 марта 2023" in html


def test_numbers_drawn_in_the_timeline_are_never_localised(story):
    """Russian writes 36,0 where SVG needs 36.0: the drawing's coordinates stay unlocalised."""
    html = _page(russian_client(), story.get_absolute_url())
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert re.search(r' (?:x|y|cx|cy)="\d+\.\d"', svg)
    assert not re.search(r'="-?\d+,\d', svg)


def test_a_russian_reader_sees_the_russian_names_of_parties_and_speakers(client, story):
    english = _page(client, story.get_absolute_url())
    assert "Russian Ministry of Defence" in english and "Sergei Shoigu" in english
    russian = _page(russian_client(), story.get_absolute_url())
    assert "Министерство обороны России" in russian and "Шойгу" in russian
    assert "Sergei Shoigu" not in russian.split('<div id="dispute-body"')[1].split("<h2")[0] or "Шойгу" in russian


def test_language_names_and_script_errors_speak_the_readers_language(story, editor):
    claim = story.claims.get(stance=Stance.DENIES)
    client = russian_client()
    client.force_login(editor)
    html = _page(client, reverse("claims:claim-edit", args=[claim.pk]))
    assert '<option value="ar">арабский</option>' in html
    assert "Язык цитаты" in html


def test_form_errors_come_in_russian(story, editor):
    client = russian_client()
    client.force_login(editor)
    response = client.post(reverse("claims:claim-create", args=[story.slug]), {"stance": "", "submission": "x"})
    html = response.content.decode()
    assert "Обязательное поле." in html  # Django's own
    assert "Выберите сторону, сделавшую заявление, или укажите новую." in html  # ours


# --- Caches never mix languages ------------------------------------------------------------


def test_a_cached_dispute_page_is_never_served_in_the_other_language(story):
    url = story.get_absolute_url()
    assert "Timeline" in _page(Client(), url)  # fills the shared copy for visitors
    russian = _page(russian_client(), url)
    assert "Хронология" in russian and ">Timeline<" not in russian
    assert ">Timeline<" in _page(Client(), url)
    assert "Хронология" in _page(Client(), url, **RU)


def test_the_etag_differs_by_language_so_a_switch_is_never_answered_304(story):
    url = story.get_absolute_url()
    client = Client()
    client.get(url)  # the first view sets the CSRF cookie, which the ETag includes
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "Хронология" in response.content.decode()
    assert response["ETag"] != etag


def test_pages_say_they_vary_by_language(story):
    response = Client().get(story.get_absolute_url())
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_the_cached_home_page_parts_follow_the_language(story):
    assert "Search" in _page(Client(), "/") and "2 claims" not in _page(Client(), "/")
    russian = _page(russian_client(), "/")
    assert ">Поиск<" in russian and "1 спор" in russian and ">Search<" not in russian
    assert ">Search<" in _page(Client(), "/") and "1 dispute" in _page(Client(), "/")


def test_feeds_stay_in_the_sites_language_and_share_one_cached_copy(story):
    url = reverse("claims:feed-disputed")
    russian = Client().get(url, **RU)
    english = Client().get(url)
    assert b"disputed claims" in russian.content
    assert russian.content == english.content and russian["ETag"] == english["ETag"]


def test_exports_stay_in_the_sites_language(story):
    response = Client().get(reverse("claims:dispute-claims-csv", args=[story.slug]), **RU)
    assert "Denies" in response.content.decode()
    assert response["Content-Language"] == settings.LANGUAGE_CODE  # labelled as what it is, not the reader's


# --- Nothing left in English -------------------------------------------------------------------

# Names of formats and protocols, the same in Russian text.
ALLOWED = {
    "RSS",
    "Atom",
    "CSV",
    "JSON",
    "API",
    "HTTP",
    "HTML",
    "WARC",
    "LD",
    "oEmbed",
    "CMS",
    "BCP",
    "TLS",
    "ID",
    "https",
}
# Language tags named as examples ("en, ru, ar, zh-Hant") and an aircraft's name (MQ-9).
ALLOWED |= {"en", "ru", "ar", "zh", "Hant", "MQ"}
URLISH = re.compile(r"\S*[./:@]\S*[A-Za-z]\S*")


class _VisibleText(HTMLParser):
    """What a reader sees or hears of a page's interface: text and labels, user-entered text left out.

    User-entered text is marked up with its own ``lang`` or ``dir`` (``{% lang_dir %}``), so those
    elements are skipped; so are scripts, styles, code samples and text areas (typed text).
    """

    SKIP = {"script", "style", "code", "textarea", "pre"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "area", "base", "col", "source", "wbr"}
    LABELS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in self.SKIP or "lang" in attrs or "dir" in attrs or tag in {"datalist"}
        if tag == "html":
            skip = False
        if not self.skipping and not skip:
            self.parts += [attrs[name] for name in self.LABELS if attrs.get(name)]
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = URLISH.sub(" ", " ".join(parser.parts))
    return [word for word in re.findall(r"[A-Za-z][A-Za-z’']+", text) if word not in ALLOWED]


def test_the_checker_finds_english_it_should():
    html = '<p>Спор <span dir="auto">User text</span> <a title="Edit">Edit it</a> https://example.org</p>'
    assert english_words(html) == ["Edit", "Edit", "it"]


@pytest.fixture
def russian_world(settings):
    """A story told entirely in Russian, with every kind of thing a page shows, and a senior editor."""
    settings.SITE_NAME = "Трекер заявлений"
    senior = UserFactory(username="редактор", roles=[roles.EDITORS, roles.SENIOR_EDITORS], is_staff=True)
    russia = PartyFactory(name="Минобороны России", slug="minoborony")
    usa = PartyFactory(name="Европейское командование США", slug="eucom")
    speaker = SpeakerFactory(party=russia, name="Игорь Конашенков", role="официальный представитель")
    source = SourceFactory(title="Заявление Минобороны", publisher="ТАСС")
    dispute = DisputeFactory(
        proposition="Российский Су-27 задел американский беспилотник.",
        slug="su27",
        summary="Инцидент над Чёрным морем.",
        occurred_on=datetime.date(2023, 3, 14),
    )
    affirm = ClaimFactory(
        dispute=dispute,
        party=usa,
        stance=Stance.AFFIRMS,
        quote="Истребитель задел винт.",
        quote_language="ru",
        source=SourceFactory(title="Пресс-релиз командования", publisher="Командование"),
    )
    deny = ClaimFactory(
        dispute=dispute,
        party=russia,
        speaker=speaker,
        stance=Stance.DENIES,
        quote="Контакта не было.",
        quote_language="ru",
        source=source,
        said_on=datetime.date(2023, 3, 15),
    )
    early = ClaimFactory(
        dispute=dispute,
        party=russia,
        stance=Stance.QUALIFIED,
        paraphrase="Беспилотник упал сам.",
        quote="",
        said_on=datetime.date(2023, 3, 14),
        source=source,
    )
    early.standing, early.superseded_by = ClaimStanding.SUPERSEDED, deny
    early.save()
    # The denial appeared in a second outlet too (issue 11: the card lists its appearances).
    repeat = SourceFactory(url="https://tass.example.ru/povtor", title="Повтор заявления", publisher="ТАСС")
    services.appearance_create(claim=deny, user=senior, url=repeat.url)
    evidence = EvidenceFactory(
        dispute=dispute,
        title="Видео с беспилотника",
        released_by=usa,
        source=SourceFactory(title="Видео", publisher="Пентагон"),
    )
    services.evidence_link_create(
        evidence=evidence, user=senior, claim=affirm, effect="supports", strength="strong", note="Видно касание."
    )
    ArticleLinkFactory(
        dispute=dispute, source=SourceFactory(title="Разбор инцидента", publisher="Би-би-си"), note="Подробности."
    )
    return senior, dispute, affirm, evidence


def _russian_pages(senior, dispute, claim, evidence):
    article = ArticleLink.objects.get(dispute=dispute)
    return [
        "/",
        "/?q=беспилотник&status=disputed",
        "/?occurred_from=2024-01-01&occurred_to=2023-01-01",
        dispute.get_absolute_url(),
        dispute.get_absolute_url() + "?all=1",
        reverse("claims:dispute-timeline", args=[dispute.slug]),
        claim.party.get_absolute_url(),
        reverse("claims:source-detail", args=[claim.source_id]),
        reverse("claims:history", args=["dispute", dispute.pk]),
        reverse("claims:history", args=["claim", claim.pk]),
        reverse("claims:claim-edit", args=[claim.pk]),
        reverse("claims:claim-create", args=[dispute.slug]),
        reverse("claims:claim-delete", args=[claim.pk]),
        reverse("claims:evidence-edit", args=[evidence.pk]),
        reverse("claims:evidence-create", args=[dispute.slug]),
        reverse("claims:evidence-link-add", args=[evidence.pk]),
        reverse("claims:article-create", args=[dispute.slug]),
        reverse("claims:article-edit", args=[article.pk]),
        reverse("claims:dispute-edit", args=[dispute.slug]),
        reverse("claims:dispute-verdict", args=[dispute.slug]),
        reverse("claims:dispute-delete", args=[dispute.slug]),
        reverse("claims:dispute-create"),
        reverse("claims:watching"),
        reverse("claims:account"),
        reverse("claims:feed-token"),
        reverse("claims:api-tokens"),
        reverse("claims:import"),
        reverse("claims:clip"),
        reverse("claims:watch", args=["dispute", dispute.pk]),
        reverse("claims:appearance-add", args=[claim.pk]),
        reverse("claims:claim-duplicates"),
        reverse("claims:claim-merge", args=[claim.pk, dispute.claims.exclude(pk=claim.pk).first().pk]),
    ]


def test_every_main_page_is_entirely_in_russian(russian_world):
    senior, dispute, claim, evidence = russian_world
    visitor, editor = russian_client(), russian_client()
    editor.force_login(senior)
    leftovers = {}
    for client, who in ((visitor, "visitor"), (editor, "senior editor")):
        for url in _russian_pages(senior, dispute, claim, evidence):
            response = client.get(url)
            if response.status_code in (302, 403, 404) and who == "visitor":
                continue
            assert response.status_code in (200, 400), (who, url, response.status_code)
            if words := english_words(response.content.decode()):
                leftovers[f"{who} {url}"] = sorted(set(words))
    assert not leftovers, "\n".join(f"{page}: {words}" for page, words in leftovers.items())


def test_the_login_and_error_pages_are_in_russian(russian_world):
    client = russian_client()
    assert not english_words(_page(client, "/accounts/login/"))
    response = client.get("/?q=" + "x" * 2001)
    assert response.status_code == 400 and not english_words(response.content.decode())


def test_the_same_walk_in_english_has_english_to_find(russian_world):
    """The walk is not blind: the same pages in English are full of words it would report."""
    senior, dispute, claim, evidence = russian_world
    client = Client()
    client.force_login(senior)
    assert {"Timeline", "Evidence", "Claims"} <= set(english_words(_page(client, dispute.get_absolute_url())))


def test_the_import_report_speaks_russian_and_still_reads_the_exports_english_labels(senior):
    """A CSV written by the export (stance "Denies", in the site's language) imports from a Russian session."""
    from .test_import import ROWS, csv_bytes, upload

    client = russian_client()
    client.force_login(senior)
    html = client.post(reverse("claims:import"), {"action": "check", "file": upload("b.csv", csv_bytes(*ROWS))})
    html = html.content.decode()
    assert "Будет создано: <strong>2</strong>" in html and "новая сторона: United States" in html
    assert "Отклонено" not in html
    refused = client.post(
        reverse("claims:import"), {"file": upload("b.csv", csv_bytes(ROWS[0].replace("affirms", "maybe")))}
    )
    assert "stance: «maybe» — не одно из допустимых значений" in refused.content.decode()


def test_the_party_page_names_each_speaker_once_then_its_other_names(story):
    russia = story.claims.get(stance=Stance.DENIES).party
    html = _page(russian_client(), russia.get_absolute_url())
    speakers = html[html.index('class="speakers"') :].split("</p>")[0]
    assert "<bdi>Шойгу</bdi>" in speakers and "Sergei Shoigu" in speakers
    assert speakers.count("Шойгу") == 1
