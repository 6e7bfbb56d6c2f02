"""make audit: Lighthouse (desktop and mobile presets) against the production-like server,
on seven page types in English and in Thai.

Prints the four category scores per page and keeps the JSON reports in
reports/lighthouse/. With `--require N` (`make audit AUDIT_ARGS="--require 100"`) it
exits non-zero, naming them, when any category of any page and preset scores below N.
"""

import argparse
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
    # The condition page with its T-score explained (the form's answer and the scale).
    "t-score": "/conditions/osteopenia/?t_score=-1.8",
    # A treatment page with its steps.
    "treatment": "/treatments/msc-therapy/",
    "team": "/team/",
    "form": "/consultation/",
}
# The same pages in Thai (the seed content is English inside the Thai pages).
PAGES = {**ENGLISH_PAGES, **{f"{name}-th": f"/th{path}" for name, path in ENGLISH_PAGES.items()}}
# Lighthouse audits left out of a page's scores, with the reason. A T-score answer is one
# visitor's question, marked noindex on purpose (the plain condition page is the one to
# index): Lighthouse's "is-crawlable" fails it, and SEO would read 66 for that alone.
SKIPPED_AUDITS = {"t-score": ["is-crawlable"], "t-score-th": ["is-crawlable"]}
PRESETS = ("desktop", "mobile")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --no-first-run --disable-sync"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require",
        type=int,
        metavar="N",
        help="exit non-zero when any category of any page scores below N (0-100)",
    )
    args = parser.parse_args(argv)
    lighthouse = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` first.")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    out = REPORTS / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    database = prepare("audit")
    with gunicorn(database, PORT) as base:
        for name, path in PAGES.items():
            for preset in PRESETS:
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
                if name in SKIPPED_AUDITS:
                    command.append(f"--skip-audits={','.join(SKIPPED_AUDITS[name])}")
                _run_lighthouse(command, env)
    rows = read_scores(out)
    print(table(rows))
    print(f"\nJSON reports: {out.relative_to(ROOT)}/")
    finish(rows, args.require)


def read_scores(folder):
    """(page, preset, [score per category]) of each page's report in `folder`."""
    rows = []
    for name in PAGES:
        for preset in PRESETS:
            scores = json.loads((folder / f"{name}-{preset}.json").read_text())["categories"]
            rows.append((name, preset, [round(scores[c]["score"] * 100) for c in CATEGORIES]))
    return rows


def table(rows):
    lines = [f"\n{'page':<13} {'preset':<8} " + " ".join(f"{c:>14}" for c in CATEGORIES)]
    for name, preset, values in rows:
        lines.append(f"{name:<13} {preset:<8} " + " ".join(f"{v:>14}" for v in values))
    return "\n".join(lines)


def below(rows, minimum):
    """Each score under `minimum`, as "page preset category score"."""
    return [
        f"{name} {preset} {category} {score}"
        for name, preset, values in rows
        for category, score in zip(CATEGORIES, values, strict=True)
        if score < minimum
    ]


def finish(rows, require):
    """Exit non-zero, naming them, when `require` is given and any score is below it."""
    if require is None:
        return
    failing = below(rows, require)
    if failing:
        raise SystemExit(f"Below {require}: " + "; ".join(failing))
    print(f"Every category of every page scored {require} or more.")


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
