"""What the article and condition pages show, each in a bounded number of queries.

These two pages show the most records: an article's sections with the rows of
their conditions and treatments, a condition's symptoms, risk factors and
treatments. Every row a page shows, whichever of three tables holds it, comes
from one `UNION ALL` of `values_list()` querysets (no model instances, no
prefetch machinery); the counts are pinned by the query-budget tests."""

from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Case, CharField, F, Value, When
from django.db.models.functions import Cast
from django.urls import reverse

from articles.models import (
    Article,
    ArticleReference,
    ArticleSection,
    Condition,
    ConditionPoint,
    ConditionTreatment,
    Treatment,
    TreatmentPoint,
)

EXPERIMENTAL = Treatment.Evidence.EXPERIMENTAL.value
# PostgreSQL settles a UNION's column types from its first query: its NULLs are typed.
NO_ID = Cast(Value(None), BigIntegerField())
NO_TEXT = Cast(Value(None), CharField())
# What a row of every kind is read as, whichever table holds it.
ROW_COLUMNS = ("row_kind", "condition_id", "row_treatment_id", "order", "id", "row_name",
               "description", "treatment_slug", "treatment_name", "treatment_evidence")  # fmt: skip


@dataclass(frozen=True)
class Row:
    name: str
    description: str
    url: str = ""  # a condition's treatment links to the treatment's page
    treatment_name: str = ""
    is_experimental: bool = False


@dataclass(frozen=True)
class Section:
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
class Topic:
    name: str
    slug: str
    url: str
    is_experimental: bool = False


@dataclass(frozen=True)
class ArticlePage:
    sections: list
    references: list
    conditions: list
    treatments: list
    related: list


@dataclass(frozen=True)
class ConditionPage:
    symptoms: list
    risk_factors: list
    treatments: list
    articles: list


def find_article(slug, *, unpublished=False):
    """The article at `slug`; None if there is none, or if it is not public and
    `unpublished` (a staff preview) is false."""
    articles = Article.objects.all() if unpublished else Article.objects.published()
    return articles.filter(slug=slug).first()


def find_condition(slug):
    return Condition.objects.filter(slug=slug).first()


def load_article_page(article, related_count=3):
    """The sections with their rows, the references, the topics and related articles."""
    urls = _UrlsBySlug()
    sections = list(
        article.sections.order_by("order", "id").values_list(
            "order", "kind", "heading", "body", "condition_id", "treatment_id"
        )
    )
    rows = _load_rows(
        urls,
        conditions={condition for *_, condition, _treatment in sections if condition},
        treatments={treatment for *_, treatment in sections if treatment},
    )
    sections = [
        Section(kind, order, heading, body, _rows_of(rows, kind, condition_id, treatment_id))
        for order, kind, heading, body, condition_id, treatment_id in sections
    ]
    conditions, treatments = [], []
    for kind, name, slug, evidence in _topics(article):
        if kind == "condition":
            conditions.append(Topic(name, slug, urls.condition(slug)))
        else:
            treatments.append(Topic(name, slug, urls.treatment(slug), evidence == EXPERIMENTAL))
    references = [
        ArticleReference(citation=citation, url=url, doi=doi)
        for citation, url, doi in article.references.order_by("order", "id").values_list(
            "citation", "url", "doi"
        )
    ]
    related = Article.objects.published().for_list().related_to(article)[:related_count]
    return ArticlePage(sections, references, conditions, treatments, list(related))


def load_condition_page(condition):
    """A condition's symptoms, risk factors, treatments and published articles."""
    rows = _load_rows(_UrlsBySlug(), conditions={condition.pk}, treatments=set())
    articles = Article.objects.published().for_list().filter(conditions=condition)
    return ConditionPage(
        symptoms=rows.get((ConditionPoint.Kind.SYMPTOMS, condition.pk, None), []),
        risk_factors=rows.get((ConditionPoint.Kind.RISK_FACTORS, condition.pk, None), []),
        treatments=rows.get((ArticleSection.Kind.CONDITION_TREATMENTS, condition.pk, None), []),
        articles=list(articles.order_by("-publish_at", "id")),
    )


