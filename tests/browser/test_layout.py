"""The layout a reader sees, from a 320 px phone to a 1920 px desktop screen.

Every public page type is drawn at five widths, and a screenshot of each is kept in
reports/screenshots/<page>-<language>-<width>.png for review by eye (never compared by
pixels). At every width: no sideways scrolling, and no text under 16 px; at a phone's and
a wide screen's, no accessibility violation axe-core finds. On a phone or
tablet a long page (article, condition, treatment) has its contents list under the title
and the booking box after the text. On a wide screen: lines of body text of about 70
characters, never over 75; the page's content centred in the window; pages of cards
across the whole width, three cards a row; and on a long page its contents list and
booking button in a column beside the text that stays in view while the reader scrolls.
"""

import io
import json

import pytest
from django.core import mail
from PIL import Image

from tests.browser.conftest import ROOT
from tests.browser.test_accessibility import axe_violations
from tests.public_pages import ARTICLE

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = ROOT / "reports" / "screenshots"
WIDTHS = [320, 390, 768, 1280, 1920]
HEIGHTS = {320: 568, 390: 844, 768: 1024, 1280: 800, 1920: 1080}
AXE_WIDTHS = [390, 1920]  # axe-core at a phone's and a wide screen's layout too
WIDE = 1100  # from here a long page has its side column, and a page of cards three a row


