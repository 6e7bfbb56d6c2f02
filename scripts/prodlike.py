"""Start the site as production runs it (gunicorn, DEBUG off, collected static files).

Used by `make audit`, `make bench`, `make loadtest` and the multi-worker tests: a
fresh SQLite database with the clinic's content, plain HTTP on 127.0.0.1, a clean
stop afterwards, and the consultation form sent as a browser sends it.
"""

import contextlib
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
VENV_BIN = Path(sys.executable).parent


def production_env(database, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SERVE_MEDIA="1",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{database}",
        CONSULTATION_RATE_LIMIT="off",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(database, *args, env_extra=None):
    """Run a manage.py command with the production environment; return its output."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=production_env(database, **(env_extra or {})),
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# The admin's and the rich-text editor's static files: most of collectstatic's half a
# minute (compression), and no public page needs them.
STAFF_STATIC = ("--ignore", "admin", "--ignore", "django_ckeditor_5")


def prepare_database(database, env_extra=None, collectstatic_args=()):
    """Migrate, load the clinic's content and collect static files, as `make serve` does."""
    manage(database, "migrate", "--no-input", "-v0", env_extra=env_extra)
    manage(database, "load_clinic_content", env_extra=env_extra)
    manage(database, "collectstatic", "--no-input", "-v0", *collectstatic_args, env_extra=env_extra)


def prepare(name="prodlike"):
    """A fresh database in reports/ with the content loaded, and static files collected."""
    REPORTS.mkdir(exist_ok=True)
    database = REPORTS / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    prepare_database(database)
    return database


def wait_until_up(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not start")


@contextlib.contextmanager
def gunicorn(database, port, *, workers=2, app="genoma.wsgi", env_extra=None):
    env = production_env(database, **(env_extra or {}))
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def job_worker(database, *, env_extra=None, workers=2):
    """`manage.py run_huey`, as `make serve` starts it beside gunicorn."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", str(workers), "--quiet"],
        cwd=ROOT,
        env=production_env(database, **(env_extra or {})),
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


FORM_FIELD = re.compile(
    r'name="(csrfmiddlewaretoken|form_started|submission_token)" value="([^"]*)"'
)


class Submission(NamedTuple):
    form_status: int  # the GET of the form
    status: int  # the POST
    location: str  # where the POST redirected, if it did
    token: str  # the form's submission token


def http_request(base, method, path, body=None, headers=None):
    """One request on a new connection: (status, headers, body)."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def submit_consultation(base, patient, **headers):
    """GET the form for its CSRF cookie and hidden fields, then POST it filled in."""
    form_status, form_headers, page = http_request(
        base, "GET", "/consultation/?condition=osteopenia", headers=headers
    )
    fields = dict(FORM_FIELD.findall(page.decode()))
    csrf_cookie = re.search(r"csrftoken=([^;]+)", form_headers.get("Set-Cookie", "")).group(1)
    form = {
        **fields,
        "full_name": f"Load Patient {patient}",
        "email": f"patient{patient}@example.com",
        "phone": "+66812345678",
        "country": "TH",
        "contact_method": "email",
        "language": "en",
        "condition": "osteopenia",
        "preferred_date": (date.today() + timedelta(days=7)).isoformat(),
        "preferred_time": "any",
        "message": "",
        "consent": "on",
    }
    status, post_headers, _ = http_request(
        base,
        "POST",
        "/consultation/",
        body=urllib.parse.urlencode(form),
        headers={
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"{base}/consultation/",
        },
    )
    return Submission(
        form_status, status, post_headers.get("Location", ""), fields["submission_token"]
    )
