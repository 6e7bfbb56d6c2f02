"""The patient's own link (/consultation/manage/<token>/): what it shows, what it lets the
patient do (cancel, ask for another time), who is told, and the emails and calendar
files that carry it."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from consultations import services, tasks
from consultations.manage import SALT, manage_token, request_for_token
from consultations.models import ConsultationEvent, ConsultationRequest, EmailsDue
from consultations.scheduling import book, check_slot
from tests.consultations.factories import make_request
from tests.consultations.test_admin import ics_fields
from tests.consultations.test_mail_outage import closed_port, minutes_pass
from tests.html_checker import assert_valid_html, require_java
from tests.team.factories import consultation_type, next_weekday_at

pytestmark = pytest.mark.django_db
Status = ConsultationRequest.Status
PatientChange = ConsultationRequest.PatientChange
Kind = ConsultationEvent.Kind
SITE = "http://127.0.0.1:8000"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:th/)?consultation/manage/[^/\s]+/)")
# What only the patient typed: none of it is ever on the page or in the staff's email.
TYPED = {
    "full_name": "Kanokwan Phetcharat",
    "email": "kanokwan.p@example.com",
    "phone": "+66899990001",
    "message": "My T-score was -2.7 at my last scan.",
}
NOTE = "Tuesdays after 15:00 suit me better"


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="nurse", email="nurse@genoma.example", password="x", is_staff=True
    )


def page_path(consultation, language=None):
    with translation.override(language or consultation.language):
        return reverse("consultations:manage", args=[manage_token(consultation)])


def booked(doctor, staff, captured, mode="clinic", video_link=None, **fields):
    """A request staff scheduled with the doctor next Tuesday at 10:00, its confirmation
    (with the calendar invitation, SEQUENCE 1) sent."""
    consultation = make_request(status=Status.CONTACTED, **{**TYPED, **fields})
    with captured(execute=True):
        book(
            consultation,
            consultation_type(doctor, mode),
            next_weekday_at(10),
            actor=staff,
            video_link=video_link,
        )
    consultation.refresh_from_db()
    assert consultation.confirmation_sent_at is not None
    return consultation


def with_held_pick(doctor, mode="clinic", **fields):
    """A new request whose patient picked next Tuesday at 10:00 (held, to confirm)."""
    kind = consultation_type(doctor, mode)
    fields = {"scheduled_at": next_weekday_at(10), **TYPED, **fields}
    return make_request(clinician=doctor, consultation_type=kind, **fields)


def post(client, consultation, captured, language=None, **data):
    with captured(execute=True):
        return client.post(page_path(consultation, language), data)


def ics_text(email):
    [(_filename, ics, _mimetype)] = email.attachments
    return ics.replace("\r\n ", "")


def event_text(consultation):
    return " ".join(
        f"{e.kind} {e.from_value} {e.to_value} {e.note} {e.actor_name}"
        for e in consultation.events.all()
    )


# The token


def test_the_token_opens_its_own_request_and_nothing_else():
    consultation, other = make_request(), make_request()
    token = manage_token(consultation)
    assert request_for_token(token) == consultation
    assert request_for_token(manage_token(other)) == other
    assert consultation.reference not in token
    assert consultation.manage_key.hex in token  # signed, not hidden: the key is random
    # The key signed for another purpose, another key under this signature, an unknown
    # key, or junk: nothing.
    key = consultation.manage_key.hex
    assert request_for_token(signing.Signer(salt="articles.preview").sign(key)) is None
    assert request_for_token(token.replace(key, other.manage_key.hex)) is None
    unknown = signing.Signer(salt=SALT).sign("0" * 32)
    assert request_for_token(unknown) is None
    assert request_for_token(signing.Signer(salt=SALT).sign("not-a-key")) is None
    assert request_for_token("") is None


def test_a_tampered_token_is_a_404_that_says_the_link_is_not_valid(client):
    consultation = make_request(status=Status.SCHEDULED)
    token = manage_token(consultation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for url in (f"/consultation/manage/{tampered}/", "/consultation/manage/GH-AAAA-BBBB/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "This link is not valid" in page
        assert '<meta name="robots" content="noindex, nofollow">' in page
        assert response["Referrer-Policy"] == "same-origin"
        assert client.post(url, {"action": "cancel"}).status_code == 404
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert not consultation.events.exists()


def test_the_link_of_an_erased_request_opens_nothing(client):
    consultation = make_request(status=Status.COMPLETED)
    url = page_path(consultation)
    assert client.get(url).status_code == 200
    services.erase_personal_data(consultation, reason="At the patient's request")
    assert request_for_token(manage_token(consultation)) is None
    assert client.get(url).status_code == 404


# The page


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_page_is_in_the_address_s_language_never_cached_nor_indexed(
    client, doctor, staff, django_capture_on_commit_callbacks, language
):
    consultation = booked(doctor, staff, django_capture_on_commit_callbacks)
    response = client.get(page_path(consultation, language))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert consultation.reference in page
    when = services._consultation_time(consultation.scheduled_at, language)
    assert when in page
    assert "Dr Somchai Jaidee" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<link rel="canonical"' not in page  # the address holds the key
    for word in ("no-store", "no-cache", "private"):
        assert word in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Cache" not in response
    if language == "th":
        year = timezone.localtime(consultation.scheduled_at).year
        assert f"{year + 543}, 10:00" in page  # the Buddhist era
        assert f" {year}, " not in page
        assert "ที่คลินิก" in page or "At the clinic" in page
    else:
        assert "Confirmed" in page
        assert "At the clinic" in page
        assert "(Asia/Bangkok time)" in page
    assert "Cancel my consultation request" in page or language == "th"


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize("status", [Status.NEW, Status.SCHEDULED, Status.CANCELLED])
def test_the_page_shows_nothing_the_patient_typed(client, doctor, language, status):
    consultation = with_held_pick(doctor, status=status, internal_notes="Prefers mornings")
    page = client.get(page_path(consultation, language)).content.decode()
    for typed in (*TYPED.values(), "899990001", "Kanokwan", "T-score was", "Prefers mornings"):
        assert typed not in page


def test_a_held_pick_is_requested_waiting_for_confirmation(client, doctor):
    consultation = with_held_pick(doctor, mode="video", video_link="https://meet.example/x")
    page = client.get(page_path(consultation)).content.decode()
    assert "Received" in page
    assert "The time you chose" in page
    assert "Requested, waiting for our confirmation" in page
    assert "By video call" in page
    assert "meet.example" not in page  # the video link only once the time is confirmed


def test_a_scheduled_video_consultation_shows_its_link_without_a_referrer(
    client, doctor, staff, django_capture_on_commit_callbacks
):
    link = "https://meet.example/genoma-7k3q"
    consultation = booked(
        doctor, staff, django_capture_on_commit_callbacks, mode="video", video_link=link
    )
    page = client.get(page_path(consultation)).content.decode()
    assert f'<a href="{link}" rel="noreferrer noopener">{link}</a>' in page
    assert "By video call" in page
    consultation.video_link = ""
    consultation.save()
    page = client.get(page_path(consultation)).content.decode()
    assert "We will send you the link before the consultation." in page


def test_the_forms_are_protected_from_cross_site_posts(doctor):
    """The page's address reaches no other site (referrer only to this one), and its
    forms carry Django's CSRF token like every form of the site: another site that
    somehow had the address still could not post for the patient's browser."""
    consultation = with_held_pick(doctor)
    browser = Client(enforce_csrf_checks=True)
    url = page_path(consultation)
    shown = browser.get(url)
    token = shown.cookies["csrftoken"].value
    forged = browser.post(
        url, {"action": "another_time"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    consultation.refresh_from_db()
    assert consultation.patient_change == ""
    response = browser.post(url, {"action": "another_time", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "same-origin"
    consultation.refresh_from_db()
    assert consultation.patient_change == PatientChange.NEW_TIME
    assert browser.head(url).status_code == 200


# Cancelling


def test_the_patient_cancels_a_confirmed_consultation(
    client, doctor, staff, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.CONSULTATION_NOTIFY_EMAILS = ["clinic@genoma.example"]
    consultation = booked(
        doctor, staff, django_capture_on_commit_callbacks, assigned_to=staff, language="en"
    )
    [confirmation] = mailoutbox
    start, kind = consultation.scheduled_at, consultation.consultation_type
    url = page_path(consultation)

    first_step = client.get(url, {"step": "cancel"}).content.decode()
    assert "Do you want to cancel your consultation request?" in first_step
    assert "Yes, cancel my consultation request" in first_step
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED  # asking is not cancelling

    response = post(client, consultation, django_capture_on_commit_callbacks, action="cancel")
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Your consultation request is cancelled. We have let our team know." in page
    assert "This consultation request is cancelled, as you asked." in page
    assert "Cancel my consultation request" not in page

    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert consultation.patient_change == PatientChange.CANCELLED
    assert timezone.now() - consultation.patient_change_at < timedelta(minutes=1)
    assert consultation.staff_told_of_change_at >= consultation.patient_change_at
    event = consultation.events.filter(kind=Kind.STATUS).last()
    assert (event.actor, event.actor_name) == (None, "the patient (own link)")
    assert (event.from_value, event.to_value) == (Status.SCHEDULED, Status.CANCELLED)

    # Staff: the reference and the admin link, nothing the patient typed.
    told, patient = mailoutbox[1:]
    assert told.subject == f"Consultation request {consultation.reference}: the patient cancelled"
    assert sorted(told.to) == ["clinic@genoma.example", "nurse@genoma.example"]
    assert f"{SITE}/admin/consultations/consultationrequest/{consultation.pk}/change/" in told.body
    for typed in TYPED.values():
        assert typed not in told.subject + told.body

    # The patient: the same calendar event, removed (same UID, a higher SEQUENCE).
    assert patient.to == [TYPED["email"]]
    assert patient.subject == "Genoma Health: your consultation is cancelled"
    assert "As you asked, your consultation with Genoma Health on" in patient.body
    before, _mimetype = ics_fields(confirmation)
    after, mimetype = ics_fields(patient)
    assert mimetype == "text/calendar; method=CANCEL"
    assert after["METHOD"] == "CANCEL"
    assert after["STATUS"] == "CANCELLED"
    assert after["UID"] == before["UID"] == f"{consultation.reference}@genoma-health"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"] == before["DTSTART"]

    # The time is free again, for the form and for staff.
    check_slot(kind, start)
    other = make_request(clinician=doctor, consultation_type=kind, scheduled_at=start)
    assert other in ConsultationRequest.objects.overlapping(doctor, start, start + kind.duration)


def test_cancelling_a_held_pick_frees_it_and_sends_the_patient_no_calendar_file(
    client, doctor, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = with_held_pick(doctor)
    post(client, consultation, django_capture_on_commit_callbacks, action="cancel")
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    [told] = mailoutbox  # staff only: the patient's calendar never held this time
    assert told.subject.endswith(": the patient cancelled")
    check_slot(consultation.consultation_type, consultation.scheduled_at)


# Asking for another time


def test_the_patient_asks_for_another_time_with_a_note_that_stays_on_the_request(
    client, doctor, staff, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.CONSULTATION_NOTIFY_EMAILS = ["clinic@genoma.example"]
    consultation = booked(doctor, staff, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    url = page_path(consultation)
    response = post(
        client, consultation, django_capture_on_commit_callbacks, action="another_time", note=NOTE
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Thank you: we have your request for another time." in page
    assert "You asked for another time." in page
    assert NOTE not in page

    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED  # the time stands until staff agree another
    assert consultation.patient_change == PatientChange.NEW_TIME
    assert consultation.patient_change_note == NOTE
    event = consultation.events.get(kind=Kind.PATIENT)
    assert (event.actor, event.actor_name) == (None, "the patient (own link)")
    assert event.to_value == PatientChange.NEW_TIME
    assert "Tuesdays" not in event_text(consultation)

    [told] = mailoutbox
    assert told.subject == (
        f"Consultation request {consultation.reference}: the patient asks for another time"
    )
    assert told.to == ["clinic@genoma.example"]
    assert consultation.admin_change_url() in told.body
    assert "Tuesdays" not in told.body
    for typed in TYPED.values():
        assert typed not in told.body

    # Staff move the time: the page no longer says the patient is waiting.
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request(
            consultation, actor=staff, changes={"scheduled_at": next_weekday_at(14)}
        )
    assert "You asked for another time." not in client.get(url).content.decode()


def test_a_note_too_long_is_shown_again_with_its_error_and_nothing_changes(
    client, doctor, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = with_held_pick(doctor)
    typed = ("Mornings. " * 31).strip()  # 309 characters: forged (the field stops at 300)
    response = post(
        client, consultation, django_capture_on_commit_callbacks, action="another_time", note=typed
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ensure this value has at most 300 characters (it has 309)." in page
    assert 'id="id_note_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_note_helptext id_note_error"' in page
    assert f">\n{typed}</textarea>" in page  # nothing typed is lost
    consultation.refresh_from_db()
    assert consultation.patient_change == ""
    assert not consultation.events.filter(kind=Kind.PATIENT).exists()
    assert mailoutbox == []


# Closed requests


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.DECLINED, Status.CANCELLED])
def test_a_closed_request_shows_its_status_and_refuses_a_forged_change(
    client, status, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(status=status, **TYPED)
    url = page_path(consultation)
    page = client.get(url).content.decode()
    assert "This request is closed, so it can no longer be changed here." in page
    assert "<form" not in page.split('<main id="main"')[1]
    assert "Cancel my consultation request" not in page
    for action in ("cancel", "another_time", "something-else"):
        response = post(
            client, consultation, django_capture_on_commit_callbacks, action=action, note=NOTE
        )
        assert response.status_code == 302
        page = client.get(url).content.decode()
        if action == "something-else":
            assert "Nothing was changed." in page
        else:
            assert "This request is closed, so it can no longer be changed here. Nothing" in page
    consultation.refresh_from_db()
    assert consultation.status == status
    assert consultation.patient_change == ""
    assert not consultation.events.exists()
    assert mailoutbox == []


# The job: staff told once per change


def test_a_second_worker_run_sends_nothing_twice(
    client, doctor, staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = booked(doctor, staff, django_capture_on_commit_callbacks)
    post(client, consultation, django_capture_on_commit_callbacks, action="cancel")
    assert len(mailoutbox) == 3  # confirmation; staff told; the patient's cancellation
    assert not EmailsDue.objects.exists()
    consultation.refresh_from_db()
    services.resend_notifications(consultation)  # a job queued again, and the sweeps
    tasks.send_emails_due.call_local()
    services.send_outstanding(consultation)
    assert len(mailoutbox) == 3


def test_each_new_ask_tells_staff_once(
    client, doctor, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = with_held_pick(doctor)
    for _ in range(2):
        post(client, consultation, django_capture_on_commit_callbacks, action="another_time")
        tasks.send_emails_due.call_local()
    assert [m.subject.endswith("asks for another time") for m in mailoutbox] == [True, True]
    assert consultation.events.filter(kind=Kind.PATIENT, note="").count() == 2


def test_an_ask_made_while_staff_are_being_told_is_told_too(doctor, mailoutbox):
    consultation = with_held_pick(doctor)
    services.ask_for_another_time(consultation)  # its job not run yet
    as_the_job_read_it = ConsultationRequest.objects.get(pk=consultation.pk)
    services.ask_for_another_time(consultation, NOTE)  # meanwhile, the patient again
    services.send_outstanding(as_the_job_read_it)
    assert len(mailoutbox) == 1
    consultation.refresh_from_db()
    assert consultation.staff_told_of_change_at is None  # the second ask is still untold
    services.send_all_due_emails()
    services.send_all_due_emails()
    assert len(mailoutbox) == 2
    consultation.refresh_from_db()
    assert consultation.staff_told_of_change_at > consultation.patient_change_at


def test_staff_are_told_once_the_mail_server_is_back(
    client, doctor, settings, mail_down, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = with_held_pick(doctor)
    post(client, consultation, django_capture_on_commit_callbacks, action="cancel")
    consultation.refresh_from_db()
    assert consultation.staff_told_of_change_at is None
    assert "ConnectionRefusedError" in consultation.notification_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    minutes_pass(1)
    tasks.send_emails_due.call_local()
    minutes_pass(60)
    tasks.send_emails_due.call_local()
    [told] = mailoutbox
    assert told.subject.endswith(": the patient cancelled")
    consultation.refresh_from_db()
    assert consultation.staff_told_of_change_at is not None


# The emails that carry the link


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_acknowledgment_carries_the_link_in_the_patients_language_and_it_works(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks, language
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "language": language})
    stored = ConsultationRequest.objects.get()
    _clinic, acknowledgment = mailoutbox
    [path] = LINK.findall(acknowledgment.body)
    assert path == page_path(stored, language)
    if language == "en":
        assert "Keep this link to yourself: whoever has it can change your request." in (
            acknowledgment.body
        )
    assert path.startswith("/th/" if language == "th" else "/consultation/")
    assert stored.manage_key.hex in path
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert stored.reference in page
    assert path not in _clinic.body  # staff have admin; the link is the patient's


def test_the_acknowledgment_of_a_picked_time_says_it_awaits_confirmation(
    doctor, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = with_held_pick(doctor, patient_notified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_notifications(consultation)
    [acknowledgment] = mailoutbox
    when = services._consultation_time(consultation.scheduled_at, "en")
    assert f"The time you chose: {when} (Asia/Bangkok time)." in acknowledgment.body
    assert "This time is requested and waits for our confirmation" in acknowledgment.body
    assert page_path(consultation) in acknowledgment.body


def test_confirmation_and_reminders_carry_the_video_link_and_the_page(
    doctor, staff, mailoutbox, django_capture_on_commit_callbacks
):
    link = "https://meet.example/genoma-7k3q?pwd=a,b;c"
    consultation = booked(
        doctor, staff, django_capture_on_commit_callbacks, mode="video", video_link=link
    )
    [confirmation] = mailoutbox
    for text in (
        "With: Dr Somchai Jaidee",
        "Where: By video call",
        f"Video call link: {link}",
        SITE + page_path(consultation),
    ):
        assert text in confirmation.body
    fields, _mimetype = ics_fields(confirmation)
    assert fields["LOCATION"] == link.replace(",", "\\,").replace(";", "\\;")
    assert fields["URL"] == link
    assert fields["DTEND"] == f"{timezone.localtime(consultation.scheduled_at):%Y%m%d}T103000"

    # The day before: the reminder says the same.
    consultation.scheduled_at = timezone.now() + timedelta(hours=20)
    consultation.confirmation_sent_at = timezone.now() - timedelta(days=2)
    consultation.save()
    tasks.send_reminders.call_local()
    reminder = mailoutbox[-1]
    assert reminder.subject == "Genoma Health: reminder of your consultation"
    assert f"Video call link: {link}" in reminder.body
    assert "With: Dr Somchai Jaidee" in reminder.body
    assert SITE + page_path(consultation) in reminder.body


def test_a_video_consultation_without_its_link_yet_says_it_will_follow(
    doctor, staff, mailoutbox, django_capture_on_commit_callbacks
):
    booked(doctor, staff, django_capture_on_commit_callbacks, mode="video")
    [confirmation] = mailoutbox
    assert "We will send you the video call link before the consultation." in confirmation.body
    assert "Video call link:" not in confirmation.body
    fields, _mimetype = ics_fields(confirmation)
    assert fields["LOCATION"] == "Video call (we send you the link)"
    assert "URL" not in fields


def test_the_calendar_event_lasts_as_long_as_its_type_and_moves_as_one_event(
    doctor, staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = booked(doctor, staff, django_capture_on_commit_callbacks)  # 45 minutes
    with django_capture_on_commit_callbacks(execute=True):
        book(
            consultation,
            consultation_type(doctor),
            next_weekday_at(14),
            actor=staff,
        )
    first, second = (ics_fields(email)[0] for email in mailoutbox)
    day = f"{timezone.localtime(next_weekday_at(10)):%Y%m%d}"
    assert (first["DTSTART"], first["DTEND"]) == (f"{day}T100000", f"{day}T104500")
    assert (second["DTSTART"], second["DTEND"]) == (f"{day}T140000", f"{day}T144500")
    assert first["LOCATION"] == second["LOCATION"] == "Genoma Health"
    assert "URL" not in first
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert "DTEND;TZID=Asia/Bangkok:" in ics_text(mailoutbox[1])


# Valid HTML


def test_the_pages_are_valid_html(
    client, doctor, staff, tmp_path, django_capture_on_commit_callbacks
):
    require_java()
    scheduled = booked(
        doctor,
        staff,
        django_capture_on_commit_callbacks,
        mode="video",
        video_link="https://m.example/a",
    )
    pick = with_held_pick(doctor, scheduled_at=next_weekday_at(15))
    closed = make_request(status=Status.CANCELLED)
    files = []
    for language in ("en", "th"):
        responses = {
            "scheduled": client.get(page_path(scheduled, language)),
            "confirm-cancel": client.get(page_path(scheduled, language), {"step": "cancel"}),
            "pick": client.get(page_path(pick, language)),
            "closed": client.get(page_path(closed, language)),
            "note-error": client.post(
                page_path(pick, language), {"action": "another_time", "note": "x" * 301}
            ),
            "not-valid": client.get(f"{'/th' if language == 'th' else ''}/consultation/manage/x/"),
        }
        for name, response in responses.items():
            assert response.status_code in (200, 404), name
            path = tmp_path / f"{language}-{name}.html"
            path.write_bytes(response.content)
            files.append(path)
    assert_valid_html(files)


def test_what_cannot_be_seen_is_dropped_from_the_note(client, doctor):
    consultation = with_held_pick(doctor)
    client.post(
        page_path(consultation),
        {"action": "another_time", "note": "Mornings\u202e please\u200b\x00"},
    )
    consultation.refresh_from_db()
    assert consultation.patient_change_note == "Mornings please"
