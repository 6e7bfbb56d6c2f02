from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Medical content"

    def ready(self):
        from articles.roles import sync_staff_groups

        post_migrate.connect(sync_staff_groups, dispatch_uid="articles.sync_staff_groups")

        from articles.images import discard_deleted_hero

        post_delete.connect(
            discard_deleted_hero, sender="articles.Article", dispatch_uid="articles.hero_files"
        )

        # What the public reads changed: the record's share cards follow its published title.
        from articles.cards import queue_refresh
        from articles.signals import content_published

        content_published.connect(queue_refresh, dispatch_uid="articles.share_cards")
