"""The queries an admin changelist reads, for the tests that show they do not grow with
the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def changelist_queries(browser, url, pages):
    """{name: (number of queries, how many rows it lists)} of the admin changelist at `url`
    with each query string of `pages` ({name: parameters})."""
    counts = {}
    for name, query in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(url, query)
        assert response.status_code == 200, name
        counts[name] = (len(queries), response.context["cl"].result_count)
    return counts
