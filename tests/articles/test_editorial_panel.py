"""The admin index's "Translations to do", from the outside.

The list names the records whose Thai translation is out of date, then those that have
none, each linking to its record's change page, at most 20; an English save that
changes no words (a new slug) leaves a translation up to date. The panel reads the same
queries, and no more rows, whatever the number of records.
"""

import re
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from articles.models import Article, Condition, Treatment, Version
from articles.publishing import record_version
from articles.translation import translated_fields
from tests.articles.factories import (
    change_url,
    make_article,
    make_condition,
    make_treatment,
    publish,
    save_version,
    signed_in,
)

pytestmark = pytest.mark.django_db

LIMIT = 20
INDEX = reverse("admin:index")
MAKERS = {
    Article: lambda name: make_article(title=name, slug=slugify(name)),
    Condition: lambda name: make_condition(name=name, slug=slugify(name)),
    Treatment: lambda name: make_treatment(name=name, slug=slugify(name)),
}


# Records whose translation is in each state -----------------------------------------------


def missing(model, name):
    """A published record with no Thai version at all."""
    return publish(MAKERS[model](name))


def up_to_date(model, name):
    """A published record with a Thai version made from its English working copy."""
    record = missing(model, name)
    for field in translated_fields(model):
        if getattr(record, field):
            setattr(record, f"{field}_th", f"ไทย {getattr(record, field)}")
    record.save()
    record_version(record, language="th")
    return record


def out_of_date(model, name):
    """A record whose English words changed after its translation was made."""
    record = up_to_date(model, name)
    record.summary = record.standfirst = f"New English words about {name}."
    record.save()
    save_version(record)
    return record


def slug_changed(model, name):
    """A record whose English slug, and nothing else, changed after its translation."""
    record = up_to_date(model, name)
    record.slug = f"{record.slug}-moved"
    record.save()
    save_version(record)
    return record


# Reading the panel -------------------------------------------------------------------------


