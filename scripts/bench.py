"""make bench: the site's public pages beside "the limit", measured in the same run.

gunicorn with 2 sync workers, DEBUG off, plain HTTP, SQLite with the clinic's
content; wrk sends the load. Each page is measured with the page cache on and
off, and compared to a minimal Django view returning a constant response of the
same size, served the same way (scripts/bench_limit.py).
"""

import argparse
import json
import re
import subprocess
import urllib.request

from prodlike import REPORTS, ROOT, gunicorn, prepare

PAGES = {
    "home": "/",
    "article list": "/articles/",
    "article": "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/",
    "condition": "/conditions/osteopenia/",
}
LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, seconds, connections, timeout=2):
    """wrk's figures for `url`; a request slower than `timeout` seconds is not counted."""
    subprocess.run(["wrk", "-t2", "-c4", "-d2s", url], check=True, capture_output=True)  # warm up
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout}s",
            "--latency",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNIT[u] for p, v, u in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": latency["50"],
        "p99_ms": latency["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    database = prepare("bench")
    results = {}
    with gunicorn(database, 8801) as base:
        with urllib.request.urlopen(base + PAGES["article"]) as response:  # noqa: S310
            size = len(response.read())
        for name, path in PAGES.items():
            results[(name, "cached")] = wrk(base + path, args.seconds, args.connections)
    with gunicorn(database, 8802, env_extra={"DJANGO_PAGE_CACHE_SECONDS": "0"}) as base:
        for name, path in PAGES.items():
            results[(name, "uncached")] = wrk(base + path, args.seconds, args.connections)
    with gunicorn(
        database,
        8803,
        app="bench_limit:application",
        env_extra={"BENCH_LIMIT_BYTES": str(size), "PYTHONPATH": str(ROOT / "scripts")},
    ) as base:
        limit = wrk(base + "/", args.seconds, args.connections)
    print(
        f"\nThe limit (constant {size}-byte Django response): {limit['rps']:.0f} req/s, "
        f"p50 {limit['p50_ms']:.2f} ms, p99 {limit['p99_ms']:.2f} ms\n"
    )
    print(f"{'page':<14}{'cache':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of limit':>10}")
    for (name, mode), r in results.items():
        print(
            f"{name:<14}{mode:<10}{r['rps']:>9.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['rps'] / limit['rps']:>10.0%}" + ("  NON-2XX!" if r["non_2xx"] else "")
        )
    report = {
        "limit": limit,
        "article_bytes": size,
        "pages": {f"{n} ({m})": r for (n, m), r in results.items()},
    }
    (REPORTS / "bench.json").write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {(REPORTS / 'bench.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
