"""The T-score scale: the stored bands drawn as a bar on the condition pages, with the
reader's score marked on it in the interpreter's answer (an inline SVG, no JavaScript)."""

import re
import xml.etree.ElementTree as ET

import pytest
from model_bakery import baker

from articles.models import Condition, TScoreBand
from tests.articles.factories import make_condition, publish, publish_thai, text_of

pytestmark = pytest.mark.django_db


def scale_of(response):
    """The page's scale picture as an element tree, and the page's HTML."""
    assert response.status_code == 200
    page = response.content.decode()
    pictures = re.findall(r'<svg class="t-scale-picture.*?</svg>', page, re.S)
    assert len(pictures) == 1, "one scale on the page"
    return ET.fromstring(pictures[0]), page


def percent(value):
    assert value.endswith("%"), value
    return float(value[:-1])


def marker_x(response):
    svg, _page = scale_of(response)
    [line] = [e for e in svg.iter("line") if e.get("class") == "t-scale-marker"]
    [head] = [e for e in svg.iter("circle") if e.get("class") == "t-scale-marker-head"]
    assert line.get("x1") == line.get("x2") == head.get("cx")
    return percent(head.get("cx"))


def bands_drawn(svg):
    return [e for e in svg.iter("rect") if "t-scale-band" in e.get("class", "")]


def words_of(svg, kind):
    return [e.text for e in svg.iter("text") if e.get("class") == kind]


def test_condition_page_draws_a_band_per_stored_band_each_labelled(client, clinic_content):
    svg, page = scale_of(client.get("/conditions/osteopenia/"))
    bands = bands_drawn(svg)
    assert len(bands) == TScoreBand.objects.count() == 3
    # Lowest T-score on the left, each band where the last one ends, the whole bar filled.
    starts = [percent(b.get("x")) for b in bands]
    widths = [percent(b.get("width")) for b in bands]
    assert starts == sorted(starts)
    assert starts[0] == 0
    assert [round(s + w, 2) for s, w in zip(starts, widths, strict=True)][:-1] == starts[1:]
    assert round(starts[-1] + widths[-1], 2) == 100
    assert words_of(svg, "t-scale-name") == ["Osteoporosis", "Osteopenia", "Normal bone density"]
    # The thresholds, and the scale's ends, are numbered under the bar.
    assert words_of(svg, "t-scale-number") == ["-4", "-2.5", "-1", "+1"]
    assert "t-scale-marker" not in page  # no score yet: nothing marked
    # The table beside it names each colour of the bar.
    for band in bands:
        assert f'<span class="swatch {band.get("class").split()[1]}"></span>' in page


def test_the_scale_has_a_text_equivalent(client, clinic_content):
    svg, page = scale_of(client.get("/conditions/osteopenia/"))
    assert svg.get("role") == "img"
    described = svg.get("aria-labelledby")
    match = re.search(
        rf'<figcaption class="visually-hidden" id="{described}">(.*?)</figcaption>', page, re.S
    )
    assert match, described
    words = re.sub(r"<[^>]+>", "", match[1])
    assert words == (
        "T-score scale from -4 on the left to +1 on the right, in these ranges: "
        "Osteoporosis, T ≤ -2.5; Osteopenia, between -1 and -2.5; "
        "Normal bone density, T ≥ -1."
    )


def test_the_answer_marks_the_score_and_says_its_band(client, clinic_content):
    response = client.get("/conditions/osteopenia/", {"t_score": "-1.8"})
    svg, page = scale_of(response)
    assert marker_x(response) == 44  # -1.8 on a scale from -4 to +1
    assert "You: -1.8" in words_of(svg, "t-scale-you")
    description = re.search(r'id="t-scale-description">(.*?)</figcaption>', page, re.S)[1]
    assert "Your T-score, -1.8, is marked in the range: <span>Osteopenia</span>." in description
    assert "is-marked" in re.search(r"<tr[^>]*>(?:(?!</tr>).)*Osteopenia", page, re.S)[0]
    # The picture of the answer replaces the unmarked one: still one picture on the page.
    assert "lowest value on this scale" not in page