def form_with_errors(page, site):
    """The form sent empty: its summary of problems, and each field's message."""
    page.goto(f"{site}/consultation/")
    page.locator(".consultation-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def thanks_after_a_request(page, site):
    """The thanks page of a request sent on the form, with a time picked at the clinic."""
    page.goto(f"{site}/consultation/")
    page.locator("#id_full_name").fill("Malee Srisuk")
    page.locator("#id_email").fill("malee@example.com")
    page.locator("#id_phone").fill("+66 81 234 5678")
    page.locator("#id_country").select_option("TH")
    page.locator("#id_contact_method_0").check()
    page.locator("#id_consultation_mode_1").check()
    page.locator("#id_clinic_time").select_option(index=1)
    page.locator("#id_consent").check()
    page.locator(".consultation-form button[type=submit]").click()
    page.wait_for_url("**/consultation/thanks/")
    page.wait_for_selector(".held-time")


def manage_page(page, site):
    """The patient's own page, opened from the link in the acknowledgment email."""
    from team.models import Clinician
    from tests.browser.test_manage_journey import confirmed_consultation, link_in

    confirmed_consultation(doctor=Clinician.objects.get(slug="somchai-jaidee"))
    acknowledgment = next(m for m in mail.outbox if "received" in m.subject)
    page.goto(site + link_in(acknowledgment))
    page.wait_for_selector(".request-status")


# A page's address on the site, or how a reader reaches it (from the site's address in
# the page's language).
PAGES = {
    "home": "/",
    "article-list": "/articles/",
    "article": ARTICLE,
    "condition-list": "/conditions/",
    "condition": "/conditions/osteopenia/",
    "condition-t-score": "/conditions/osteopenia/?t_score=-1.8",
    "treatment-list": "/treatments/",
    "treatment": "/treatments/uc-msc-therapy/",
    "treatment-steps": "/treatments/msc-therapy/",
    "team": "/team/",
    "clinician": "/team/somchai-jaidee/",
    "form": "/consultation/?condition=osteoporosis",
    "form-errors": form_with_errors,
    "thanks": thanks_after_a_request,
    "manage": manage_page,
    "search": "/search/?q=bone",
    "privacy": "/privacy/",
    "404": "/no-such-page/",
}
THAI = ["home", "article", "condition-t-score", "treatment", "form", "form-errors", "manage"]
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
  // Each list of cards: how many columns its cards stand in, and how wide it is.
  const cardLists = [...main.querySelectorAll('.card-list')].filter(visible).map((list) => {
    const cards = [...list.children].filter(visible);
    return {cards: cards.length, width: list.getBoundingClientRect().width,
            columns: new Set(cards.map((c) => Math.round(c.getBoundingClientRect().left))).size,
            tracks: getComputedStyle(list).gridTemplateColumns.split(' ').length}; });
  // The booking box in the text (a phone's): what comes before it ends above it, and
  // what follows it, if anything, is named by its heading.
  const booking = document.querySelector('.page-body > .cta');
  let bookingBox = null;
  if (booking && visible(booking)) {
    const siblings = [...booking.parentElement.children].filter(visible);
    const at = siblings.indexOf(booking);
    bookingBox = {top: booking.getBoundingClientRect().top,
      above: Math.max(...siblings.slice(0, at).map((el) => el.getBoundingClientRect().bottom)),
      after: siblings.slice(at + 1).map((el) => el.getAttribute('aria-labelledby'))};
  }
  const h1 = main.querySelector('h1');
  const footer = document.querySelector('.site-footer');
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    scrollHeight: document.scrollingElement.scrollHeight,
    footerColour: getComputedStyle(footer).backgroundColor,
    footerBottom: footer.getBoundingClientRect().bottom,
    viewport: document.documentElement.clientWidth,
    ch, smallest, longest, cardLists, bookingBox,
    layout: document.body.className,
    title: h1 && h1.getBoundingClientRect().bottom,
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
    clinician shown publicly with a photo (the team pages show the same clinician), who
    has free times on the form."""
    from tests.articles.test_review_card import approve_as, reviewer
    from tests.team.factories import with_calendar

    clinician = with_calendar(reviewer())
    for kind in ("article", "condition", "treatment"):
        approve_as(clinician, kind)


@pytest.mark.parametrize(("name", "language"), CASES)
def test_the_page_uses_the_screen_at_every_width(
    layout_page, live_server, reviewed_content, axe_source, name, language
):
    site = live_server.url + ("/th" if language == "th" else "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    layout_page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHTS[WIDTHS[0]]})
    if callable(PAGES[name]):
        PAGES[name](layout_page, site)
    else:
        layout_page.goto(site + PAGES[name])
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
        if width in AXE_WIDTHS:
            violations = axe_violations(layout_page, axe_source)
            assert violations == [], f"{where}: {json.dumps(violations, indent=1)}"
        if facts["footerBottom"] < HEIGHTS[width]:  # a short page: no white band under it
            window = Image.open(io.BytesIO(layout_page.screenshot()))
            bottom = window.convert("RGB").getpixel((1, window.height - 1))
            assert f"rgb{bottom}".replace(" ", "") == facts["footerColour"].replace(" ", ""), where

        if width < WIDE:
            if facts["aside"]:  # a phone or tablet: the contents list under the title
                assert facts["cta"] is None, f"{where}: the side's booking button shows"
                assert facts["title"] <= facts["toc"]["top"], where
                assert facts["toc"]["bottom"] <= facts["body"]["top"], where
            if facts["body"]:  # ...and the booking box after the text
                booking = facts["bookingBox"]
                assert booking, f"{where}: no booking box"
                assert booking["above"] <= booking["top"], where
                assert set(booking["after"]) <= {"topics", "related"}, f"{where}: {booking}"
            continue
        # A wide screen: comfortable lines, and the page in the middle of the window.
        longest = facts["longest"]  # 0: no body text beside the cards
        assert longest == 0 or 60 <= longest <= 75.1, f"{where}: {longest} characters"
        main = facts["main"]  # its content box: the text's edges
        margins = (main["left"], facts["viewport"] - main["right"])
        assert margins[0] > 0, f"{where}: {margins}"
        assert abs(margins[0] - margins[1]) <= 2, f"{where}: {margins}"
        if "layout-wide" in facts["layout"]:  # a page of cards: the whole width, three a row
            assert facts["cardLists"], f"{where}: no cards"
            for cards in facts["cardLists"]:
                assert cards["tracks"] == 3, f"{where}: {cards}"
                assert cards["columns"] == min(3, cards["cards"]), f"{where}: {cards}"
                assert cards["width"] >= main["right"] - main["left"] - 1, f"{where}: {cards}"
        if facts["body"]:  # a long page: its side column beside the text, sticky
            aside = facts["aside"]
            assert aside, f"{where}: no side column"
            assert facts["cta"], f"{where}: no booking button beside the text"
            assert aside["left"] >= facts["body"]["right"], where
            assert aside["position"] == "sticky", where
            layout_page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight / 2)")
            scrolled = layout_page.evaluate(MEASURE)["aside"]
            assert 0 <= scrolled["top"] < HEIGHTS[width] / 2, f"{where}: the side scrolled away"
