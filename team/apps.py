from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "team"
    verbose_name = _("Clinic team")

    def ready(self):
        from team.models import discard_deleted_photo

        post_delete.connect(
            discard_deleted_photo, sender="team.Clinician", dispatch_uid="team.photo_files"
        )
