"""The journeys that matter, in a real browser (Chromium, driven by Playwright)."""

import base64
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from articles.models import Article, ArticleSection
from consultations.models import ConsultationEvent, ConsultationRequest
from team.models import Clinician

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"


def fill_request_form(page, *, name="Malee Srisuk", phone="+66 81 234 5678"):
    page.get_by_label("Full name").fill(name)
    page.get_by_role("textbox", name="Email").fill("malee@example.com")
    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Country you live in").select_option("TH")
    page.get_by_role("radio", name="LINE").check()
    page.get_by_role("radio", name="Thai").check()
    page.get_by_label("Preferred date").fill(
        (timezone.localdate() + timedelta(days=10)).isoformat()
    )
    page.get_by_role("radio", name=re.compile("^Morning")).check()
    page.get_by_label("I agree that Genoma Health").check()


def staff_user(username, group):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, live_server, username):
    """Admin's sign-in; staff who read patient data then set up their authenticator app
    as a person does: the key typed into the app, its code typed back."""
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/two-factor/setup/" in page.url:
        secret = page.locator(".otp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(f"{TOTP(base64.b32decode(secret)).token():06d}")
        page.get_by_role("button", name="Confirm and continue").click()
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="I have kept them: continue").click()


def test_visitor_reads_checks_a_t_score_and_books(page, live_server, clinic_content):
    page.goto(live_server.url)
    page.get_by_role("main").get_by_role("link", name="Osteopenia", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Osteopenia")
    page.get_by_label("Your T-score").fill("-1.8")
    page.get_by_role("button", name="Explain my result").click()
    expect(page.get_by_role("status")).to_contain_text("falls in the range: Osteopenia")
    page.get_by_role("link", name="Discuss your result with our doctors").click()
    expect(page.get_by_label("Condition of interest")).to_have_value("osteopenia")
    fill_request_form(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    reference = page.locator(".reference strong").inner_text()
    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.condition.slug == "osteopenia"
    assert stored.phone == "+66812345678"
    assert stored.source_page == "/conditions/osteopenia/"


def test_visitor_corrects_mistakes_and_nothing_is_stored_until_then(
    page, live_server, clinic_content
):
    page.goto(f"{live_server.url}/consultation/?condition=osteoporosis")
    fill_request_form(page, phone="12")
    page.get_by_role("textbox", name="Email").fill("not an email")
    page.get_by_role("button", name="Send my request").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct 2 problems")
    expect(page.get_by_role("textbox", name="Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Full name")).to_have_value("Malee Srisuk")
    expect(page.get_by_label("Condition of interest")).to_have_value("osteoporosis")
    assert ConsultationRequest.objects.count() == 0
    page.get_by_role("textbox", name="Email").fill("malee@example.com")
    page.get_by_label("Phone number").fill("+66 81 234 5678")
    page.get_by_label("I agree that Genoma Health").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    assert ConsultationRequest.objects.count() == 1


def test_the_form_works_with_javascript_switched_off(browser, live_server, clinic_content):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultation/")
    fill_request_form(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    assert ConsultationRequest.objects.count() == 1
    context.close()


def test_clinic_staff_review_assign_contact_and_schedule(page, live_server, clinic_content):
    consultation = ConsultationRequest.objects.create(
        submission_token="3c8a0b1e-7e83-4ad9-9f55-8d9f7a5b1a11",
        full_name="Malee Srisuk",
        email="malee@example.com",
        phone="+66812345678",
        country="TH",
        contact_method="phone",
        language="en",
        preferred_date=timezone.localdate() + timedelta(days=5),
        preferred_time="morning",
        consent_at=timezone.now(),
        consent_notice_version="test",
    )
    staff_user("nurse", "Clinic staff")
    log_in(page, live_server, "nurse")
    page.locator("a[href$='/consultations/consultationrequest/']").first.click()
    page.locator("#searchbar").fill(consultation.reference)
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name=consultation.reference).click()
    page.get_by_label("Assigned to").select_option(label="nurse")
    page.get_by_label("Status").select_option("contacted")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_label("Status").select_option("scheduled")
    page.locator("#id_scheduled_at_0").fill((timezone.localdate() + timedelta(days=6)).isoformat())
    page.locator("#id_scheduled_at_1").fill("10:30:00")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    trail = page.locator("#events-group")
    expect(trail).to_contain_text("Assigned")
    expect(trail).to_contain_text("Contacted")
    expect(trail).to_contain_text("Scheduled")
    consultation.refresh_from_db()
    assert consultation.status == "scheduled"
    kinds = list(consultation.events.values_list("kind", flat=True))
    assert kinds.count(ConsultationEvent.Kind.STATUS) == 2
    confirmation = next(m for m in mail.outbox if "scheduled" in m.subject)
    assert confirmation.attachments[0][0].endswith(".ics")
    assert "DTSTART;TZID=Asia/Bangkok:" in confirmation.attachments[0][1]


def test_editor_edits_in_ckeditor_a_reviewer_approves_and_the_page_shows_it(
    page, live_server, clinic_content, console_errors, tmp_path
):
    from PIL import Image

    staff_user("writer", "Editors")
    article = Article.objects.get(slug__startswith="osteoporosis-and")
    section = article.sections.get(order=1)
    image = tmp_path / "scan.png"
    Image.new("RGB", (320, 200), (30, 90, 160)).save(image)
    log_in(page, live_server, "writer")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor = page.locator(".ck-editor__editable").first
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Walking every day helps. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Strong bones")
    page.keyboard.press("Control+b")
    page.keyboard.type(" need care. ")
    page.keyboard.press("Control+k")
    page.get_by_label("Displayed text").fill("WHO")
    page.get_by_label("Link URL").fill("https://www.who.int/")
    page.get_by_role("button", name="Insert", exact=True).click()
    page.locator(".ck-file-dialog-button input[type=file]").first.set_input_files(str(image))
    expect(editor.locator("img")).to_have_count(1, timeout=15000)
    expect(editor.locator("img")).to_have_attribute("src", re.compile(r"/media/articles/editor/"))
    # An image without a text alternative is refused, with the way to give one.
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text("Change image text alternative")
    editor = page.locator(".ck-editor__editable").first
    editor.locator("img").click()
    page.get_by_role("button", name="Change image text alternative").click()
    page.get_by_label("Text alternative").fill("A bone density scan")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    section.refresh_from_db()
    assert "<strong>Strong bones</strong>" in section.body
    assert 'href="https://www.who.int/"' in section.body
    # Saved is not published: the public still reads the approved words.
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(
        page.locator(".article-section").first.locator("strong", has_text="Strong bones")
    ).to_have_count(0)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("submitted for medical review")

    # A medical reviewer, signed in as a linked clinician, approves and publishes.
    reviewer = staff_user("doctor", "Medical reviewers")
    Clinician.objects.create(
        name="Dr Anong Wattana", slug="anong-wattana", title="Endocrinologist",
        credentials="MD", is_public=True, user=reviewer,
    )  # fmt: skip
    page.context.clear_cookies()
    log_in(page, live_server, "doctor")
    waiting = page.locator(".editorial-panel")
    expect(waiting).to_contain_text("Waiting for my review")
    waiting.get_by_role("link", name=article.title).click()
    page.get_by_role("link", name=re.compile("Preview link")).click()
    expect(
        page.locator(".article-section").first.locator("strong", has_text="Strong bones")
    ).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("is published")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    body = page.locator(".article-section").first
    expect(body.locator("strong", has_text="Strong bones")).to_be_visible()
    expect(body.locator("img")).to_have_count(1)
    expect(body.locator("img")).to_have_attribute("alt", "A bone density scan")
    expect(page.locator(".review-line")).to_contain_text(
        "Medically reviewed by Dr Anong Wattana, MD"
    )
    expect(page.locator(".review-line")).to_contain_text("Next review due")
    assert console_errors == []


def test_an_editor_is_refused_the_consultations_admin(page, live_server, clinic_content):
    staff_user("writer", "Editors")
    log_in(page, live_server, "writer")
    expect(page.get_by_role("link", name="Consultation requests")).to_have_count(0)
    response = page.goto(f"{live_server.url}/admin/consultations/consultationrequest/")
    assert response.status == 403


@pytest.mark.parametrize("path", ["/", "/consultation/", "/articles/", "/conditions/osteoporosis/"])
def test_phone_sized_pages_do_not_scroll_sideways_and_navigation_works(
    browser, live_server, clinic_content, path
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conditions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conditions A–Z")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_phone_sized_form_can_be_sent(browser, live_server, clinic_content):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultation/")
    fill_request_form(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    context.close()
    assert ArticleSection.objects.exists()
