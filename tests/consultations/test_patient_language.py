"""The patient's language: the Thai form (/th/consultation/) and its errors, and every
email and calendar file the patient gets, in the language the patient chose."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import calendar, services
from consultations.models import ConsultationRequest
from tests.consultations.factories import make_request
from tests.consultations.test_admin import ics_fields, in_bangkok, review

pytestmark = pytest.mark.django_db
Status = ConsultationRequest.Status
THAI = re.compile("[\u0e00-\u0e7f]")
# As Thai readers write them (written out here, not taken from the code under test).
THAI_MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
THAI_WEEKDAYS = ["จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์"]
ARTICLE = "breakthroughs-in-osteoporosis-treatment-uc-msc-therapy-emerging-in-thailand"


def thai_time(day, clock):
    """The consultation's time as the Thai emails write it, with the Buddhist-era year."""
    weekday = THAI_WEEKDAYS[day.weekday()]
    return f"วัน{weekday}ที่ {day.day} {THAI_MONTHS[day.month - 1]} {day.year + 543}, {clock}"


def english_time(day, clock):
    return f"{day:%A} {day.day} {day:%B %Y}, {clock}"


def checked_language(page):
    return re.findall(r'<input type="radio" name="language" value="(\w+)"[^>]*\schecked>', page)


def send(client, url, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data)


def calendar_text(email):
    """The calendar file unfolded, as a calendar program reads it."""
    [(_filename, ics, _mimetype)] = email.attachments
    return ics.replace("\r\n ", "")


# The form


@pytest.mark.parametrize(
    ("url", "language"), [("/th/consultation/", "th"), ("/consultation/", "en")]
)
def test_the_form_proposes_the_pages_language(client, clinic_content, url, language):
    page = client.get(url).content.decode()
    assert checked_language(page) == [language]
    assert 'name="language" value="en"' in page  # the other one can still be chosen
    assert 'name="language" value="th"' in page


@pytest.mark.parametrize("prefix", ["/th", ""])
def test_the_prefill_works_at_both_addresses(client, clinic_content, prefix):
    url = f"{prefix}/consultation/"
    # On the Thai page the condition has no Thai translation: its English name is so marked.
    marked = ' lang="en"' if prefix else ""
    page = client.get(url, {"condition": "osteopenia"}).content.decode()
    assert f'<option value="osteopenia" selected{marked}>Osteopenia</option>' in page
    page = client.get(url, {"article": ARTICLE}).content.decode()
    assert f'<option value="osteoporosis" selected{marked}>Osteoporosis</option>' in page
    assert f'name="source_article" value="{ARTICLE}"' in page
    assert f'name="source_page" value="{prefix}/articles/{ARTICLE}/"' in page
    assert f'href="{prefix}/privacy/"' in page  # the consent box's link


