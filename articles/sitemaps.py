from django.contrib.sitemaps import Sitemap

from articles.models import Article, Condition, Treatment, Version


class InEveryLanguage:
    """Each page at its address in each language, with reciprocal hreflang alternates and
    x-default (English), as search engines ask."""

    i18n = True
    alternates = True
    x_default = True


class PublishedSitemap(InEveryLanguage, Sitemap):
    """The published records of one model; a version's location is its record's address."""

    model = None
    changefreq = "monthly"

    def items(self):
        versions = Version.objects.for_list().of(self.model).order_by("object_id")
        return versions.only("slug", "live_from", "content_type")

    def lastmod(self, version):
        return version.live_from


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
