"""Site-wide jobs of the worker (`python manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

from genoma import health


@HUEY.on_startup()
def heartbeat_at_start():
    health.beat()


@periodic_task(crontab(minute="*"))
def heartbeat():
    """Every minute: the heartbeat /healthz reads to know the worker is alive."""
    health.beat()
