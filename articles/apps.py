from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Medical content"

    def ready(self):
        from articles.roles import sync_staff_groups

        post_migrate.connect(sync_staff_groups, dispatch_uid="articles.sync_staff_groups")

        from articles.search import register_visible_text

        connection_created.connect(register_visible_text, dispatch_uid="articles.visible_text")

        from articles.images import discard_deleted_hero

        post_delete.connect(
            discard_deleted_hero, sender="articles.Article", dispatch_uid="articles.hero_files"
        )

        # Any change to the medical content retires every cached public page.
        from genoma.cache import content_changed

        for model in self.get_models():
            for signal in (post_save, post_delete):
                signal.connect(
                    content_changed, sender=model, dispatch_uid=f"cache.{model.__name__}.{signal}"
                )
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    content_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"cache.{field}",
                )
