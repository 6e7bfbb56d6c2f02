"""Back up and restore the site's two stores: the PostgreSQL database and the media bucket.

    python scripts/backup.py dump FOLDER       # pg_dump (custom format) and every object
    python scripts/backup.py restore FOLDER    # into an empty database and bucket

Both read the site's environment: DATABASE_URL and the DJANGO_AWS_* variables. The
cache and the job queue (Redis) hold nothing that needs a backup: pages are rendered
again, and due emails are rows in the database that the worker's sweep sends.
`make loadtest`'s cluster scenario tries a restore: it dumps, wipes both stores, restores
and reads the site again.
"""

import argparse
import json
import os
import subprocess
from pathlib import Path

KEPT_HEADERS = ("CacheControl", "ContentType")


def bucket_client(environment):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=environment.get("DJANGO_AWS_S3_ENDPOINT_URL") or None,
        aws_access_key_id=environment.get("DJANGO_AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=environment.get("DJANGO_AWS_SECRET_ACCESS_KEY") or None,
        region_name=environment.get("DJANGO_AWS_S3_REGION_NAME") or "us-east-1",
    )


def objects(client, bucket):
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"]


def dump(folder, environment=os.environ):
    """The database as pg_dump's custom format, and each media object as a file (its
    Cache-Control and Content-Type in headers.json)."""
    folder = Path(folder)
    (folder / "media").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--file",
            str(folder / "database.dump"),
            environment["DATABASE_URL"],
        ],
        check=True,
    )
    client, bucket = bucket_client(environment), environment["DJANGO_AWS_STORAGE_BUCKET_NAME"]
    headers = {}
    for key in objects(client, bucket):
        target = folder / "media" / key
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(bucket, key, str(target))
        stored = client.head_object(Bucket=bucket, Key=key)
        headers[key] = {name: stored[name] for name in KEPT_HEADERS if name in stored}
    (folder / "headers.json").write_text(json.dumps(headers, indent=1))
    return len(headers)


def restore(folder, environment=os.environ):
    """Into an empty database and bucket: the tables and rows, then the objects under
    their names with the headers they had."""
    folder = Path(folder)
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            environment["DATABASE_URL"],
            str(folder / "database.dump"),
        ],
        check=True,
    )
    client, bucket = bucket_client(environment), environment["DJANGO_AWS_STORAGE_BUCKET_NAME"]
    headers = json.loads((folder / "headers.json").read_text())
    for key, extra in headers.items():
        client.upload_file(str(folder / "media" / key), bucket, key, ExtraArgs=extra)
    return len(headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["dump", "restore"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    count = (dump if args.action == "dump" else restore)(args.folder)
    print(f"{args.action}: the database and {count} media object(s), {args.folder}")


if __name__ == "__main__":
    main()
