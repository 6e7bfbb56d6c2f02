from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_delete, post_migrate, post_save


def create_cache_table(using, **kwargs):
    """Without REDIS_URL the shared cache is a database table: `migrate` creates it."""
    call_command("createcachetable", database=using, verbosity=0)


class GenomaConfig(AppConfig):
    name = "genoma"
    verbose_name = "Genoma Health"

    def ready(self):
        # Not sender=self: Django sends post_migrate only for apps with models, and
        # genoma has none. createcachetable leaves an existing table alone.
        post_migrate.connect(create_cache_table, dispatch_uid="genoma.create_cache_table")

        # The team pages are cached like the content: a clinician's edit retires them.
        from genoma.cache import content_changed

        for signal in (post_save, post_delete):
            signal.connect(
                content_changed, sender="team.Clinician", dispatch_uid=f"cache.Clinician.{signal}"
            )
