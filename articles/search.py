"""Search over published articles, conditions and treatments.

PostgreSQL ranks results with full-text search; SQLite, the embedded default,
falls back to matching every word of the query anywhere in the main fields.
"""

from functools import reduce
from operator import and_, or_

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q

from articles.models import Article, Condition, Treatment

RESULTS_PER_KIND = 20
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


def _matching(queryset, fields, query):
    words = query.split()[:10]
    per_word = [
        reduce(or_, (Q(**{f"{name}__icontains": word}) for name, _ in fields)) for word in words
    ]
    ids = queryset.model.objects.filter(reduce(and_, per_word)).values("pk")
    return queryset.filter(pk__in=ids).order_by(*queryset.model._meta.ordering)
