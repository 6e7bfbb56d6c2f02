"""What the public pages show, read from published versions.

A page reads the published version of its own record, then the published versions
of the records whose rows it shows (an article's blocks show its conditions' risk
factors and its treatments' steps), each one stored document: a few queries per
page whatever the number of rows, pinned by the query-budget tests. A shared row
(a risk factor) therefore changes on every page that shows it when its condition's
new version is published, and only then.
"""

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.models import (
    Article,
    ArticleReference,
    ArticleSection,
    Condition,
    ConditionPoint,
    Publications,
    ShareCard,
    Treatment,
    TreatmentPoint,
    TScoreBand,
    Version,
)
from articles.translation import SOURCE
from genoma.cache import kept_until_content_changes

logger = logging.getLogger(__name__)
EXPERIMENTAL = Treatment.Evidence.EXPERIMENTAL.value
# A treatment page's groups of points, in this order, under these headings.
TREATMENT_HEADINGS = {
    TreatmentPoint.Kind.STEPS: _("How the treatment is given"),
    TreatmentPoint.Kind.MECHANISMS: _("How it may work"),
    TreatmentPoint.Kind.BENEFITS: _("Benefits"),
    TreatmentPoint.Kind.CONSIDERATIONS: _("Considerations"),
    TreatmentPoint.Kind.OUTCOMES: _("Reported outcomes"),
}


class _Shown:
    """A value the page's template reads. Django's templates look `row.name` up as
    row["name"] before they try the attribute; answering the key saves a raised and caught
    TypeError for every value, a tenth of the article template's time."""

    def __getitem__(self, name):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True)
class Row(_Shown):
    name: str
    description: str
    url: str = ""  # a condition's treatment links to the treatment's page
    treatment_name: str = ""
    is_experimental: bool = False
    condition_name: str = ""  # a treatment point said of one condition
    language: str = SOURCE  # English where the record has no published translation


@dataclass(frozen=True)
class Section(_Shown):
    kind: str
    order: int
    heading: str
    body: str
    rows: list = field(default_factory=list)

    @property
    def is_block(self):
        return self.kind != ArticleSection.Kind.TEXT

    @property
    def is_numbered(self):
        return self.kind == ArticleSection.Kind.STEPS


@dataclass(frozen=True)
class Card(_Shown):
    """An article as a list shows it."""

    title: str
    summary: str
    publish_at: datetime
    url: str
    language: str = SOURCE

    def get_absolute_url(self):
        return self.url

    # As a list's versions say it (Version.shown_title…): one card template for both.
    @property
    def shown_title(self):
        return self.title

    @property
    def shown_summary(self):
        return self.summary

    @property
    def shown_language(self):
        return self.language


@dataclass(frozen=True)
class Topic(_Shown):
    name: str
    slug: str
    url: str
    is_experimental: bool = False
    language: str = SOURCE


@dataclass(frozen=True)
class ArticlePage(_Shown):
    version: Version
    article: Article
    sections: list
    references: list
    conditions: list
    treatments: list
    related: list
    share_card: str | None  # the card's stored name, None until a job made it


@dataclass(frozen=True)
class ConditionPage(_Shown):
    version: Version
    condition: Condition
    symptoms: list
    risk_factors: list
    treatments: list
    articles: QuerySet  # its published articles, newest first: the view shows a page of them
    bands: list

    @property
    def has_interpreter(self):
        return any(band.indicates_condition for band in self.bands_of_condition)

    @property
    def bands_of_condition(self):
        return [band for band in self.bands if band.condition_id == self.condition.pk]


@dataclass(frozen=True)
class PointsFor(_Shown):
    """Points of one kind said of one condition, named once above them; `condition` ""
    for the points true of the treatment in general."""

    condition: str
    language: str
    points: list


@dataclass(frozen=True)
class PointGroup(_Shown):
    kind: str
    heading: str
    parts: list  # PointsFor: the general points first, then each condition's in stored order


