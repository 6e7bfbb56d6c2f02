"""The content model: publishing rules and the invariants the database guards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from articles import publishing
from articles.models import (
    Article,
    ArticleSection,
    ConditionPoint,
    RiskFactor,
    Symptom,
    TreatmentPoint,
    TScoreBand,
    Version,
)
from tests.articles.factories import (
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    save_version,
)

pytestmark = pytest.mark.django_db


def test_live_versions_exclude_drafts_scheduled_and_withdrawn_articles(admin_user):
    public = publish(make_article(slug="public"))
    save_version(make_article(slug="draft"))
    make_article(slug="never-saved")
    publish(make_article(slug="scheduled", publish_at=timezone.now() + timedelta(hours=1)))
    withdrawn = publish(make_article(slug="withdrawn"))
    publishing.unpublish(withdrawn, admin_user)
    live = Version.objects.of(Article).live()
    assert [(version.object_id, version.slug) for version in live] == [(public.pk, "public")]


def test_a_record_has_one_live_version_the_latest_published():
    article = publish(make_article(slug="a", title="First words"))
    article.title = "Second words"
    article.save()
    save_version(article)
    assert [v.title for v in Version.objects.of_record(article).live()] == ["First words"]
    publish(article)
    assert [v.title for v in Version.objects.of_record(article).live()] == ["Second words"]
    assert Version.objects.of_record(article).count() == 2


def test_slugs_are_unique():
    make_article(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(slug="same")


def test_order_is_unique_within_a_parent_and_blank_order_goes_last():
    condition = make_condition()
    first = RiskFactor.objects.create(condition=condition, name="Age")
    second = RiskFactor.objects.create(condition=condition, name="Genetics")
    assert (first.order, second.order) == (1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactor.objects.create(condition=condition, name="Diet", order=1)
    other = make_condition(name="Osteoporosis", slug="osteoporosis")
    assert RiskFactor.objects.create(condition=other, name="Age", order=1).order == 1


def test_risk_factor_names_are_unique_per_condition():
    condition = make_condition()
    RiskFactor.objects.create(condition=condition, name="Age")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactor.objects.create(condition=condition, name="Age")


def test_symptoms_and_risk_factors_share_one_table_each_kind_with_its_own_names_and_order():
    condition = make_condition()
    factor = RiskFactor.objects.create(condition=condition, name="Age")
    symptom = Symptom.objects.create(condition=condition, name="Age")
    assert (factor.kind, symptom.kind) == ("risk_factors", "symptoms")
    assert (factor.order, symptom.order) == (1, 1)
    assert list(RiskFactor.objects.all()) == [factor]
    assert list(Symptom.objects.all()) == [symptom]
    assert set(condition.points.all()) == {factor, symptom}
    later = ConditionPoint.objects.create(condition=condition, kind="symptoms", name="Pain")
    assert later.order == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        ConditionPoint.objects.create(condition=condition, kind="symptoms", name="Age")


def test_a_duplicate_symptom_is_explained_before_the_database_refuses_it():
    condition = make_condition()
    Symptom.objects.create(condition=condition, name="Age")
    with pytest.raises(ValidationError, match="already exists"):
        Symptom(condition=condition, name="Age", order=5).full_clean()
    RiskFactor(condition=condition, name="Age", order=5).full_clean()


def test_section_kinds_are_text_and_the_kinds_of_the_rows_a_block_shows():
    assert ArticleSection.Kind.values == [
        "text",
        "risk_factors",
        "symptoms",
        "condition_treatments",
        "steps",
        "benefits",
        "mechanisms",
        "considerations",
        "outcomes",
    ]
    condition_blocks, treatment_blocks = (
        ArticleSection.CONDITION_KINDS,
        ArticleSection.TREATMENT_KINDS,
    )
    assert condition_blocks == (*ConditionPoint.Kind.values, "condition_treatments")
    assert treatment_blocks == tuple(TreatmentPoint.Kind.values)


def make_band(**fields):
    return TScoreBand.objects.create(condition=make_condition(), explanation="x", **fields)


def test_band_lower_bound_must_be_below_upper_bound_in_the_database():
    with pytest.raises(IntegrityError, match="tscoreband_lower_below_upper"), transaction.atomic():
        make_band(name="Wrong", lower_bound=Decimal("-1"), upper_bound=Decimal("-2.5"), order=1)


def test_band_clean_explains_a_reversed_range():
    band = TScoreBand(
        name="Wrong",
        condition=make_condition(),
        explanation="x",
        lower_bound=Decimal("-1"),
        upper_bound=Decimal("-2.5"),
        order=1,
    )
    with pytest.raises(ValidationError, match="upper bound must be above") as refused:
        band.full_clean()
    assert set(refused.value.message_dict) == {"upper_bound"}


def test_band_needs_at_least_one_bound():
    with pytest.raises(IntegrityError, match="tscoreband_has_a_bound"), transaction.atomic():
        make_band(name="Nothing", order=1)


def test_a_band_belongs_to_a_condition():
    with pytest.raises(IntegrityError), transaction.atomic():
        TScoreBand.objects.create(
            name="Orphan", lower_bound=Decimal("-1"), explanation="x", order=1
        )


@pytest.mark.parametrize(
    ("value", "inside"),
    [("-1", False), ("-1.01", True), ("-2.49", True), ("-2.5", False), ("-2.51", False)],
)
def test_band_bounds_respect_inclusivity(value, inside):
    band = TScoreBand(
        name="Osteopenia",
        lower_bound=Decimal("-2.5"),
        lower_inclusive=False,
        upper_bound=Decimal("-1"),
        upper_inclusive=False,
        order=1,
    )
    assert band.contains(Decimal(value)) is inside


def test_meta_description_longer_than_160_characters_is_refused_by_the_database():
    # SQLite checks the constraint; PostgreSQL already refuses the varchar(160) overflow.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make_article(meta_description="x" * 161)


def test_hero_image_needs_alt_text_in_the_database():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(hero_image="articles/hero/x.jpg", hero_alt="")


def test_a_condition_block_needs_its_condition():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_section(article, kind=ArticleSection.Kind.RISK_FACTORS, condition=None)


def test_a_treatment_block_needs_its_treatment():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_section(article, kind=ArticleSection.Kind.STEPS, treatment=None)


def test_section_order_is_unique_within_an_article():
    article = make_article()
    make_section(article, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_section(article, order=1)


def test_every_public_model_has_a_namespaced_absolute_url():
    assert make_condition().get_absolute_url() == "/conditions/osteopenia/"
    assert make_treatment(name="X", slug="x").get_absolute_url() == "/treatments/x/"
    assert make_article(slug="a").get_absolute_url() == "/articles/a/"
