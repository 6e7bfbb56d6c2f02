from django.contrib.sitemaps import Sitemap

from articles.models import Article, Condition, Treatment


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ConditionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Condition.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class TreatmentSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Treatment.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "conditions": ConditionSitemap,
    "treatments": TreatmentSitemap,
}
