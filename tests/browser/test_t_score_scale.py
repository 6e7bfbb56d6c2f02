"""The T-score scale in a real browser without JavaScript: the picture is drawn by the
server, the form is a plain GET, and the marker follows the submitted score."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_script_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    yield page, errors
    context.close()


def marker_centre(page):
    box = page.locator(".t-scale-marker-head").bounding_box()
    return box["x"] + box["width"] / 2


def explain(page, score):
    page.get_by_role("textbox", name="Your T-score").fill(score)
    page.get_by_role("button", name="Explain my result").click()
    page.wait_for_load_state()


def test_the_scale_and_its_marker_work_without_javascript(
    no_script_page, live_server, clinic_content
):
    page, errors = no_script_page
    page.goto(f"{live_server.url}/conditions/osteopenia/")
    picture = page.get_by_role("img", name=re.compile("^T-score scale from -4"))
    expect(picture).to_be_visible()
    expect(page.locator(".t-scale-band")).to_have_count(3)
    bar = page.locator(".t-scale-band").first.bounding_box()
    assert bar["width"] > 50  # the bands have their widths on a small phone's screen
    expect(page.locator(".t-scale-marker-head")).to_have_count(0)

    explain(page, "-1.2")
    assert "t_score=-1.2" in page.url
    expect(
        page.get_by_role("img", name=re.compile("marked in the range: Osteopenia"))
    ).to_be_visible()
    right = marker_centre(page)

    explain(page, "-2.2")
    expect(page.locator(".result-category")).to_contain_text("Osteopenia")
    left = marker_centre(page)
    assert left < right  # a lower score, further left

    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # a small phone

    explain(page, "-7")
    expect(page.locator(".t-scale-note")).to_contain_text("marked at the scale's left end")
    leftmost = page.locator(".t-scale-band").first.bounding_box()["x"]
    assert abs(marker_centre(page) - leftmost) < 2
    picture = page.get_by_role("img", name=re.compile("Your score is below -4"))
    expect(picture).to_be_visible()
    assert errors == []
