"""What the article and condition pages show, read with SQL statements written by hand.

These two pages show the most records: an article's sections with the rows of
their conditions and treatments, a condition's symptoms, risk factors and
treatments. Through the ORM the article page's ten queries cost about 4.5 ms a
request on our 2-core machine, nearly all of it in building and compiling
statements and in the prefetch machinery; its six statements here cost about
0.5 ms (docs/performance.md). Other pages keep the ORM. The statements are
standard SQL, take every value as a bound parameter, and run unchanged on SQLite
and PostgreSQL; the page tests run on both."""

from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleReference, ArticleSection, Condition, Treatment

EXPERIMENTAL = Treatment.Evidence.EXPERIMENTAL.value
PUBLISHED = Article.Status.PUBLISHED.value

# The rule of Article.objects.published() is "status = %s AND publish_at <= %s" in
# every statement here that lists public articles; _published() gives its values.
ARTICLE_SQL = "SELECT * FROM articles_article WHERE slug = %s"
PUBLISHED_SQL = " AND status = %s AND publish_at <= %s"

CONDITION_SQL = "SELECT * FROM articles_condition WHERE slug = %s"

SECTIONS_SQL = """
SELECT "order", kind, heading, body, condition_id, treatment_id
FROM articles_articlesection
WHERE article_id = %s
ORDER BY "order", id
"""

# Every row shown under a condition (its risk factors, symptoms and treatments) or
# a treatment (its steps, benefits and other points), whichever table holds it,
# keyed the way a page asks for it: (kind, condition, treatment). The first NULL
# is typed for PostgreSQL, which settles a UNION's column types from the left.
ROWS_SQL = """
SELECT 'risk_factors', r.condition_id, CAST(NULL AS bigint), r."order", r.id, r.name,
       r.description, NULL, NULL, NULL
FROM articles_riskfactor r WHERE r.condition_id IN ({conditions})
UNION ALL
SELECT 'symptoms', s.condition_id, NULL, s."order", s.id, s.name, s.description, NULL, NULL, NULL
FROM articles_symptom s WHERE s.condition_id IN ({conditions})
UNION ALL
SELECT 'condition_treatments', ct.condition_id, NULL, ct."order", ct.id,
       CASE WHEN ct.label = '' THEN t.name ELSE ct.label END, ct.description,
       t.slug, t.name, t.evidence_status
FROM articles_conditiontreatment ct JOIN articles_treatment t ON t.id = ct.treatment_id
WHERE ct.condition_id IN ({conditions})
UNION ALL
SELECT p.kind, p.condition_id, p.treatment_id, p."order", p.id, p.name, p.description,
       NULL, NULL, NULL
FROM articles_treatmentpoint p WHERE p.treatment_id IN ({treatments})
ORDER BY 4, 5
"""

TOPICS_SQL = """
SELECT 'condition', c.name, c.slug, NULL
FROM articles_condition c
JOIN articles_article_conditions link ON link.condition_id = c.id
WHERE link.article_id = %s
UNION ALL
SELECT 'treatment', t.name, t.slug, t.evidence_status
FROM articles_treatment t
JOIN articles_article_treatments link ON link.treatment_id = t.id
WHERE link.article_id = %s
ORDER BY 1, 2
"""

# Other published articles on the same conditions, newest first (the page's cards).
RELATED_SQL = """
SELECT id, title, slug, standfirst, publish_at, hero_image, hero_alt, hero_renditions
FROM articles_article
WHERE status = %s AND publish_at <= %s AND id <> %s AND id IN (
    SELECT article_id FROM articles_article_conditions WHERE condition_id IN (
        SELECT condition_id FROM articles_article_conditions WHERE article_id = %s
    )
)
ORDER BY publish_at DESC, id
LIMIT %s
"""

CONDITION_ARTICLES_SQL = """
SELECT id, title, slug, standfirst, publish_at, hero_image, hero_alt, hero_renditions
FROM articles_article
WHERE status = %s AND publish_at <= %s AND id IN (
    SELECT article_id FROM articles_article_conditions WHERE condition_id = %s
)
ORDER BY publish_at DESC, id
"""

REFERENCES_SQL = """
SELECT citation, url, doi FROM articles_articlereference WHERE article_id = %s ORDER BY "order", id
"""


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
    if unpublished:
        articles = Article.objects.raw(ARTICLE_SQL, [slug])
    else:
        articles = Article.objects.raw(ARTICLE_SQL + PUBLISHED_SQL, [slug, *_published()])
    return next(iter(articles), None)


def find_condition(slug):
    return next(iter(Condition.objects.raw(CONDITION_SQL, [slug])), None)


def load_article_page(article, related_count=3):
    """The sections with their rows, the references, the topics and related articles."""
    urls = _UrlsBySlug()
    with connection.cursor() as cursor:
        cursor.execute(SECTIONS_SQL, [article.pk])
        sections = cursor.fetchall()
        rows = _load_rows(
            cursor,
            urls,
            conditions={condition for *_, condition, _treatment in sections if condition},
            treatments={treatment for *_, treatment in sections if treatment},
        )
        sections = [
            Section(kind, order, heading, body, _rows_of(rows, kind, condition_id, treatment_id))
            for order, kind, heading, body, condition_id, treatment_id in sections
        ]

        cursor.execute(TOPICS_SQL, [article.pk, article.pk])
        conditions, treatments = [], []
        for kind, name, slug, evidence in cursor:
            if kind == "condition":
                conditions.append(Topic(name, slug, urls.condition(slug)))
            else:
                topic = Topic(name, slug, urls.treatment(slug), evidence == EXPERIMENTAL)
                treatments.append(topic)

        cursor.execute(REFERENCES_SQL, [article.pk])
        references = [
            ArticleReference(citation=citation, url=url, doi=doi) for citation, url, doi in cursor
        ]
    related = Article.objects.raw(
        RELATED_SQL,
        [*_published(), article.pk, article.pk, related_count],
    )
    return ArticlePage(sections, references, conditions, treatments, list(related))


def load_condition_page(condition):
    """A condition's symptoms, risk factors, treatments and published articles."""
    with connection.cursor() as cursor:
        rows = _load_rows(cursor, _UrlsBySlug(), conditions={condition.pk}, treatments=set())
    articles = Article.objects.raw(CONDITION_ARTICLES_SQL, [*_published(), condition.pk])
    return ConditionPage(
        symptoms=rows.get(("symptoms", condition.pk, None), []),
        risk_factors=rows.get(("risk_factors", condition.pk, None), []),
        treatments=rows.get(("condition_treatments", condition.pk, None), []),
        articles=list(articles),
    )


def _load_rows(cursor, urls, *, conditions, treatments):
    sql = ROWS_SQL.format(
        conditions=_placeholders(conditions), treatments=_placeholders(treatments)
    )
    cursor.execute(sql, [*conditions, *conditions, *conditions, *treatments])
    rows = {}
    for kind, condition_id, treatment_id, _, _, name, description, *treatment in cursor:
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


def _published():
    return [PUBLISHED, timezone.now()]


def _placeholders(values):
    """`%s, %s…` for an IN list; NULL, which matches nothing, for an empty one."""
    return ", ".join(["%s"] * len(values)) or "NULL"


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
