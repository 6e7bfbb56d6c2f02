"""The review line of an article, condition or treatment page: the reviewing clinician's
small card beside "Medically reviewed by"."""

import re

import pytest

from articles import publishing
from articles.models import Article, Condition, Treatment
from team.models import Clinician
from tests.articles.factories import make_staff, save_version
from tests.html_checker import assert_valid_html, require_java
from tests.team.factories import make_clinician, with_photo

pytestmark = pytest.mark.django_db

OSTEOPOROSIS_POST = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
PAGES = {  # a page of each kind, and how to change its record for a new version
    "article": (OSTEOPOROSIS_POST, Article, {"slug__startswith": "osteoporosis-and"}),
    "condition": ("/conditions/osteopenia/?t_score=-1.8", Condition, {"slug": "osteopenia"}),
    "treatment": ("/treatments/msc-therapy/", Treatment, {"slug": "msc-therapy"}),
}


def reviewer(photo=True, **fields):
    """A clinician linked to a Medical reviewer's account, with a photo unless told not."""
    fields = {
        "user": make_staff(fields.get("slug", "somchai-jaidee"), "Medical reviewers"),
        **fields,
    }
    return with_photo(**fields) if photo else make_clinician(**fields)


def approve_as(clinician, kind):
    """A new version of the seed record of `kind`, approved by `clinician` and published."""
    _url, model, lookup = PAGES[kind]
    record = model.objects.get(**lookup)
    # A change: the seed version is published already.
    setattr(record, "standfirst" if model is Article else "summary", "Reviewed.")
    record.save()
    version = save_version(record)
    publishing.submit(version, clinician.user)
    publishing.approve(version, clinician.user)
    publishing.publish(version, clinician.user)


def review_card(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    cards = re.findall(r'<div class="review-line review-card">(.*?)\n</div>', page, re.S)
    assert len(cards) == 1, url
    return cards[0]


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_review_line_is_the_reviewing_clinicians_card(client, clinic_content, kind):
    clinician = reviewer()
    approve_as(clinician, kind)
    card = review_card(client, PAGES[kind][0])
    assert re.search(
        rf'<img class="clinician-photo" src="/media/{clinician.photo.name}" width="400" '
        r'height="500" alt="Dr Somchai smiling in a white coat" loading="eager">',
        card,
    )
    assert (
        'Medically reviewed by <a href="/team/somchai-jaidee/">Dr Somchai Jaidee, MD, FRCOST</a>'
        in card
    )
    assert "Next review due <time" in card
    assert '<p class="review-title">Orthopaedic surgeon</p>' in card


def test_the_photos_size_comes_from_the_database_never_from_storage(client, clinic_content):
    clinician = reviewer()
    approve_as(clinician, "condition")
    Clinician._meta.get_field("photo").storage.delete(clinician.photo.name)
    assert 'width="400" height="500"' in review_card(client, "/conditions/osteopenia/")


def test_a_reviewer_without_a_photo_gets_a_quiet_tick_instead(client, clinic_content):
    approve_as(reviewer(photo=False), "treatment")
    card = review_card(client, "/treatments/msc-therapy/")
    assert "<img" not in card
    assert re.search(r'<svg class="review-icon"[^>]* aria-hidden="true"', card)
    assert 'href="/team/somchai-jaidee/"' in card


def test_a_reviewer_not_shown_publicly_is_named_without_photo_or_link(client, clinic_content):
    approve_as(reviewer(is_public=False), "article")
    card = review_card(client, OSTEOPOROSIS_POST)
    assert "Medically reviewed by Dr Somchai Jaidee, MD, FRCOST on" in card
    assert '<p class="review-title">Orthopaedic surgeon</p>' in card
    assert "<img" not in card
    assert "/team/" not in card


def test_the_card_speaks_thai_on_a_thai_page(client, clinic_content):
    approve_as(reviewer(title_th="ศัลยแพทย์ออร์โธปิดิกส์"), "condition")
    card = review_card(client, "/th/conditions/osteopenia/")
    assert '<p class="review-title">ศัลยแพทย์ออร์โธปิดิกส์</p>' in card
    assert 'href="/th/team/somchai-jaidee/"' in card
    assert "Medically reviewed" not in card


def test_reviewed_pages_with_their_cards_are_valid_html(client, clinic_content, tmp_path):
    require_java()
    with_a_photo = reviewer()
    approve_as(with_a_photo, "article")
    approve_as(with_a_photo, "condition")
    approve_as(reviewer(photo=False, name="Dr Anong Wattana", slug="anong-wattana"), "treatment")
    files = []
    for kind, (url, _model, _lookup) in PAGES.items():
        for prefix in ("", "/th"):
            review_card(client, prefix + url)  # the card is there
            path = tmp_path / f"{kind}{prefix.replace('/', '-')}.html"
            path.write_bytes(client.get(prefix + url).content)
            files.append(path)
    assert_valid_html(files)
