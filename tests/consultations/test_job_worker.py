"""The job worker as production runs it: `manage.py run_huey` in its own process, its
queue a SQLite file beside the database file, email to a real SMTP server.

The web side only stores and queues; the worker sends. A worker killed in the middle
of sending loses no email and sends none twice: the emails it had not delivered go out
once its claim has lapsed, from the sweep that runs every minute.
"""

import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta

import pytest

from scripts.prodlike import ROOT, manage, production_env
from scripts.smtp_server import SMTPServer

EMAIL_TIMEOUT = 2  # seconds: a claim lapses after ten times this (EmailsDue.claim_lasts)


@pytest.fixture
def mail_server():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def site(tmp_path, mail_server):
    database = tmp_path / "site.sqlite3"
    env = {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(mail_server.port),
        "DJANGO_EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
        "CONSULTATION_NOTIFY_EMAILS": "clinic@example.com",
    }
    manage(database, "migrate", "--no-input", "-v0", env_extra=env)

    def shell(code):
        return manage(database, "shell", "-v0", "-c", textwrap.dedent(code), env_extra=env)

    def start_worker():
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "-d", "0.05", "-m", "0.2"],
            cwd=ROOT,
            env=production_env(database, **env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    return shell, start_worker


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


SUBMIT = """
    from django.db import transaction
    from consultations import services
    from tests.consultations.factories import make_request

    with transaction.atomic():  # as the form's submission: stored, then queued on commit
        request = make_request(clinic_notified_at=None, patient_notified_at=None)
        services.queue_emails(request)
    print(request.reference)
"""
STATE = """
    from consultations.models import ConsultationRequest, EmailsDue
    request = ConsultationRequest.objects.get()
    print(bool(request.clinic_notified_at), bool(request.patient_notified_at),
          EmailsDue.objects.count())
"""
SWEEP = """
    from consultations.tasks import send_emails_due
    send_emails_due()  # queued for the worker, as its schedule queues it every minute
"""


def test_a_worker_killed_while_sending_loses_no_email_and_sends_none_twice(site, mail_server):
    shell, start_worker = site
    reference = shell(SUBMIT).strip()
    assert mail_server.accepted == []  # stored and queued: nothing sent by the web side

    # The clinic's notification goes out; the server takes the acknowledgment's text and
    # never answers: the worker is killed there, mid-send.
    mail_server.hold = {2}
    worker = start_worker()
    try:
        wait_for(lambda: len(mail_server.accepted) == 1 and mail_server.holding.is_set())
    finally:
        worker.kill()
        worker.wait()
    assert shell(STATE).split() == ["True", "False", "1"]  # the acknowledgment still due

    worker = start_worker()
    try:
        time.sleep(10 * EMAIL_TIMEOUT + 1)  # the dead worker's claim lapses
        shell(SWEEP)
        wait_for(lambda: len(mail_server.accepted) == 2)
        wait_for(lambda: shell(STATE).split() == ["True", "True", "0"])
        shell(SWEEP)  # one more sweep: nothing left to send
        time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    subjects = [message["Subject"] for message in mail_server.accepted]
    assert len(subjects) == 2
    assert f"New consultation request {reference}" in subjects[0]
    assert subjects[1] == "Genoma Health: we received your consultation request"


def periodic_jobs_at(moment):
    from huey.contrib.djhuey import HUEY

    from consultations import tasks  # noqa: F401 - registers them

    return {task.name for task in HUEY.read_periodic(moment)}


def test_the_worker_s_schedule_sweeps_every_minute_and_purges_every_night():
    """The promises above ("the sweep that runs every minute") and the privacy notice's
    retention, as the worker's schedule (Huey keeps time in UTC)."""
    start = datetime(2026, 11, 25, 0, 0)
    minutes = [start + timedelta(minutes=n) for n in range(24 * 60)]
    sweeps = [m for m in minutes if "send_emails_due" in periodic_jobs_at(m)]
    purges = [m for m in minutes if "purge_consultations" in periodic_jobs_at(m)]
    assert sweeps == minutes
    assert purges == [datetime(2026, 11, 25, 3, 30)]
