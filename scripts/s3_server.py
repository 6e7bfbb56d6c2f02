"""A real S3-compatible server on 127.0.0.1 for the media tests and the cluster run.

Ceph's RADOS Gateway from Debian's packages (ceph-mon, ceph-osd, radosgw): one
monitor, one BlueStore OSD on a sparse file, the gateway's `beast` frontend. A mock
(moto) would accept any request; this one answers as a real object store does.

    python scripts/s3_server.py start [--folder F] [--port 7480]   # prints the environment
    python scripts/s3_server.py stop [--folder F]
    python scripts/s3_server.py bucket NAME [--folder F]           # a public-read media bucket

`start` installs the packages when they are missing, creates the cluster in the folder
(unless it is running there already) and waits until the gateway answers. `stop`
stops its three daemons. The account's keys and the endpoint are written
to `<folder>/env` as `DJANGO_AWS_*` lines.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "reports" / "s3"
PACKAGES = ("ceph-mon", "ceph-osd", "radosgw")
DAEMONS = ("mon.a", "osd.0", "client.rgw")
ACCESS_KEY = "genoma-media"
# A local test server's account on 127.0.0.1; production keys come from the environment.
SECRET_KEY = "genoma-media-local-secret"  # noqa: S105

CONFIG = """\
[global]
fsid = {fsid}
mon host = v1:127.0.0.1:{mon_port}
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
mon allow pool size one = true
mon warn on pool no redundancy = false
auth allow insecure global id reclaim = true
mon warn on insecure global id reclaim allowed = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = {folder}/run
admin socket = {folder}/run/$name.asok
log file = {folder}/log/$name.log
pid file = {folder}/run/$name.pid

[mon.a]
mon data = {folder}/mon

[osd.0]
osd data = {folder}/osd
osd objectstore = bluestore
# The block file outside the OSD's folder: mkfs refuses a folder that is not empty.
bluestore block path = {folder}/block
bluestore block create = true
bluestore block size = 4294967296
osd memory target = 939524096

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:{port}
rgw data = {folder}/rgw
rgw dns name = localhost
"""


def ceph(folder, *args, check=True):
    return subprocess.run(
        [*args, "-c", str(folder / "ceph.conf")],
        check=check,
        capture_output=True,
        text=True,
        timeout=120,
    )


def install():
    if all(shutil.which(name) for name in ("ceph-mon", "ceph-osd", "radosgw")):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def create(folder, port):
    """A new one-node cluster in `folder`: monitor, OSD and the media account."""
    if folder.exists():
        shutil.rmtree(folder)
    for part in ("mon", "osd", "run", "log", "rgw"):
        (folder / part).mkdir(parents=True)
    fsid = str(uuid.uuid4())
    mon_port = port + 1
    (folder / "ceph.conf").write_text(
        CONFIG.format(fsid=fsid, folder=folder, port=port, mon_port=mon_port)
    )
    monmap = folder / "monmap"
    subprocess.run(
        [
            "monmaptool",
            "--create",
            "--fsid",
            fsid,
            str(monmap),
            "--addv",
            "a",
            f"[v1:127.0.0.1:{mon_port}]",
        ],
        check=True,
        capture_output=True,
    )
    ceph(folder, "ceph-mon", "--mkfs", "-i", "a", "--monmap", str(monmap))
    ceph(folder, "ceph-mon", "-i", "a")
    osd_uuid = str(uuid.uuid4())
    ceph(folder, "ceph", "osd", "new", osd_uuid)
    ceph(folder, "ceph-osd", "-i", "0", "--mkfs", "--osd-uuid", osd_uuid)
    (folder / "created").write_text(str(port))


def running(folder, daemon):
    """Whether the daemon's process lives; a killed one that nobody has reaped yet (a
    zombie: in a container, process 1 may be slow to reap) has stopped."""
    pid_file = folder / "run" / f"{daemon}.pid"
    try:
        stat = Path(f"/proc/{int(pid_file.read_text())}/stat").read_text()
    except (FileNotFoundError, ValueError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def free_port(first=7490):
    """The first port from `first` on that is free, with the next one (the monitor's):
    another server on this machine (a cluster run, a test run elsewhere) keeps its own."""
    for port in range(first, first + 200, 2):
        try:
            for candidate in (port, port + 1):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no two free ports from {first}")


def endpoint(folder):
    return f"http://127.0.0.1:{(folder / 'created').read_text().strip()}"


def wait_for_gateway(url, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a local address)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the S3 gateway did not answer at {url} within {timeout} s")


def start(folder, port):
    """Start the server in `folder`; a new one unless all of it is running already.

    A stopped one-node cluster does not always come back (an OSD that finds its map
    missing aborts), and nothing in it outlives a test run or a cluster run: each start
    creates it afresh, in about 20 s.
    """
    install()
    if not all(running(folder, daemon) for daemon in DAEMONS):
        for attempt in range(1, 4):
            stop(folder)
            create(folder, port)
            try:
                ceph(folder, "ceph-osd", "-i", "0")
                break
            except subprocess.CalledProcessError:
                # Now and then a new OSD asks the new monitor before it knows the
                # cluster's id ("wrong fsid", exit 250; seen once in CI): a new cluster.
                stop(folder)
                if attempt == 3:
                    raise
        ceph(folder, "radosgw", "-n", "client.rgw")
    url = endpoint(folder)
    wait_for_gateway(url)
    account = ceph(
        folder,
        "radosgw-admin",
        "user",
        "create",
        "--uid=genoma",
        "--display-name=Genoma Health media",
        f"--access-key={ACCESS_KEY}",
        f"--secret={SECRET_KEY}",
        check=False,
    )
    if account.returncode not in (0, 17):  # 17: the account exists
        raise RuntimeError(f"radosgw-admin user create failed: {account.stderr[-2000:]}")
    environment = {
        "DJANGO_AWS_S3_ENDPOINT_URL": url,
        "DJANGO_AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "DJANGO_AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    (folder / "env").write_text("".join(f"{k}={v}\n" for k, v in environment.items()))
    return environment


def stop(folder):
    """Stop the daemons of the server in `folder`, also those whose pid file is gone (a
    run killed before it could stop them): every process started with its ceph.conf."""
    for daemon in reversed(DAEMONS):
        pid_file = folder / "run" / f"{daemon}.pid"
        if running(folder, daemon):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
    started_here = ["pgrep", "-f", str(folder / "ceph.conf")]
    for tenths in range(450):  # 15 s, then SIGKILL (nothing here needs keeping), 30 s more
        if subprocess.run(started_here, capture_output=True, check=False).returncode:
            return  # none left
        if tenths == 150:
            subprocess.run(["pkill", "-KILL", "-f", str(folder / "ceph.conf")], check=False)
        time.sleep(0.1)


def public_read_policy(bucket):
    """Anyone may read the media (pages link to them); only the account writes."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadMedia",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
    )


def create_bucket(environment, bucket):
    """A bucket whose objects anyone may read (not list), as the media bucket is set up."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=environment["DJANGO_AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=environment["DJANGO_AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["DJANGO_AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    client.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    return client


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "bucket"])
    parser.add_argument("name", nargs="?", help="the bucket's name (bucket)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--port", type=int, default=7480)
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.action == "stop":
        stop(folder)
        return
    environment = start(folder, args.port)
    if args.action == "bucket":
        if not args.name:
            sys.exit("bucket: give the bucket's name")
        create_bucket(environment, args.name)
        environment["DJANGO_AWS_STORAGE_BUCKET_NAME"] = args.name
    for key, value in environment.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
