"""Fixtures shared by the whole suite."""

import io

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Production settings, minus what a test run cannot do.

    Static files are not collected, so the manifest storage is swapped out;
    uploads go to a temporary folder and email to the outbox.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_at_once():
    """Jobs run when queued, in the test's own process and transaction (Huey's immediate
    mode, in memory): a test sees the emails a job sends. The worker itself runs in
    tests/consultations/test_job_worker.py."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _in_english():
    """Each test starts in English, as each request does (genoma/apps.py): a Thai page
    another test asked for leaves its language active in this thread."""
    from django.utils import translation

    translation.activate("en")


@pytest.fixture
def worker_alive():
    """The job worker's heartbeat, as a running worker leaves it (genoma/tasks.py)."""
    from genoma import health

    health.beat()
    yield
    health._queue().delete(health.HEARTBEAT_KEY)


DATABASE_FIXTURES = ("transactional_db", "db")


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test with a database starts with an empty cache: no page cached by another
    test's data, no rate-limit count left over. The cache is a table in the test
    database (as without REDIS_URL in production), so a test without one has no cache."""
    wanted = [name for name in DATABASE_FIXTURES if name in request.fixturenames]
    if not wanted and not request.node.get_closest_marker("django_db"):
        return
    if wanted:
        request.getfixturevalue(wanted[0])  # the database first, then the cache in it
    from django.core.cache import cache

    from genoma import cache as page_cache

    cache.clear()
    # ...and this process has read no version and kept no page nor part of one: as a fresh worker.
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr(page_cache, "_version", page_cache.SharedVersion())
    monkeypatch.setattr(page_cache, "_copies", page_cache._ProcessCopies())
    monkeypatch.setattr(page_cache, "_parts", page_cache._ProcessCopies())


@pytest.fixture
def clinic_content(db):
    """The clinic's three posts, loaded as `make run` loads them."""
    from django.core.management import call_command

    call_command("load_clinic_content", stdout=io.StringIO())


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="editor", password="editor-password-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def clinic_staff(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="clinician", password="clinic-password-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Clinic staff"))
    return user


def sign_in(client, user):
    """Signed in as `user`, with the second factor given where the account needs one (as
    after typing the authenticator app's code; tests/twofactor/ test that step itself)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from twofactor.policy import needs_second_factor

    client.force_login(user)
    if not needs_second_factor(user):
        return client
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="Authenticator app")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's (a browser of its own), signed in with the second factor a
    superuser gives."""
    from django.test import Client

    return sign_in(Client(), admin_user)


@pytest.fixture
def editor_client(client, editor):
    return sign_in(client, editor)


@pytest.fixture
def clinic_staff_client(client, clinic_staff):
    return sign_in(client, clinic_staff)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 server (Ceph's RADOS Gateway on 127.0.0.1, a free port from 7490) for the
    session: started,
    and installed if need be, by scripts/s3_server.py; stopped at the end. Without it the
    S3 tests skip, except under CI=true."""
    import os

    from scripts import s3_server
    from scripts.prodlike import ROOT

    folder = ROOT / "reports" / "s3-tests"
    try:
        environment = s3_server.start(folder, port=s3_server.free_port())
    except Exception as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no S3 server here: {error}")
    yield environment
    s3_server.stop(folder)


@pytest.fixture
def s3_media(s3_server, settings):
    """Uploaded media in a new public-read bucket of the real S3 server, configured as
    production configures it (genoma.settings.s3_media); yields the bucket's client.
    The bucket and everything in it is deleted afterwards."""
    import uuid

    from genoma.settings import s3_media
    from scripts.s3_server import create_bucket

    bucket = f"genoma-test-{uuid.uuid4().hex[:12]}"
    client = create_bucket(s3_server, bucket)
    storage, media_url = s3_media(
        bucket,
        endpoint=s3_server["DJANGO_AWS_S3_ENDPOINT_URL"],
        access_key=s3_server["DJANGO_AWS_ACCESS_KEY_ID"],
        secret_key=s3_server["DJANGO_AWS_SECRET_ACCESS_KEY"],
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    client.bucket = bucket
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)
