"""Load the clinic's three posts into the structured models.

Idempotent: a second run changes nothing. A row whose values no longer match
what was loaded has been edited by staff, and is kept unless --reset is given.
"""

import hashlib
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleSection,
    Condition,
    ConditionPoint,
    ConditionTreatment,
    Treatment,
    TreatmentPoint,
    TScoreBand,
    Version,
)
from articles.publishing import latest_version, publish_unreviewed, record_version
from articles.richtext import RichTextField, sanitize_html

CONTENT_FILE = Path(__file__).resolve().parents[2] / "content" / "clinic_content.json"


def _normalize(field, value):
    if isinstance(field, RichTextField):
        return sanitize_html(value)
    if isinstance(field, models.ForeignKey):
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(field, models.DecimalField) and value is not None:
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places)))
    return field.to_python(value)


def fingerprint(model, values):
    normalized = {
        name: _normalize(model._meta.get_field(name), value) for name, value in values.items()
    }
    return hashlib.sha256(json.dumps(normalized, sort_keys=True, default=str).encode()).hexdigest()


class Loader:
    def __init__(self, reset=False):
        self.reset = reset
        self.outcomes = Counter()
        self.records = []  # the articles, conditions and treatments loaded, to version

    def upsert(self, model, lookup, values, on_create=None):
        """Create or update one seeded row; return it (or None if it could not be written)."""
        seed = fingerprint(model, values)
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(on_create or {}), seed_fingerprint=seed)
            return self._save(obj, "created")
        current = fingerprint(model, {name: getattr(obj, name) for name in values})
        if current == seed and obj.seed_fingerprint == seed:
            self.outcomes["unchanged"] += 1
            return obj
        edited_by_staff = obj.seed_fingerprint != current
        if edited_by_staff and not self.reset:
            self.outcomes["kept (edited by staff)"] += 1
            return obj
        for name, value in values.items():
            setattr(obj, name, value)
        obj.seed_fingerprint = seed
        return self._save(obj, "updated")

    def _save(self, obj, outcome):
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # Staff took this row's place (an order or a name): leave theirs alone.
            self.outcomes["skipped (conflicts with a staff row)"] += 1
            return None
        self.outcomes[outcome] += 1
        return obj

    def load(self, content):
        conditions = {}
        for data in content["conditions"]:
            condition = self.upsert(
                Condition,
                {"slug": data["slug"]},
                {
                    key: data.get(key, "")
                    for key in ("name", "summary", "overview", "diagnosis", "icd10_code")
                },
            )
            conditions[data["slug"]] = condition
            for kind in ConditionPoint.Kind.values:
                for order, row in enumerate(data[kind], start=1):
                    self.upsert(
                        ConditionPoint,
                        {"condition": condition, "kind": kind, "name": row["name"]},
                        {"description": row["description"], "order": order},
                    )
        for order, data in enumerate(content["t_score_bands"], start=1):
            self.upsert(
                TScoreBand,
                {"name": data["name"]},
                {
                    "condition": conditions[data["condition"]],
                    "indicates_condition": data["indicates_condition"],
                    "lower_bound": data["lower_bound"],
                    "lower_inclusive": data["lower_inclusive"],
                    "upper_bound": data["upper_bound"],
                    "upper_inclusive": data["upper_inclusive"],
                    "explanation": data["explanation"],
                    "order": order,
                },
            )
        treatments = {}
        for data in content["treatments"]:
            treatment = self.upsert(
                Treatment,
                {"slug": data["slug"]},
                {
                    key: data[key]
                    for key in (
                        "name",
                        "kind",
                        "evidence_status",
                        "summary",
                        "description",
                        "regulatory_note",
                    )
                },
            )
            treatments[data["slug"]] = treatment
            for row in data["conditions"]:
                self.upsert(
                    ConditionTreatment,
                    {"condition": conditions[row["condition"]], "treatment": treatment},
                    {
                        "label": row["label"],
                        "description": row["description"],
                        "order": row["order"],
                    },
                )
            order = 0
            for kind in TreatmentPoint.Kind.values:
                for row in data.get(kind, []):
                    order += 1
                    self.upsert(
                        TreatmentPoint,
                        {
                            "treatment": treatment,
                            "kind": kind,
                            "name": row["name"],
                            "condition": conditions.get(row["condition"]),
                        },
                        {"description": row["description"], "order": order},
                    )
        for data in content["articles"]:
            self.load_article(data, conditions, treatments)
        self.records[:0] = [*conditions.values(), *treatments.values()]
        self.record_versions()

    def record_versions(self):
        """What was never published is published as it stands on the clinic's site,
        awaiting medical review; a change to published content is a version for review."""
        for record in self.records:
            if record is None:
                continue
            if Version.objects.of_record(record).filter(live_from__isnull=False).exists():
                latest = latest_version(record)
                if record_version(record, note=_("Loaded from the clinic's content")) != latest:
                    self.outcomes["new versions for review"] += 1
            else:
                publish_unreviewed(record)
                self.outcomes["published awaiting medical review"] += 1

    def load_article(self, data, conditions, treatments):
        before = self.outcomes.copy()
        article = self.upsert(
            Article,
            {"slug": data["slug"]},
            {
                "title": data["title"],
                "standfirst": data["standfirst"],
                "meta_description": data["meta_description"],
            },
        )
        if article is None:
            return
        self.records.append(article)
        if self.outcomes["created"] > before["created"] or self.reset:
            article.conditions.set([conditions[slug] for slug in data["conditions"]])
            article.treatments.set([treatments[slug] for slug in data["treatments"]])
        for order, section in enumerate(data["sections"], start=1):
            self.upsert(
                ArticleSection,
                {"article": article, "order": order},
                {
                    "kind": section["kind"],
                    "heading": section["heading"],
                    "body": section["body"],
                    "condition": conditions.get(section.get("condition")),
                    "treatment": treatments.get(section.get("treatment")),
                },
            )
        self.load_old_paths(article, data.get("old_paths", []))

    def load_old_paths(self, article, old_paths):
        """The post's addresses on the clinic's old site answer 301 with its page here."""
        new_path = article.get_absolute_url()
        for old_path in old_paths:
            redirect, created = Redirect.objects.get_or_create(
                site=Site.objects.get_current(), old_path=old_path, defaults={"new_path": new_path}
            )
            if created or redirect.new_path == new_path:
                self.outcomes["created" if created else "unchanged"] += 1
            elif self.reset:
                redirect.new_path = new_path
                redirect.save()
                self.outcomes["updated"] += 1
            else:
                self.outcomes["kept (edited by staff)"] += 1


class Command(BaseCommand):
    help = "Load the clinic's posts (conditions, treatments, articles) into the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Overwrite rows that staff edited since they were loaded.",
        )

    def handle(self, *args, reset=False, **options):
        content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
        loader = Loader(reset=reset)
        with transaction.atomic():
            loader.load(content)
        summary = ", ".join(
            f"{count} {outcome}" for outcome, count in sorted(loader.outcomes.items())
        )
        self.stdout.write(self.style.SUCCESS(f"Clinic content loaded: {summary}."))
