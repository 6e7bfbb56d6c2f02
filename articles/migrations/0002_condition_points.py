"""Risk factors and symptoms move into one table, `ConditionPoint`, told apart by `kind`.

Every row is copied with its condition, name, description, order and seed fingerprint
(so the content loader still sees the rows it wrote); `RiskFactor` and `Symptom` stay
as proxies of one kind each, which keeps the admin's two inlines and their permissions.
"""

import django.db.models.deletion
from django.db import migrations, models

# The old table behind each kind, under its model name in 0001.
OLD_MODELS = {"risk_factors": "RiskFactor", "symptoms": "Symptom"}
COPIED = ("condition_id", "name", "description", "order", "seed_fingerprint")


def merge_into_points(apps, schema_editor):
    ConditionPoint = apps.get_model("articles", "ConditionPoint")
    for kind, model_name in OLD_MODELS.items():
        rows = apps.get_model("articles", model_name).objects.order_by(
            "condition_id", "order", "pk"
        )
        ConditionPoint.objects.bulk_create(
            ConditionPoint(kind=kind, **{name: getattr(row, name) for name in COPIED})
            for row in rows.iterator()
        )


def split_points(apps, schema_editor):
    ConditionPoint = apps.get_model("articles", "ConditionPoint")
    for kind, model_name in OLD_MODELS.items():
        model = apps.get_model("articles", model_name)
        points = ConditionPoint.objects.filter(kind=kind).order_by("condition_id", "order", "pk")
        model.objects.bulk_create(
            model(**{name: getattr(point, name) for name in COPIED}) for point in points.iterator()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConditionPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seed_fingerprint", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "order",
                    models.PositiveIntegerField(
                        blank=True, help_text="Blank: after the others.", verbose_name="order"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "kind",
                    models.CharField(
                        choices=[("risk_factors", "Risk factor"), ("symptoms", "Symptom")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "condition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to="articles.condition",
                    ),
                ),
            ],
            options={
                "verbose_name": "symptom or risk factor",
                "verbose_name_plural": "symptoms and risk factors",
                "ordering": ["order", "pk"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("condition", "kind", "order"), name="conditionpoint_unique_order"
                    ),
                    models.UniqueConstraint(
                        fields=("condition", "kind", "name"), name="conditionpoint_unique_name"
                    ),
                ],
            },
        ),
        migrations.RunPython(merge_into_points, split_points),
        migrations.DeleteModel(name="RiskFactor"),
        migrations.DeleteModel(name="Symptom"),
        migrations.CreateModel(
            name="RiskFactor",
            fields=[],
            options={
                "verbose_name": "risk factor",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("articles.conditionpoint",),
        ),
        migrations.CreateModel(
            name="Symptom",
            fields=[],
            options={
                "verbose_name": "symptom",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("articles.conditionpoint",),
        ),
    ]
