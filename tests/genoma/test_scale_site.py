"""The synthetic site of `make bench-scale` is what the site itself would have written:
published, approved versions in English and Thai, requests with their audit trails."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Condition, Version
from articles.publishing import record_version
from consultations.models import ConsultationEvent, ConsultationRequest
from scripts.prodlike import ROOT
from tests.articles.factories import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale_site(clinic_content, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    call_command(
        "generate_scale_site",
        articles=60,
        conditions=4,
        treatments=3,
        requests=120,
        stdout=io.StringIO(),
    )


def test_its_articles_are_published_in_english_and_thai_as_a_clinician_approved_them(
    client, scale_site
):
    article = Article.objects.get(slug="bench-article-0007")
    english = text_of(client.get(article.get_absolute_url()))
    assert article.title in english
    assert "Medically reviewed by Dr Bench Reviewer" in english
    thai = client.get(f"/th{article.get_absolute_url()}").content.decode()
    assert article.title_th in thai
    assert article.sections.get(order=1).heading_th in thai
    # Each version is the one a save in admin records: saving again records nothing new.
    # (The clinic's own osteopenia, which lists the synthetic articles too, is not written here.)
    conditions = article.conditions.exclude(slug="osteopenia")
    for record in (article, *conditions, *article.treatments.all()):
        for language in ("en", "th"):
            version = Version.objects.of_record(record, language).get()
            assert version.is_live
            assert version.approved_by.name == "Dr Bench Reviewer"
            assert record_version(record, language=language) == version


def test_its_lists_and_its_conditions_show_every_article(client, scale_site):
    assert "<span>Page 1 of 7</span>" in client.get("/articles/").content.decode()
    assert client.get("/articles/", {"page": 7}).status_code == 200
    condition = Condition.objects.get(slug="bench-condition-001")
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "<span>Page 1 of 2</span>" in page  # 15 of its own articles
    # A site this small fills the clinic's own condition's first page: every article is on it.
    osteopenia = client.get("/conditions/osteopenia/").content.decode()
    assert "<span>Page 1 of 7</span>" in osteopenia
    assert osteopenia.count('<li class="card"') == 10
    last = client.get("/conditions/osteopenia/", {"page": 7}).content.decode()
    assert "bench-article-0059" in last


def test_its_requests_have_the_audit_trail_the_app_writes(admin_client, scale_site):
    assert ConsultationRequest.objects.count() == 120
    for request in ConsultationRequest.objects.all():
        trail = list(request.events.values_list("kind", "to_value"))
        assert trail[0] == (
            ConsultationEvent.Kind.SUBMITTED,
            "spam" if request.spam_reason else "new",
        )
        statuses = [value for kind, value in trail if kind == ConsultationEvent.Kind.STATUS]
        assert (statuses or [trail[0][1]])[-1] == request.status
        request.full_clean()
    closed = ConsultationRequest.objects.closed().first()
    page = admin_client.get(closed.admin_change_url())
    assert page.status_code == 200
    assert "bench-staff" in text_of(page)
    changelist = admin_client.get(reverse("admin:consultations_consultationrequest_changelist"))
    assert changelist.context["cl"].result_count == 120


def test_it_never_writes_into_a_database_with_content_of_its_own(scale_site):
    with pytest.raises(CommandError, match="written only into a new one"):
        call_command("generate_scale_site", articles=1, requests=1, stdout=io.StringIO())


def test_a_page_of_each_shows_as_many_rows_as_the_large_site(
    client, clinic_content, settings, monkeypatch
):
    """make bench-scale compares the large site with this one at equal page contents (and
    fails a comparison whose pages show different numbers of rows, as it counts them)."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    from bench_scale import A_PAGE_OF_EACH, PAGES, rows_shown

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    call_command("generate_scale_site", **A_PAGE_OF_EACH, stdout=io.StringIO())

    def rows(name):
        return rows_shown(client.get(PAGES[name]).content.decode())

    assert rows("article list") == rows("article list, Thai") == 10
    assert rows("article list, last page") == 3  # as on the large site: 2,003 articles
    assert rows("condition") == 10
    assert rows("feed") == 20
    feed = client.get(PAGES["feed"]).content.decode()
    assert feed.count("<entry>") == 20
    list_page = client.get(PAGES["article list"]).content.decode()
    assert list_page.count('<li class="card"') == 10
