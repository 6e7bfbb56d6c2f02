"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Production settings, minus what a test client cannot do.

    The test client speaks plain HTTP and static files are not collected, so the
    HTTPS redirect and the manifest storage are swapped out; uploads go to a
    temporary folder.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