def _text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def translations_to_do(browser):
    """The "Translations to do" block of the admin index: ([(its item's words, its link)],
    [(each link below the list: its words, its address)])."""
    response = browser.get(INDEX)
    assert response.status_code == 200
    page = response.content.decode()
    block = page.split('id="translations-to-do"', 1)[1].split("<h2", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    listed = [(_text(item), unescape(re.search(r'href="([^"]+)"', item)[1])) for item in items]
    after = block.rsplit("</ul>", 1)[-1]
    more = [
        (_text(words), unescape(url))
        for url, words in re.findall(r'<a href="([^"]+)">(.*?)</a>', after)
    ]
    return listed, more


def item(record, state):
    kind = record._meta.verbose_name
    name = getattr(record, type(record).version_title_field)
    return (f"{name} ({kind}): Thai translation {state}", change_url(record))


def in_panel_order(records):
    """`records` as the panel orders them within one group: by kind (its content type),
    then by name."""

    def key(record):
        content_type = ContentType.objects.get_for_model(record)
        return (content_type.pk, getattr(record, type(record).version_title_field))

    return sorted(records, key=key)


# 1. What the list shows --------------------------------------------------------------------


def test_out_of_date_translations_come_before_missing_ones_at_most_20(editor):
    stale = [out_of_date(Condition, f"Condition behind {n:02}") for n in range(8, 0, -1)]
    stale += [out_of_date(Article, f"Article behind {n:02}") for n in range(6)]
    absent = [missing(Treatment, f"Treatment untranslated {n:02}") for n in range(4)]
    absent += [missing(Article, f"Article untranslated {n:02}") for n in range(5, 0, -1)]
    for n in range(2):  # neither listed
        up_to_date(Article, f"Article translated {n}")
        slug_changed(Condition, f"Condition moved {n}")

    listed, more = translations_to_do(signed_in(editor))

    expected = [item(record, "out of date") for record in in_panel_order(stale)]
    expected += [item(record, "missing") for record in in_panel_order(absent)]
    assert len(expected) == 23
    assert listed == expected[:LIMIT]
    # Every out-of-date translation is listed; the missing ones are in the changelists,
    # through their "Thai translation" filter.
    assert more == [
        ("Articles", f"{reverse('admin:articles_article_changelist')}?translation=missing"),
        ("Conditions", f"{reverse('admin:articles_condition_changelist')}?translation=missing"),
        ("Treatments", f"{reverse('admin:articles_treatment_changelist')}?translation=missing"),
    ]
    browser = signed_in(editor)
    assert (
        "Only the first 20 are listed. All of them: Thai translation missing (Articles, "
        "Conditions, Treatments)."
    ) in _text(browser.get(INDEX).content.decode())
    untranslated = browser.get(more[0][1])
    assert [record.title for record in untranslated.context["cl"].result_list] == [
        f"Article untranslated {n:02}" for n in range(1, 6)
    ]


def test_a_short_list_shows_everything_and_links_to_nothing_more(editor):
    behind = out_of_date(Treatment, "Treatment behind")
    absent = missing(Condition, "Condition untranslated")
    up_to_date(Article, "Article translated")
    listed, more = translations_to_do(signed_in(editor))
    assert listed == [item(behind, "out of date"), item(absent, "missing")]
    assert more == []


# 2. What is out of date ------------------------------------------------------------------------


def test_an_english_save_that_changes_no_words_leaves_the_translation_up_to_date(editor):
    article = slug_changed(Article, "Bones and you")
    assert Version.objects.of_record(article, "en").count() == 2
    browser = signed_in(editor)
    page = browser.get(INDEX).content.decode()
    assert "Every Thai translation is up to date." in page

    article.standfirst = "Other English words."
    article.save()
    save_version(article)
    assert translations_to_do(browser)[0] == [item(article, "out of date")]


def test_more_out_of_date_translations_than_shown_link_to_the_out_of_date_filter(editor):
    stale = [out_of_date(Article, f"Article behind {n:02}") for n in range(LIMIT + 1)]
    missing(Condition, "Condition untranslated")
    listed, more = translations_to_do(signed_in(editor))
    assert listed == [item(record, "out of date") for record in stale[:LIMIT]]
    changelist = reverse("admin:articles_article_changelist")
    assert more[0] == ("Articles", f"{changelist}?translation=out_of_date")
    assert [words for words, _url in more] == ["Articles", "Conditions", "Treatments"] * 2
    assert more[3][1].endswith("?translation=missing")
    assert (
        "All of them: Thai translation out of date (Articles, Conditions, Treatments); "
        "Thai translation missing (Articles, Conditions, Treatments)."
    ) in _text(signed_in(editor).get(INDEX).content.decode())


def test_out_of_date_translations_after_many_with_the_same_words_are_found(editor):
    """The candidates are compared a batch at a time: those of a later batch count too."""
    for n in range(2 * LIMIT + 5):
        slug_changed(Article, f"Article moved {n:02}")
    last = out_of_date(Article, "Article with new words")  # sorted after "Article moved"
    listed, more = translations_to_do(signed_in(editor))
    assert listed == [item(last, "out of date")]
    assert more == []


# 3. What it costs ----------------------------------------------------------------------------


def site(size, first=0):
    """`size` records from number `first` on, of the three kinds: a third of them without a
    translation, half out of date, the rest with a new slug only or up to date."""
    models = [Article, Condition, Treatment]
    for n in range(first, first + size):
        model, name = models[n % 3], f"Record {n:03}"
        match n % 6:
            case 0 | 1:
                missing(model, name)
            case 2 | 3 | 4:
                out_of_date(model, name)
            case 5:
                (slug_changed if n % 12 == 5 else up_to_date)(model, name)


@pytest.fixture
def versions_read(monkeypatch):
    """How many versions the ORM made from rows read, since the last reset."""
    made = {"rows": 0}
    from_db = Version.from_db.__func__

    def counted(cls, *args, **kwargs):
        made["rows"] += 1
        return from_db(cls, *args, **kwargs)

    monkeypatch.setattr(Version, "from_db", classmethod(counted))
    return made


def index_reads(browser, versions_read):
    """(the queries of the admin index, the versions it read, their statements)."""
    versions_read["rows"] = 0
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(INDEX).status_code == 200
    return len(queries), versions_read["rows"], [query["sql"] for query in queries]


def _outer(sql):
    """`sql` without what its parentheses hold: the statement's own clauses."""
    while (inner := re.sub(r"\([^()]*\)", "", sql)) != sql:
        sql = inner
    return sql


def test_the_panel_reads_the_same_queries_and_rows_whatever_the_number_of_records(
    editor, versions_read
):
    browser = signed_in(editor)
    site(3)
    index_reads(browser, versions_read)  # the session's first look
    few, _rows, _sql = index_reads(browser, versions_read)

    site(42, first=3)
    assert len(translations_to_do(browser)[0]) == LIMIT
    many, rows, statements = index_reads(browser, versions_read)
    assert many == few
    # Each statement that reads versions reads a page of them (LIMIT), or the documents
    # of a batch by their ids.
    for sql in statements:
        outer = _outer(sql).strip()
        if 'FROM "articles_version"' not in outer:
            continue
        if outer.endswith('WHERE "articles_version"."id" IN'):
            ids = re.search(r"IN \(([^()]*)\)$", sql)[1].split(",")
            assert len(ids) <= 2 * 2 * LIMIT, sql  # a batch's and their sources'
        else:
            assert re.search(r"LIMIT \d+( OFFSET \d+)?$", outer), sql

    # Past a page of each, more records of every kind read no more rows, nor queries.
    site(30, first=45)
    queries, rows, _sql = index_reads(browser, versions_read)
    assert queries == few
    assert rows <= (LIMIT + 1) + 2 * LIMIT  # the missing, a batch of candidates
    site(30, first=75)
    assert index_reads(browser, versions_read)[:2] == (few, rows)
    assert rows < Version.objects.filter(language="en").count() / 2
