from collections.abc import Sequence
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet

from articles.models import Article, Condition, Treatment, Version


class InEveryLanguage:
    """Each page at its address in each language, with reciprocal hreflang alternates and
    x-default (English), as search engines ask; at most `limit` addresses a file."""

    i18n = True
    alternates = True
    x_default = True
    # Addresses a file, far under the protocol's 50,000: a file costs about 0.14 ms an
    # address to write (docs/performance.md), and a larger site gets more files, not
    # slower ones.
    limit = 1000

    def _items(self):
        # Django lists every (item, language) pair to paginate them; counted and sliced by
        # the database instead, a page (and the index) never reads every record.
        return InLanguages(self.items(), self._languages())

    @cached_property
    def paginator(self):
        return super().paginator  # counted once per request's sitemap


class InLanguages(Sequence):
    """The pairs (item, language) of `items` (a QuerySet or a list) and `languages`, in
    that order, as Django's sitemaps paginate them."""

    def __init__(self, items, languages):
        self.items = items
        self.languages = list(languages)

    def __len__(self):
        items = self.items
        return (items.count() if isinstance(items, QuerySet) else len(items)) * len(self.languages)

    def __getitem__(self, index):
        # The paginator's slices: from 0 on, without a step (no count to work them out).
        if not isinstance(index, slice):
            pairs = self[index : index + 1]
            if not pairs:
                raise IndexError(index)
            return pairs[0]
        start, stop, each = index.start or 0, index.stop, len(self.languages)
        first = start // each
        rows = self.items[first:] if stop is None else self.items[first : -(-stop // each)]
        pairs = [(item, language) for item in rows for language in self.languages]
        return pairs[start - first * each : None if stop is None else stop - first * each]


class PublishedSitemap(InEveryLanguage, Sitemap):
    """The published records of one model; a version's location is its record's address."""

    model = None
    changefreq = "monthly"

    def items(self):
        versions = Version.objects.for_list().of(self.model).order_by("object_id")
        return versions.only("slug", "live_from", "content_type")

    def lastmod(self, version):
        return version.live_from

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("live_from"))["latest"]


class ArticleSitemap(PublishedSitemap):
    model = Article
    priority = 0.8


class ConditionSitemap(PublishedSitemap):
    model = Condition
    priority = 0.7


class TreatmentSitemap(PublishedSitemap):
    model = Treatment
    priority = 0.6


SITEMAPS = {
    "articles": ArticleSitemap,
    "conditions": ConditionSitemap,
    "treatments": TreatmentSitemap,
}
