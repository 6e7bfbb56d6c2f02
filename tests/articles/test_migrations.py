"""The migration that puts risk factors and symptoms in one table keeps every row as it was."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0001_initial")]
AFTER = [("articles", "0002_condition_points")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


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
