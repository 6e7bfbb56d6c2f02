"""Share cards: the picture a link to a page shows on social networks and in chats.

Open Graph (`og:image`) and Twitter cards (`summary_large_image`), 1200×630, drawn with
Pillow from the page's published title in the site's colours, its name and its mark,
with the article's hero photo beside the title when it has one. A Thai page's card
carries its Thai title, laid out by Raqm (HarfBuzz) so that Thai marks sit where they
belong, in the site's own font: Sarabun, read from `articles/fonts/` (TrueType made
from the site's WOFF2 files by `scripts/make_card_fonts.py`; SIL OFL).

A card belongs to what the public reads, never to a draft: one card per record, language,
published title and hero photo (`ShareCard`), made by a job once a version is published
(now or for later), by the worker's sweep for a job that was lost, and deleted, file
included, once no live or scheduled version shows that title any more. Pages read the
card's stored name from the database (`ShareCard.objects.image_of()`; an article keeps it
in its worked-out page, so making or deleting cards counts as a publication) and link it
at the storage's own address: they never ask the store. A page whose card is
not made yet shows the site's default card (static/img/).
"""

import ctypes
import ctypes.util
import functools
import io
import logging
import threading
import unicodedata
import uuid
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import DisallowedHost
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, features

logger = logging.getLogger(__name__)

SIZE = WIDTH, HEIGHT = 1200, 630
FOLDER = "share-cards"
FONTS = Path(__file__).resolve().parent / "fonts"
# The site's colours (static/css/site.css).
BRAND = (11, 85, 99)  # --brand
BRAND_DARK = (8, 63, 73)  # --brand-dark
TINT = (242, 246, 247)  # --tint
WHITE = (255, 255, 255)
SOFT = (184, 214, 219)  # the tint, dimmed over the brand: the card's quieter words
PAD = 72
PHOTO_WIDTH = 456
# What a card says its page is, in the page's language.
LABELS = {
    "article": gettext_lazy("Article"),
    "condition": gettext_lazy("Condition"),
    "treatment": gettext_lazy("Treatment"),
}
# The site's mark (static/favicon.svg): a rounded square and a quarter ring, drawn on a
# 32-unit square. The ring's outline: two cubic curves joined by straight edges.
MARK_OUTLINE = (
    ((9, 22), (9, 15), (14, 10), (21, 10)),
    ((21, 10), (23, 10)),
    ((23, 10), (23, 14)),
    ((23, 14), (21, 14)),
    ((21, 14), (16.5, 14), (13, 17.5), (13, 22)),
)
MARK_RADIUS = 6

# Without Raqm, Pillow lays text out glyph by glyph and drops or misplaces Thai marks:
# a Thai title is then left without a card rather than shown wrong (README: libfribidi0).
HAS_RAQM = features.check_feature("raqm")
THAI = range(0x0E00, 0x0E80)
LEADING_VOWELS = "เแโใไ"  # written before the consonant they follow in speech
NO_BREAK_BEFORE = "ะาำๅๆฯ"  # vowels and signs that close what comes before them
SYLLABLE_ENDS = "ะำๆฯ์"


def is_thai(text):
    return any(ord(character) in THAI for character in text)


def font(size, bold=True):
    layout = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
    return _typeface(size, bold, layout)


@functools.cache
def _typeface(size, bold, layout):
    # Kept per layout: a font made for one layout cannot draw text laid out by the other.
    name = "Sarabun-Bold.ttf" if bold else "Sarabun-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=layout)


def _language(text):
    return "th" if is_thai(text) else "en"


def text_width(text, typeface):
    return (
        typeface.getlength(text, language=_language(text)) if HAS_RAQM else typeface.getlength(text)
    )


# Lines ---------------------------------------------------------------------------------


def _break_allowed(word, index):
    """Whether a line may end before `word[index]`, without a dictionary: between Thai
    syllables, never before a mark or a vowel that closes the syllable, nor after a vowel
    that opens one."""
    before, after = word[index - 1], word[index]
    if unicodedata.category(after).startswith("M") or after in NO_BREAK_BEFORE:
        return False
    if before in LEADING_VOWELS:
        return False
    return ord(before) in THAI or ord(after) in THAI


def _break_preferred(word, index):
    """A break that surely falls between syllables: before a vowel that opens one, after a
    sign that closes one."""
    return word[index] in LEADING_VOWELS or word[index - 1] in SYLLABLE_ENDS


