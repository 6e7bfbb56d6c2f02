"""The layout a reader sees, from a 390 px phone to a 1920 px desktop screen.

Every public page type is drawn at four widths, and a screenshot of each is kept in
reports/screenshots/<page>-<language>-<width>.png for review by eye (never compared by
pixels). At every width: no sideways scrolling, and no text under 16 px. On a wide
screen: lines of body text of about 70 characters, never over 75; the page's content
centred in the window; and on a long page (article, condition, treatment) its contents
list and booking button in a column beside the text that stays in view while the reader
scrolls.
"""

import pytest

from tests.browser.conftest import ROOT
from tests.public_pages import ARTICLE

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = ROOT / "reports" / "screenshots"
WIDTHS = [390, 768, 1280, 1920]
HEIGHTS = {390: 844, 768: 1024, 1280: 800, 1920: 1080}
WIDE = 1100  # from here a long page has its side column
PAGES = {
    "home": "/",
    "article-list": "/articles/",
    "article": ARTICLE,
    "condition-list": "/conditions/",
    "condition-t-score": "/conditions/osteopenia/?t_score=-1.8",
    "treatment-list": "/treatments/",
    "treatment": "/treatments/uc-msc-therapy/",
    "treatment-steps": "/treatments/msc-therapy/",
    "team": "/team/",
    "clinician": "/team/somchai-jaidee/",
    "form": "/consultation/?condition=osteoporosis",
    "search": "/search/?q=bone",
    "privacy": "/privacy/",
    "404": "/no-such-page/",
}
THAI = ["home", "article", "condition-t-score", "treatment", "form"]
CASES = [(name, "en") for name in PAGES] + [(name, "th") for name in THAI]

# What a reader of the page measures: sideways scrolling, the smallest text, the longest
# line of body text in characters of its font (1ch), and where the columns are.
MEASURE = """() => {
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const main = document.querySelector('main');
  const probe = document.createElement('span');
  probe.style.display = 'inline-block'; probe.style.width = '1ch';
  main.appendChild(probe);
  const ch = probe.getBoundingClientRect().width;
  probe.remove();
  const smallest = [...main.querySelectorAll('*')]
    .filter((el) => !el.closest('svg, .visually-hidden, .hp') && visible(el)
      && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((el) => [parseFloat(getComputedStyle(el).fontSize), el.tagName + '.' + el.className])
    .sort((a, b) => a[0] - b[0])[0];
  const base = parseFloat(getComputedStyle(main).fontSize);
  const longest = Math.max(0, ...[...main.querySelectorAll('p')]  // in characters of its font
    .filter((p) => visible(p) && !p.closest('.page-aside, .card'))
    .map((p) => p.getBoundingClientRect().width * base
      / (ch * parseFloat(getComputedStyle(p).fontSize))));
  const box = (selector) => { const el = document.querySelector(selector);
    if (!el || !visible(el)) return null;
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    return {left: r.left + parseFloat(style.paddingLeft),
            right: r.right - parseFloat(style.paddingRight),
            top: r.top, bottom: r.bottom, position: style.position}; };
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    ch, smallest, longest,
    main: box('main'), body: box('.page-body'), aside: box('.page-aside'),
    cta: box('.aside-cta'), toc: box('.toc'),
  };
}"""


@pytest.fixture
def layout_page(browser):
    # The probe's width is set through the CSSOM; the site's CSP allows that, but the
    # test should not depend on it.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def reviewed_content(clinic_content):
    """The seed content, with the article, the condition and the treatment reviewed by a
    clinician shown publicly with a photo (the team pages show the same clinician)."""
    from tests.articles.test_review_card import approve_as, reviewer

    clinician = reviewer()
    for kind in ("article", "condition", "treatment"):
        approve_as(clinician, kind)


@pytest.mark.parametrize(("name", "language"), CASES)
def test_the_page_uses_the_screen_at_every_width(
    layout_page, live_server, reviewed_content, name, language
):
    prefix = "/th" if language == "th" else ""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    layout_page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
    layout_page.goto(live_server.url + prefix + PAGES[name])
    layout_page.evaluate("document.fonts.ready")
    for width in WIDTHS:
        layout_page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        layout_page.evaluate("window.scrollTo(0, 0)")
        layout_page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}.png", full_page=True)
        facts = layout_page.evaluate(MEASURE)
        where = f"{name} ({language}) at {width} px"

        assert facts["scrollWidth"] <= facts["viewport"], f"{where}: scrolls sideways"
        size, element = facts["smallest"]
        assert size >= 16, f"{where}: {element} is {size} px"

        if width < WIDE:
            if facts["aside"]:  # a phone or tablet: the contents list under the title
                assert facts["cta"] is None, f"{where}: the side's booking button shows"
                assert facts["toc"]["bottom"] <= facts["body"]["top"], where
            continue
        # A wide screen: comfortable lines, and the page in the middle of the window.
        assert facts["longest"] <= 75.1, f"{where}: {facts['longest']} characters"
        main = facts["main"]  # its content box: the text's edges
        margins = (main["left"], facts["viewport"] - main["right"])
        assert margins[0] > 0, f"{where}: {margins}"
        assert abs(margins[0] - margins[1]) <= 2, f"{where}: {margins}"
        if facts["body"]:  # a long page: its side column beside the text, sticky
            aside = facts["aside"]
            assert aside, f"{where}: no side column"
            assert facts["cta"], f"{where}: no booking button beside the text"
            assert aside["left"] >= facts["body"]["right"], where
            assert aside["position"] == "sticky", where
            layout_page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight / 2)")
            scrolled = layout_page.evaluate(MEASURE)["aside"]
            assert 0 <= scrolled["top"] < HEIGHTS[width] / 2, f"{where}: the side scrolled away"
