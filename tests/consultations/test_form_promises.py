"""The form keeps its promises (issue 11): what the thanks page says happens, happens;
what the patient types reaches staff as it shows; bookkeeping never blocks a patient;
every error is listed; nothing typed is silently dropped."""

import re
import uuid
from html.parser import HTMLParser

import pytest
from django.core import mail

from consultations.models import ConsultationRequest
from tests.consultations.conftest import started_seconds_ago

pytestmark = pytest.mark.django_db
FORM_URL = "/consultation/"
THANKS_URL = "/consultation/thanks/"
CONFIRMATION = (
    "We send a confirmation to your email address, with a link to your request's own "
    "page, where you can cancel it or ask for another time."
)
INVISIBLE = "Please remove invisible or control characters"


def submit(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(FORM_URL, data)


class FormReader(HTMLParser):
    """The hidden inputs, the error summary's heading and items, and every id of a page."""

    def __init__(self, page):
        super().__init__()
        self.hidden, self.ids, self.summary_items, self.summary_links = {}, set(), [], []
        self.heading, self._in_summary, self._in_heading, self._in_item = "", False, False, False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs.get("value") or ""
        if attrs.get("class") == "error-summary":
            self._in_summary = True
        if self._in_summary and tag == "h2":
            self._in_heading = True
        if self._in_summary and tag == "li":
            self.summary_items.append("")
            self._in_item = True
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_heading = False
        if tag == "li":
            self._in_item = False
        if tag == "ul":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_heading:
            self.heading += data
        elif self._in_item:
            self.summary_items[-1] += data


# 1. A fast submission is a person until proven otherwise; the thanks page promises
#    only what will happen for that request.


def test_a_fast_submission_is_a_new_request_flagged_for_staff_and_answered_as_usual(
    client, valid_post, settings, django_capture_on_commit_callbacks
):
    settings.CONSULTATION_MIN_SECONDS = 3
    data = {**valid_post, "form_started": started_seconds_ago(1)}
    assert submit(client, data, django_capture_on_commit_callbacks).status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.NEW
    assert stored.spam_reason == ""
    # The form's time stamp counts whole seconds: a second boundary may fall in between.
    assert re.fullmatch(r"sent (1 second|2 seconds) after the form was shown", stored.review_note)
    clinic, patient = mail.outbox
    assert clinic.to == ["clinic@localhost"]
    assert patient.to == ["somchai@example.com"]
    thanks = client.get(THANKS_URL).content.decode()
    assert stored.reference in thanks
    assert CONFIRMATION in thanks
    assert "/consultation/manage/" in patient.body  # the promised link (test_manage_link.py)
    assert "contacts you on WhatsApp within two working days" in thanks


def test_a_submission_after_the_minimum_time_needs_no_look(client, valid_post, settings):
    settings.CONSULTATION_MIN_SECONDS = 3
    client.post(FORM_URL, {**valid_post, "form_started": started_seconds_ago(5)})
    stored = ConsultationRequest.objects.get()
    assert (stored.status, stored.review_note) == (ConsultationRequest.Status.NEW, "")


@pytest.mark.parametrize(
    "changes", [{"website": "http://spam.example"}, {"form_started": "forged-value"}]
)
def test_a_request_stored_as_spam_is_thanked_without_promising_an_email_or_a_call(
    client, valid_post, django_capture_on_commit_callbacks, changes
):
    submit(client, {**valid_post, **changes}, django_capture_on_commit_callbacks)
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert mail.outbox == []
    thanks = client.get(THANKS_URL).content.decode()
    assert stored.reference in thanks
    assert "Thank you" in thanks
    assert CONFIRMATION not in thanks
    assert "contacts you" not in thanks
    assert "calendar invitation" not in thanks


# 2. Invisible and control characters never reach the database.


@pytest.mark.parametrize("character", ["\u202e", "\u202c", "\u200b", "\u2066", "\x00", "\u2028"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Somchai {}Jaidee"),
        ("email", "somchai@exa{}mple.com"),
        ("phone", "081 234{} 5678"),
    ],
)
def test_a_one_line_field_with_invisible_characters_is_refused_beside_the_field(
    client, valid_post, field, value, character
):
    response = client.post(FORM_URL, {**valid_post, field: value.format(character)})
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', page)
    assert error
    assert INVISIBLE in error.group(1)
    assert ConsultationRequest.objects.count() == 0


def test_joiners_that_shape_a_name_are_accepted(client, valid_post):
    client.post(FORM_URL, {**valid_post, "full_name": "Mohammad\u200cReza Karimi"})
    assert ConsultationRequest.objects.get().full_name == "Mohammad\u200cReza Karimi"


def test_invisible_characters_are_dropped_from_the_message_and_line_breaks_kept(client, valid_post):
    message = "\u202eHello\u200b\u2066 world\u2069\x00\r\nline\ttwo\u202c"
    assert client.post(FORM_URL, {**valid_post, "message": message}).status_code == 302
    assert ConsultationRequest.objects.get().message == "Hello world\nline\ttwo"


def test_every_kind_of_line_break_in_the_message_stays_a_line_break(client, valid_post):
    message = "one\u2028two\u2029three\rfour\x85five\r\nsix"
    assert client.post(FORM_URL, {**valid_post, "message": message}).status_code == 302
    assert ConsultationRequest.objects.get().message == "one\ntwo\nthree\nfour\nfive\nsix"


def test_invisible_characters_in_the_hidden_fields_never_reach_the_database(client, valid_post):
    data = {
        **valid_post,
        "source_page": "/conditions/\u202eosteopenia/",
        "source_article": "\x00",
        "time_zone": "Europe/London\u200b",
    }
    assert client.post(FORM_URL, data).status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.source_page == ""
    assert stored.source_article is None
    assert stored.time_zone == "Asia/Bangkok"  # the clinic's, when the patient's is unknown


# 3. Bookkeeping never blocks a patient, and every error is listed.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("submission_token", "not-a-uuid"),
        ("submission_token", "\x00"),
        ("time_zone", "x" * 5000),
        ("time_zone", "Asia/Bangkok\x00"),
        ("source_page", "/" + "a" * 5000),
        ("source_page", "/conditions/\x00"),
        ("source_article", "a" * 5000),
        ("source_article", "\x00"),
        ("source_article", "<script>"),
    ],
)
def test_a_tampered_or_overlong_hidden_field_never_blocks_the_request(
    client, valid_post, field, value
):
    response = client.post(FORM_URL, {**valid_post, field: value})
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert isinstance(stored.submission_token, uuid.UUID)
    assert stored.time_zone in ("Asia/Bangkok", valid_post["time_zone"])
    assert len(stored.source_page) <= 300
    assert "\x00" not in stored.source_page


