"""make cluster: the production shape on this machine, all on 127.0.0.1.

PostgreSQL, Redis, a real S3-compatible server (Ceph RGW, scripts/s3_server.py), two
gunicorn app servers sharing them, and a job worker. What was not running is started,
and stopped again when the cluster stops (Ctrl-C); what was already running is left
as it was. The site gets a database of its own (genoma_cluster), a Redis database of
its own and a media bucket of its own, with the clinic's content.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time

import s3_server
from prodlike import REPORTS, gunicorn, http_request, job_worker, manage, prepare_database

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/8"
BUCKET = "genoma-cluster"
S3_FOLDER = REPORTS / "s3-cluster"
APP_PORTS = (8701, 8702)


def _waits_until(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not start within {timeout} s")


def _answers(command):
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def postgresql():
    """PostgreSQL on 5432: started with pg_ctlcluster if it is down, stopped after."""
    ready = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]
    if _answers(ready):
        yield
        return
    version = sorted(os.listdir("/etc/postgresql"))[0]
    control = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    subprocess.run([*control, "start"], check=True)
    try:
        _waits_until(lambda: _answers(ready), "PostgreSQL")
        yield
    finally:
        subprocess.run([*control, "stop"], check=False)


@contextlib.contextmanager
def redis():
    """Redis on 6379: started without persistence if it is down, stopped after."""
    ping = ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]
    if _answers(ping):
        yield
        return
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        _waits_until(lambda: _answers(ping), "Redis")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def s3(folder=S3_FOLDER, port=7480):
    """The Ceph RGW of scripts/s3_server.py, with a fresh public-read media bucket;
    its daemons are stopped after if this started them."""
    was_running = (folder / "created").exists() and all(
        s3_server.running(folder, daemon) for daemon in s3_server.DAEMONS
    )
    environment = s3_server.start(folder, port)
    client = s3_server.create_bucket(environment, BUCKET)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    try:
        yield {**environment, "DJANGO_AWS_STORAGE_BUCKET_NAME": BUCKET}, client, not was_running
    finally:
        if not was_running:
            s3_server.stop(folder)


def fresh_database(name):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


class Cluster:
    """What a started cluster offers: its app servers, its environment, its worker."""

    def __init__(self, stack, env, bucket_client, workers):
        self.stack = stack
        self.env = env
        self.bucket = bucket_client
        self.workers = workers
        self.app_servers = []
        self.worker = None
        self.started_s3 = False
        self.media_page = None  # a page showing uploaded media, once the load test made one

    def start_worker(self):
        self.worker = self.stack.enter_context(job_worker(REPORTS / "unused", env_extra=self.env))
        return self.worker

    def kill_worker(self):
        """SIGKILL, as the kernel's OOM killer or a lost machine stops it: no clean exit."""
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=30)

    @property
    def media_url(self):
        return f"{self.env['DJANGO_AWS_S3_ENDPOINT_URL']}/{self.env['DJANGO_AWS_STORAGE_BUCKET_NAME']}/"

    def still_running(self):
        """What this cluster started and has not stopped: S3 daemons, app servers."""
        left = [
            daemon
            for daemon in s3_server.DAEMONS
            if self.started_s3 and s3_server.running(S3_FOLDER, daemon)
        ]
        for base in self.app_servers:
            with contextlib.suppress(OSError):
                http_request(base, "GET", "/healthz")
                left.append(base)
        return left

    def manage(self, *args):
        return manage(REPORTS / "unused", *args, env_extra=self.env)


@contextlib.contextmanager
def cluster(database="genoma_cluster", env_extra=None, workers=2):
    """Start everything; yield a Cluster; stop what was started."""
    REPORTS.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        stack.enter_context(postgresql())
        stack.enter_context(redis())
        s3_environment, bucket_client, started_s3 = stack.enter_context(s3())
        import redis as redis_client

        redis_client.Redis.from_url(REDIS_URL).flushdb()
        env = {
            **s3_environment,
            "DATABASE_URL": fresh_database(database),
            "REDIS_URL": REDIS_URL,
            "DJANGO_SERVE_MEDIA": "0",
            **(env_extra or {}),
        }
        running = Cluster(stack, env, bucket_client, workers)
        running.started_s3 = started_s3
        prepare_database(REPORTS / "unused", env_extra=env)
        for port in APP_PORTS:
            running.app_servers.append(
                stack.enter_context(
                    gunicorn(REPORTS / "unused", port, workers=workers, env_extra=env)
                )
            )
        running.start_worker()
        yield running


def main():
    with cluster() as running:
        env = running.env
        print("The cluster is up (Ctrl-C stops what it started):")
        for name, base in zip("AB", running.app_servers, strict=True):
            print(f"  app server {name}: {base}/  (health: {base}/healthz)")
        print(f"  media: {env['DJANGO_AWS_S3_ENDPOINT_URL']}/{BUCKET}/")
        print(f"  database: {env['DATABASE_URL']}; cache and job queue: {env['REDIS_URL']}")
        print("  a staff account:")
        print(
            f"    DATABASE_URL={env['DATABASE_URL']} REDIS_URL={env['REDIS_URL']} "
            ".venv/bin/python manage.py createsuperuser"
        )
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    print("Stopped.")


if __name__ == "__main__":
    if not shutil.which("pg_isready"):
        raise SystemExit("PostgreSQL's client tools are missing")
    main()
