"""load_clinic_content: the three posts as structured rows, complete and idempotent."""

import io
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import (
    Article,
    ArticleSection,
    Condition,
    ConditionTreatment,
    RiskFactor,
    Symptom,
    Treatment,
    TreatmentPoint,
    TScoreBand,
    Version,
)
from tests.articles.factories import publish, save_version

pytestmark = pytest.mark.django_db

POSTS = Path(__file__).parent / "source_posts"
ARTICLE_OF_POST = {
    "osteoporosis-and-stem-cell-therapy.txt": "osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health",
    "understanding-osteopenia.txt": "understanding-osteopenia-and-how-stem-cell-therapy-may-offer-new-hope",
    "uc-msc-therapy-thailand.txt": "breakthroughs-in-osteoporosis-treatment-uc-msc-therapy-emerging-in-thailand",
}
MODELS = [
    Condition,
    RiskFactor,
    Symptom,
    TScoreBand,
    Treatment,
    ConditionTreatment,
    TreatmentPoint,
    Article,
    ArticleSection,
    Version,
]


def load(*args):
    out = io.StringIO()
    call_command("load_clinic_content", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model.__name__: sorted(
            (obj.pk, tuple(str(getattr(obj, f.attname)) for f in model._meta.concrete_fields))
            for obj in model.objects.all()
        )
        for model in MODELS
    }


class TextOf(HTMLParser):
    """The visible text of a page (no scripts), whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in {"script", "style", "head"}

    def handle_endtag(self, tag):
        self.skip -= tag in {"script", "style", "head"}

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", unescape("".join(parser.parts)))


def source_sentences(text):
    """Every sentence of a post, list markers stripped; the title block and blog residue left out."""
    body = text.split("\n\n", 1)[1]
    sentences = []
    for line in body.splitlines():
        line = re.sub(r"^\s*(?:[-•]|\d+\.)\s*", "", line).strip()
        if not line or line == "Leave a Reply":
            continue
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
    return sentences


def test_loads_the_three_posts_as_structured_rows(clinic_content):
    assert set(Condition.objects.values_list("slug", flat=True)) == {"osteoporosis", "osteopenia"}
    assert RiskFactor.objects.filter(condition__slug="osteoporosis").count() == 5
    assert RiskFactor.objects.filter(condition__slug="osteopenia").count() == 5
    assert Symptom.objects.filter(condition__slug="osteoporosis").count() == 4
    assert Symptom.objects.filter(condition__slug="osteopenia").count() == 3
    live = Version.objects.live()
    assert live.of(Article).count() == 3
    assert live.of(Condition).count() == 2
    assert live.of(Treatment).count() == Treatment.objects.count()
    assert set(Article.objects.values_list("slug", flat=True)) == set(ARTICLE_OF_POST.values())
    msc = Treatment.objects.get(slug="msc-therapy")
    assert [p.name for p in msc.points.filter(kind="steps")] == [
        "Stem Cell Harvesting",
        "Culturing and Preparation",
        "Injection into Target Area",
        "Bone Regeneration",
    ]
    uc_msc = Treatment.objects.get(slug="uc-msc-therapy")
    assert uc_msc.points.filter(kind="benefits").count() == 5
    assert uc_msc.points.filter(kind="outcomes").count() == 5
    assert uc_msc.points.filter(kind="mechanisms").count() == 4


def test_stem_cell_therapies_are_experimental_and_the_seeds_await_medical_review(clinic_content):
    experimental = set(
        Treatment.objects.filter(evidence_status="experimental").values_list("slug", flat=True)
    )
    assert experimental == {"msc-therapy", "uc-msc-therapy"}
    published = Version.objects.live()
    assert published.count() == Article.objects.count() + 2 + Treatment.objects.count()
    assert not published.filter(approved_by__isnull=False).exists()
    assert set(published.values_list("state", flat=True)) == {Version.State.PUBLISHED}


def test_t_score_bands_follow_the_osteopenia_post(clinic_content):
    bands = {band.name: band for band in TScoreBand.objects.all()}
    assert bands["Osteopenia"].condition.slug == "osteopenia"
    assert bands["Osteoporosis"].condition.slug == "osteoporosis"
    assert str(bands["Osteopenia"].lower_bound) == "-2.50"
    assert str(bands["Osteopenia"].upper_bound) == "-1.00"


def test_a_second_run_changes_nothing(clinic_content):
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "created" not in output
    assert "updated" not in output
    assert "unchanged" in output


def test_staff_edits_survive_a_reload_and_reset_overwrites_them(clinic_content):
    age = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    age.description = "Edited by the clinic's editor."
    age.save()
    article = Article.objects.get(slug=ARTICLE_OF_POST["understanding-osteopenia.txt"])
    article.title = "A new title from staff"
    article.save()

    output = load()
    assert "2 kept (edited by staff)" in output
    age.refresh_from_db()
    article.refresh_from_db()
    assert age.description == "Edited by the clinic's editor."
    assert article.title == "A new title from staff"

    load("--reset")
    age.refresh_from_db()
    article.refresh_from_db()
    assert age.description.startswith("The risk of osteoporosis rises with age")
    assert article.title == "Understanding Osteopenia and How Stem Cell Therapy May Offer New Hope"


def test_a_deleted_row_comes_back_on_reload(clinic_content):
    RiskFactor.objects.filter(name="Genetics").delete()
    load()
    assert RiskFactor.objects.filter(name="Genetics").exists()


@pytest.mark.parametrize("post", sorted(ARTICLE_OF_POST))
def test_every_sentence_of_each_post_is_on_its_own_page(client, clinic_content, post):
    page = client.get(f"/articles/{ARTICLE_OF_POST[post]}/")
    assert page.status_code == 200
    assert "Awaiting medical review" in page.content.decode()
    text = TextOf.of(page.content.decode())
    sentences = source_sentences((POSTS / post).read_text(encoding="utf-8"))
    assert len(sentences) > 40
    missing = [sentence for sentence in sentences if sentence not in text]
    assert missing == []
    assert "Leave a Reply" not in text


def test_the_call_to_schedule_a_consultation_links_to_the_form_with_the_condition(
    client, clinic_content
):
    page = client.get(f"/articles/{ARTICLE_OF_POST['osteoporosis-and-stem-cell-therapy.txt']}/")
    assert 'href="/consultation/?condition=osteoporosis"' in page.content.decode()


def test_editing_a_risk_factor_once_changes_the_article_and_the_condition_page_once_published(
    client, clinic_content, django_capture_on_commit_callbacks
):
    factor = RiskFactor.objects.get(condition__slug="osteoporosis", name="Family History")
    factor.description = "A shared statement edited once."
    factor.save()
    save_version(factor.condition)
    urls = [
        f"/articles/{ARTICLE_OF_POST['osteoporosis-and-stem-cell-therapy.txt']}/",
        "/conditions/osteoporosis/",
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert "Family History" in page
        assert "A shared statement edited once." not in page
    with django_capture_on_commit_callbacks(execute=True):  # publishing retires cached pages
        publish(factor.condition)
    for url in urls:
        assert "A shared statement edited once." in client.get(url).content.decode()
