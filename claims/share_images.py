"""The share image of a published dispute: the 1200×630 PNG that link previews show (docs/sharing.md).

Drawn with Pillow from the dispute's card (``selectors.DisputeCard``): the proposition,
status and verdict, and for each side its count and latest claim. One font covers Latin,
Cyrillic, Greek, Arabic and Hebrew (DejaVu Sans, Debian's ``fonts-dejavu-core``; never
downloaded); characters it has no glyph for (emoji, CJK) are left out rather than drawn as
boxes. Right-to-left text is shaped and ordered by Pillow's raqm layout (HarfBuzz and
FriBiDi) when ``PIL.features.check("raqm")``; without it, by python-bidi and
arabic-reshaper on Pillow's basic layout.

Images are kept as files under ``MEDIA_ROOT/share-images/<dispute id>/<key>.png``, where the
key hashes everything drawn, so a change to the card makes a new image and nothing stale is
served. The write services queue :func:`render_for_dispute` (Celery task
``claims.tasks.render_share_image``) after a change commits; a request that finds no image
for the current key draws it itself. Whatever goes wrong while drawing (a missing font,
hostile text) gives the plain fallback image, never an error page.
"""

import functools
import hashlib
import io
import logging
import os
import tempfile
import threading
import unicodedata
from pathlib import Path

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont, features

from claims.languages import in_site_language

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes: every image is drawn again under a new key.
RENDERER_VERSION = "1"
MARGIN = 60
# Text beyond this is never looked at: four lines of proposition and two of a quote need far less.
TEXT_CAP = 2000

COLOURS = {
    "bg": "#ffffff",
    "fg": "#1b1f24",
    "muted": "#57606a",
    "panel": "#f6f8fa",
    "line": "#d0d7de",
    "accent": "#0b5fad",
    "affirms": "#1a7f37",
    "denies": "#b42318",
    "qualified": "#8a6d00",
}


# --- Fonts ---------------------------------------------------------------------------------


class Fonts:
    """A regular and a bold face, the characters they cover, and sized copies on demand."""

    def __init__(self, regular: str, bold: str):
        from fontTools.ttLib import TTFont

        self.regular, self.bold = regular, bold
        with TTFont(regular, lazy=True) as font:
            self.covered = frozenset(font.getBestCmap())
        self.layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC

    @functools.cache  # noqa: B019 — a handful of sizes per process, fonts live as long as it does
    def get(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.bold if bold else self.regular, size, layout_engine=self.layout)

    def keep_drawable(self, text: str) -> str:
        """The text without characters the font cannot draw (emoji, CJK…); marks and joiners stay."""
        kept = []
        for ch in text[:TEXT_CAP]:
            if ch in "\n\t":
                kept.append(" ")
            elif ord(ch) in self.covered or unicodedata.category(ch) in ("Mn", "Cf", "Zs"):
                kept.append(ch)
        return " ".join("".join(kept).split())


@functools.cache
def _fonts_for(paths: tuple[str, ...]) -> Fonts | None:
    regular, bold = (list(paths) + [""])[:2]
    bold = bold or regular
    if not regular or not Path(regular).is_file() or not Path(bold).is_file():
        log.warning("share images: font files %s not found; link previews get the plain image", paths)
        return None
    return Fonts(regular, bold)


def fonts() -> Fonts | None:
    """The fonts named by ``SHARE_IMAGE_FONTS`` (regular, bold), or None when they are not installed."""
    return _fonts_for(tuple(settings.SHARE_IMAGE_FONTS))


# --- Text layout -----------------------------------------------------------------------------


def is_rtl(text: str) -> bool:
    """Whether the text's first strong letter outside isolates is right-to-left (as ``dir="auto"``)."""
    depth = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            depth = max(0, depth - 1)
        elif depth == 0 and kind in ("R", "AL"):
            return True
        elif depth == 0 and kind == "L":
            return False
    return False


BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


