"""Real-browser tests: pytest-playwright driving Debian's Chromium against live_server.

Without Chromium (or the npm tools) these tests are skipped on a developer's machine
and fail under CI=true, where a missing browser must never pass unnoticed.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require(available, what):
    if available:
        return
    message = f"{what} is not installed (see README: browser tests)"
    if IN_CI:
        pytest.fail(message + "; under CI a missing browser is a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), "Chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def axe_source():
    require(AXE.exists(), "axe-core (npm install)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def console_errors(page):
    """Collect the browser console's errors and uncaught exceptions of the page."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    return errors


@pytest.fixture(autouse=True)
def _live_settings(settings):
    settings.CONSULTATION_MIN_SECONDS = 0  # a test types faster than a person
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SERVE_MEDIA = True  # uploaded images, as `make serve` shows them
