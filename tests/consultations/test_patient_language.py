"""The patient's language: the Thai form (/th/consultation/) and its errors."""

import re

import pytest

from consultations.models import ConsultationRequest

pytestmark = pytest.mark.django_db
ARTICLE = "breakthroughs-in-osteoporosis-treatment-uc-msc-therapy-emerging-in-thailand"


def checked_language(page):
    return re.findall(r'<input type="radio" name="language" value="(\w+)"[^>]*\schecked>', page)


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
    page = client.get(url, {"condition": "osteopenia"}).content.decode()
    assert '<option value="osteopenia" selected>' in page
    page = client.get(url, {"article": ARTICLE}).content.decode()
    assert '<option value="osteoporosis" selected>' in page
    assert f'name="source_article" value="{ARTICLE}"' in page
    assert f'name="source_page" value="{prefix}/articles/{ARTICLE}/"' in page
    assert f'href="{prefix}/privacy/"' in page  # the consent box's link


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