class Writer:
    """Measures and draws lines of one paragraph, shaped and ordered for its direction."""

    def __init__(self, draw: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, rtl: bool):
        self.draw, self.font, self.rtl = draw, font, rtl
        self.raqm = font.layout_engine == ImageFont.Layout.RAQM

    def visual(self, line: str) -> str:
        """What to hand Pillow: raqm shapes and orders by itself; the basic layout needs it done."""
        if self.raqm:
            return line
        try:
            import arabic_reshaper
            from bidi import get_display
        except ImportError:  # documented: without raqm and these two, RTL text is drawn unshaped
            return line
        shown = get_display(arabic_reshaper.reshape(line), base_dir="R" if self.rtl else "L")
        return shown.translate(BIDI_CONTROLS)  # done with; the basic layout would draw them as boxes

    def _options(self) -> dict:
        return {"direction": "rtl" if self.rtl else "ltr"} if self.raqm else {}

    def width(self, line: str) -> float:
        return self.font.getlength(self.visual(line), **self._options())

    def wrap(self, text: str, width: int, max_lines: int) -> list[str]:
        """Lines of at most ``width`` pixels, at most ``max_lines``; an ellipsis ends a cut text.

        Broken in logical order between words (a word wider than a line is cut), then each
        line is ordered on its own, as the Unicode bidirectional algorithm does.
        """
        words = text.split()
        lines: list[str] = []
        current = ""
        i = 0
        while i < len(words) and len(lines) < max_lines:
            candidate = f"{current} {words[i]}" if current else words[i]
            if self.width(candidate) <= width:
                current, i = candidate, i + 1
            elif current:
                lines.append(current)
                current = ""
            else:
                cut = self._fitting_prefix(words[i], width)
                lines.append(words[i][:cut])
                words[i] = words[i][cut:]
        if current and len(lines) < max_lines:
            lines.append(current)
            current = ""
        if (i < len(words) or current) and lines:
            lines[-1] = self._ellipsized(lines[-1], width)
        return lines

    def _fitting_prefix(self, word: str, width: int) -> int:
        low, high = 1, len(word)
        while low < high:
            mid = (low + high + 1) // 2
            if self.width(word[:mid]) <= width:
                low = mid
            else:
                high = mid - 1
        return low

    def _ellipsized(self, line: str, width: int) -> str:
        while line and self.width(line + "…") > width:
            line = line[:-1]
        return line.rstrip() + "…"

    def line(self, line: str, left: int, top: int, width: int, fill: str) -> None:
        """One line in the box from ``left``, ``width`` wide: right-aligned when the paragraph is RTL."""
        x = left + width - self.width(line) if self.rtl else left
        self.draw.text((x, top), self.visual(line), font=self.font, fill=fill, **self._options())


def paragraph(draw, fonts: Fonts, text: str, box: tuple[int, int, int], sizes, fill: str, bold=False) -> int:
    """Draw ``text`` in the box (left, top, width) at the first size whose lines fit; the bottom."""
    left, top, width = box
    text = fonts.keep_drawable(text)
    if not text:
        return top
    rtl = is_rtl(text)
    for size, max_lines in sizes:
        writer = Writer(draw, fonts.get(size, bold), rtl)
        lines = writer.wrap(text, width, max_lines)
        if not lines[-1].endswith("…") or (size, max_lines) == sizes[-1]:
            break
    step = int(size * 1.25)
    for n, line in enumerate(lines):
        writer.line(line, left, top + n * step, width, fill)
    return top + len(lines) * step


def chip(draw, fonts: Fonts, text: str, left: int, top: int, colour: str) -> int:
    """A rounded label; returns where the next one may start."""
    font = fonts.get(24, bold=True)
    text = fonts.keep_drawable(text)
    width = int(font.getlength(text)) + 32
    draw.rounded_rectangle((left, top, left + width, top + 42), radius=21, outline=colour, width=3, fill="#ffffff")
    draw.text((left + 16, top + 7), text, font=font, fill=colour)
    return left + width + 14


