"""Public pages are valid HTML, according to the Nu HTML Checker (run offline)."""

from itertools import product

import pytest

from tests.consultations.conftest import started_seconds_ago
from tests.html_checker import assert_valid_html, require_java
from tests.public_pages import LANGUAGE_PREFIXES, PAGES
from tests.team.factories import with_calendar, with_photo

PAGES = {**PAGES, "not-found": "/no-such-page/"}


def with_a_chosen_time():
    """A whole form whose patient chose the first free time at the clinic."""
    import uuid

    from consultations.scheduling import free_times, start_value

    return {
        "full_name": "Malee Srisuk",
        "email": "malee@example.com",
        "phone": "+66 81 234 5678",
        "country": "TH",
        "contact_method": "email",
        "language": "en",
        "consultation_mode": "clinic",
        "clinic_time": start_value(free_times("clinic")[0].start),
        "preferred_time": "any",
        "consent": "on",
        "form_started": started_seconds_ago(60),
        "submission_token": str(uuid.uuid4()),
    }


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, clinic_content, tmp_path):
    require_java()
    # The team pages with everything a clinician may have; the form with free times.
    with_calendar(with_photo())
    files = []
    for (name, url), (language, prefix) in product(PAGES.items(), LANGUAGE_PREFIXES.items()):
        response = client.get(prefix + url)
        assert response.status_code in (200, 404), prefix + url
        path = tmp_path / f"{language}-{name.replace(' ', '-')}.html"
        path.write_bytes(response.content)
        files.append(path)
    for language, prefix in LANGUAGE_PREFIXES.items():
        invalid = client.post(
            f"{prefix}/consultation/", {"email": "x", "form_started": started_seconds_ago(9)}
        )
        (tmp_path / f"{language}-form-errors.html").write_bytes(invalid.content)
        files.append(tmp_path / f"{language}-form-errors.html")
        chosen = client.post(f"{prefix}/consultation/", with_a_chosen_time(), follow=True)
        assert chosen.redirect_chain, chosen.content.decode()[-3000:]
        (tmp_path / f"{language}-thanks-held-time.html").write_bytes(chosen.content)
        files.append(tmp_path / f"{language}-thanks-held-time.html")
    assert_valid_html(files)