@pytest.mark.parametrize(("lower", "higher"), [("-2.2", "-1.2"), ("-3.9", "-3.8"), ("-1", "0.5")])
def test_the_marker_moves_with_the_score(client, clinic_content, lower, higher):
    at_lower = marker_x(client.get("/conditions/osteopenia/", {"t_score": lower}))
    at_higher = marker_x(client.get("/conditions/osteopenia/", {"t_score": higher}))
    assert 0 < at_lower < at_higher < 100


@pytest.mark.parametrize(
    ("score", "x", "note"),
    [
        (
            "-6",
            0,
            "Your score is below -4, the lowest value on this scale: it is marked at the scale's left end.",
        ),
        ("-10", 0, "Your score is below -4"),
        (
            "3.5",
            100,
            "Your score is above +1, the highest value on this scale: it is marked at the scale's right end.",
        ),
    ],
)
def test_a_score_beyond_the_scale_is_marked_at_its_end_and_said_so(
    client, clinic_content, score, x, note
):
    response = client.get("/conditions/osteoporosis/", {"t_score": score})
    assert marker_x(response) == x
    svg, page = scale_of(response)
    assert note in text_of(response)
    # The note is part of the picture's text equivalent.
    assert svg.get("aria-labelledby") == "t-scale-description t-scale-note"
    assert 'id="t-scale-note"' in page


def test_an_invalid_score_shows_the_unmarked_scale(client, clinic_content):
    response = client.get("/conditions/osteoporosis/", {"t_score": "abc"})
    svg, page = scale_of(response)
    assert len(bands_drawn(svg)) == 3
    assert "t-scale-marker" not in page


def test_the_scale_is_drawn_from_the_published_bands(client):
    """Other stored bands, other picture: four bands, their own thresholds and ends."""
    bones = make_condition(name="Bone loss", slug="bone-loss")
    for order, (name, lower, upper, indicates) in enumerate(
        [
            ("Severe", None, "-3", True),
            ("Moderate", "-3", "-2", True),
            ("Mild", "-2", "-1", True),
            ("Healthy", "-1", None, False),
        ]
    ):
        baker.make(
            TScoreBand, condition=bones, name=name, lower_bound=lower, upper_bound=upper,
            indicates_condition=indicates, explanation=f"{name}.", order=order,
        )  # fmt: skip
    publish(bones)
    response = client.get("/conditions/bone-loss/", {"t_score": "-2.5"})
    svg, page = scale_of(response)
    assert words_of(svg, "t-scale-name") == ["Severe", "Moderate", "Mild", "Healthy"]
    assert [b.get("class") for b in bands_drawn(svg)] == [
        "t-scale-band band-condition-1",
        "t-scale-band band-condition-2",
        "t-scale-band band-condition-3",
        "t-scale-band band-normal",
    ]
    # A band's width beyond the outer thresholds: from -4 to 0.
    assert words_of(svg, "t-scale-number") == ["-4", "-3", "-2", "-1", "0"]
    assert marker_x(response) == 37.5
    assert "Your T-score, -2.5, is marked in the range: <span>Moderate</span>." in page


def test_the_thai_page_draws_the_scale_in_thai(client, clinic_content):
    osteopenia = Condition.objects.get(slug="osteopenia")
    for band in osteopenia.t_score_bands.all():
        band.name_th = {"Osteopenia": "ภาวะกระดูกบาง"}.get(band.name, "ความหนาแน่นปกติ")
        band.save()
    publish_thai(osteopenia, name="ภาวะกระดูกบาง")
    response = client.get("/th/conditions/osteopenia/", {"t_score": "-1.8"})
    svg, page = scale_of(response)
    assert "ภาวะกระดูกบาง" in words_of(svg, "t-scale-name")
    assert "Osteoporosis" in words_of(svg, "t-scale-name")  # not translated: English
    description = re.search(r'id="t-scale-description">(.*?)</figcaption>', page, re.S)[1]
    assert '<span lang="en">Osteoporosis</span>' in description
    assert "<span>ภาวะกระดูกบาง</span>" in description
    assert "T-score scale from" not in description  # the interface words are Thai
