"""make loadtest: many patients submit the consultation form at once; none is lost.

Starts gunicorn (DEBUG off, rate limit off) and the job worker beside it, and sends N
submissions over C concurrent connections, each one as a browser would (GET the form
for its CSRF cookie and tokens, then POST). Then it checks the database: every
submission stored exactly once, each with a unique reference, and no 5xx answer; and
the mail server (a real SMTP server in this process): once the queue has drained,
every request's clinic notification and acknowledgment arrived, each once.

Scenarios: sqlite (one app server: gunicorn and a worker, SQLite file, its queue a
SQLite file beside it), postgres (one app server on PostgreSQL, the queue in Redis),
and postgres-2 (two app servers sharing one PostgreSQL database and one Redis, the
shape of several app servers behind a load balancer), and mail-outage (postgres-2,
with the mail server stopped from before the first submission until --outage-seconds
later: every email must still arrive once, by the worker's automatic retries alone),
and cluster (`make cluster`'s shape: PostgreSQL, Redis, media on a real S3 server (Ceph
RGW), two app servers and a worker: an editor uploads an image through app server A and
a page served by B shows it; the submissions go to both; the worker is killed with
SIGKILL while they arrive and restarted, and nothing is lost).
"""

import argparse
import collections
import contextlib
import itertools
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid

from cluster import cluster
from prodlike import (
    REPORTS,
    gunicorn,
    http_request,
    job_worker,
    manage,
    prepare_database,
    submit_consultation,
)
from smtp_server import SMTPServer

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own, emptied before each run
LOAD_ENV = {
    "CONSULTATION_RATE_LIMIT": "off",
    "CONSULTATION_MIN_SECONDS": "0",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "DJANGO_EMAIL_HOST": "127.0.0.1",
    "CONSULTATION_NOTIFY_EMAILS": "clinic@example.com",
}
# The retries after an outage come 1, 2, 4, 8… minutes after each failure, at the
# worker's next sweep (every minute): allow for the first four.
DRAIN_SECONDS = 16 * 60


