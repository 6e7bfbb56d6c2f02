"""The articles' changelist reads the same number of queries whatever the number of
articles: its first page, its filters and a search."""

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Condition
from tests.articles.factories import (
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    publish_thai,
    save_version,
    signed_in,
)
from tests.changelists import changelist_queries

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def articles(start, stop, reviewer):
    """Articles numbered `start` to `stop`, each about its own condition and treatment:
    published, a third approved by a clinician, half with a Thai translation, every fourth
    and every fifth changed since (the translation out of date), every fifth's change
    submitted for review."""
    for n in range(start, stop):
        article = make_article(title=f"Bones {n:03}", slug=f"bones-{n:03}")
        make_section(article, heading=f"Section {n}")
        article.conditions.add(make_condition(name=f"Condition {n}", slug=f"condition-{n}"))
        article.treatments.add(make_treatment(name=f"Treatment {n}", slug=f"treatment-{n}"))
        if n % 3 == 0:
            version = save_version(article)
            publishing.submit(version, reviewer)
            publishing.approve(version, reviewer)
            publishing.publish(version, reviewer)
        else:
            publish(article)
        if n % 2 == 0:
            publish_thai(article, title=f"กระดูก {n}", standfirst="เรื่องกระดูก")
        if n % 4 == 0 or n % 5 == 0:
            article.standfirst = f"What to know, revised {n}."
            article.save()
            revised = save_version(article)
            if n % 5 == 0:
                publishing.submit(revised, reviewer)


def test_the_changelist_reads_the_same_queries_for_6_or_30_articles(reviewer):
    browser = signed_in(reviewer)
    articles(0, 6, reviewer)
    pages = {
        "first page": {},
        "waiting for review": {"review": "waiting"},
        "awaiting medical review": {"review": "awaiting"},
        "Thai translation missing": {"translation": "missing"},
        "Thai translation out of date": {"translation": "out_of_date"},
        "a condition": {"conditions__id__exact": Condition.objects.get(slug="condition-0").pk},
        "search": {"q": "Bones"},
        "search and filter": {"q": "Bones", "review": "unpublished_changes"},
    }
    changelist_queries(browser, CHANGELIST, {"first page": {}})  # the session's first look
    few = changelist_queries(browser, CHANGELIST, pages)
    articles(6, 30, reviewer)
    many = changelist_queries(browser, CHANGELIST, pages)
    assert {name: count for name, (count, _rows) in many.items()} == {
        name: count for name, (count, _rows) in few.items()
    }
    # 12 a page; the "out of date" filter reads the translations' documents too.
    assert max(count for count, _rows in many.values()) <= 14
    assert many["first page"][1] == 30
    assert many["search"][1] == 30
    assert many["waiting for review"][1] == 6 > few["waiting for review"][1]
    assert many["Thai translation out of date"][1] > few["Thai translation out of date"][1] > 0
