"""Site-wide behaviour: health check, error pages, admin reachability, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_says_ok_when_every_part_answers(client, worker_alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "media": "ok",
        "worker": "ok",
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-folder/genoma.sqlite3",
        "postgres://genoma@127.0.0.1:9/genoma?connect_timeout=2",
    ],
    ids=["sqlite-missing-file", "postgresql-refused"],
)
def test_healthz_says_503_when_the_database_is_unreachable(database_url):
    """The real site, started against a database it cannot reach, reports 503."""
    result = _manage(
        "shell",
        "--command",
        "from django.test import Client; r = Client().get('/healthz', HTTP_HOST='localhost');"
        "print('RESULT', r.status_code, r.content.decode())",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
    )
    assert result.returncode == 0, result.stderr
    outcome = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    assert outcome.split()[1] == "503"
    assert '"status": "unavailable"' in outcome
    assert '"database": "OperationalError' in outcome


def test_healthz_answers_only_safe_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_unknown_page_gets_the_404_page_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'class="site-header"' in html
    assert "Medical disclaimer" in html


@pytest.mark.parametrize(
    ("view", "status", "text"),
    [
        (defaults.bad_request, 400, "Something in that request was not right"),
        (defaults.permission_denied, 403, "You do not have access to this page"),
        (defaults.page_not_found, 404, "We could not find that page"),
    ],
)
def test_error_pages_render_in_the_site_layout(view, status, text):
    request = RequestFactory().get("/somewhere/")
    response = view(request, Exception("boom"))
    assert response.status_code == status
    html = response.content.decode()
    assert text in html
    assert 'class="site-header"' in html


def test_server_error_page_renders_in_the_layout_without_touching_the_database():
    # No django_db mark: any query while rendering would raise here.
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_missing_csrf_token_gets_a_friendly_403_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


@pytest.mark.django_db
def test_admin_login_page_is_reachable(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


@pytest.mark.django_db
def test_admin_index_works_for_a_superuser(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Genoma Health" in response.content.decode()


def _manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_debug_off_and_a_secret_key():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        CLINIC_EMAIL="care@genoma.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_plain_check_prints_no_warning_in_development():
    result = _manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


@pytest.mark.django_db
def test_footer_shows_the_clinic_contact_details_when_set(client, settings):
    settings.CLINIC_PHONE = "+66 2 123 4567"
    settings.CLINIC_EMAIL = "care@clinic.example"
    page = client.get("/privacy/").content.decode()
    assert 'href="tel:+6621234567"' in page
    assert 'href="mailto:care@clinic.example"' in page
    assert "Medical disclaimer" in page
    assert 'href="/privacy/"' in page


def test_code_only_commands_run_without_a_secret_key_but_the_rest_still_refuse():
    assert _manage("makemigrations", "--check", "--dry-run").returncode == 0
    refused = _manage("check")
    assert refused.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in refused.stderr
