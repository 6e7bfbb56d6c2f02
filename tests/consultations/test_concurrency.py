"""Fifty patients submit at the same moment: every request is stored once, each unique."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connections

from consultations.models import ConsultationRequest

ROOT = Path(__file__).resolve().parents[2]
SUBMITTERS = 50

SUBMIT_IN_THREADS = """
import threading, uuid
from datetime import timedelta
from django.db import connections
from django.utils import timezone
from consultations.services import submit_consultation_request

def cleaned(token):
    return {
        "submission_token": token, "full_name": "Patient", "email": "p@example.com",
        "phone": "+66812345678", "country": "TH", "contact_method": "email", "language": "en",
        "condition": None, "treatment": None, "message": "", "time_zone": "",
        "preferred_date": timezone.localdate() + timedelta(days=3), "preferred_time": "any",
        "source_page": "", "source_article": "",
    }

def run(count, duplicate_every=5):
    errors, barrier = [], threading.Barrier(count)
    tokens = [uuid.uuid4() for _ in range(count)]

    def worker(n):
        try:
            barrier.wait()
            # Every fifth patient double-clicks: the same form twice.
            token = tokens[n - 1] if n % duplicate_every == 0 else tokens[n]
            submit_consultation_request(cleaned(token))
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    distinct = len({t for n, t in enumerate(tokens) if n % duplicate_every})
    return errors, distinct
"""


def test_parallel_submissions_on_a_file_sqlite_database(tmp_path):
    script = SUBMIT_IN_THREADS + textwrap.dedent(
        f"""
        import json
        from django.core.management import call_command
        from consultations.models import ConsultationRequest
        errors, expected = run({SUBMITTERS})
        references = list(ConsultationRequest.objects.values_list("reference", flat=True))
        print(json.dumps({{"errors": errors[:3], "expected": expected,
                          "stored": len(references), "unique": len(set(references))}}))
        """
    )
    setup = "import django; django.setup()\nfrom django.core.management import call_command\ncall_command('migrate', verbosity=0)\n"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="genoma.settings",
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'concurrency.sqlite3'}",
        DJANGO_LOG_LEVEL="WARNING",
    )
    result = subprocess.run(
        [sys.executable, "-c", setup + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["stored"] == outcome["unique"] == outcome["expected"] == 40


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_on_the_suite_database():
    if connections["default"].vendor == "sqlite":
        pytest.skip("in-memory SQLite is per connection; the file-based test above covers SQLite")
    namespace = {}
    exec(SUBMIT_IN_THREADS, namespace)  # noqa: S102 - the same worker code as the SQLite test
    errors, expected = namespace["run"](SUBMITTERS)
    assert errors == []
    references = list(ConsultationRequest.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == expected == 40
