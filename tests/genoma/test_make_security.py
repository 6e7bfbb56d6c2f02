"""`make security`: pip-audit with a timeout, a plain sentence when it cannot run,
and no outside address written into the project's tooling."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"
NOT_REACHED = "pip-audit NOT RUN: its vulnerability service could not be reached"
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^@/\s\"']*@)?([^:/\s\"'\\)]+)")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def audit(*args, **env):
    base_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def proxies(address):
    return dict.fromkeys(("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"), address)


def test_an_unreachable_service_is_said_plainly_and_fails_nothing():
    result = audit(**proxies("http://127.0.0.1:9"))  # nothing listens on port 9
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(NOT_REACHED)
    assert "No known vulnerabilities" not in result.stdout


def test_a_service_that_never_answers_is_given_up_after_the_timeout():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = audit("--timeout", "3", **proxies(f"http://127.0.0.1:{port}"))
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(NOT_REACHED)
    # Given up by pip-audit's own request timeout, or by the script's after 3 seconds.
    assert "timeout" in result.stdout.lower() or "no answer within 3 seconds" in result.stdout


def test_known_vulnerabilities_are_listed_and_fail_the_audit(tmp_path):
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [
                    {
                        "id": "PYSEC-2025-1",
                        "fix_versions": ["5.2.1"],
                        "aliases": [],
                        "description": "",
                    }
                ],
            },
            {"name": "jinja2", "version": "3.1.6", "vulns": []},
        ],
        "fixes": [],
    }
    fake = tmp_path / "pip-audit"
    fake.write_text(f"#!{sys.executable}\nprint({json.dumps(json.dumps(report))})\n")
    fake.chmod(0o755)
    result = audit("--pip-audit", str(fake))
    assert result.returncode == 1
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout
    assert "1 known vulnerabilities in 2 audited packages" in result.stdout


def test_make_security_runs_the_audit_script():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nsecurity:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/audit_dependencies.py" in recipe


def test_the_tooling_names_no_outside_address():
    files = [ROOT / "Makefile", *(ROOT / "scripts").iterdir(), *(ROOT / ".ci").iterdir()]
    outside = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        if path.is_file()
        for match in URL.finditer(path.read_text())
        if match.group(1) not in LOCAL_HOSTS and not match.group(1).startswith(("$", "{"))
    ]
    assert outside == []
