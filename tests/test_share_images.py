"""Share images (/disputes/<slug>/share.png): a 1200×630 PNG per published dispute, drawn once per
version of what it shows, queued for a worker when a write changes it, and never an error page —
not with 5,000-character propositions, emoji, mixed scripts or no fonts at all."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import Image

from claims import selectors, services, share_images, tasks
from claims.demo import load_demo
from claims.models import Dispute, Stance

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "share-images"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    share_images._fonts_for.cache_clear()
    yield
    share_images._fonts_for.cache_clear()


def url(dispute) -> str:
    return f"/disputes/{dispute.slug}/share.png"


def png(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    return image


def ink_columns(image: Image.Image, top: int, bottom: int) -> tuple[int, int]:
    """The leftmost and rightmost x with dark ink between two heights (the text, not the background)."""
    box = image.convert("L").crop((0, top, image.width, bottom)).point(lambda v: 255 if v < 100 else 0)
    left, _, right, _ = box.getbbox()
    return left, right


@pytest.fixture
def dispute(db):
    dispute = DisputeFactory(slug="contact", proposition="A jet made contact with the drone.")
    us = PartyFactory(name="United States")
    ClaimFactory(dispute=dispute, party=us, speaker=SpeakerFactory(party=us, name="Gen. Milley"), quote="Contact.")
    ClaimFactory(dispute=dispute, party=PartyFactory(name="Russia"), stance=Stance.DENIES, quote="No contact.")
    return dispute


def test_each_published_dispute_has_a_share_image_that_is_not_the_plain_one(client, dispute):
    response = client.get(url(dispute))
    png(response)
    assert response.content != share_images.fallback_png()
    assert "public" in response["Cache-Control"] and response["ETag"]
    assert client.get(url(dispute), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize("how", ["draft", "unknown"])
def test_drafts_and_unknown_disputes_have_none(client, editor_client, how):
    DisputeFactory(slug="secret", is_published=False, proposition="Qzx secret")
    slug = "secret" if how == "draft" else "nothing"
    for viewer in (client, editor_client):
        response = viewer.get(f"/disputes/{slug}/share.png")
        assert response.status_code == 404 and b"Qzx" not in response.content


def test_the_image_is_drawn_once_per_version_and_again_after_a_change(client, dispute, editor):
    first = client.get(url(dispute)).content
    folder = Path(django_settings.MEDIA_ROOT) / "share-images" / str(dispute.pk)
    (stored,) = folder.glob("*.png")
    assert stored.read_bytes() == first
    # A second request reads the stored file: the same bytes, no new file.
    assert client.get(url(dispute)).content == first and list(folder.glob("*.png")) == [stored]
    services.claim_create(
        dispute=dispute, user=editor, party=PartyFactory(name="NATO"), stance=Stance.DENIES, quote="No."
    )
    second = client.get(url(dispute)).content
    assert second != first
    (now,) = folder.glob("*.png")  # the old version's file is gone
    assert now != stored and now.read_bytes() == second


def test_a_write_queues_the_drawing_for_a_worker_once_it_commits(
    dispute, editor, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.render_share_image, "apply_async", lambda args, **kw: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.claim_create(dispute=dispute, user=editor, party=PartyFactory(), stance=Stance.AFFIRMS, quote="Yes.")
        assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert (dispute.pk,) in queued
    draft = DisputeFactory(is_published=False)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_create(dispute=draft, user=editor, party=PartyFactory(), stance=Stance.AFFIRMS, quote="Yes.")
    assert queued == []  # drafts have no share image


def test_the_task_draws_and_stores_the_current_image(client, dispute):
    tasks.render_share_image.run(dispute.pk)
    (stored,) = (Path(django_settings.MEDIA_ROOT) / "share-images" / str(dispute.pk)).glob("*.png")
    assert client.get(url(dispute)).content == stored.read_bytes()
    assert share_images.render_for_dispute(DisputeFactory(is_published=False).pk) is False


def _force(dispute: Dispute, **fields) -> None:
    """Store text past the form limits, as an old row or a bulk import might hold it."""
    Dispute.objects.filter(pk=dispute.pk).update(**fields)


HOSTILE = {
    "long": "The drone " + "was flying very far out over the sea " * 140,  # 5,000+ characters
    "emoji": "🚀🔥 Did the jet 🛩️ hit the drone? 😀👍🏽👨‍👩‍👧 " * 5,
    "mixed": "Су-27 коснулся MQ-9 — طائرة روسية لمست الطائرة — מטוס רוסי נגע ברחפן — 中文 日本語 한국어 ∑∫",
    "one-word": "x" * 5000,
    "marks": "e\u0301" * 800 + "\u200f\u200e\u2066\u2069",
    "empty-after-dropping": "🚀" * 50,
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_never_breaks_the_image_or_the_page(client, dispute, kind):
    text = HOSTILE[kind]
    _force(dispute, proposition=text)
    ClaimFactory(dispute=dispute, party=PartyFactory(name=text[:150]), quote=text, stance=Stance.DENIES)
    image = png(client.get(url(dispute)))
    assert image.getbbox()  # something is drawn
    assert client.get(dispute.get_absolute_url()).status_code == 200
    assert client.get(f"/embed/disputes/{dispute.slug}/").status_code == 200


def test_missing_fonts_give_the_plain_image_and_pages_still_work(client, dispute, settings):
    settings.SHARE_IMAGE_FONTS = ["/nonexistent/Regular.ttf", "/nonexistent/Bold.ttf"]
    share_images._fonts_for.cache_clear()
    response = client.get(url(dispute))
    png(response)
    assert response.content == share_images.fallback_png()
    assert client.get(dispute.get_absolute_url()).status_code == 200


def test_right_to_left_text_is_set_from_the_right_and_left_to_right_from_the_left(dispute):
    """What a reader sees first: an Arabic or Hebrew proposition starts at the right margin."""
    for text, rtl in [
        ("طائرة روسية لمست الطائرة المسيرة", True),
        ("מטוס רוסי נגע ברחפן", True),
        ("A jet hit it", False),
    ]:
        _force(dispute, proposition=text)
        card = selectors.published_dispute_card(dispute.slug)
        image = Image.open(io.BytesIO(share_images.render(card)))
        left, right = ink_columns(image, 80, 140)
        if rtl:
            assert right > 1100 and left > 200, (text, left, right)
        else:
            assert left < 70 and right < 1000, (text, left, right)


def test_arabic_is_shaped_joined_letters_not_isolated_forms():
    """Shaping joins Arabic letters: the shaped word is narrower than its letters set one by one."""
    found = share_images.fonts()
    assert found is not None, "fonts-dejavu-core is not installed (scripts/ensure-sharing-tools)"
    font = found.get(40)
    word = "الطائرة"
    writer = share_images.Writer(None, font, rtl=True)
    assert writer.width(word) < sum(writer.width(letter) for letter in word) - 5


def test_the_basic_layout_fallback_shapes_and_orders_with_python_bidi(dispute, monkeypatch):
    monkeypatch.setattr(share_images.features, "check", lambda name: False)
    share_images._fonts_for.cache_clear()
    found = share_images.fonts()
    assert found.layout == share_images.ImageFont.Layout.BASIC
    writer = share_images.Writer(None, found.get(40), rtl=True)
    shown = writer.visual("\u2066abc\u2069 سلام")
    assert "\u2066" not in shown and shown.endswith("abc")  # visual order, controls gone
    assert any("\ufe70" <= ch <= "\ufeff" for ch in shown)  # Arabic presentation forms: shaped
    _force(dispute, proposition="طائرة روسية لمست الطائرة المسيرة")
    png_bytes = share_images.render(selectors.published_dispute_card(dispute.slug))
    assert png_bytes != share_images.fallback_png()


def test_the_share_image_costs_a_fixed_number_of_queries(client, dispute, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        first = client.get(url(dispute))
    with django_assert_max_num_queries(1):
        client.get(url(dispute), HTTP_IF_NONE_MATCH=first["ETag"])


def test_every_demo_dispute_has_its_image_for_people_to_look_at(client):
    """Writes test-artifacts/share-images/<slug>.png for each demo dispute (look at them)."""
    load_demo()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slugs = list(Dispute.objects.published().values_list("slug", flat=True))
    assert len(slugs) >= 5
    for slug in slugs:
        response = client.get(f"/disputes/{slug}/share.png")
        png(response)
        assert response.content != share_images.fallback_png()
        (ARTIFACTS / f"{slug}.png").write_bytes(response.content)


def test_a_reconstructed_wording_is_never_shown_as_what_was_said():
    from claims.share_images import _words

    from .factories import ClaimFactory

    rebuilt = ClaimFactory(
        quote="Российские истребители в контакт не вступали.",
        quote_language="ru",
        quote_reconstructed=True,
        paraphrase="Russia's jets did not touch the drone.",
    )
    assert _words(rebuilt) == "Russia's jets did not touch the drone."
    verbatim = ClaimFactory(quote="We have absolute evidence.", paraphrase="The US has proof.")
    assert _words(verbatim) == "“We have absolute evidence.”"
