"""Security headers, sessions and logins: what Mozilla's HTTP Observatory would check."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.genoma.test_html_validity import with_a_chosen_time
from tests.public_pages import LANGUAGE_PREFIXES
from tests.public_pages import PAGES as PAGE_TYPES
from tests.team.factories import with_calendar, with_photo

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/",
    "/conditions/",
    "/conditions/osteopenia/?t_score=-1.8",
    "/treatments/",
    "/treatments/msc-therapy/",
    "/search/?q=bone",
    "/consultation/",
    "/consultation/thanks/",
    "/privacy/",
    "/no-such-page/",
    "/sitemap.xml",
    "/robots.txt",
    "/feed/",
    "/healthz",
]


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.fixture
def https_settings(settings):
    """The production settings a reverse proxy with TLS in front would give."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_sends_the_security_headers(clinic_content, https_settings, url):
    response = Client().get(url, secure=True)
    assert response.status_code in (200, 404)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]


def assert_no_inline_script_or_style(page):
    assert " style=" not in page
    scripts = list(page.split("<script")[1:])
    for script in scripts:
        opening = script.split(">", 1)[0]
        assert 'type="application/ld+json"' in opening or "src=" in opening, opening


@pytest.mark.parametrize("name", [*PAGE_TYPES, "404"])
@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
def test_public_pages_have_no_inline_script_or_style(client, clinic_content, language, name):
    with_calendar(with_photo())  # a clinician's page with everything; the form's free times
    url = LANGUAGE_PREFIXES[language] + {**PAGE_TYPES, "404": "/no-such-page/"}[name]
    response = client.get(url)
    assert response.status_code == (404 if name == "404" else 200), url
    assert_no_inline_script_or_style(response.content.decode())


@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
def test_the_form_with_errors_and_its_thanks_page_have_no_inline_script_or_style(
    client, clinic_content, settings, language
):
    settings.CONSULTATION_MIN_SECONDS = 0
    with_calendar(with_photo())
    url = f"{LANGUAGE_PREFIXES[language]}/consultation/"
    invalid = client.post(url, {"email": "x"})
    assert 'aria-invalid="true"' in invalid.content.decode()
    assert_no_inline_script_or_style(invalid.content.decode())
    thanks = client.post(url, with_a_chosen_time(), follow=True)
    assert thanks.redirect_chain[-1][0].endswith("/consultation/thanks/")
    assert_no_inline_script_or_style(thanks.content.decode())


def test_the_admin_relaxes_only_what_ckeditor_needs(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    directives = csp_directives(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_cookies_are_secure_httponly_and_samesite(clinic_content, https_settings, admin_user):
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "password"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == 8 * 60 * 60
    form = client.get("/consultation/", secure=True)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"


def test_the_session_key_changes_at_login(admin_user):
    client = Client()
    client.get("/consultation/")
    client.session["before"] = "login"  # an anonymous session exists
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


def locked_out_after_five_failures(client, username):
    for _ in range(4):
        response = client.post(
            reverse("admin:login"), {"username": username, "password": "wrong-password"}
        )
        assert response.status_code == 200
    fifth = client.post(reverse("admin:login"), {"username": username, "password": "wrong"})
    assert fifth.status_code == 429
    # Locked: even the right password is refused now.
    return client.post(reverse("admin:login"), {"username": username, "password": "password"})


def test_five_failed_logins_lock_the_user_and_address_out_for_15_minutes(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = locked_out_after_five_failures(client, "admin")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address may still sign in as the same user, and the lock lifts after 15 minutes.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert (
        other.post(
            reverse("admin:login"), {"username": "admin", "password": "password"}
        ).status_code
        == 302
    )
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert (
        client.post(
            reverse("admin:login"), {"username": "admin", "password": "password"}
        ).status_code
        == 302
    )


def test_a_successful_login_resets_the_failure_count(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(4):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    assert (
        client.post(
            reverse("admin:login"), {"username": "admin", "password": "password"}
        ).status_code
        == 302
    )
    client.logout()
    for _ in range(4):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    assert (
        client.post(
            reverse("admin:login"), {"username": "admin", "password": "password"}
        ).status_code
        == 302
    )


def test_the_admin_url_is_configurable(monkeypatch):
    import runpy
    from pathlib import Path

    settings_file = Path(__file__).resolve().parents[2] / "genoma" / "settings.py"
    monkeypatch.setenv("DJANGO_ADMIN_URL", "/clinic-office-7f3a/")
    assert runpy.run_path(str(settings_file))["ADMIN_URL"] == "clinic-office-7f3a/"


def test_staff_passwords_must_be_strong(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = get_user_model()(username="nurse")
    with pytest.raises(ValidationError):
        validate_password("password1", user)
    validate_password("correct horse battery staple 42", user)


def test_a_forged_forwarded_address_does_not_break_the_login(admin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(HTTP_X_FORWARDED_FOR="not-an-ip-address")
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    assert response.status_code == 200
    assert (
        client.post(
            reverse("admin:login"), {"username": "admin", "password": "password"}
        ).status_code
        == 302
    )
