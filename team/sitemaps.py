from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, Q
from django.urls import reverse

from articles.sitemaps import InEveryLanguage
from team.models import Clinician


class TeamPageSitemap(InEveryLanguage, Sitemap):
    """/team/, once it shows someone; its one item is when it last changed."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        team = Clinician.objects.aggregate(
            shown=Count("pk", filter=Q(is_public=True)), changed=Max("updated_at")
        )
        return [team["changed"]] if team["shown"] else []

    def location(self, changed):
        return reverse("team:clinician_list")

    def lastmod(self, changed):
        return changed


class ClinicianSitemap(InEveryLanguage, Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Clinician.objects.shown_publicly().only("slug", "updated_at").order_by("pk")

    def lastmod(self, clinician):
        return clinician.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]
