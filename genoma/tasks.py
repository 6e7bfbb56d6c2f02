"""Site-wide jobs of the worker (`python manage.py run_huey`)."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, periodic_task

from genoma import health


@HUEY.on_startup()
def heartbeat_at_start():
    health.beat()


@periodic_task(crontab(minute="*"))
def heartbeat():
    """Every minute: the heartbeat /healthz reads to know the worker is alive."""
    health.beat()


@db_periodic_task(crontab(hour="4", minute="0"))
def purge_media():
    """Every night at 04:00 UTC: uploaded files that nothing shows any more."""
    call_command("purge_media")
