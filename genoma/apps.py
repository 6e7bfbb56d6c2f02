from urllib.parse import urlsplit

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import translation


def speak_the_default_language(**kwargs):
    translation.activate(settings.LANGUAGE_CODE)


def create_cache_table(using, **kwargs):
    """Without REDIS_URL the shared cache is a database table: `migrate` creates it."""
    call_command("createcachetable", database=using, verbosity=0)


def point_site_at_site_url(using, apps=global_apps, **kwargs):
    """Sitemaps, the feed and admin's "view on site" link with the current Site's domain:
    `migrate` keeps it the site's own address (DJANGO_SITE_URL), never example.com."""
    from django.contrib.sites.models import Site

    apps.get_model("sites", "Site").objects.using(using).filter(pk=settings.SITE_ID).update(
        domain=urlsplit(settings.SITE_URL).netloc, name="Genoma Health"
    )
    Site.objects.clear_cache()  # this process's copy


class GenomaConfig(AppConfig):
    name = "genoma"
    verbose_name = "Genoma Health"

    def ready(self):
        # Not sender=self: Django sends post_migrate only for apps with models, and
        # genoma has none. createcachetable leaves an existing table alone.
        post_migrate.connect(create_cache_table, dispatch_uid="genoma.create_cache_table")
        # After the sites framework has created its Site (its ready() ran first).
        post_migrate.connect(
            point_site_at_site_url,
            sender=self.apps.get_app_config("sites"),
            dispatch_uid="genoma.point_site_at_site_url",
        )

        # Publishing is what changes the public pages: it retires every cached one.
        from articles.signals import content_published
        from genoma.cache import content_changed

        content_published.connect(content_changed, dispatch_uid="cache.content_published")

        # Each request starts in English: the language a previous request activated in
        # this thread must not reach a page rendered before LocaleMiddleware runs (the
        # 400 page of a host the site does not serve).
        request_started.connect(speak_the_default_language, dispatch_uid="genoma.language")

        # The team pages are cached like the content: a clinician's edit retires them.
        for signal in (post_save, post_delete):
            signal.connect(
                content_changed, sender="team.Clinician", dispatch_uid=f"cache.Clinician.{signal}"
            )