def _topics(article):
    """(kind, name, slug, evidence) of the article's conditions, then its treatments."""
    conditions = article.conditions.annotate(
        topic=Value("condition", output_field=CharField()), evidence=NO_TEXT
    ).values_list("topic", "name", "slug", "evidence")
    treatments = article.treatments.annotate(
        topic=Value("treatment", output_field=CharField()), evidence=F("evidence_status")
    ).values_list("topic", "name", "slug", "evidence")
    return conditions.order_by().union(treatments.order_by(), all=True).order_by("topic", "name")


def _row_querysets(conditions, treatments):
    """Every row shown under the conditions (risk factors and symptoms, whose kind is their
    own, and treatments) and the treatments (steps, benefits and other points, whose kind is
    their own too), as ROW_COLUMNS."""

    def rows(queryset, kind, **columns):
        defaults = {
            "row_kind": Value(kind, output_field=CharField()) if kind else F("kind"),
            "row_treatment_id": NO_ID,
            "row_name": F("name"),
            "treatment_slug": NO_TEXT,
            "treatment_name": NO_TEXT,
            "treatment_evidence": NO_TEXT,
        }
        return queryset.order_by().annotate(**{**defaults, **columns}).values_list(*ROW_COLUMNS)

    return [
        rows(ConditionPoint.objects.filter(condition__in=conditions), None),
        rows(
            ConditionTreatment.objects.filter(condition__in=conditions),
            ArticleSection.Kind.CONDITION_TREATMENTS.value,
            row_name=Case(When(label="", then=F("treatment__name")), default=F("label")),
            treatment_slug=F("treatment__slug"),
            treatment_name=F("treatment__name"),
            treatment_evidence=F("treatment__evidence_status"),
        ),
        rows(
            TreatmentPoint.objects.filter(treatment__in=treatments),
            None,
            row_treatment_id=F("treatment_id"),
        ),
    ]


def _load_rows(urls, *, conditions, treatments):
    """The rows keyed the way a page asks for them: (kind, condition, treatment)."""
    first, *others = _row_querysets(conditions, treatments)
    found = first.union(*others, all=True).order_by("order", "id")
    rows = {}
    for kind, condition_id, treatment_id, _, _, name, description, *treatment in found:
        slug, treatment_name, evidence = treatment
        row = Row(
            name,
            description,
            url=urls.treatment(slug) if slug else "",
            treatment_name=treatment_name or "",
            is_experimental=evidence == EXPERIMENTAL,
        )
        rows.setdefault((kind, condition_id, treatment_id), []).append(row)
    return rows


def _rows_of(rows, kind, condition_id, treatment_id):
    if kind == ArticleSection.Kind.CONDITION_TREATMENTS:
        # The conventional care for the condition; therapies under study have blocks of their own.
        rows = rows.get((kind, condition_id, None), [])
        return [row for row in rows if not row.is_experimental]
    if kind in ArticleSection.CONDITION_KINDS:
        return rows.get((kind, condition_id, None), [])
    if kind in ArticleSection.TREATMENT_KINDS:
        # The points said of the section's condition (none: of the treatment in general).
        return rows.get((kind, condition_id, treatment_id), [])
    return []


class _UrlsBySlug:
    """Each linked record's address, reversed once a page however often it is linked."""

    def __init__(self):
        self._cache = {}

    def _get(self, name, slug):
        key = (name, slug)
        if key not in self._cache:
            self._cache[key] = reverse(name, kwargs={"slug": slug})
        return self._cache[key]

    def condition(self, slug):
        return self._get("articles:condition_detail", slug)

    def treatment(self, slug):
        return self._get("articles:treatment_detail", slug)
