"""Search over the published versions of articles, conditions and treatments.

Each version carries its words as plain text (`Version.search_text`, written when the
version is recorded: its title's and summary's too), so search reads one table.
PostgreSQL ranks results with full-text search, on the document it stores and indexes
beside the words (`Version.search_document`); SQLite, the embedded default, matches
every word of the query and puts the records with every word in their title first, then
those with every word in their summary.

Thai is written without spaces between words, and full-text search keeps a whole Thai
run as one token, so on PostgreSQL each run of Thai in the query must appear as written
(a substring, as on SQLite, which an index of trigrams answers there) and only the rest
of the query goes to full-text search; a query of Thai words only is ranked as on SQLite.
"""

import re
from functools import reduce
from html import unescape
from operator import and_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Q, When
from django.utils.translation import get_language

from articles.models import Article, Condition, Treatment, Version
from articles.translation import SOURCE

RESULTS_PER_KIND = 10  # of each kind on a page of results: on a phone, already a long page
MOST_PAGES = 10_000  # a page number past it is refused before any search
MOST_WORDS = 10
THAI = re.compile(r"[\u0e00-\u0e7f]+")
WORD = re.compile(r"\w")
TAG = re.compile(r"<[^>]*>")  # exact on sanitized HTML: nh3 escapes "<" and ">" in attributes


def search_site(query, page=1):
    """Return ({"articles": [...], "conditions": [...], "treatments": [...]}, more): the
    `page`th RESULTS_PER_KIND of each kind, best first, of the public records whose
    published words match, in the page's language or in English, each shown as lists
    show it (`VersionQuerySet.for_list`); `more` when a kind has matches after them.

    Matches are not counted (a word in every article would be counted on every page):
    one match past the page says whether another page follows."""
    shown = {
        "articles": Version.objects.for_list().of(Article),
        "conditions": Version.objects.for_list().of(Condition),
        "treatments": Version.objects.treatments_for_list(),
    }
    models = {"articles": Article, "conditions": Condition, "treatments": Treatment}
    first = (page - 1) * RESULTS_PER_KIND
    last = first + RESULTS_PER_KIND
    results, more = {}, False
    for key, model in models.items():
        if get_language() == SOURCE:  # the listed versions' own words
            found = _found(shown[key], query, last + 1)
            results[key] = found[first:last]
            more = more or len(found) > last
            continue
        # The translation's words and the English ones: a record matches in up to two
        # languages, one entry each, best first; twice as many versions as the records
        # wanted, and one more, hold one record past the page when there is one.
        versions = Version.objects.in_language().of(model).only("object_id")
        matches = _found(versions, query, 2 * last + 1)
        best_first = list(dict.fromkeys(version.object_id for version in matches))
        more = more or len(best_first) > last
        on_page = best_first[first:last]
        listed = {v.object_id: v for v in shown[key].filter(object_id__in=on_page)}
        results[key] = [listed[pk] for pk in on_page if pk in listed]
    return results, more


def _found(versions, query, limit):
    """The first `limit` of `versions` that match `query`, best first."""
    if connection.vendor == "postgresql":
        return _ranked(versions, query, limit)
    return _by_where_found(versions, query.split()[:MOST_WORDS], limit)


def _ranked(queryset, query, limit):
    thai_words = THAI.findall(query)[:MOST_WORDS]
    rest = THAI.sub(" ", query)
    if thai_words and not WORD.search(rest):  # Thai only: nothing for full-text search
        return _by_where_found(queryset, thai_words, limit)
    if thai_words:
        queryset = queryset.filter(_every_word(thai_words))
    search_query = SearchQuery(rest, search_type="websearch", config="english")
    ranked = (
        queryset.filter(search_document=search_query)
        .annotate(rank=SearchRank(F("search_document"), search_query))
        .order_by("-rank", "pk")
    )
    return list(ranked[:limit])


def _by_where_found(queryset, words, limit):
    """Substring matches ranked by where the words are: all in the title first, then all
    in the summary, then the rest; alphabetical within each.

    The titles are read first, on their own: a word that many texts hold usually fills
    the page from titles alone, and then no text is read. On PostgreSQL the texts'
    trigram index only narrows them down: each text it finds is read and decompressed
    again to be compared (2,000 texts of 10 KB: 23 ms of a 43 ms Thai search)."""
    in_title = _every_word(words, "title")
    found = list(queryset.filter(in_title).order_by("title", "pk")[:limit])
    if len(found) < limit:
        in_summary = _every_word(words, "summary")
        rest = queryset.filter(_every_word(words)).exclude(in_title)
        rest = rest.alias(place=Case(When(in_summary, then=0), default=1))
        found += rest.order_by("place", "title", "pk")[: limit - len(found)]
    return found


def _every_word(words, field="search_text"):
    """Each word appears, as written, in `field`: by default the words readers see (the
    title's and the summary's among them)."""
    return reduce(and_, (_contains(field, word) for word in words))


def _contains(name, word):
    """Field `name` holds `word`: whatever the case of its letters; a Thai word, which has
    no case, exactly as written (without upper-casing every text to compare)."""
    lookup = "contains" if THAI.fullmatch(word) else "icontains"
    return Q(**{f"{name}__{lookup}": word})


def visible_text(html):
    """What a reader sees of stored rich text: tags become spaces, entities characters."""
    return None if html is None else unescape(TAG.sub(" ", html))
