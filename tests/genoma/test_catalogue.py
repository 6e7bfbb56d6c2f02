"""Every string the site shows has its Thai translation.

The test extracts the strings as `make messages` does (Django's makemessages, into a
copy of the catalogue) and fails on any Thai entry that is missing, empty or fuzzy, so
a sentence added without its translation fails the suite, and on a compiled catalogue
that lags behind its source.
"""

import os
import shutil
import subprocess
import sys
from gettext import GNUTranslations
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The Thai catalogue after a fresh extraction of every string in the source, as
    `make messages` extracts them, in a copy of the project (makemessages writes into
    the locale folder beside the source it reads)."""
    copy = tmp_path_factory.mktemp("extracted") / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "node_modules", "staticfiles", "reports", "media", "*.sqlite3", "__pycache__"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "th", "--no-obsolete", "-v0"],
        cwd=copy,
        env={**os.environ, "DJANGO_DEBUG": "1"},
        check=True,
    )
    return polib.pofile(str(copy / "locale" / "th" / "LC_MESSAGES" / "django.po"))


def test_every_string_has_a_thai_translation(extracted):
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    assert missing == [], f"{len(missing)} strings without Thai: {missing[:20]}"


def test_no_thai_translation_is_fuzzy(extracted):
    fuzzy = [entry.msgid for entry in extracted.fuzzy_entries()]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy Thai translations: {fuzzy[:20]}"


def test_the_committed_catalogue_is_the_extracted_one(extracted):
    """Nothing extracted is absent from locale/, nothing in it is obsolete."""
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    assert {e.msgid for e in committed if not e.obsolete} == {e.msgid for e in extracted}


def test_the_compiled_catalogue_says_what_its_source_says(tmp_path):
    """django.mo is what `compilemessages` makes of django.po today."""
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE / "django.po")],
        check=True,
    )
    with open(compiled, "rb") as fresh, open(CATALOGUE / "django.mo", "rb") as committed:
        assert GNUTranslations(fresh)._catalog == GNUTranslations(committed)._catalog
