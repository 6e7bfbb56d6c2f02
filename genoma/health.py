"""What `/healthz` checks: each part the site needs, named when it fails.

The database and the cache answer every page; the media store holds the uploaded
images; the job worker sends every email (it leaves a heartbeat in the job queue's
own store when it starts and every minute, so a worker that died, or a queue nobody
works, shows as a stale heartbeat).
"""

import logging
import time
import uuid

from django.core.cache import cache as shared_cache
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "genoma:worker-heartbeat"
HEARTBEAT_STALE_AFTER = 180  # seconds: three beats missed


class Unhealthy(Exception):
    pass


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    token = uuid.uuid4().hex
    shared_cache.set("genoma:healthz", token, 30)
    if shared_cache.get("genoma:healthz") != token:
        raise Unhealthy("a value written was not read back")


def check_media():
    # Any answer, yes or no, means the store can be reached (a request on S3).
    default_storage.exists("healthz-probe")


def _queue():
    from huey.contrib.djhuey import HUEY

    return HUEY


def beat():
    """The worker's heartbeat: now, in the job queue's store, for every app server."""
    _queue().put(HEARTBEAT_KEY, time.time())


def check_worker():
    last = _queue().get(HEARTBEAT_KEY, peek=True)
    if last is None:
        raise Unhealthy("no heartbeat: is `manage.py run_huey` running?")
    age = time.time() - last
    if age > HEARTBEAT_STALE_AFTER:
        raise Unhealthy(f"last heartbeat {int(age)} s ago")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "media": check_media,
    "worker": check_worker,
}
# What a page needs from this app server: when one fails, /healthz answers 503 and a load
# balancer takes the server out. A stale worker is reported ("degraded") but answers 503
# only to monitoring that asks `/healthz?strict`: it must not take every server out.
WEB_CHECKS = ("database", "cache", "media")


def run_checks(names):
    """{name: "ok" or what failed} for each check in `names`, in that order. A check
    that raises anything is a failure, never an error page."""
    results = {}
    for name in names:
        try:
            CHECKS[name]()
        except Exception as error:
            results[name] = f"{type(error).__name__}: {error}"[:200]
            logger.warning("Health check: %s failed (%s).", name, type(error).__name__)
        else:
            results[name] = "ok"
    return results


def overall(results):
    """ "unavailable" when a part a page needs failed, "degraded" when only the worker
    did, else "ok"."""
    failed = {name for name, answer in results.items() if answer != "ok"}
    if failed & set(WEB_CHECKS):
        return "unavailable"
    return "degraded" if failed else "ok"
