"""The settings module reads the environment and is safe by default."""

import json
import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "genoma" / "settings.py"
ENV_NAMES = [
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_MEDIA_ROOT",
    "DJANGO_LOG_FORMAT",
    "SENTRY_DSN",
    "DJANGO_PG_RANDOM_PAGE_COST",
]


@pytest.fixture
def load_settings(monkeypatch):
    """Execute settings.py afresh under the given environment; return its names."""

    def load(**env):
        for name in ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def run_python(code, **env):
    base_env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**base_env, "DJANGO_SETTINGS_MODULE": "genoma.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(load_settings):
    with pytest.raises(
        ImproperlyConfigured, match="Set the DJANGO_SECRET_KEY environment variable"
    ):
        load_settings()


def test_manage_py_stops_with_one_clear_sentence_without_a_secret_key():
    result = run_python("import django; django.setup()")
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_debug_is_off_by_default_and_debug_needs_no_key(load_settings):
    assert load_settings(DJANGO_SECRET_KEY="x" * 50)["DEBUG"] is False
    assert load_settings(DJANGO_DEBUG="1")["DEBUG"] is True


def test_sqlite_is_the_default_with_wal_immediate_transactions_and_a_busy_timeout(load_settings):
    database = load_settings(DJANGO_SECRET_KEY="k" * 50)["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql_with_persistent_checked_connections(load_settings):
    names = load_settings(
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://clinic:s3cret@db.internal:6543/genoma",
    )
    database = names["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 6543, "genoma")
    assert (database["USER"], database["PASSWORD"]) == ("clinic", "s3cret")
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_postgresql_plans_for_ssds_unless_told_otherwise(load_settings):
    postgres = {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://db.internal/genoma"}

    def options(**env):
        return load_settings(**postgres, **env)["DATABASES"]["default"]["OPTIONS"]

    assert options() == {"options": "-c random_page_cost=1.1"}
    assert options(DJANGO_PG_RANDOM_PAGE_COST="4") == {"options": "-c random_page_cost=4"}
    for wrong in ("fast", "0", "-1", "1; DROP"):
        with pytest.raises(ImproperlyConfigured, match="DJANGO_PG_RANDOM_PAGE_COST is a posi"):
            options(DJANGO_PG_RANDOM_PAGE_COST=wrong)


@pytest.mark.django_db
def test_the_site_connections_use_that_planner_cost():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner setting (the suite on PostgreSQL checks it)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_redis_url_selects_the_redis_cache_else_a_table_every_process_shares(load_settings):
    cache = load_settings(DJANGO_SECRET_KEY="k" * 50, REDIS_URL="redis://127.0.0.1:6379/1")
    assert cache["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    shared = load_settings(DJANGO_SECRET_KEY="k" * 50)["CACHES"]["default"]
    assert shared["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert shared["OPTIONS"]["MAX_ENTRIES"] >= 1000


def test_production_is_https_only_with_a_year_of_hsts(load_settings):
    names = load_settings(DJANGO_SECRET_KEY="k" * 50)
    assert names["SECURE_SSL_REDIRECT"] is True
    assert names["SECURE_HSTS_SECONDS"] >= 31536000
    assert names["SESSION_COOKIE_SECURE"] is True
    assert names["CSRF_COOKIE_SECURE"] is True
    assert names["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_ssl_redirect_can_be_switched_off_for_a_local_production_like_run(load_settings):
    names = load_settings(DJANGO_SECRET_KEY="k" * 50, DJANGO_SECURE_SSL_REDIRECT="0")
    assert names["SECURE_SSL_REDIRECT"] is False
    assert names["SESSION_COOKIE_SECURE"] is False
    assert "SECURE_HSTS_SECONDS" not in names


def test_static_files_are_compressed_and_hashed_and_media_root_is_configurable(
    load_settings, tmp_path
):
    names = load_settings(DJANGO_SECRET_KEY="k" * 50, DJANGO_MEDIA_ROOT=str(tmp_path))
    assert names["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert names["MEDIA_ROOT"] == tmp_path


def test_clinic_time_zone_and_languages(load_settings):
    names = load_settings(DJANGO_SECRET_KEY="k" * 50)
    assert names["TIME_ZONE"] == "Asia/Bangkok"
    assert names["USE_TZ"] is True
    assert [code for code, _ in names["LANGUAGES"]] == ["en", "th"]
    # A public page's language is its address (tests/genoma/test_language.py).
    assert "django.middleware.locale.LocaleMiddleware" in names["MIDDLEWARE"]


def test_sqlite_file_database_uses_wal_and_loses_no_concurrent_write(tmp_path):
    """40 threads write at once to a SQLite file: every write lands, none is locked out."""
    result = run_python(
        """
        import json, threading
        import django
        django.setup()
        from django.db import connection, connections, transaction

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, n INTEGER)")
            cursor.execute("PRAGMA journal_mode")
            journal_mode = cursor.fetchone()[0]
        errors = []

        def write(n):
            try:
                for _ in range(5):
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT COUNT(*) FROM probe")
                            cursor.fetchone()
                            cursor.execute("INSERT INTO probe (n) VALUES (%s)", [n])
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM probe")
            rows = cursor.fetchone()[0]
        print(json.dumps({"journal_mode": journal_mode, "rows": rows, "errors": errors[:3]}))
        """,
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"journal_mode": "wal", "rows": 200, "errors": []}


@pytest.mark.django_db
def test_the_health_check_answers_over_plain_http_when_https_is_enforced(
    load_settings, settings, client, worker_alive
):
    """A load balancer checks the app server directly, without TLS: 200, never a redirect."""
    production = load_settings(DJANGO_SECRET_KEY="k" * 50)
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production.get("SECURE_REDIRECT_EXEMPT", [])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    for url in ("/", "/healthz/", "/healthzx", "/articles/healthz"):
        assert client.get(url).status_code == 301, url


@pytest.mark.django_db
def test_the_migrations_create_the_postgresql_extensions_readme_names():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's extensions")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extname, extversion IS NOT NULL FROM pg_extension"
            " WHERE extname IN ('pg_trgm', 'btree_gist', 'btree_gin')"
        )
        assert sorted(name for name, _version in cursor.fetchall()) == [
            "btree_gin",
            "btree_gist",
            "pg_trgm",
        ]
    readme = (ROOT / "README.md").read_text()
    assert "`pg_trgm`, `btree_gist` and `btree_gin`" in readme
