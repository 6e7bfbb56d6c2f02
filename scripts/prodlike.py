"""Start the site as production runs it (gunicorn, DEBUG off, collected static files).

Used by `make audit` and `make bench`: a fresh SQLite database with the clinic's
content in reports/, plain HTTP on 127.0.0.1, and a clean stop afterwards.
"""

import contextlib
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


def prepare(name="prodlike"):
    """A fresh database with the content loaded, and static files collected."""
    REPORTS.mkdir(exist_ok=True)
    database = REPORTS / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = production_env(database)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["load_clinic_content"],
        ["collectstatic", "--no-input", "-v0"],
    ):
        subprocess.run(
            [*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
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
