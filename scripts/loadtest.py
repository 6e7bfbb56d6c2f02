"""make loadtest: many patients submit the consultation form at once; none is lost.

Starts gunicorn (DEBUG off, rate limit off) and sends N submissions over C
concurrent connections, each one as a browser would (GET the form for its CSRF
cookie and tokens, then POST). Then it checks the database: every submission
stored exactly once, each with a unique reference, and no 5xx answer.

Scenarios: sqlite (one gunicorn, SQLite file), postgres (one gunicorn), and
postgres-2 (two gunicorn instances sharing one PostgreSQL database, the shape of
several app servers behind a load balancer).
"""

import argparse
import contextlib
import itertools
import json
import sys
import threading
import time

from prodlike import REPORTS, gunicorn, manage, prepare_database, submit_consultation

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
LOAD_ENV = {
    "CONSULTATION_RATE_LIMIT": "off",
    "CONSULTATION_MIN_SECONDS": "0",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def fresh_database(scenario):
    if scenario == "sqlite":
        REPORTS.mkdir(exist_ok=True)
        path = REPORTS / "loadtest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            (REPORTS / f"{path.name}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS genoma_loadtest WITH (FORCE)")
            connection.execute("CREATE DATABASE genoma_loadtest")
        url = "postgres://postgres@127.0.0.1:5432/genoma_loadtest"
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


def run(scenario, submissions, connections, workers):
    database_url = fresh_database(scenario)
    instances = 2 if scenario == "postgres-2" else 1
    env_extra = {**LOAD_ENV, "DATABASE_URL": database_url}
    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(
                gunicorn(REPORTS / "unused.sqlite3", 8790 + i, workers=workers, env_extra=env_extra)
            )
            for i in range(instances)
        ]
        submitter = Submitter(bases, submissions)
        started = time.perf_counter()
        threads = [threading.Thread(target=submitter.worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    stored = json.loads(
        manage(
            "unused",
            "shell",
            "-c",
            "import json; from consultations.models import ConsultationRequest as R; "
            "rows = list(R.objects.values_list('reference', 'submission_token', 'status')); "
            "print(json.dumps({'rows': len(rows), 'references': len({r[0] for r in rows}), "
            "'tokens': sorted(str(r[1]) for r in rows), "
            "'statuses': sorted({r[2] for r in rows})}))",
            env_extra={**LOAD_ENV, "DATABASE_URL": database_url},
        )
        .strip()
        .splitlines()[-1]
    )
    server_errors = sum(count for status, count in submitter.statuses.items() if status >= 500)
    ok = (
        not submitter.errors
        and server_errors == 0
        and stored["rows"] == submissions
        and stored["references"] == submissions
        and stored["tokens"] == sorted(submitter.tokens)
    )
    label = f"{scenario} ({instances} gunicorn x {workers} workers, {connections} connections)"
    print(
        f"{label}: {submissions} submissions in {elapsed:.1f} s = {submissions / elapsed:.0f}/s; "
        f"HTTP {dict(sorted(submitter.statuses.items()))}; stored {stored['rows']}, "
        f"unique references {stored['references']}, statuses {stored['statuses']}; "
        f"{'OK' if ok else 'FAILED'}"
    )
    for error in submitter.errors[:5]:
        print("  error:", error)
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["sqlite", "postgres", "postgres-2"],
        help="repeatable; default: all three",
    )
    args = parser.parse_args()
    results = [
        run(scenario, args.submissions, args.connections, args.workers)
        for scenario in args.scenario or ["sqlite", "postgres", "postgres-2"]
    ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
