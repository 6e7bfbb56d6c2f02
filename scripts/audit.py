"""make audit: Lighthouse (desktop and mobile presets) against the production-like server,
on four page types in English and in Thai.

Prints the four category scores per page and keeps the JSON reports in
reports/lighthouse/. A report, not a test: it does not fail on a low score.
"""

import json
import os
import subprocess
import sys

from prodlike import REPORTS, ROOT, gunicorn, prepare

PORT = 8765
ENGLISH_PAGES = {
    "home": "/",
    "article": "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/",
    "condition": "/conditions/osteopenia/",
    "form": "/consultation/",
}
# The same pages in Thai (the seed content is English inside the Thai pages).
PAGES = {**ENGLISH_PAGES, **{f"{name}-th": f"/th{path}" for name, path in ENGLISH_PAGES.items()}}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --no-first-run --disable-sync"
)


def main():
    lighthouse = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` first.")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    out = REPORTS / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    database = prepare("audit")
    rows = []
    with gunicorn(database, PORT) as base:
        for name, path in PAGES.items():
            for preset in ("desktop", "mobile"):
                report = out / f"{name}-{preset}.json"
                command = [
                    str(lighthouse),
                    base + path,
                    "--output=json",
                    f"--output-path={report}",
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--quiet",
                ]
                if preset == "desktop":
                    command.append("--preset=desktop")
                _run_lighthouse(command, env)
                scores = json.loads(report.read_text())["categories"]
                rows.append((name, preset, [round(scores[c]["score"] * 100) for c in CATEGORIES]))
    print(f"\n{'page':<13} {'preset':<8} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    for name, preset, values in rows:
        print(f"{name:<13} {preset:<8} " + " ".join(f"{v:>14}" for v in values))
    print(f"\nJSON reports: {out.relative_to(ROOT)}/")


def _run_lighthouse(command, env, attempts=3):
    """Lighthouse now and then fails to record the page load's trace (NO_NAVSTART) on
    this headless Chromium; a second run of the same page records it."""
    for attempt in range(1, attempts + 1):
        if subprocess.run(command, env=env, check=False, timeout=300).returncode == 0:
            return
        print(f"Lighthouse failed on attempt {attempt} of {attempts}: {command[1]}")
    raise SystemExit(f"Lighthouse failed {attempts} times on {command[1]}")


if __name__ == "__main__":
    main()