# --- The image -------------------------------------------------------------------------------


# Directional isolates (LRI … PDI): a date or a name inside text of the other direction keeps its
# own order ("15 March 2023" would read "March 2023 15" in an Arabic line otherwise).
LTR_ISOLATE, FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2066", "\u2068", "\u2069"


def _claim_line(claim) -> str:
    """ "14 March 2023 · Party — Speaker": the date first, so a long name is what gets cut."""
    who = claim.party.name
    if claim.speaker_id:
        who += f" — {FIRST_STRONG_ISOLATE}{claim.speaker.name}{POP_ISOLATE}"
    if claim.said_on:
        who = f"{LTR_ISOLATE}{claim.said_on_display}{POP_ISOLATE} · {who}"
    return who


def _words(claim) -> str:
    """The quote in quotation marks (straight ones in right-to-left text, which has no “ ” order), or the paraphrase.

    A reconstructed wording (not verbatim) is shown only when there is no paraphrase to show
    instead, and then without quotation marks: an image carries no label saying what it is.
    """
    if claim.quote_reconstructed and claim.paraphrase:
        return claim.paraphrase
    text = claim.quote or claim.paraphrase or ""
    if not claim.quote or claim.quote_reconstructed:  # not verbatim: no quotation marks
        return text
    return f'"{text}"' if is_rtl(text) else f"“{text}”"


VERDICT_COLOURS = {"true": "affirms", "mostly_true": "affirms", "false": "denies", "mostly_false": "denies"}


def draw_card(card) -> Image.Image:
    """The share image of ``card``; raises when there are no fonts (callers use the fallback)."""
    found = fonts()
    if found is None:
        raise FileNotFoundError("no fonts for share images (SHARE_IMAGE_FONTS)")
    dispute = card.dispute
    image = Image.new("RGB", (WIDTH, HEIGHT), COLOURS["bg"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 10), fill=COLOURS["accent"])
    inner = WIDTH - 2 * MARGIN
    draw.text((MARGIN, 34), f"{settings.SITE_NAME} · Disputed claim".upper(), font=found.get(22), fill=COLOURS["muted"])
    paragraph(
        draw, found, dispute.proposition, (MARGIN, 76, inner), [(50, 3), (42, 4), (36, 4)], COLOURS["fg"], bold=True
    )
    x = MARGIN
    x = chip(draw, found, dispute.get_status_display(), x, 318, COLOURS["accent"])
    verdict = f"Verdict: {dispute.get_verdict_display()}" if dispute.verdict else "No verdict yet"
    colour = COLOURS[VERDICT_COLOURS.get(dispute.verdict, "fg" if dispute.verdict else "muted")]
    chip(draw, found, verdict, x, 318, colour)

    column = (inner - 40) // 2
    for n, (stance, label) in enumerate([("affirms", "Affirms"), ("denies", "Denies")]):
        left = MARGIN + n * (column + 40)
        top = 388
        draw.rectangle((left, top, left + 6, HEIGHT - 48), fill=COLOURS[stance])
        count = card.counts.get(stance, 0)
        heading = f"{label.upper()} · {count} claim{'' if count == 1 else 's'}"
        draw.text((left + 22, top), heading, font=found.get(26, bold=True), fill=COLOURS[stance])
        latest = next((c for c in card.latest if c.stance == stance), None)
        if latest is None:
            draw.text((left + 22, top + 44), "No claim yet", font=found.get(24), fill=COLOURS["muted"])
            continue
        below = paragraph(draw, found, _claim_line(latest), (left + 22, top + 42, column - 22), [(22, 1)], "#57606a")
        paragraph(draw, found, _words(latest), (left + 22, below + 6, column - 22), [(26, 3)], COLOURS["fg"])
    qualified = card.counts.get("qualified", 0)
    footer = f"{qualified} qualified claim{'' if qualified == 1 else 's'} · " if qualified else ""
    footer += f"Updated {dispute.last_activity_at:%-d %b %Y}"
    draw.text((MARGIN, HEIGHT - 38), footer, font=found.get(20), fill=COLOURS["muted"])
    return image


