"""Search over published articles, conditions and treatments.

PostgreSQL ranks results with full-text search (its parser skips HTML tags and
entities); SQLite, the embedded default, falls back to matching every word of the
query anywhere in the main fields, reading rich text by its visible text.
"""

import re
from functools import reduce
from html import unescape
from operator import and_, or_

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, TextField
from django.db.models.lookups import IContains

from articles.models import Article, Condition, Treatment
from articles.richtext import RichTextField

RESULTS_PER_KIND = 20
TAG = re.compile(r"<[^>]*>")  # exact on sanitized HTML: nh3 escapes "<" and ">" in attributes
SEARCH_FIELDS = {
    Article: (
        ("title", "A"),
        ("standfirst", "B"),
        ("meta_description", "B"),
        ("sections__body", "C"),
    ),
    Condition: (("name", "A"), ("summary", "B"), ("overview", "C")),
    Treatment: (("name", "A"), ("summary", "B"), ("description", "C")),
}


def search_site(query):
    """Return {"articles": [...], "conditions": [...], "treatments": [...]}, best first."""
    querysets = {
        "articles": Article.objects.published().for_list(),
        "conditions": Condition.objects.only("name", "slug", "summary"),
        "treatments": Treatment.objects.only("name", "slug", "summary", "evidence_status"),
    }
    results = {}
    for key, queryset in querysets.items():
        fields = SEARCH_FIELDS[queryset.model]
        if connection.vendor == "postgresql":
            found = _ranked(queryset, fields, query)
        else:
            found = _matching(queryset, fields, query)
        results[key] = list(found[:RESULTS_PER_KIND])
    return results


def _ranked(queryset, fields, query):
    # Text of related rows (an article's sections) is aggregated: one vector per result.
    vector = reduce(
        lambda a, b: a + b,
        (
            SearchVector(
                StringAgg(name, delimiter=" ") if "__" in name else name,
                weight=weight,
                config="english",
            )
            for name, weight in fields
        ),
    )
    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        queryset.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
        .order_by("-rank", "pk")
    )


def visible_text(html):
    """What a reader sees of stored rich text: tags become spaces, entities characters."""
    return None if html is None else unescape(TAG.sub(" ", html))


class VisibleText(Func):
    """`visible_text` in SQL: registered on every SQLite connection (`register_visible_text`)."""

    function = "visible_text"
    output_field = TextField()


def register_visible_text(sender, connection, **kwargs):
    """`connection_created` receiver: SQLite learns `visible_text`, a pure function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("visible_text", 1, visible_text, deterministic=True)


def _searched(model, path):
    """The column at `path` (e.g. "sections__body") as search reads it."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    is_rich_text = isinstance(model._meta.get_field(name), RichTextField)
    return VisibleText(path) if is_rich_text else F(path)


def _matching(queryset, fields, query):
    words = query.split()[:10]
    model = queryset.model
    per_word = [
        reduce(or_, (Q(IContains(_searched(model, name), word)) for name, _ in fields))
        for word in words
    ]
    ids = queryset.model.objects.filter(reduce(and_, per_word)).values("pk")
    return queryset.filter(pk__in=ids).order_by(*queryset.model._meta.ordering)