@dataclass(frozen=True)
class TreatmentPage(_Shown):
    version: Version
    treatment: Treatment
    groups: list
    conditions: list  # (Topic, Row of the condition's own words on the treatment)
    articles: QuerySet  # as a condition page's


def find_published(model, slug):
    """The published version of the `model` record at `slug` in the page's language, its
    English version where it has no published translation, or None."""
    language = get_language()
    versions = Version.objects.for_page().of(model)
    if language == SOURCE:
        found = versions.filter(slug=slug)[:1]  # one at most: no ordering to compile
        return found[0] if found else None
    at_slug = Version.objects.public().of(model).filter(slug=slug).values("object_id")
    found = {version.language: version for version in versions.filter(object_id__in=at_slug)}
    return found.get(language) or found.get(SOURCE)


def article_page(version, related_count=3):
    """The article of `version`: its sections with the published rows of their records,
    its references, topics and related published articles."""
    shown = _worked_out(version, lambda: _article_shown(version, related_count))
    return ArticlePage(
        version=version,
        article=version.record,
        sections=[
            Section(**{**section, "rows": [Row(**row) for row in section["rows"]]})
            for section in shown["sections"]
        ],
        references=[ArticleReference(**reference) for reference in shown["references"]],
        conditions=[Topic(**topic) for topic in shown["conditions"]],
        treatments=[Topic(**topic) for topic in shown["treatments"]],
        related=[
            Card(**{**card, "publish_at": parse_datetime(card["publish_at"])})
            for card in shown["related"]
        ],
        share_card=shown["share_card"],
    )


def _article_shown(version, related_count):
    document = version.data
    sections = document["parts"].get("sections", [])
    topics = document["topics"]
    linked = _Published(
        conditions={*topics.get("conditions", []), *_ids(sections, "condition_id")},
        treatments={*topics.get("treatments", []), *_ids(sections, "treatment_id")},
    )
    related = (
        Version.objects.articles_for_list()
        .filter(conditions__in=topics.get("conditions", []))
        .exclude(object_id=version.object_id)
        .distinct()[:related_count]
    )
    return {
        "sections": [
            asdict(
                Section(
                    row["kind"],
                    row["order"],
                    row["heading"],
                    row["body"],
                    linked.rows_of(row["kind"], row["condition_id"], row["treatment_id"]),
                )
            )
            for row in sections
        ],
        "references": [
            {"citation": row["citation"], "url": row["url"], "doi": row["doi"]}
            for row in document["parts"].get("references", [])
        ],
        "conditions": [asdict(t) for t in linked.topics(Condition, topics.get("conditions", []))],
        "treatments": [asdict(t) for t in linked.topics(Treatment, topics.get("treatments", []))],
        "related": [
            asdict(
                Card(
                    v.shown_title,
                    v.shown_summary,
                    v.publish_at,
                    v.get_absolute_url(),
                    v.shown_language,
                )
            )
            for v in (related if topics.get("conditions") else [])
        ],
        "share_card": ShareCard.objects.image_of(version),
    }


def _worked_out(version, work_out):
    """What the page of `version` shows, as plain values: stored with the version while
    nothing was published since and no scheduled change came (`Version.page`, one entry
    per language, since the links it holds are the language's addresses), else worked
    out with `work_out` and stored.

    The count of publications is read before the rows (by `for_page()`, in the same
    statement as the version): a page worked out during a publication is stored under
    the count before it, so it is never taken for current afterwards.
    """
    if hasattr(version, "publications"):
        count = version.publications
    else:  # a preview: its version was not read by for_page()
        count = Publications.objects.filter(pk=1).values_list("count", flat=True).first()
    language = get_language()
    stored = (version.page or {}).get(language)
    if stored and stored["publications"] == count:
        until = stored["until"] and parse_datetime(stored["until"])
        if until is None or until > timezone.now():
            return stored["shown"]
    shown = json.loads(json.dumps(work_out(), cls=DjangoJSONEncoder))
    until = Version.objects.next_change()
    version.page = {
        **(version.page or {}),
        language: {"publications": count, "until": until, "shown": shown},
    }
    try:  # one statement, in autocommit: a failure leaves nothing half-done
        Version.objects.filter(pk=version.pk).update(page=version.page)
    except DatabaseError:
        # Storing only saves the next visit some work: the visitor still gets the page.
        logger.warning("The worked-out page of version %s could not be stored.", version.pk)
    return shown


