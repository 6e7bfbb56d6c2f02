"""make security: known vulnerabilities in the pinned packages, by pip-audit.

Prints each vulnerability and exits 1 when there is one. When pip-audit's
vulnerability service cannot be reached or does not answer in time, it says so
in one plain sentence and exits 0: the audit did not run, and nothing pretends
that it did.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
# What pip-audit's tracebacks say when the network, a proxy or the service fails.
UNREACHABLE = ("requests.exceptions.", "ConnectionError", "ServiceError", "Timeout")


def not_run(why):
    print(f"pip-audit NOT RUN: {why}.")
    return 0


def unreachable(reason):
    return not_run(f"its vulnerability service could not be reached ({reason})")


def audit(pip_audit, requirements, timeout):
    command = [
        str(pip_audit),
        "--requirement",
        str(requirements),
        "--disable-pip",
        "--no-deps",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--timeout",
        str(max(1, timeout // 4)),  # seconds for each request to the service
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return unreachable(f"no answer within {timeout} seconds")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last_line = (result.stderr.strip().splitlines() or ["no output"])[-1][:300]
        if any(sign in result.stderr for sign in UNREACHABLE):
            return unreachable(last_line)
        print(f"pip-audit failed: {last_line}", file=sys.stderr)
        return 2
    return summarise(report["dependencies"])


def summarise(dependencies):
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        return not_run(
            f"its vulnerability service answered for none of the {len(dependencies)} pinned "
            f"packages ({dependencies[0]['skip_reason']})"
        )
    for skipped in (d for d in dependencies if "skip_reason" in d):
        print(f"not audited: {skipped['skip_reason']}")
    found = [(d, vuln) for d in audited for vuln in d["vulns"]]
    for dependency, vuln in found:
        fixed_in = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed_in})")
    print(f"pip-audit: {len(found)} known vulnerabilities in {len(audited)} audited packages.")
    return 1 if found else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirement", type=Path, default=ROOT / "requirements.txt")
    parser.add_argument("--timeout", type=int, default=120, help="seconds for the whole audit")
    parser.add_argument("--pip-audit", type=Path, default=PIP_AUDIT, help="the pip-audit command")
    args = parser.parse_args()
    sys.exit(audit(args.pip_audit, args.requirement, args.timeout))


if __name__ == "__main__":
    main()
