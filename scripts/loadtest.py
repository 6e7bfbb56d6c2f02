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
later: every email must still arrive once, by the worker's automatic retries alone).
"""

import argparse
import collections
import contextlib
import itertools
import json
import sys
import threading
import time

from prodlike import (
    REPORTS,
    gunicorn,
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


def run(scenario, submissions, connections, workers, outage_seconds=0):
    database_url = fresh_database(scenario)
    instances = 2 if scenario in ("postgres-2", "mail-outage") else 1
    with contextlib.ExitStack() as stack:
        mail_server = stack.enter_context(SMTPServer())
        env_extra = {
            **LOAD_ENV,
            "DATABASE_URL": database_url,
            "DJANGO_EMAIL_PORT": str(mail_server.port),
        }
        if scenario != "sqlite":
            env_extra["REDIS_URL"] = REDIS_URL
        if outage_seconds:
            env_extra["DJANGO_LOG_LEVEL"] = "ERROR"  # not a warning per failed email
        bases = []
        for i in range(instances):
            bases.append(
                stack.enter_context(
                    gunicorn(
                        REPORTS / "unused.sqlite3", 8790 + i, workers=workers, env_extra=env_extra
                    )
                )
            )
            stack.enter_context(job_worker(REPORTS / "unused.sqlite3", env_extra=env_extra))
        submitter = Submitter(bases, submissions)
        if outage_seconds:
            mail_server.go_down()
            outage = threading.Timer(outage_seconds, mail_server.come_back)
            outage.start()
        started = time.perf_counter()
        threads = [threading.Thread(target=submitter.worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if outage_seconds:
            outage.join()  # the drain counts from the end of the outage
        stored, drained = _drain(mail_server, env_extra, expected=2 * submissions)
        with mail_server.lock:
            received = list(mail_server.accepted)
    server_errors = sum(count for status, count in submitter.statuses.items() if status >= 500)
    sent = collections.Counter((message["To"], message["Subject"]) for message in received)
    expected = collections.Counter(
        [("clinic@example.com", f"New consultation request {r}") for r in stored["references"]]
        + [(e, "Genoma Health: we received your consultation request") for e in stored["emails"]]
    )
    emails_ok = sent == expected and stored["due"] == 0 and stored["failing"] == 0
    ok = (
        not submitter.errors
        and server_errors == 0
        and stored["rows"] == submissions
        and len(set(stored["references"])) == submissions
        and stored["tokens"] == sorted(submitter.tokens)
        and emails_ok
    )
    label = f"{scenario} ({instances} app server(s): gunicorn x {workers} and a job worker)"
    if outage_seconds:
        label += f", mail server down for the first {outage_seconds} s"
    print(
        f"{label}, {connections} connections: {submissions} submissions in {elapsed:.1f} s = "
        f"{submissions / elapsed:.0f}/s; HTTP {dict(sorted(submitter.statuses.items()))}; "
        f"stored {stored['rows']}, unique references {len(set(stored['references']))}, "
        f"statuses {stored['statuses']}; emails {len(received)} of {sum(expected.values())} "
        f"({'each once' if emails_ok else 'NOT each once'}), queue drained "
        f"{drained:.1f} s after the last submission{' and the outage' if outage_seconds else ''}; "
        f"{'OK' if ok else 'FAILED'}"
    )
    for error in submitter.errors[:5]:
        print("  error:", error)
    return ok


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


SCENARIOS = ["sqlite", "postgres", "postgres-2", "mail-outage"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        help="repeatable; default: all four",
    )
    parser.add_argument(
        "--outage-seconds",
        type=int,
        default=180,
        help="how long the mail server is down in the mail-outage scenario",
    )
    args = parser.parse_args()
    results = [
        run(
            scenario,
            args.submissions,
            args.connections,
            args.workers,
            outage_seconds=args.outage_seconds if scenario == "mail-outage" else 0,
        )
        for scenario in args.scenario or SCENARIOS
    ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