def condition_page(version):
    """The condition of `version`: its symptoms, risk factors and treatments, its published
    articles, and the T-score bands of every published condition when it has some."""
    linked = _Published(conditions={version.object_id}, treatments=set(), own=[version])
    articles = Version.objects.articles_for_list().filter(conditions=version.object_id)
    rows = linked.condition_rows(version.object_id)
    bands = []
    if "t_score_bands" in version.data["parts"]:
        bands = kept_until_content_changes(("t-score-bands", get_language()), published_bands)
    return ConditionPage(
        version=version,
        condition=version.record,
        symptoms=rows.get(ConditionPoint.Kind.SYMPTOMS, []),
        risk_factors=rows.get(ConditionPoint.Kind.RISK_FACTORS, []),
        treatments=rows.get(ArticleSection.Kind.CONDITION_TREATMENTS, []),
        articles=articles,
        bands=bands,
    )


def published_bands():
    """The T-score bands of every published condition, lowest first, in the page's
    language where the condition's translation is published. Every condition's document
    is read to find them: condition pages keep them per content version."""
    owners = (
        Version.objects.in_language().of(Condition).filter(data__parts__has_key="t_score_bands")
    )
    owners = _preferred(owners.only("content_type", "object_id", "language", "slug", "data"))
    bands = []
    for owner in owners.values():
        for row in owner.data["parts"]["t_score_bands"]:
            band = TScoreBand(
                name=row["name"],
                condition_id=owner.object_id,
                indicates_condition=row["indicates_condition"],
                lower_bound=_decimal(row["lower_bound"]),
                lower_inclusive=row["lower_inclusive"],
                upper_bound=_decimal(row["upper_bound"]),
                upper_inclusive=row["upper_inclusive"],
                explanation=row["explanation"],
                order=row["order"],
            )
            band.condition_slug = owner.slug
            band.language = owner.language
            bands.append(band)
    return sorted(bands, key=lambda band: band.order)


def treatment_page(version):
    """The treatment of `version`: its points grouped by kind, the published conditions it
    treats in their own words, and the published articles about it."""
    points = version.data["parts"].get("points", [])
    conditions = (
        Version.objects.for_page()
        .of(Condition)
        .filter(Q(treatments=version.object_id) | Q(object_id__in=_ids(points, "condition_id")))
    )
    conditions = {pk: v for (_ct, pk), v in _preferred(conditions.distinct()).items()}
    groups = []
    for kind, heading in TREATMENT_HEADINGS.items():
        parts = {}  # the condition's id (None: in general) → PointsFor
        for row in points:
            if row["kind"] != kind:
                continue
            condition = conditions.get(row["condition_id"])
            key, name = (condition.object_id, condition.title) if condition else (None, "")
            if key not in parts:
                language = condition.language if condition else version.language
                parts[key] = PointsFor(name, language, [])
            parts[key].points.append(
                Row(row["name"], row["description"], condition_name=name, language=version.language)
            )
        if parts:
            general_first = sorted(parts.values(), key=lambda part: part.condition != "")
            groups.append(PointGroup(kind, heading, general_first))
    treated = []
    for condition in sorted(conditions.values(), key=lambda c: c.title):
        for row in condition.data["parts"].get("condition_treatments", []):
            if row["treatment_id"] == version.object_id:
                topic = Topic(
                    condition.title,
                    condition.slug,
                    condition.get_absolute_url(),
                    language=condition.language,
                )
                treated.append(
                    (topic, Row(row["label"], row["description"], language=condition.language))
                )
    articles = Version.objects.articles_for_list().filter(treatments=version.object_id)
    return TreatmentPage(version, version.record, groups, treated, articles)


