"""The weight budget: a page's first load stays small on a slow phone connection."""

import gzip
import html as html_text
import posixpath
import re

import pytest
from django.contrib.staticfiles import finders

CODE_BUDGET = 30 * 1024  # HTML, CSS and JavaScript, gzipped; images excluded
FIRST_LOAD_BUDGET = 60 * 1024  # the same plus the web fonts the page makes a browser fetch
HTML_BUDGET = 25 * 1024
IMAGES = (".svg", ".png", ".jpg", ".webp", ".ico")
LATIN = ["fonts/sarabun-latin-400-normal.woff2", "fonts/sarabun-latin-700-normal.woff2"]
THAI = ["fonts/sarabun-thai-400-normal.woff2", "fonts/sarabun-thai-700-normal.woff2"]


def gzipped_size(data):
    return len(gzip.compress(data, compresslevel=9))


def static_file(name):
    path = finders.find(name)
    assert path, name
    with open(path, "rb") as file:
        return file.read()


def unicode_ranges(descriptor):
    """The code points of a `unicode-range` descriptor (single points and ranges)."""
    points = set()
    for token in descriptor.split(","):
        match = re.fullmatch(r"U\+([0-9A-F]+)(?:-([0-9A-F]+))?", token.strip(), re.I)
        assert match, token
        first = int(match[1], 16)
        points.update(range(first, int(match[2] or match[1], 16) + 1))
    return points


def font_faces(css_name, css):
    """(font file, code points) of each downloaded @font-face rule (a local fallback
    downloads nothing): every weight it declares is counted, as the pages use each one
    (regular text; bold headings, names and labels)."""
    faces = []
    for rule in re.findall(r"@font-face\s*{([^}]*)}", css):
        if "url(" not in rule:
            continue
        source = re.search(r"url\(([^)]+)\)", rule)[1].strip("\"'")
        name = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), source))
        faces.append((name, unicode_ranges(re.search(r"unicode-range:([^;]+)", rule)[1])))
    return faces


def page_characters(html):
    """The characters a browser draws for the page's body (not its head or scripts)."""
    body = html.split("<body", 1)[1]
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.S)
    return {ord(character) for character in html_text.unescape(re.sub(r"<[^>]+>", " ", body))}


def first_load(client, url):
    """Bytes a first visit fetches without images, gzipped as whitenoise serves them,
    and the font files among them: a browser fetches a @font-face's file only when the
    page has a character in its unicode-range. WOFF2 is compressed already and served
    as it is."""
    response = client.get(url)
    assert response.status_code == 200  # the real page, not a small 404 page
    html = response.content
    assert len(html) <= HTML_BUDGET
    assets = [
        name.decode()
        for name in re.findall(rb'<(?:link[^>]+href|script[^>]+src)="/static/([^"]+)"', html)
        if not name.decode().endswith((*IMAGES, ".woff2"))  # a preloaded font: counted below
    ]
    assert any(name.endswith(".css") for name in assets), "the page links its stylesheet"
    code = gzipped_size(html) + sum(gzipped_size(static_file(name)) for name in assets)
    characters = page_characters(html.decode())
    fonts = sorted(
        font
        for css_name in assets
        if css_name.endswith(".css")
        for font, points in font_faces(css_name, static_file(css_name).decode())
        if characters & points
    )
    return code, code + sum(len(static_file(font)) for font in fonts), fonts


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug_part", ["osteoporosis-and", "understanding-osteopenia", "breakthroughs"]
)
def test_article_first_load_is_within_the_weight_budget(client, clinic_content, slug_part):
    from articles.models import Article

    url = Article.objects.get(slug__startswith=slug_part).get_absolute_url()
    code, total, fonts = first_load(client, url)
    assert code <= CODE_BUDGET, f"{code} bytes gzipped"
    # An English article: the Latin subset, and the Thai one for the language switcher's
    # "ภาษาไทย" (counted in both weights, as a browser may fetch either).
    assert fonts == sorted(LATIN + THAI)
    assert total <= FIRST_LOAD_BUDGET, f"{total} bytes gzipped, fonts included"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "expected_fonts"), [("/", LATIN + THAI), ("/th/", LATIN + THAI)])
def test_home_page_first_load_with_its_fonts_is_within_the_budget(
    client, clinic_content, url, expected_fonts
):
    """Both pages fetch the Thai and the Latin subsets: the Thai page for its words (its
    digits, spaces and names are Latin), the English one for the switcher's "ภาษาไทย"."""
    code, total, fonts = first_load(client, url)
    assert code <= CODE_BUDGET, f"{code} bytes gzipped"
    assert fonts == sorted(expected_fonts)
    assert total <= FIRST_LOAD_BUDGET, f"{total} bytes gzipped, fonts included"


def test_stylesheet_never_breaks_thai_words_apart():
    """Browsers break Thai lines at words with a dictionary; `break-all` or
    `line-break: anywhere` would cut words (and stacked marks) anywhere."""
    css = static_file("css/site.css").decode()
    assert re.findall(r"word-break:\s*([\w-]+)", css) in ([], ["normal"])
    assert not re.search(r"line-break:\s*anywhere", css)
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert faces
    downloaded = [face for face in faces if "url(" in face]
    assert downloaded
    assert all("font-display: swap" in face for face in downloaded)  # text shows at once
    # ...in a local fallback sized like Sarabun, so the swap moves nothing.
    assert any('local("Liberation Sans")' in face and "size-adjust" in face for face in faces)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "preloaded"), [("/th/", THAI), ("/", [])])
def test_a_thai_page_preloads_the_thai_subset(client, clinic_content, url, preloaded):
    """Fetched beside the stylesheet, the Thai subset is there before the first paint: no
    Thai line re-wraps when Sarabun swaps in (Lighthouse's layout shift). Both subsets
    are fetched anyway by a Thai page, so the preload adds nothing to its weight."""
    html = client.get(url).content.decode()
    links = re.findall(r'<link rel="preload" href="/static/([^"]+)" as="font"[^>]*>', html)
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links] == preloaded
    assert all(
        'type="font/woff2" crossorigin' in tag
        for tag in re.findall(r"<link[^>]+preload[^>]*>", html)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/conditions/osteopenia/?t_score=-1.8",  # the scale, an inline SVG, with the answer
        "/treatments/msc-therapy/",  # its steps
        "/team/",
        "/articles/",
    ],
)
def test_other_page_types_first_load_is_within_the_budget(client, clinic_content, url):
    """The pages with the most markup of their kind weigh what an article may."""
    from tests.team.factories import with_calendar, with_photo

    with_calendar(with_photo())  # the team page with a clinician's photo and details
    code, total, fonts = first_load(client, url)
    assert code <= CODE_BUDGET, f"{code} bytes gzipped"
    assert fonts == sorted(LATIN + THAI)  # Latin text, and the switcher's "ภาษาไทย"
    assert total <= FIRST_LOAD_BUDGET, f"{total} bytes gzipped, fonts included"