@functools.cache
def fallback_png() -> bytes:
    """The plain image: the site's name on the card's colours, drawn with Pillow's own font."""
    image = Image.new("RGB", (WIDTH, HEIGHT), COLOURS["bg"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 10), fill=COLOURS["accent"])
    try:
        draw.text((MARGIN, 260), settings.SITE_NAME, font=ImageFont.load_default(64), fill=COLOURS["fg"])
        draw.text((MARGIN, 350), "Both sides, on the record", font=ImageFont.load_default(36), fill=COLOURS["muted"])
    except Exception:  # noqa: BLE001 — an image without words is still an image
        log.exception("share images: the fallback's text could not be drawn")
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@in_site_language
def render(card) -> bytes:
    """The PNG of ``card``; the fallback image if drawing fails for any reason."""
    try:
        return _png(draw_card(card))
    except Exception:  # noqa: BLE001 — a link preview must never break a page or a task
        log.exception("share images: drawing dispute %s failed; serving the plain image", card.dispute.pk)
        return fallback_png()


# --- Keys and files --------------------------------------------------------------------------


def card_key(card) -> str:
    """A hash of everything the image shows (and how it is drawn): a new key is a new image."""
    dispute = card.dispute
    claims = [
        (c.pk, c.stance, c.party.name, c.speaker.name if c.speaker_id else "", str(c.said_on), c.said_on_precision)
        + (c.quote_reconstructed,)
        + (c.quote[:TEXT_CAP], c.paraphrase[:TEXT_CAP])
        for c in card.latest
    ]
    parts = (
        RENDERER_VERSION,
        settings.SITE_NAME,
        tuple(settings.SHARE_IMAGE_FONTS),
        features.check("raqm"),
        dispute.proposition,
        dispute.status,
        dispute.verdict,
        dispute.last_activity_at.date(),
        sorted(card.counts.items()),
        claims,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _folder(dispute_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "share-images" / str(int(dispute_id))


def image_for(card) -> bytes:
    """The stored image for the card as it is now, drawn and stored first if there is none."""
    path = _folder(card.dispute.pk) / f"{card_key(card)}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    png = render(card)
    try:
        _store(path, png)
    except OSError:
        log.exception("share images: could not store %s", path)
    return png


def _store(path: Path, png: bytes) -> None:
    """Write atomically (a reader never sees half a file), then drop the dispute's older images."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(png)
    os.replace(tmp, path)
    for old in path.parent.glob("*.png"):
        if old != path:
            old.unlink(missing_ok=True)


def render_for_dispute(dispute_id: int) -> bool:
    """Draw and store the current image of a published dispute (the Celery task's body); False if none."""
    from claims import selectors
    from claims.models import Dispute

    slug = Dispute.objects.published().filter(pk=dispute_id).values_list("slug", flat=True).first()
    card = selectors.published_dispute_card(slug) if slug else None
    if card is None:
        return False
    image_for(card)
    return True


def request_render(dispute_id: int) -> None:
    """After the current transaction commits, ask a worker to draw the dispute's new image.

    Sent from a helper thread that the request waits for at most ``CHECKER_WAKE_BUDGET_SECONDS``:
    a broker that does not answer must not hold up the editor's save. A message that does not
    go out costs nothing but time: the first request for the image draws it.
    """

    def send() -> None:
        from claims import tasks

        try:
            tasks.render_share_image.apply_async((dispute_id,), retry=False)
        except Exception as error:  # noqa: BLE001 — the broker being down is not the editor's problem
            log.warning("share images: could not queue dispute %s (%s)", dispute_id, error)

    def start() -> None:
        thread = threading.Thread(target=send, daemon=True, name="share-image-queue")
        thread.start()
        thread.join(settings.CHECKER_WAKE_BUDGET_SECONDS)

    transaction.on_commit(start)
