"""Search over the published versions of articles, conditions and treatments.

Each version carries its words as plain text (`Version.search_text`, written when the
version is recorded), so search reads one table. PostgreSQL ranks results with
full-text search; SQLite, the embedded default, matches every word of the query.
"""

import re
from functools import reduce
from html import unescape
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q

from articles.models import Article, Condition, Treatment, Version

RESULTS_PER_KIND = 20
TAG = re.compile(r"<[^>]*>")  # exact on sanitized HTML: nh3 escapes "<" and ">" in attributes
SEARCH_FIELDS = (("title", "A"), ("summary", "B"), ("search_text", "C"))


def search_site(query):
    """Return {"articles": [...], "conditions": [...], "treatments": [...]}, best first:
    published versions."""
    querysets = {
        "articles": Version.objects.for_list().of(Article),
        "conditions": Version.objects.for_list().of(Condition),
        "treatments": Version.objects.live().of(Treatment).defer("search_text"),
    }
    results = {}
    for key, queryset in querysets.items():
        if connection.vendor == "postgresql":
            found = _ranked(queryset, query)
        else:
            found = _matching(queryset, query)
        results[key] = list(found[:RESULTS_PER_KIND])
    return results


def _ranked(queryset, query):
    vector = reduce(
        lambda a, b: a + b,
        (SearchVector(name, weight=weight, config="english") for name, weight in SEARCH_FIELDS),
    )
    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        queryset.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
        .order_by("-rank", "pk")
    )


def _matching(queryset, query):
    words = query.split()[:10]
    per_word = [
        reduce(or_, (Q(**{f"{name}__icontains": word}) for name, _ in SEARCH_FIELDS))
        for word in words
    ]
    return queryset.filter(reduce(and_, per_word)).order_by("title", "pk")


def visible_text(html):
    """What a reader sees of stored rich text: tags become spaces, entities characters."""
    return None if html is None else unescape(TAG.sub(" ", html))