def test_a_tampered_token_still_stops_a_double_submission_of_the_corrected_form(client, valid_post):
    tampered = {**valid_post, "submission_token": "not-a-uuid", "email": "nope"}
    page = client.post(FORM_URL, tampered).content.decode()
    hidden = FormReader(page).hidden
    uuid.UUID(hidden["submission_token"])
    corrected = {**valid_post, **hidden, "email": "somchai@example.com"}
    assert client.post(FORM_URL, corrected).status_code == 302
    assert client.post(FORM_URL, corrected).status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_the_form_shown_again_with_tampered_bookkeeping_can_be_sent(client, valid_post):
    tampered = {
        **valid_post,
        "email": "nope",
        "submission_token": "not-a-uuid",
        "time_zone": "x" * 5000,
        "source_page": "/" + "a" * 5000,
        "source_article": "a" * 5000,
    }
    page = client.post(FORM_URL, tampered).content.decode()
    reader = FormReader(page)
    assert reader.heading.strip() == "Please correct 1 problem"
    assert reader.summary_items == ["Email: Enter a valid email address."]
    assert reader.hidden["time_zone"] == ""
    assert reader.hidden["source_page"] == ""
    assert reader.hidden["source_article"] == ""
    corrected = {**valid_post, **reader.hidden, "email": "somchai@example.com"}
    assert client.post(FORM_URL, corrected).status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_the_summary_counts_exactly_the_errors_it_lists_and_links_each_to_its_field(
    client, valid_post
):
    data = {
        **valid_post,
        "full_name": "Som\x00chai",  # two errors on one field
        "email": "nope",
        "phone": "12",
        "contact_method": "pigeon",
        "preferred_time": "midnight",
        "consent": "",
    }
    page = client.post(FORM_URL, data).content.decode()
    reader = FormReader(page)
    count = int(re.search(r"Please correct (\d+) problems", reader.heading).group(1))
    assert count == len(reader.summary_items) == 7
    assert any(item.startswith("How should we contact you?: ") for item in reader.summary_items)
    assert any(item.startswith("I agree that Genoma Health") for item in reader.summary_items)
    assert len(reader.summary_links) == count
    for link in reader.summary_links:
        assert link.startswith("#")
        assert link[1:] in reader.ids  # a link that lands on its field, radio buttons too


# 4. Labels, sentences with a value inside, and nothing typed silently dropped.


def test_each_optional_field_says_optional_once(client, clinic_content):
    page = client.get(FORM_URL).content.decode()
    labels = re.findall(r"<label [^>]*>(.*?)</label>", page, re.S)
    assert all(label.count("(optional)") <= 1 for label in labels)
    assert (
        '<label for="id_treatment">Treatment of interest <span class="optional">(optional)</span></label>'
        in page
    )
    assert (
        '<label for="id_message">Message <span class="optional">(optional)</span></label>' in page
    )
    assert page.count("(optional)") == 3  # condition, treatment, message


@pytest.mark.parametrize(
    ("method", "sentence"),
    [
        ("email", "A member of our team contacts you by email within two working days."),
        ("phone", "A member of our team contacts you by phone within two working days."),
        ("whatsapp", "A member of our team contacts you on WhatsApp within two working days."),
        ("line", "A member of our team contacts you on LINE within two working days."),
    ],
)
def test_the_thanks_page_names_the_contact_method_as_it_reads_in_a_sentence(
    client, valid_post, method, sentence
):
    client.post(FORM_URL, {**valid_post, "contact_method": method})
    assert sentence in client.get(THANKS_URL).content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081 234 5678 ext. 12", "+66812345678 ext. 12"),
        ("+66 81 234 5678 x12", "+66812345678 ext. 12"),
        ("+44 (0) 7911 123 456 extension 1234", "+447911123456 ext. 1234"),
        ("081 234 5678 ext ๑๒", "+66812345678 ext. 12"),
    ],
)
def test_a_phone_extension_is_kept(client, valid_post, typed, stored):
    country = "GB" if typed.startswith("+44") else "TH"
    data = {**valid_post, "phone": typed, "country": country}
    assert client.post(FORM_URL, data).status_code == 302
    assert ConsultationRequest.objects.get().phone == stored


def test_a_phone_extension_too_long_to_store_gets_a_clear_error(client, valid_post):
    data = {**valid_post, "phone": "+66 81 234 5678 extension 12345678901234567890"}
    response = client.post(FORM_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_phone_error"' in page
    assert "too long" in page
    assert "+66 81 234 5678 extension 12345678901234567890" in page  # kept to correct
    assert ConsultationRequest.objects.count() == 0
