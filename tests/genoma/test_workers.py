"""The site under gunicorn with three worker processes behaves as one site.

Without REDIS_URL the cache is shared by every process (a table in the database):
a page retired by publishing or unpublishing is retired in every worker within a
second (each worker reads the shared content version at most once a second), and the
rate limit counts one address's submissions across all of them.
"""

import socket
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from scripts.prodlike import (
    STAFF_STATIC,
    gunicorn,
    http_request,
    manage,
    prepare_database,
    submit_consultation,
)

REQUESTS = 40
WITHIN_SECONDS = 1  # README: a publication reaches every worker within a second
WORKERS = 3
ARTICLE = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
OTHER_ARTICLE = "/articles/understanding-osteopenia-and-how-stem-cell-therapy-may-offer-new-hope/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A fresh SQLite file, the clinic's content, and `gunicorn -w 3`, as `make serve` runs."""
    folder = tmp_path_factory.mktemp("workers")
    database = folder / "site.sqlite3"
    env = {
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CONSULTATION_RATE_LIMIT": "5/h",
        "CONSULTATION_MIN_SECONDS": "0",
    }
    prepare_database(database, env_extra=env, collectstatic_args=STAFF_STATIC)
    with gunicorn(database, free_port(), workers=WORKERS, env_extra=env) as base:
        yield (
            base,
            lambda code: manage(database, "shell", "-c", textwrap.dedent(code), env_extra=env),
        )


def get_many(base, path):
    """REQUESTS GETs of `path`, eight at a time so that every worker answers some."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: http_request(base, "GET", path), range(REQUESTS)))


def test_an_unpublished_article_leaves_every_worker_within_a_second(site):
    base, shell = site
    assert {status for status, _, _ in get_many(base, ARTICLE)} == {200}  # cached everywhere
    shell(
        f"""
        from django.contrib.auth.models import Group, User
        from articles.models import Article
        from articles.publishing import unpublish
        editor = User.objects.create_user("withdrawing-editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        unpublish(Article.objects.get(slug="{ARTICLE.split("/")[2]}"), editor)
        """
    )
    time.sleep(WITHIN_SECONDS)
    answers = get_many(base, ARTICLE)
    assert [status for status, _, _ in answers] == [404] * REQUESTS
    assert all(headers.get("X-Cache") is None for _, headers, _ in answers)


def test_a_new_title_shows_in_every_worker_once_published_not_once_saved(site):
    base, shell = site
    assert all(b"Understanding Osteopenia" in body for _, _, body in get_many(base, OTHER_ARTICLE))
    shell(
        f"""
        from articles.models import Article
        from articles.publishing import record_version
        article = Article.objects.get(slug="{OTHER_ARTICLE.split("/")[2]}")
        article.title = "Osteopenia, retitled by an editor"
        article.save()
        record_version(article)  # as a save in admin does
        """
    )
    saved = get_many(base, OTHER_ARTICLE)
    assert all(headers.get("X-Cache") == "hit" for _, headers, _ in saved)
    assert not any(b"retitled by an editor" in body for _, _, body in saved)
    shell(
        f"""
        from articles.models import Article
        from articles.publishing import publish_unreviewed
        publish_unreviewed(Article.objects.get(slug="{OTHER_ARTICLE.split("/")[2]}"))
        """
    )
    time.sleep(WITHIN_SECONDS)
    answers = get_many(base, OTHER_ARTICLE)
    assert [status for status, _, _ in answers] == [200] * REQUESTS
    assert all(b"Osteopenia, retitled by an editor" in body for _, _, body in answers)


def test_the_rate_limit_counts_one_address_across_every_worker(site):
    base, _ = site
    submissions = [submit_consultation(base, n) for n in range(14)]
    assert [s.form_status for s in submissions] == [200] * 14
    accepted = [s for s in submissions if s.status == 302]
    assert len(accepted) == 5
    assert all(s.location == "/consultation/thanks/" for s in accepted)
    assert [s.status for s in submissions[5:]] == [429] * 9


def test_a_host_the_site_does_not_serve_gets_400(site):
    base, _ = site
    status, _, body = http_request(base, "GET", "/", headers={"Host": "evil.example"})
    assert status == 400
    assert b"Something in that request was not right" in body
