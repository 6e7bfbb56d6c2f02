"""/healthz names the part that fails: the database, the cache, the media store, or
the job worker (its heartbeat). A part a page needs answers 503 (load balancers); a
stale worker is "degraded", a 503 only with `?strict` (monitoring)."""

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from huey.contrib.djhuey import HUEY

from genoma import health
from scripts.prodlike import ROOT, manage, production_env
from tests.consultations.test_job_worker import wait_for

pytestmark = pytest.mark.django_db


def answer(client, url="/healthz"):
    response = client.get(url)
    return response.status_code, response.json()


def test_without_a_heartbeat_the_worker_is_named_and_the_site_degraded(client):
    status, body = answer(client)
    assert status == 200  # the pages still work: no load balancer takes the server out
    assert body["status"] == "degraded"
    assert body["worker"] == "Unhealthy: no heartbeat: is `manage.py run_huey` running?"
    assert body["database"] == body["cache"] == body["media"] == "ok"
    strict_status, strict_body = answer(client, "/healthz?strict")
    assert strict_status == 503
    assert strict_body == body


def test_a_stale_heartbeat_is_a_failure(client):
    HUEY.put(health.HEARTBEAT_KEY, time.time() - 400)
    try:
        status, body = answer(client, "/healthz?strict")
    finally:
        HUEY.delete(health.HEARTBEAT_KEY)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["worker"].startswith("Unhealthy: last heartbeat 40")


def test_strict_with_every_part_answering_is_ok(client, worker_alive):
    assert answer(client, "/healthz?strict") == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok", "media": "ok", "worker": "ok"},
    )


def test_a_cache_that_loses_what_it_was_given_is_named(client, worker_alive, monkeypatch):
    monkeypatch.setattr(health.shared_cache, "get", lambda *args, **kwargs: None)
    status, body = answer(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["cache"] == "Unhealthy: a value written was not read back"
    assert body["worker"] == "ok"


def test_an_unreachable_media_store_is_named(client, worker_alive, monkeypatch):
    def unreachable(storage, name):
        raise ConnectionError("store down")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.exists", unreachable)
    status, body = answer(client)
    assert status == 503
    assert body["media"] == "ConnectionError: store down"


def test_the_worker_beats_every_minute():
    import genoma.tasks  # noqa: F401 - the worker loads it (run_huey's autodiscovery)

    minutes = [datetime(2026, 12, 7, 9, 0) + timedelta(minutes=m) for m in range(5)]
    assert all(
        "heartbeat" in {task.name for task in HUEY.read_periodic(moment)} for moment in minutes
    )


def test_a_running_worker_makes_the_health_check_say_ok(tmp_path):
    """The real worker on a SQLite site: it beats when it starts; the web side reads the
    beat from the queue's file."""
    database = tmp_path / "site.sqlite3"
    manage(database, "migrate", "--no-input", "-v0")
    ask = "from django.test import Client; print(Client().get('/healthz', HTTP_HOST='localhost').content.decode())"

    def worker_answer():
        return json.loads(manage(database, "shell", "-v0", "-c", ask).splitlines()[-1])["worker"]

    assert worker_answer().startswith("Unhealthy: no heartbeat")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=production_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: worker_answer() == "ok", timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
