"""make bench-scale: how the cost of each page grows with the amount of content.

Three sites on PostgreSQL, measured in the same run, each in a database of its own that
this script makes and drops (never the clinic's): the clinic's three posts ("3
articles"), and the same beside a large synthetic site ("large": `manage.py
generate_scale_site`, 2,000 articles in English and Thai, 100 conditions, 100
treatments, 50,000 consultation requests with their audit trails) or beside one just
large enough to fill each page ("a page of each": 30 articles, 10 conditions, 10
treatments, 500 requests). The three-post site on SQLite is measured beside them for
reference.

- Public pages, uncached (DJANGO_PAGE_CACHE_SECONDS=0), with wrk against gunicorn (2
  sync workers): each page of the large site within 1.25x the cost of the same page of
  the three-post site (requests per second; the sites are measured in turn, page by
  page, the best of the rounds kept, so that the machine's drift touches every site).
  The same page of "a page of each" shows as many cards, entries and articles as the
  large site's (the lists' first pages, a condition's articles, the feed; not the
  sitemap's files of up to 1,000 addresses): the large site within 1.25x of it tells
  what the amount of content costs apart from what a page shows.
- Admin changelists of the requests and the articles (first page, a filter, a search),
  signed in as clinic staff (with the second factor) and as an editor: p50 under 150 ms
  over 50 requests one after the other, and the same number of queries on both sites.
- Search on PostgreSQL: p95 under 50 ms over 100 requests one after the other.

Prints a table with PASS or FAIL per target, writes reports/bench-scale.json and exits
non-zero when a target is missed.
"""

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.parse

from bench import wrk
from prodlike import REPORTS, ROOT, gunicorn, manage, prepare, prepare_database, production_env

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASES = {
    "3 articles": "genoma_bench_small",
    "a page of each": "genoma_bench_page",
    "large": "genoma_bench_scale",
}
# What `generate_scale_site` writes beside the three posts; the large site's from the
# command line.
A_PAGE_OF_EACH = {"articles": 30, "conditions": 10, "treatments": 10, "requests": 500}
UNCACHED = {"DJANGO_PAGE_CACHE_SECONDS": "0"}
SEED_ARTICLE = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
# Words in every synthetic article and in every Thai translation: the most work a search
# does (for the p95 target). The table's "search" finds the same records on both sites.
SEARCHES = {
    "search, a word in every article": "/search/?q=bone+density",
    "search, Thai, a word in every translation": "/th/search/?"
    + urllib.parse.urlencode({"q": "กระดูก"}),
}
PAGES = {
    "home": "/",
    "article": SEED_ARTICLE,
    "article, Thai": f"/th{SEED_ARTICLE}",
    "condition": "/conditions/osteopenia/",
    "article list": "/articles/",
    "article list, last page": "/articles/?page=last",
    "article list, Thai": "/th/articles/",
    "search": "/search/?q=osteopenia",
    "sitemap": "/sitemap.xml",  # an index of pages on the large site
    "sitemap, the articles' first page": "/sitemap-articles.xml",  # at most 1,000 addresses
    "feed": "/feed/",
}
# A sitemap's file holds up to 1,000 addresses: a page of each fills none of them.
NOT_FILLED_BY_A_PAGE_OF_EACH = {"sitemap", "sitemap, the articles' first page"}
# Each changelist as the staff who use it read it: clinic staff the requests (with the
# second factor), editors the articles.
ADMIN_PAGES = {
    "requests": "/admin/consultations/consultationrequest/",
    "requests, open": "/admin/consultations/consultationrequest/?status=open",
    "requests, search": "/admin/consultations/consultationrequest/?q=Somchai",
    "articles": "/admin/articles/article/",
    "articles, review overdue": "/admin/articles/article/?review=overdue",
    "articles, search": "/admin/articles/article/?q=bone",
    "index, an editor's (translations to do)": "/admin/",
}
# The first prefix a page's address starts with decides who reads it.
STAFF = {
    "/admin/consultations/": "Clinic staff",
    "/admin/articles/": "Editors",
    "/admin/": "Editors",
}
COST_RATIO, ADMIN_P50_MS, SEARCH_P95_MS = 1.25, 150, 50