class _Published:
    """The published versions of the conditions and treatments a page shows rows of, and
    of the treatments those conditions list, read in one query: in the page's language
    where a translation is published, in English where not."""

    def __init__(self, conditions, treatments, own=()):
        self.versions = {(v.content_type_id, v.object_id): v for v in own}
        self._rows = {}
        conditions = set(conditions) - {v.object_id for v in own if v.model is Condition}
        live_conditions = Version.objects.public().filter(
            content_type=_ct(Condition), object_id__in=[*conditions, *(v.object_id for v in own)]
        )
        listed = Version.treatments.through.objects.filter(version__in=live_conditions)
        wanted = Q(content_type=_ct(Condition), object_id__in=conditions) | Q(
            Q(object_id__in=treatments) | Q(object_id__in=listed.values("treatment_id")),
            content_type=_ct(Treatment),
        )
        found = Version.objects.in_language().filter(wanted)
        fields = ("content_type", "object_id", "language", "title", "slug", "data")
        self.versions.update(_preferred(found.only(*fields)))

    def get(self, model, pk):
        return self.versions.get((_ct(model), pk))

    def topics(self, model, ids):
        found = [self.get(model, pk) for pk in ids]
        return sorted(
            (
                Topic(v.title, v.slug, v.get_absolute_url(), _is_experimental(v), v.language)
                for v in found
                if v is not None
            ),
            key=lambda topic: topic.name,
        )

    def condition_rows(self, condition_id):
        """{kind: [Row]} of a published condition: its points and its treatments (worked
        out once a page, however many blocks show them)."""
        if condition_id not in self._rows:
            self._rows[condition_id] = self._condition_rows(condition_id)
        return self._rows[condition_id]

    def _condition_rows(self, condition_id):
        version = self.get(Condition, condition_id)
        if version is None:
            return {}
        rows = {}
        for row in version.data["parts"].get("points", []):
            rows.setdefault(row["kind"], []).append(
                Row(row["name"], row["description"], language=version.language)
            )
        for row in version.data["parts"].get("condition_treatments", []):
            treatment = self.get(Treatment, row["treatment_id"])
            if treatment is None:
                continue  # a treatment not published (yet, or any more): not linked
            rows.setdefault(ArticleSection.Kind.CONDITION_TREATMENTS, []).append(
                Row(
                    row["label"] or treatment.title,
                    row["description"],
                    url=treatment.get_absolute_url(),
                    treatment_name=treatment.title,
                    is_experimental=_is_experimental(treatment),
                    language=version.language,
                )
            )
        return rows

    def rows_of(self, kind, condition_id, treatment_id):
        """The rows an article block of `kind` shows."""
        if kind == ArticleSection.Kind.CONDITION_TREATMENTS:
            # The conventional care for the condition; therapies under study have blocks
            # of their own.
            rows = self.condition_rows(condition_id).get(kind, [])
            return [row for row in rows if not row.is_experimental]
        if kind in ArticleSection.CONDITION_KINDS:
            return self.condition_rows(condition_id).get(kind, [])
        if kind in ArticleSection.TREATMENT_KINDS:
            # The points said of the section's condition (none: of the treatment in general).
            version = self.get(Treatment, treatment_id)
            if version is None:
                return []
            return [
                Row(row["name"], row["description"], language=version.language)
                for row in version.data["parts"].get("points", [])
                if row["kind"] == kind and row["condition_id"] == condition_id
            ]
        return []


def _ct(model):
    return ContentType.objects.get_for_model(model).pk


def _preferred(versions):
    """{(content type, record): version}, the page's language over English."""
    language = get_language()
    chosen = {}
    for version in versions:
        key = (version.content_type_id, version.object_id)
        if key not in chosen or version.language == language:
            chosen[key] = version
    return chosen


def _ids(rows, name):
    return {row[name] for row in rows if row.get(name)}


def _is_experimental(version):
    return version.data["fields"].get("evidence_status") == EXPERIMENTAL


def _decimal(value):
    return None if value is None else Decimal(str(value))
