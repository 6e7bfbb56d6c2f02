"""The site's own font in a real browser: Sarabun draws the text, each page fetches only
the subsets its characters need, and Thai text gets its taller line."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def visit(page, url):
    """Open the page once its fonts are settled; return the font files it fetched and
    how many of Sarabun's faces loaded."""
    fonts = []
    page.on("request", lambda r: r.url.endswith(".woff2") and fonts.append(r.url.split("/")[-1]))
    page.goto(url)
    loaded = page.evaluate(
        """async () => { await document.fonts.ready;
        return [...document.fonts].filter(
            (face) => face.family.replace(/"/g, '') === 'Sarabun' && face.status === 'loaded'
        ).length; }"""
    )
    return sorted(fonts), loaded


def test_english_home_page_is_drawn_in_sarabun_from_the_latin_subset_and_its_switcher(
    page, live_server, clinic_content, console_errors
):
    fonts, loaded = visit(page, live_server.url + "/")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.split(",")[0].strip('" ') == "Sarabun"
    assert loaded == 3  # Latin regular and bold, and Thai regular for "ภาษาไทย"
    assert fonts == [
        "sarabun-latin-400-normal.woff2",
        "sarabun-latin-700-normal.woff2",
        "sarabun-thai-400-normal.woff2",
    ]
    assert console_errors == []  # the Content-Security-Policy lets the site's fonts load


def test_thai_home_page_fetches_the_thai_subset_and_has_a_taller_line(
    page, live_server, clinic_content, console_errors
):
    fonts, loaded = visit(page, live_server.url + "/th/")
    assert "sarabun-thai-400-normal.woff2" in fonts
    assert loaded == len(fonts)
    paragraph = page.evaluate(
        """() => { const style = getComputedStyle(document.querySelector('main p'));
        return [parseFloat(style.lineHeight) / parseFloat(style.fontSize), style.wordBreak]; }"""
    )
    assert paragraph[0] == pytest.approx(1.7, abs=0.01)
    assert paragraph[1] == "normal"
    assert console_errors == []