def test_a_request_from_the_thai_form_is_thai_from_end_to_end(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(client, "/th/consultation/", valid_post, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/th/consultation/thanks/"
    stored = ConsultationRequest.objects.get()
    assert stored.language == "th"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert stored.reference in thanks.content.decode()

    clinic, patient = mailoutbox
    assert patient.to == ["somchai@example.com"]
    assert patient.subject == "Genoma Health: เราได้รับคำขอรับคำปรึกษาของคุณแล้ว"
    assert f"หมายเลขอ้างอิงของคุณ: {stored.reference}" in patient.body
    assert "ทีมงานของเราจะติดต่อคุณทาง WhatsApp ภายในสองวันทำการ" in patient.body
    assert "วิธีที่เราใช้ข้อมูลของคุณ: http://127.0.0.1:8000/th/privacy/" in patient.body
    assert "http://127.0.0.1:8000/th/\n" in patient.body
    for english in ("Hello", "reference", "What happens", "How we use", "contact you"):
        assert english not in patient.body

    # The clinic reads English, whatever the patient's language.
    assert clinic.subject == f"New consultation request {stored.reference}"
    assert "A new consultation request has arrived." in clinic.body
    assert "/admin/consultations/consultationrequest/" in clinic.body
    assert not THAI.search(clinic.subject + clinic.body)


@pytest.mark.parametrize(
    ("url", "chosen", "subject", "privacy"),
    [
        ("/th/consultation/", "en", "Genoma Health: we received your consultation request",
         "How we use your information: http://127.0.0.1:8000/privacy/"),
        ("/consultation/", "th", "Genoma Health: เราได้รับคำขอรับคำปรึกษาของคุณแล้ว",
         "วิธีที่เราใช้ข้อมูลของคุณ: http://127.0.0.1:8000/th/privacy/"),
    ],
)  # fmt: skip
def test_the_emails_follow_the_language_chosen_not_the_page(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks, url, chosen, subject,
    privacy,
):  # fmt: skip
    data = {**valid_post, "language": chosen}
    response = send(client, url, data, django_capture_on_commit_callbacks)
    assert response["Location"] == url + "thanks/"  # the page's language, though
    assert ConsultationRequest.objects.get().language == chosen
    clinic, patient = mailoutbox
    assert patient.subject == subject
    assert privacy in patient.body
    assert clinic.subject.startswith("New consultation request")


@pytest.mark.parametrize(
    ("field", "value", "thai", "english"),
    [
        ("full_name", "", "ฟิลด์นี้จำเป็น", "This field is required."),
        ("full_name", "12345", "โปรดกรอกชื่อของคุณ", "Please enter your name."),
        ("full_name", "Som\x00chai", "ไม่อนุญาตให้มีอักขระ null", "Null characters"),
        ("full_name", "Som\u202echai", "โปรดลบอักขระที่มองไม่เห็น", "Please remove invisible"),
        ("email", "not-an-email", "ป้อนที่อยู่อีเมลที่ถูกต้อง", "Enter a valid email"),
        ("phone", "12", "โปรดกรอกหมายเลขโทรศัพท์ที่ถูกต้อง", "Enter a valid phone number"),
        ("phone", "+66812345678 ext. 1234567890123456789", "หมายเลขโทรศัพท์และหมายเลขต่อยาวเกินไป",
         "This phone number and its extension are too long"),
        ("country", "XX", "เลือกตัวเลือกที่ถูกต้อง", "Select a valid choice"),
        ("preferred_date", "2020-01-01", "โปรดเลือกวันนี้หรือวันหลังจากนี้", "Choose today"),
        ("preferred_date", "2999-01-01", "โปรดเลือกวันที่ภายในหกเดือนข้างหน้า",
         "Choose a date within the next six months."),
        ("message", "x" * 2001, "โปรดกรอกไม่เกิน 2000 ตัวอักษร (ขณะนี้มี 2001 ตัวอักษร)",
         "at most 2000 characters"),
        ("consent", "", "โปรดให้ความยินยอมในการประมวลผลข้อมูลของคุณ", "Please agree"),
    ],
)  # fmt: skip
def test_errors_on_the_thai_form_are_thai_and_english_on_the_english_one(
    client, valid_post, field, value, thai, english
):
    data = {**valid_post, field: value}
    thai_page = client.post("/th/consultation/", data).content.decode()
    assert thai in thai_page
    assert english not in thai_page
    assert f'id="id_{field}_error"' in thai_page
    english_page = client.post("/consultation/", data).content.decode()
    assert english in english_page
    assert thai not in english_page
    assert ConsultationRequest.objects.count() == 0


# Scheduling, from admin


def test_a_thai_patient_gets_the_schedule_confirmation_in_thai_with_a_buddhist_era_date(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    """The staff member's admin is in English; the patient's email and calendar are Thai."""
    consultation = make_request(status=Status.CONTACTED, language="th")
    day = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.SCHEDULED,
               scheduled_at_0=day.isoformat(), scheduled_at_1="14:30")  # fmt: skip
    [email] = mailoutbox
    assert email.subject == "Genoma Health: นัดหมายการปรึกษาของคุณได้รับการยืนยันแล้ว"
    assert f"วันเวลา: {thai_time(day, '14:30')} (เวลา Asia/Bangkok)" in email.body
    assert f"หมายเลขอ้างอิง: {consultation.reference}" in email.body
    assert "http://127.0.0.1:8000/th/privacy/" in email.body
    assert str(day.year) not in email.body  # the Gregorian year appears nowhere
    for english in ("Hello", "When", "scheduled", "calendar"):
        assert english not in email.body

    text = calendar_text(email)
    assert "SUMMARY;LANGUAGE=th:นัดหมายปรึกษาที่ Genoma Health\r\n" in text
    assert (
        f"DESCRIPTION;LANGUAGE=th:นัดหมายปรึกษาของคุณกับ Genoma Health "
        f"หมายเลขอ้างอิง {consultation.reference}\r\n"
    ) in text
    fields, _mimetype = ics_fields(email)
    assert fields["DTSTART"] == f"{day:%Y%m%d}T143000"  # times as for everyone
    assert f"DTSTART;TZID=Asia/Bangkok:{day:%Y%m%d}T143000" in text


def test_an_english_patient_scheduled_by_staff_whose_admin_is_thai_gets_english(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.CONTACTED, language="en")
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "th"
    assert '<html lang="th"' in admin_client.get(reverse("admin:index")).content.decode()
    day = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(admin_client, consultation, status=Status.SCHEDULED,
                          scheduled_at_0=day.isoformat(), scheduled_at_1="09:05")  # fmt: skip
    assert response.status_code == 302
    [email] = mailoutbox
    assert email.subject == "Genoma Health: your consultation is scheduled"
    assert f"When: {english_time(day, '09:05')} (Asia/Bangkok time)" in email.body
    assert "How we use your information: http://127.0.0.1:8000/privacy/" in email.body
    assert not THAI.search(email.body)
    text = calendar_text(email)
    assert "SUMMARY;LANGUAGE=en:Consultation at Genoma Health\r\n" in text
    assert f"Your consultation with Genoma Health. Reference {consultation.reference}." in text
    assert not THAI.search(text)


def test_a_thai_patient_is_told_of_a_cancellation_in_thai_with_the_cancelled_time(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + timedelta(days=3)
    consultation = make_request(
        status=Status.SCHEDULED,
        scheduled_at=in_bangkok(day, 10, 0),
        confirmation_sent_at=timezone.now(),
        language="th",
    )
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.DECLINED)
    [email] = mailoutbox
    assert (
        f"การนัดหมายปรึกษากับ Genoma Health {thai_time(day, '10:00')} (เวลา Asia/Bangkok) ถูกยกเลิกแล้ว"
    ) in email.body
    assert "http://127.0.0.1:8000/th/privacy/" in email.body
    text = calendar_text(email)
    assert "METHOD:CANCEL\r\n" in text
    assert "SUMMARY;LANGUAGE=th:นัดหมายปรึกษาที่ Genoma Health\r\n" in text


def test_a_resent_confirmation_is_in_the_patients_language_too(
    mailoutbox, django_capture_on_commit_callbacks
):
    """The admin's resend action goes through the same service."""
    consultation = make_request(
        status=Status.SCHEDULED,
        language="th",
        clinic_notified_at=timezone.now(),
        patient_notified_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_notifications(consultation)
    [email] = mailoutbox
    assert email.subject == "Genoma Health: นัดหมายการปรึกษาของคุณได้รับการยืนยันแล้ว"
    day = timezone.localtime(consultation.scheduled_at)
    assert thai_time(day.date(), f"{day:%H:%M}") in email.body


# The calendar file's Thai text


def test_a_folded_thai_line_keeps_each_letter_with_its_vowel_and_tone_marks():
    line = "DESCRIPTION;LANGUAGE=th:" + "นัดหมายปรึกษาของคุณกับ Genoma Health " * 4
    parts = calendar._fold(line).split("\r\n")
    assert len(parts) > 2
    for part in parts:
        assert len(part.encode()) <= 75
    for part in parts[1:]:
        # A continuation starts with its space and then a letter, never with a mark.
        assert part[0] == " "
        assert part[1] not in "ัิีึืุู่้๊๋็์ํ"
    assert "".join(part.removeprefix(" ") for part in parts) == line