def database_url(name):
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def run_sql(url, *statements):
    """Statements the ORM has no word for (a database made, dropped, vacuumed)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def drop(name):
    run_sql(PG_ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def in_site(env_extra):
    """What this script's other half (--in-site) reports, run with the site's settings."""
    result = subprocess.run(
        [sys.executable, __file__, "--in-site", json.dumps({**PAGES, **SEARCHES, **ADMIN_PAGES})],
        cwd=ROOT,
        env=production_env("unused", DJANGO_SETTINGS_MODULE="genoma.settings", **env_extra),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_shown(html):
    """The cards and feed entries a page shows: what a page of each must match."""
    return html.count('<li class="card"') + html.count("<entry>")


def sign_in_and_count_queries(pages):
    """(In the site's process.) A member of each staff group signed in, second factor given
    (clinic staff need it), as session cookies for the timed requests; and the queries each
    page reads, the second time, and the rows it shows."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    browsers = {"": Client(HTTP_HOST="127.0.0.1")}
    cookies = {}
    for prefix, group in STAFF.items():
        user, _created = get_user_model().objects.get_or_create(
            username=f"bench-{group.lower().replace(' ', '-')}", defaults={"is_staff": True}
        )
        user.groups.add(Group.objects.get(name=group))
        browser = browsers[prefix] = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(user)
        session = browser.session
        device, _created = TOTPDevice.objects.get_or_create(user=user, name="Authenticator app")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        cookies[prefix] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    queries, rows = {}, {}
    for name, path in pages.items():
        browser = browsers[next((p for p in STAFF if path.startswith(p)), "")]
        browser.get(path)  # the first visit after a publication works an article out
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        queries[name] = len(captured)
        rows[name] = rows_shown(response.content.decode())
    print(json.dumps({"cookies": cookies, "queries": queries, "rows": rows}))


def cookie_for(path, cookies):
    return next(cookie for prefix, cookie in cookies.items() if path.startswith(prefix))


def timed(base, path, count, cookie=""):
    """Milliseconds of each of `count` requests for `path`, one after the other."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    times = []
    for n in range(count + 3):  # three to warm up
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


def percentile(values, p):
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def prepare_sites(args):
    """The databases, ready: {site: (env for gunicorn, in-site report)}, and how long the
    synthetic site took to write."""
    sites = {}
    seconds = None
    for site, name in DATABASES.items():
        # One secret key for the site's processes: the session signed in one is read in another.
        env = {
            "DATABASE_URL": database_url(name),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            **UNCACHED,
        }
        drop(name)
        run_sql(PG_ADMIN_URL, f"CREATE DATABASE {name}")
        if site == "3 articles":
            prepare_database("unused", env_extra=env)  # with collectstatic: admin's too
        else:
            manage("unused", "migrate", "--no-input", "-v0", env_extra=env)
            manage("unused", "load_clinic_content", env_extra=env)
            size = (
                A_PAGE_OF_EACH
                if site == "a page of each"
                else {"articles": args.articles, "requests": args.requests}
            )
            started = time.monotonic()
            print(
                manage(
                    "unused",
                    "generate_scale_site",
                    *(f"--{what}={count}" for what, count in size.items()),
                    env_extra=env,
                ).strip()
            )
            if site == "large":
                seconds = time.monotonic() - started
                print(f"written in {seconds:.0f} s")
            run_sql(database_url(name), "VACUUM ANALYZE")  # as autovacuum does after a bulk load
        sites[site] = (env, in_site(env))
    return sites, seconds


def measure_public(bases, args):
    """{page: {site: wrk figures}}: page by page, each site in turn, the best of the rounds."""
    results = {}
    for name, path in PAGES.items():
        results[name] = {}
        for _round in range(args.rounds):
            for site, base in bases.items():
                figures = wrk(base + path, args.seconds, args.connections, timeout=30)
                best = results[name].get(site)
                if best is None or figures["rps"] > best["rps"]:
                    results[name][site] = figures
        print(
            f"  {name}: "
            + ", ".join(f"{site} {r['rps']:.0f} req/s" for site, r in results[name].items())
        )
    return results


def cost_row(page, what, by_site, counts, base, note=""):
    """The row of `page`: the large site's cost of it against `base`'s, and its verdict.
    Against a page of each, the two pages must show as many rows, or the row fails."""
    small, large = by_site[base], by_site["large"]
    ratio = small["rps"] / large["rps"] if large["rps"] else float("inf")  # none in time
    rows = counts[base]["rows"][page], counts["large"]["rows"][page]
    return {
        "what": what,
        "figures": f"{small['rps']:.0f} → {large['rps']:.0f} req/s, p50 "
        f"{small['p50_ms']:.1f} → {large['p50_ms']:.1f} ms, cost {ratio:.2f}x, queries "
        f"{counts[base]['queries'][page]} → {counts['large']['queries'][page]}, rows "
        f"{rows[0]} → {rows[1]}{note}",
        "target": f"cost ≤ {COST_RATIO}x of {base}",
        "passed": ratio <= COST_RATIO
        and not small["non_2xx"] + large["non_2xx"]
        and (base != "a page of each" or rows[0] == rows[1]),
    }


def verdicts(public, searches, admin, counts):
    """The rows of the table: what, figures, target, passed."""
    rows = []
    for name, by_site in public.items():
        sqlite = f" (SQLite {by_site['3 articles, SQLite']['rps']:.0f} req/s)"
        rows.append(cost_row(name, name, by_site, counts, "3 articles", sqlite))
        if name not in NOT_FILLED_BY_A_PAGE_OF_EACH:
            past_a_page = f"{name}, past a page"
            rows.append(cost_row(name, past_a_page, by_site, counts, "a page of each"))
    for name, times in searches.items():
        p50, p95 = percentile(times, 50), percentile(times, 95)
        rows.append(
            {
                "what": name,
                "figures": f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
                "target": f"p95 < {SEARCH_P95_MS} ms",
                "passed": p95 < SEARCH_P95_MS,
            }
        )
    for name, times in admin.items():
        p50 = percentile(times, 50)
        few, many = counts["3 articles"]["queries"][name], counts["large"]["queries"][name]
        rows.append(
            {
                "what": f"admin: {name}",
                "figures": f"p50 {p50:.1f} ms, queries {few} → {many}",
                "target": f"p50 < {ADMIN_P50_MS} ms, same queries",
                "passed": p50 < ADMIN_P50_MS and few == many,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="of wrk per page and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards")
    parser.add_argument("--articles", type=int, default=2000, help="of the large site")
    parser.add_argument("--requests", type=int, default=50000, help="of the large site")
    parser.add_argument("--in-site", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_site:
        sign_in_and_count_queries(json.loads(args.in_site))
        return 0
    load_before = os.getloadavg()
    sites, generation_seconds = prepare_sites(args)
    sqlite = prepare("bench-scale")
    try:
        with (
            gunicorn("unused", 8811, env_extra=sites["3 articles"][0]) as small,
            gunicorn("unused", 8814, env_extra=sites["a page of each"][0]) as a_page_of_each,
            gunicorn("unused", 8812, env_extra=sites["large"][0]) as large,
            gunicorn(sqlite, 8813, env_extra=UNCACHED) as small_sqlite,
        ):
            bases = {
                "3 articles": small,
                "a page of each": a_page_of_each,
                "large": large,
                "3 articles, SQLite": small_sqlite,
            }
            print("Public pages (uncached):")
            public = measure_public(bases, args)
            searches = {name: timed(large, path, 100) for name, path in SEARCHES.items()}
            cookies = sites["large"][1]["cookies"]
            admin = {
                name: timed(large, path, 50, cookie_for(path, cookies))
                for name, path in ADMIN_PAGES.items()
            }
    finally:
        if not args.keep:
            for name in DATABASES.values():
                drop(name)
    counts = {
        site: {"queries": report["queries"], "rows": report["rows"]}
        for site, (_env, report) in sites.items()
    }
    rows = verdicts(public, searches, admin, counts)
    print(f"\n{'what':<56}{'figures':<96}{'target':<36}verdict")
    for row in rows:
        verdict = "PASS" if row["passed"] else "FAIL"
        print(f"{row['what']:<56}{row['figures']:<96}{row['target']:<36}{verdict}")
    report = {
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "generation_seconds": generation_seconds,
        "public": public,
        "search_ms": searches,
        "admin_ms": admin,
        "queries": {site: count["queries"] for site, count in counts.items()},
        "rows": {site: count["rows"] for site, count in counts.items()},
        "verdicts": rows,
    }
    (REPORTS / "bench-scale.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nLoad average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"JSON: {(REPORTS / 'bench-scale.json').relative_to(ROOT)}")
    return 0 if all(row["passed"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