class _ThaiWords:
    """Word boundaries in Thai text, written without spaces between words, from libthai's
    dictionary (Debian's libthai0, as browsers break Thai lines); None where the library
    is missing, and breaks then fall between syllables (`_break_allowed`)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._library = self._breaker = None
        try:
            library = ctypes.CDLL(ctypes.util.find_library("thai") or "libthai.so.0")
            library.th_brk_new.restype = ctypes.c_void_p
            library.th_brk_new.argtypes = [ctypes.c_char_p]
            library.th_brk_wc_find_breaks.restype = ctypes.c_int
            library.th_brk_wc_find_breaks.argtypes = [
                ctypes.c_void_p,
                ctypes.c_wchar_p,
                ctypes.POINTER(ctypes.c_int),
                ctypes.c_size_t,
            ]
            self._breaker = library.th_brk_new(None)  # libthai's own dictionary
            self._library = library if self._breaker else None
        except (OSError, AttributeError):
            pass

    def breaks(self, word):
        """The indexes of `word` a line may end before, or None without libthai."""
        if self._library is None or ctypes.sizeof(ctypes.c_wchar) != 4:
            return None
        positions = (ctypes.c_int * (len(word) + 1))()
        with self._lock:
            found = self._library.th_brk_wc_find_breaks(
                self._breaker, word, positions, len(word) + 1
            )
        return {p for p in positions[: max(found, 0)] if 0 < p < len(word)}


@functools.cache
def thai_words():
    return _ThaiWords()


def _split_word(word, typeface, width):
    """(the longest head of `word` that fits in `width` and may end a line, the rest);
    a head of nothing when none fits. Thai breaks between words (libthai), or between
    syllables without it; a word without any allowed break (a long Latin word) is cut
    where the width ends."""
    fitting = [i for i in range(1, len(word)) if text_width(word[:i], typeface) <= width]
    if not fitting:
        return "", word
    words = thai_words().breaks(word) if is_thai(word) else None
    if words is not None:
        allowed = preferred = [i for i in fitting if i in words]
    else:
        allowed = [i for i in fitting if _break_allowed(word, i)]
        preferred = [i for i in allowed if _break_preferred(word, i) and i >= fitting[-1] / 2]
    cut = (preferred or allowed or ([fitting[-1]] if not is_thai(word) else [0]))[-1]
    return word[:cut], word[cut:]


def wrap(text, typeface, width):
    """`text` in lines no wider than `width`: broken at spaces, and inside a word only when
    the word is wider than a whole line (Thai between syllables)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, typeface) <= width:
            line = candidate
            continue
        if text_width(word, typeface) > width:
            # Too long for any line: it starts on this one, and goes on below.
            room = width - (text_width(f"{line} ", typeface) if line else 0)
            head, word = _split_word(word, typeface, room)
            if head:
                line = f"{line} {head}" if line else head
            while text_width(word, typeface) > width:
                if line:
                    lines.append(line)
                line, word = _split_word(word, typeface, width)
                if not line:
                    break  # no break anywhere: the word overflows, as in a browser
            if line:
                lines.append(line)
            line = word
            continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def fit_title(title, width, height, sizes):
    """(font, lines, line height) of the largest size whose lines fit in `height`; at the
    smallest, the lines that fit, the last one ending in an ellipsis."""
    leading = 1.42 if is_thai(title) else 1.18  # stacked Thai marks need a taller line
    for size in sizes:
        typeface = font(size)
        lines = wrap(title, typeface, width)
        line_height = round(size * leading)
        if len(lines) * line_height <= height:
            return typeface, lines, line_height
    kept = lines[: max(1, height // line_height)]
    last = kept[-1]
    while last and text_width(last + "…", typeface) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return typeface, kept, line_height


# Drawing -------------------------------------------------------------------------------


def _curve(points, steps=24):
    if len(points) == 2:
        return [points[1]]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for step in range(1, steps + 1):
        t = step / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def mark_polygon(scale, offset=(0, 0)):
    """The ring of the site's mark, as a polygon on a square of 32 × `scale` pixels."""
    points = [MARK_OUTLINE[0][0]]
    for segment in MARK_OUTLINE:
        points.extend(_curve(segment))
    return [(offset[0] + x * scale, offset[1] + y * scale) for x, y in points]


def draw_mark(size, square, ring, rounded=True, supersample=4):
    """The site's mark (static/favicon.svg) as an RGBA image of `size` pixels: a square in
    `square` (its corners rounded as the favicon's, or square to the edge) with the ring
    in `ring`."""
    big = size * supersample
    scale = big / 32
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = MARK_RADIUS * scale if rounded else 0
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=square)
    draw.polygon(mark_polygon(scale), fill=ring)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _background():
    """The brand colour, deepening from the top right to the bottom left, with the mark's
    ring large and faint at the right."""
    down = Image.linear_gradient("L").resize(SIZE)
    across = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    ramp = ImageChops.add(down, across.resize(SIZE), scale=2)
    card = Image.composite(Image.new("RGB", SIZE, BRAND_DARK), Image.new("RGB", SIZE, BRAND), ramp)
    ring = Image.new("L", SIZE, 0)
    ImageDraw.Draw(ring).polygon(mark_polygon(44, offset=(560, -200)), fill=18)
    card.paste(Image.new("RGB", SIZE, WHITE), mask=ring)
    return card


def draw_card(title, label="", photo=None, tagline=""):
    """The share card of `title` (a 1200×630 RGB image): the site's mark and name, the title
    as large as it fits, what the page is (`label`) and the site's `tagline` below, and
    `photo` at the right if given (without the tagline)."""
    card = _background()
    draw = ImageDraw.Draw(card)
    right = WIDTH - PAD
    if photo is not None:
        fitted = ImageOps.fit(photo.convert("RGB"), (PHOTO_WIDTH, HEIGHT), centering=(0.5, 0.4))
        card.paste(fitted, (WIDTH - PHOTO_WIDTH, 0))
        right = WIDTH - PHOTO_WIDTH - 56

    mark = draw_mark(72, (*WHITE, 255), (*BRAND, 255))
    card.paste(mark, (PAD, PAD), mark)
    draw.text((PAD + 72 + 22, PAD + 36), "Genoma Health", font=font(40), fill=WHITE, anchor="lm")

    footer = HEIGHT - PAD
    rule = footer - 50
    draw.line((PAD, rule, right, rule), fill=SOFT, width=2)
    if label:
        _text(draw, (PAD, footer), label, font(30, bold=False), SOFT)
    if tagline and photo is None:
        _text(draw, (right, footer), tagline, font(30, bold=False), SOFT, anchor="rs")

    top, bottom = PAD + 72 + 36, rule - 28
    sizes = (80, 72, 64, 58, 52, 46, 42) if photo is None else (60, 54, 48, 44, 40, 36)
    typeface, lines, line_height = fit_title(title, right - PAD, bottom - top, sizes)
    ascent, descent = typeface.getmetrics()
    block = len(lines) * line_height
    baseline = top + (bottom - top - block) / 2 + (line_height + ascent - descent) / 2
    for line in lines:
        _text(draw, (PAD, baseline), line, typeface, WHITE)
        baseline += line_height
    return card


def _text(draw, position, text, typeface, fill, anchor="ls"):
    options = {"language": _language(text)} if HAS_RAQM else {}
    draw.text(position, text, font=typeface, fill=fill, anchor=anchor, **options)


def encode(card, photo=False):
    """PNG for the flat colours of a text card; JPEG for a card with a photo."""
    buffer = io.BytesIO()
    if photo:
        card.save(buffer, "JPEG", quality=86, optimize=True, progressive=True)
        return buffer.getvalue(), "jpg"
    card.save(buffer, "PNG", compress_level=6)  # `optimize` saves 5% at four times the time
    return buffer.getvalue(), "png"


# Cards of published versions ---------------------------------------------------------


def _key(version):
    """What a card shows of a version: its language, title and hero photo."""
    return (version.language, version.title, version.data["fields"].get("hero_image") or "")


def _live_or_scheduled():
    """The versions the public reads now or will read at their publish time."""
    from articles.models import Version

    now = timezone.now()
    return Version.objects.filter(
        Q(live_until__isnull=True) | Q(live_until__gt=now), live_from__isnull=False
    )


def _showing(content_type_id, object_id):
    """The versions of a record that are live or scheduled to be."""
    return _live_or_scheduled().filter(content_type_id=content_type_id, object_id=object_id)


def _photo(name):
    """The hero image `name` from storage, reduced on reading, or None."""
    from articles.models import Article

    storage = Article._meta.get_field("hero_image").storage
    try:
        with storage.open(name, "rb") as source, Image.open(source) as image:
            image.draft("RGB", (PHOTO_WIDTH * 2, HEIGHT * 2))  # JPEG: decode at a lower scale
            return image.convert("RGB")
    except (OSError, ValueError):
        logger.warning("The hero image %s could not be read for a share card.", name)
        return None


def make_card(version):
    """Draw and store the card of `version` and record it; False when another job recorded
    it first, or when its Thai title cannot be laid out here (no Raqm)."""
    from articles.models import ShareCard

    language, title, hero = _key(version)
    if is_thai(title) and not HAS_RAQM:
        logger.error("No share card for %r: Pillow has no Raqm layout (libfribidi).", title)
        return False
    photo = _photo(hero) if hero else None
    with translation.override(language):
        label = str(LABELS.get(version.model._meta.model_name, ""))
        tagline = gettext("Regenerative medicine, Thailand")
    data, extension = encode(draw_card(title, label, photo, tagline), photo=photo is not None)
    model_name = version.model._meta.model_name
    name = (
        f"{FOLDER}/{model_name}-{version.object_id}-{language}-{uuid.uuid4().hex[:16]}.{extension}"
    )
    name = default_storage.save(name, ContentFile(data))
    try:
        with transaction.atomic():
            ShareCard.objects.create(
                content_type_id=version.content_type_id,
                object_id=version.object_id,
                language=language,
                title=title,
                hero_image=hero,
                image=name,
            )
    except IntegrityError:  # another job made it meanwhile: this copy is not used
        default_storage.delete(name)
        return False
    return True


def refresh_cards(content_type_id, object_id):
    """Give every live and scheduled version of a record its card, and delete the cards
    no such version shows any more (files once the change is committed); return how many
    were made and how many deleted. Pages cached without the new card are retired."""
    from articles.models import Publications, ShareCard
    from articles.signals import content_published

    record_cards = ShareCard.objects.filter(content_type_id=content_type_id, object_id=object_id)
    have = set(record_cards.values_list("language", "title", "hero_image"))
    showing = {_key(v): v for v in _showing(content_type_id, object_id)}
    made = sum(make_card(version) for key, version in showing.items() if key not in have)
    with transaction.atomic():
        wanted = {_key(v) for v in _showing(content_type_id, object_id)}
        stale = [
            card
            for card in record_cards.select_for_update()
            if (card.language, card.title, card.hero_image) not in wanted
        ]
        ShareCard.objects.filter(pk__in=[c.pk for c in stale]).delete()
        names = [c.image for c in stale]
        transaction.on_commit(lambda: _delete_files(names), robust=True)
        if made or stale:  # pages worked out with the old cards are not current any more
            Publications.count_one()
    if made or stale:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        transaction.on_commit(lambda: content_published.send(sender=model, version=None))
    return made, len(stale)


def _delete_files(names):
    for name in names:
        default_storage.delete(name)


def records_to_refresh():
    """(content type, record) of every record whose cards are not those its live and
    scheduled versions show: one missing (a job lost with its worker, or a version that
    went live by its schedule), or one no version shows any more."""
    from articles.models import ShareCard

    wanted = {
        (v.content_type_id, v.object_id, *_key(v))
        for v in _live_or_scheduled().only("content_type", "object_id", "language", "title", "data")
    }
    have = set(
        ShareCard.objects.values_list(
            "content_type_id", "object_id", "language", "title", "hero_image"
        )
    )
    return sorted({(ct, pk) for ct, pk, *_rest in wanted ^ have})


def queue_refresh(sender, version=None, **kwargs):
    """`content_published` receiver: a record's published versions changed, its cards are
    made again by a job (a queue that cannot be reached: by the worker's sweep)."""
    if version is None:
        return
    from articles.tasks import refresh_share_cards

    try:
        refresh_share_cards(version.content_type_id, version.object_id)
    except Exception:
        logger.exception("Could not queue the share cards of version %s.", version.pk)


# Pages ---------------------------------------------------------------------------------


def page_card(request, version, name):
    """What the page of `version` says of its card `name` (og:image…), or None while it
    has none: the layout then shows the site's default card."""
    if not name:
        return None
    fields = version.data["fields"]
    alt = f"{version.title} · Genoma Health"
    if fields.get("hero_image") and fields.get("hero_alt"):
        alt = f"{alt}. {fields['hero_alt']}"
    return {
        "url": request.build_absolute_uri(default_storage.url(name)),
        "type": "image/jpeg" if name.endswith(".jpg") else "image/png",
        "width": WIDTH,
        "height": HEIGHT,
        "alt": alt,
    }


def default_card(request):
    """The site's own card, in the page's language (made by scripts/make_site_images.py)."""
    if request is None:
        return None
    language = translation.get_language() or "en"
    try:
        url = request.build_absolute_uri(static(f"img/share-card-{language}.png"))
    except DisallowedHost:  # the 400 page of a host the site does not serve
        return None
    return {
        "url": url,
        "type": "image/png",
        "width": WIDTH,
        "height": HEIGHT,
        "alt": f"Genoma Health · {gettext('Regenerative medicine, Thailand')}",
    }
