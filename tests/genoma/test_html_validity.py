"""Public pages are valid HTML, according to the Nu HTML Checker (run offline)."""

from itertools import product

import pytest

from tests.consultations.conftest import started_seconds_ago
from tests.html_checker import assert_valid_html, require_java
from tests.public_pages import LANGUAGE_PREFIXES, PAGES
from tests.team.factories import with_photo

PAGES = {**PAGES, "not-found": "/no-such-page/"}


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, clinic_content, tmp_path):
    require_java()
    with_photo()  # the team pages with everything a clinician may have
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
    assert_valid_html(files)