def fresh_database(scenario):
    if scenario == "sqlite":
        REPORTS.mkdir(exist_ok=True)
        for name in ("loadtest.sqlite3", "loadtest-jobs.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (REPORTS / f"{name}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{REPORTS / 'loadtest.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS genoma_loadtest WITH (FORCE)")
            connection.execute("CREATE DATABASE genoma_loadtest")
        url = "postgres://postgres@127.0.0.1:5432/genoma_loadtest"
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    prepare_database("unused", env_extra={**LOAD_ENV, "DATABASE_URL": url})
    return url


class Submitter:
    def __init__(self, bases, total):
        self.bases = itertools.cycle(bases)
        self.lock = threading.Lock()
        self.remaining = total
        self.statuses = {}
        self.errors = []
        self.tokens = []

    def take(self):
        with self.lock:
            if self.remaining <= 0:
                return None
            self.remaining -= 1
            return next(self.bases)

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def submit_one(self, base, n):
        submission = submit_consultation(base, n)
        self.count(submission.form_status)
        self.count(submission.status)
        if submission.status != 302:
            raise RuntimeError(f"POST answered {submission.status}")
        with self.lock:
            self.tokens.append(submission.token)

    def worker(self):
        n = 0
        while (base := self.take()) is not None:
            n += 1
            try:
                self.submit_one(base, f"{threading.get_ident()}-{n}")
            except Exception as error:
                with self.lock:
                    self.errors.append(repr(error))


STORED = (
    "import json; from consultations.models import ConsultationRequest as R, EmailsDue; "
    "rows = list(R.objects.values_list('reference', 'submission_token', 'status', 'email')); "
    "print(json.dumps({'rows': len(rows), 'references': sorted(r[0] for r in rows), "
    "'tokens': sorted(str(r[1]) for r in rows), 'emails': sorted(r[3] for r in rows), "
    "'statuses': sorted({r[2] for r in rows}), 'due': EmailsDue.objects.count(), "
    "'failing': R.objects.with_failed_notifications().count()}))"
)


def stored_state(env):
    return json.loads(manage("unused", "shell", "-c", STORED, env_extra=env).splitlines()[-1])


@contextlib.contextmanager
def app_servers(scenario, env_extra, workers):
    """The scenario's app servers, each with its job worker; yields (bases, env, cluster)."""
    if scenario == "cluster":
        with cluster(database="genoma_loadtest", env_extra=env_extra, workers=workers) as running:
            yield running.app_servers, running.env, running
        return
    env_extra = {**env_extra, "DATABASE_URL": fresh_database(scenario)}
    if scenario != "sqlite":
        env_extra["REDIS_URL"] = REDIS_URL
    instances = 2 if scenario in ("postgres-2", "mail-outage") else 1
    with contextlib.ExitStack() as stack:
        bases = []
        for i in range(instances):
            unused = REPORTS / "unused.sqlite3"
            bases.append(
                stack.enter_context(
                    gunicorn(unused, 8790 + i, workers=workers, env_extra=env_extra)
                )
            )
            stack.enter_context(job_worker(unused, env_extra=env_extra))
        yield bases, env_extra, None


def run(scenario, submissions, connections, workers, outage_seconds=0, kill_worker_after=None):
    with contextlib.ExitStack() as stack:
        mail_server = stack.enter_context(SMTPServer())
        env_extra = {**LOAD_ENV, "DJANGO_EMAIL_PORT": str(mail_server.port)}
        if outage_seconds:
            env_extra["DJANGO_LOG_LEVEL"] = "ERROR"  # not a warning per failed email
        bases, env_extra, running = stack.enter_context(app_servers(scenario, env_extra, workers))
        media_report = upload_on_a_seen_on_b(running) if running else None
        submitter = Submitter(bases, submissions)
        if outage_seconds:
            mail_server.go_down()
            outage = threading.Timer(outage_seconds, mail_server.come_back)
            outage.start()
        if running and kill_worker_after is not None:
            restart = threading.Thread(
                target=kill_and_restart_worker, args=(running, kill_worker_after)
            )
            restart.start()
        started = time.perf_counter()
        threads = [threading.Thread(target=submitter.worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if outage_seconds:
            outage.join()  # the drain counts from the end of the outage
        if running and kill_worker_after is not None:
            restart.join()
        stored, drained = _drain(mail_server, env_extra, expected=2 * submissions)
        with mail_server.lock:
            received = list(mail_server.accepted)
        restore_report = backup_wipe_restore(running, stored) if running else None
    instances = len(bases)
    left_running = running.still_running() if running else []
    server_errors = sum(count for status, count in submitter.statuses.items() if status >= 500)
    sent = collections.Counter((message["To"], message["Subject"]) for message in received)
    expected = collections.Counter(
        [("clinic@example.com", f"New consultation request {r}") for r in stored["references"]]
        + [(e, "Genoma Health: we received your consultation request") for e in stored["emails"]]
    )
    # A worker killed in the instant between the mail server's acceptance and the record
    # of it sends that email again (README): at most one per consumer thread it had.
    sent_again = sent - expected
    allowed_again = 2 if kill_worker_after is not None else 0
    emails_ok = (
        set(sent) == set(expected)
        and not expected - sent
        and sum(sent_again.values()) <= allowed_again
        and stored["due"] == 0
        and stored["failing"] == 0
    )
    received_label = "each once" if sent == expected else "NOT each once"
    if emails_ok and sent_again:
        received_label = (
            f"each once but {sum(sent_again.values())} sent again, in flight when the worker "
            "was killed"
        )
    ok = (
        (media_report is None or media_report.startswith("media OK"))
        and (restore_report is None or restore_report.startswith("restore OK"))
        and not left_running
        and not submitter.errors
        and server_errors == 0
        and stored["rows"] == submissions
        and len(set(stored["references"])) == submissions
        and stored["tokens"] == sorted(submitter.tokens)
        and emails_ok
    )
    label = f"{scenario} ({instances} app server(s): gunicorn x {workers} and a job worker)"
    if outage_seconds:
        label += f", mail server down for the first {outage_seconds} s"
    if running and kill_worker_after is not None:
        label += f", the worker killed {kill_worker_after} s in and restarted 5 s later"
    if media_report:
        print(media_report)
    if restore_report:
        print(restore_report)
    if running:
        print(f"after the cluster stopped, still running: {left_running or 'nothing it started'}")
    print(
        f"{label}, {connections} connections: {submissions} submissions in {elapsed:.1f} s = "
        f"{submissions / elapsed:.0f}/s; HTTP {dict(sorted(submitter.statuses.items()))}; "
        f"stored {stored['rows']}, unique references {len(set(stored['references']))}, "
        f"statuses {stored['statuses']}; emails {len(received)} of {sum(expected.values())} "
        f"({received_label}), queue drained "
        f"{drained:.1f} s after the last submission{' and the outage' if outage_seconds else ''}; "
        f"{'OK' if ok else 'FAILED'}"
    )
    for error in submitter.errors[:5]:
        print("  error:", error)
    return ok


EDITOR = (
    "from django.contrib.auth.models import Group, User; "
    "u = User.objects.create_user('cluster-editor', password='{password}', is_staff=True); "
    "u.groups.add(Group.objects.get(name='Editors'))"
)
# What the editor's save in admin does with the uploaded image, in one transaction as a
# request: the article shows it in its text and as its hero image (renditions by the
# worker, once committed), and is published.
SHOW_UPLOAD = """
from django.db import transaction
from articles.models import Article
from articles.publishing import publish_unreviewed

with transaction.atomic():
    article = Article.objects.order_by("pk").first()
    section = article.sections.order_by("order").first()
    section.body += '<p><img src="{url}" alt="A scan"></p>'
    section.save()
    article.hero_image.name = "{name}"
    article.hero_alt = "A scan"
    article.save()
    publish_unreviewed(article)
print(article.get_absolute_url())
"""


def sign_in(base, username, password):
    """Admin's sign-in form, as a browser posts it; returns the cookies to send."""
    _status, headers, page = http_request(base, "GET", "/admin/login/")
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
    status, headers, _ = http_request(
        base,
        "POST",
        "/admin/login/?next=/admin/",
        body=urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"{base}/admin/login/",
        },
    )
    session = re.search(
        r"sessionid=([^;]+)",
        " ".join(headers.get_all("Set-Cookie") or []),
    )
    if status != 302 or not session:
        raise RuntimeError(f"the editor could not sign in (HTTP {status})")
    return csrf, f"csrftoken={csrf}; sessionid={session.group(1)}"


def upload_image(base, csrf, cookies, image):
    """CKEditor's upload of an image, as multipart/form-data."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="scan.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _headers, answer = http_request(
        base,
        "POST",
        "/editor/images/",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookies,
            "X-CSRFToken": csrf,
            "Referer": f"{base}/admin/",
        },
    )
    if status != 200:
        raise RuntimeError(f"the upload through app server A answered {status}: {answer[:200]}")
    return json.loads(answer)["url"]


def scan_png():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_on_a_seen_on_b(running):
    """An editor uploads through A; the page served by B shows the image and its hero
    renditions (made by the worker), each read from the bucket. Returns a report line."""
    a, b = running.app_servers
    password = uuid.uuid4().hex
    running.manage("shell", "-c", EDITOR.format(password=password))
    csrf, cookies = sign_in(a, "cluster-editor", password)
    url = upload_image(a, csrf, cookies, scan_png())
    media_url = running.media_url
    name = url.removeprefix(media_url)
    path = (
        running.manage("shell", "-c", SHOW_UPLOAD.format(url=url, name=name))
        .strip()
        .splitlines()[-1]
    )
    running.media_page = path
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _status, _headers, page = http_request(b, "GET", path)
        page = page.decode()
        if "<picture" in page:
            break
        time.sleep(0.5)
    else:
        return f"media FAILED: no hero image on B's {path} a minute after the upload"
    shown = sorted(set(re.findall(re.escape(media_url) + r'[^"\s,]+', page)))
    answers = {}
    for address in shown:
        status, headers, _body = http_request(
            running.env["DJANGO_AWS_S3_ENDPOINT_URL"], "GET", urllib.parse.urlsplit(address).path
        )
        answers[address] = (status, headers.get("Cache-Control"))
    fine = url in shown and len(shown) >= 3 and all(s == 200 for s, _c in answers.values())
    return (
        f"media {'OK' if fine else 'FAILED'}: uploaded through A, {len(shown)} files of it "
        f"on B's page {path} (the upload and the worker's renditions), each answered by the "
        f"bucket: {sorted(set(answers.values()))}"
    )


def backup_wipe_restore(running, before):
    """Dump both stores (scripts/backup.py), lose them (the database dropped, the bucket
    emptied, the cache flushed), restore, and read the site again through B."""
    import shutil

    import backup
    import psycopg
    import redis

    folder = REPORTS / "backup"
    shutil.rmtree(folder, ignore_errors=True)
    env = running.env
    objects = backup.dump(folder, env)
    database = env["DATABASE_URL"].rsplit("/", 1)[-1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")
    bucket = env["DJANGO_AWS_STORAGE_BUCKET_NAME"]
    for key in list(backup.objects(running.bucket, bucket)):
        running.bucket.delete_object(Bucket=bucket, Key=key)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    restored = backup.restore(folder, env)
    after = stored_state(env)
    _a, b = running.app_servers
    status, _headers, page = http_request(b, "GET", running.media_page)
    shown = re.findall(re.escape(running.media_url) + r'[^"\s,]+', page.decode())
    answers = {
        http_request(env["DJANGO_AWS_S3_ENDPOINT_URL"], "GET", urllib.parse.urlsplit(url).path)[0]
        for url in shown
    }
    fine = (
        after["references"] == before["references"]
        and restored == objects
        and status == 200
        and shown
        and answers == {200}
    )
    return (
        f"restore {'OK' if fine else 'FAILED'}: dumped the database and {objects} media "
        f"objects, dropped and emptied both, restored {restored}; "
        f"{len(after['references'])} of {len(before['references'])} requests back; "
        f"B's page with the image answers {status}, its {len(shown)} media files {answers}"
    )


def kill_and_restart_worker(running, after):
    time.sleep(after)
    running.kill_worker()
    time.sleep(5)
    running.start_worker()


def _drain(mail_server, env, expected):
    """Wait until the mail server has every email and nothing is left due; then a little
    longer, so that a duplicate would arrive too. Returns (stored state, seconds)."""
    started = time.perf_counter()
    while time.perf_counter() - started < DRAIN_SECONDS:
        with mail_server.lock:
            arrived = len(mail_server.accepted)
        if arrived >= expected:
            stored = stored_state(env)
            if stored["due"] == 0:
                drained = time.perf_counter() - started
                time.sleep(2)
                return stored_state(env), drained
        time.sleep(0.5)
    return stored_state(env), time.perf_counter() - started


SCENARIOS = ["sqlite", "postgres", "postgres-2", "mail-outage", "cluster"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        help="repeatable; default: all five",
    )
    parser.add_argument(
        "--outage-seconds",
        type=int,
        default=180,
        help="how long the mail server is down in the mail-outage scenario",
    )
    parser.add_argument(
        "--kill-worker-after",
        type=float,
        default=3,
        help="seconds into the cluster scenario's submissions when its worker is killed",
    )
    args = parser.parse_args()
    results = [
        run(
            scenario,
            args.submissions,
            args.connections,
            args.workers,
            outage_seconds=args.outage_seconds if scenario == "mail-outage" else 0,
            kill_worker_after=args.kill_worker_after if scenario == "cluster" else None,
        )
        for scenario in args.scenario or SCENARIOS
    ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
