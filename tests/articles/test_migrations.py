"""The migration that puts risk factors and symptoms in one table keeps every row as it was."""

import pytest
from django.db import connection

from tests.migrations import migrate, migrate_to_latest

BEFORE = [("articles", "0001_initial")]
AFTER = [("articles", "0002_condition_points")]


def point_rows(ConditionPoint):
    return list(
        ConditionPoint.objects.order_by("condition__slug", "kind", "order").values_list(
            "condition__slug", "kind", "order", "name", "description", "seed_fingerprint"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_risk_factors_and_symptoms_become_condition_points_with_everything_they_said():
    apps = migrate(BEFORE)
    try:
        Condition = apps.get_model("articles", "Condition")
        RiskFactor = apps.get_model("articles", "RiskFactor")
        Symptom = apps.get_model("articles", "Symptom")
        bones = Condition.objects.create(name="Osteopenia", slug="osteopenia-m", summary="")
        other = Condition.objects.create(name="Osteoporosis", slug="osteoporosis-m", summary="")
        # Created out of order, and a name both tables use: the order and both rows stay.
        RiskFactor.objects.create(condition=bones, name="Genetics", order=2, seed_fingerprint="g")
        RiskFactor.objects.create(condition=bones, name="Age", description="Over 50", order=1)
        RiskFactor.objects.create(condition=other, name="Age", order=1)
        Symptom.objects.create(condition=bones, name="Back pain", order=3, seed_fingerprint="b")
        Symptom.objects.create(condition=bones, name="Age", description="Shown", order=1)

        apps = migrate(AFTER)

        ConditionPoint = apps.get_model("articles", "ConditionPoint")
        assert point_rows(ConditionPoint) == [
            ("osteopenia-m", "risk_factors", 1, "Age", "Over 50", ""),
            ("osteopenia-m", "risk_factors", 2, "Genetics", "", "g"),
            ("osteopenia-m", "symptoms", 1, "Age", "Shown", ""),
            ("osteopenia-m", "symptoms", 3, "Back pain", "", "b"),
            ("osteoporosis-m", "risk_factors", 1, "Age", "", ""),
        ]
        assert "articles_riskfactor" not in connection.introspection.table_names()
        assert "articles_symptom" not in connection.introspection.table_names()

        apps = migrate(BEFORE)  # and back again, nothing lost either way

        RiskFactor = apps.get_model("articles", "RiskFactor")
        Symptom = apps.get_model("articles", "Symptom")
        assert list(
            RiskFactor.objects.order_by("condition__slug", "order").values_list(
                "condition__slug", "order", "name", "seed_fingerprint"
            )
        ) == [
            ("osteopenia-m", 1, "Age", ""),
            ("osteopenia-m", 2, "Genetics", "g"),
            ("osteoporosis-m", 1, "Age", ""),
        ]
        assert list(Symptom.objects.order_by("order").values_list("name", "description")) == [
            ("Age", "Shown"),
            ("Back pain", ""),
        ]
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_existing_content_gets_a_first_version_published_as_the_public_saw_it():
    from datetime import timedelta

    from django.utils import timezone

    apps = migrate([("articles", "0002_condition_points")])
    try:
        Condition = apps.get_model("articles", "Condition")
        Treatment = apps.get_model("articles", "Treatment")
        Article = apps.get_model("articles", "Article")
        TScoreBand = apps.get_model("articles", "TScoreBand")
        bones = Condition.objects.create(name="Osteopenia", slug="osteopenia-v", summary="Low.")
        Treatment.objects.create(
            name="Therapy", slug="therapy-v", kind="regenerative", evidence_status="experimental"
        )
        TScoreBand.objects.create(
            name="Normal", lower_bound=-1, lower_inclusive=True, explanation="Fine.", order=1
        )
        TScoreBand.objects.create(
            name="Osteopenia", condition=bones, lower_bound=-2.5, upper_bound=-1,
            explanation="Low.", order=2,
        )  # fmt: skip
        now = timezone.now()
        live = Article.objects.create(
            title="Live", slug="live-v", standfirst="S.", meta_description="M.",
            status="published", publish_at=now - timedelta(days=3),
            reviewer_name="Dr Somchai", reviewer_credentials="MD",
        )  # fmt: skip
        live.conditions.add(bones)
        Article.objects.create(
            title="Draft", slug="draft-v", standfirst="S.", meta_description="M.",
            status="draft", publish_at=now,
        )  # fmt: skip
        later = now + timedelta(days=2)
        Article.objects.create(
            title="Later", slug="later-v", standfirst="S.", meta_description="M.",
            status="published", publish_at=later,
        )  # fmt: skip

        apps = migrate([("articles", "0003_versions")])

        Version = apps.get_model("articles", "Version")
        TScoreBand = apps.get_model("articles", "TScoreBand")
        assert list(TScoreBand.objects.order_by("order").values_list(
            "name", "condition__slug", "indicates_condition"
        )) == [("Normal", "osteopenia-v", False), ("Osteopenia", "osteopenia-v", True)]  # fmt: skip
        versions = {v.slug: v for v in Version.objects.all()}
        assert set(versions) == {"osteopenia-v", "therapy-v", "live-v", "draft-v", "later-v"}
        assert all(v.number == 1 and v.approved_by_id is None for v in versions.values())
        assert versions["osteopenia-v"].live_from is not None
        assert versions["therapy-v"].live_from is not None
        assert versions["live-v"].live_from <= timezone.now()
        assert versions["draft-v"].live_from is None
        assert versions["later-v"].live_from == later  # scheduled, as it was
        # The review typed before versions is kept as a note, not turned into an approval.
        assert "Dr Somchai" in versions["live-v"].change_note
        assert "reviewer_name" not in versions["live-v"].data["fields"]
        assert list(versions["live-v"].conditions.values_list("slug", flat=True)) == [
            "osteopenia-v"
        ]
        bands = versions["osteopenia-v"].data["parts"]["t_score_bands"]
        assert [band["name"] for band in bands] == ["Normal", "Osteopenia"]
    finally:
        migrate_to_latest()
