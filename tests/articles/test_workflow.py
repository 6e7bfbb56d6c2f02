"""The review workflow from the outside: editors, reviewers and clinic staff at the admin,
and what the public reads meanwhile.

Saving changes the working copy only; a clinician linked to a Medical reviewer approves
exactly one version; publishing makes an approved version live (now or at its time).
"""

import json
import re
import time
from datetime import timedelta
from html import unescape
from unittest import mock

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from articles import publishing
from articles.models import Condition, RiskFactor, Version
from tests.articles.factories import (
    admin_form,
    change_url,
    make_article,
    make_condition,
    make_reviewer,
    make_section,
    make_staff,
    make_treatment,
    messages_of,
    move,
    public,
    publish,
    save_version,
    signed_in,
    text_of,
    versions_of,
)

pytestmark = pytest.mark.django_db


# Helpers ---------------------------------------------------------------------------


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(blocks[0])


def long_date(day):
    return f"{day.day} {day:%B %Y}"


# 1. The whole path ---------------------------------------------------------------------


def test_an_edit_goes_live_only_once_a_clinician_approved_it_and_it_was_published(
    editor, reviewer, live_article
):
    editing, reviewing = signed_in(editor), signed_in(reviewer)
    before = public("/articles/bones/")
    assert "Awaiting medical review" in text_of(before)

    saved = editing.post(
        change_url(live_article),
        admin_form(
            editing,
            live_article,
            standfirst="What everyone should know.",
            change_note="Clearer standfirst",
        ),
    )
    assert saved.status_code == 302
    working = versions_of(live_article).last()
    assert (working.number, working.state) == (2, Version.State.DRAFT)
    assert working.change_note == "Clearer standfirst"
    assert working.created_by == editor
    assert "What everyone should know." not in text_of(public("/articles/bones/"))
    assert "What to know." in text_of(public("/articles/bones/"))

    submitted = move(editing, live_article, "_submit_for_review")
    assert "Version 2 was submitted for medical review." in messages_of(submitted)
    assert versions_of(live_article).last().state == Version.State.SUBMITTED

    approved = move(reviewing, live_article, "_approve")  # no comment: optional
    assert "Version 2 was approved." in messages_of(approved)
    working.refresh_from_db()
    assert working.state == Version.State.APPROVED
    assert working.approved_by == reviewer.clinician
    assert working.reviewed_by == reviewer
    assert "What to know." in text_of(public("/articles/bones/"))  # approved, not published

    published = move(editing, live_article, "_publish")
    assert "Version 2 is published." in messages_of(published)
    page = public("/articles/bones/")
    assert page.status_code == 200
    today = timezone.localdate()
    due = publishing.a_year_after(today)
    assert "What everyone should know." in text_of(page)
    assert (
        f"Medically reviewed by Dr Somchai Jaidee, MD, FRCOST on {long_date(today)} · "
        f"Next review due {long_date(due)}"
    ) in text_of(page)
    assert 'href="/team/somchai-jaidee/"' in page.content.decode()
    data = json_ld(page)
    assert data["lastReviewed"] == today.isoformat()
    assert data["reviewedBy"]["name"] == "Dr Somchai Jaidee"
    assert data["reviewedBy"]["url"] == "http://testserver/team/somchai-jaidee/"
    assert list(versions_of(live_article).live().values_list("number", flat=True)) == [2]


def test_a_clinician_not_shown_publicly_is_named_without_a_link(editor, live_article):
    hidden = make_reviewer(
        "hidden", name="Dr Hidden", slug="hidden", credentials="", is_public=False
    )
    save_version(live_article)
    live_article.standfirst = "Changed."
    live_article.save()
    save_version(live_article, editor)
    move(signed_in(editor), live_article, "_submit_for_review")
    move(signed_in(hidden), live_article, "_approve")
    move(signed_in(editor), live_article, "_publish")
    page = public("/articles/bones/")
    assert "Medically reviewed by Dr Hidden on" in text_of(page)
    assert "/team/hidden/" not in page.content.decode()
    assert "url" not in json_ld(page)["reviewedBy"]


@pytest.mark.parametrize(
    "change",
    [{"title": "Newer title"}, {"sections-0-body": "<p>Eat greens twice a day.</p>"}],
    ids=["a field", "a section"],
)
def test_a_change_after_approval_needs_a_new_approval(change, editor, reviewer, live_article):
    editing = signed_in(editor)
    editing.post(change_url(live_article), admin_form(editing, live_article, title="New title"))
    move(editing, live_article, "_submit_for_review")
    move(signed_in(reviewer), live_article, "_approve")
    editing.post(change_url(live_article), admin_form(editing, live_article, **change))
    assert list(versions_of(live_article).values_list("state", flat=True)) == [
        "published",
        "approved",
        "draft",
    ]

    refused = move(editing, live_article, "_publish")
    assert (
        "Version 3 has not been approved by a clinician, so it cannot be published. "
        "Submit it for review first."
    ) in messages_of(refused)
    page = text_of(public("/articles/bones/"))
    assert "Bones and you" in page
    assert "New title" not in page
    assert "Newer title" not in page
    assert "twice a day" not in page


# 2. Who may do what ------------------------------------------------------------------

ROLES = {
    "editor": lambda: make_staff("ed", "Editors"),
    "reviewer": lambda: make_reviewer("rev", name="Dr Rev", slug="rev"),
    "reviewer without clinician": lambda: make_reviewer("unlinked", linked=False),
    "clinic staff": lambda: make_staff("front-desk", "Clinic staff"),
    "staff in no group": lambda: make_staff("nobody"),
}
ALLOWED = {
    "editor": {"save", "submit", "publish", "unpublish", "restore", "history", "compare"},
    "reviewer": {"approve", "request_changes", "publish", "unpublish", "history", "compare"},
    "reviewer without clinician": {"publish", "unpublish", "history", "compare"},
    "clinic staff": {"history", "compare"},
    "staff in no group": set(),
}
ACTIONS = [
    "save",
    "submit",
    "approve",
    "request_changes",
    "publish",
    "unpublish",
    "restore",
    "history",
    "compare",
]
REVISED = "Bones, revised"


def _revise(article, state):
    """Version 2 of `article` (live as version 1), with a new title, brought to `state`."""
    article.title = REVISED
    article.save()
    version = save_version(article, make_staff("writer", "Editors"))
    if state in ("submitted", "approved"):
        publishing.submit(version, None)
    if state == "approved":
        publishing.approve(version, make_reviewer("approver", name="Dr A", slug="dr-a"))
    return version


def _act(action, browser, article):
    """Make `action` as `browser`; return the response."""
    history = reverse("admin:articles_article_history", args=[article.pk])
    if action == "save":
        form = admin_form(signed_in(make_staff("form-reader", "Editors")), article, title=REVISED)
        return browser.post(change_url(article), form)
    if action == "history":
        return browser.get(history)
    if action == "compare":
        return browser.get(f"{history}compare/", {"a": 1, "b": 2})
    if action == "restore":
        return browser.post(f"{history}1/restore/", follow=True)
    button = "_submit_for_review" if action == "submit" else f"_{action}"
    return move(browser, article, button, comment="Cite the 2024 guideline.")


SETUP = {  # the state version 2 is in before the action (None: there is no version 2)
    "save": None,
    "submit": "draft",
    "approve": "submitted",
    "request_changes": "submitted",
    "publish": "approved",
    "unpublish": None,
    "restore": "draft",
    "history": "draft",
    "compare": "draft",
}


def _done(action, article, response):
    """Whether `action` took effect, read from the database, the public page or the answer."""
    latest = versions_of(article).last()
    match action:
        case "save":
            return latest.number == 2 and latest.title == REVISED
        case "submit":
            return latest.state == Version.State.SUBMITTED
        case "approve":
            return latest.state == Version.State.APPROVED
        case "request_changes":
            return latest.state == Version.State.REJECTED
        case "publish":
            return REVISED in text_of(public("/articles/bones/"))
        case "unpublish":
            return public("/articles/bones/").status_code == 404
        case "restore":
            return latest.number == 3
        case "history" | "compare":
            return response.status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_make_only_its_own_moves(role, action, live_article):
    if SETUP[action]:
        _revise(live_article, SETUP[action])
    browser = signed_in(ROLES[role]())

    response = _act(action, browser, live_article)

    allowed = action in ALLOWED[role]
    assert _done(action, live_article, response) is allowed
    if allowed:
        assert response.status_code in (200, 302)
        return
    if role == "staff in no group" or action in ("save", "restore"):
        assert response.status_code == 403
    elif action not in ("history", "compare"):
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    if action != "unpublish":
        assert public("/articles/bones/").status_code == 200
    assert REVISED not in text_of(public("/articles/bones/"))


def test_an_editor_posting_approve_by_hand_is_refused(editor, live_article):
    _revise(live_article, "submitted")
    response = move(signed_in(editor), live_article, "_approve")
    assert "Only a medical reviewer may approve or send back content." in messages_of(response)
    assert versions_of(live_article).last().state == Version.State.SUBMITTED
    assert 'name="_approve"' not in response.content.decode()  # nor offered


def test_an_editor_cannot_publish_an_unapproved_version(editor):
    article = make_article(slug="draft-only", title="Never reviewed")
    editing = signed_in(editor)
    editing.post(change_url(article), admin_form(editing, article, change_note="First draft"))
    response = move(editing, article, "_publish")
    assert (
        "Version 1 has not been approved by a clinician, so it cannot be published. "
        "Submit it for review first."
    ) in messages_of(response)
    assert not Version.objects.live().exists()
    assert public("/articles/draft-only/").status_code == 404
    move(editing, article, "_submit_for_review")
    response = move(editing, article, "_publish")  # submitted is not approved either
    assert "cannot be published" in messages_of(response)[-1]
    assert public("/articles/draft-only/").status_code == 404


def test_sending_back_needs_a_comment(reviewer, live_article):
    _revise(live_article, "submitted")
    reviewing = signed_in(reviewer)
    response = move(reviewing, live_article, "_request_changes", comment="   ")
    assert "Say what needs to change: a comment is required." in messages_of(response)
    assert versions_of(live_article).last().state == Version.State.SUBMITTED
    response = move(reviewing, live_article, "_request_changes", comment="Cite the source.")
    assert "Version 2 was sent back to the editors." in messages_of(response)
    sent_back = versions_of(live_article).last()
    assert (sent_back.state, sent_back.review_comment) == ("rejected", "Cite the source.")
    assert sent_back.approved_by is None


def test_a_reviewer_without_a_clinician_cannot_approve(live_article):
    unlinked = make_reviewer("unlinked", linked=False)
    _revise(live_article, "submitted")
    page = signed_in(unlinked).get(change_url(live_article)).content.decode()
    assert "Your account is not linked to a clinician" in page
    assert 'name="_approve"' not in page
    response = move(signed_in(unlinked), live_article, "_approve")
    assert (
        "Your account is not linked to a clinician, so you cannot approve or send back "
        "content. Ask an administrator to link it."
    ) in messages_of(response)
    assert versions_of(live_article).last().approved_by is None


# 5. Scheduled publishing --------------------------------------------------------------


def _let_time_pass(article, until):
    """Move `article`'s versions' times back so that `until` is now. The page cache keeps
    no page past the next scheduled change (genoma/cache.py); moving the clock by hand
    does not reach it, so it is emptied as time would have emptied it (the shared cache
    and this process's own copies)."""
    from django.core.cache import cache

    from genoma import cache as page_cache

    shift = until - timezone.now()
    for version in versions_of(article).exclude(live_from=None):
        version.live_from -= shift
        if version.live_until:
            version.live_until -= shift
        version.save(update_fields=["live_from", "live_until"])
    cache.clear()
    page_cache._copies = page_cache._ProcessCopies()


def _approved(article, editor, reviewer, **changes):
    editing = signed_in(editor)
    saved = editing.post(change_url(article), admin_form(editing, article, **changes))
    assert saved.status_code == 302
    move(editing, article, "_submit_for_review")
    move(signed_in(reviewer), article, "_approve")
    return editing


def test_an_article_scheduled_for_later_goes_live_at_its_time(editor, reviewer):
    article = make_article(slug="later", title="Coming soon")
    start = timezone.localtime() + timedelta(days=2)
    editing = _approved(
        article,
        editor,
        reviewer,
        publish_at_0=f"{start:%Y-%m-%d}",
        publish_at_1=f"{start:%H:%M:%S}",
    )

    response = move(editing, article, "_publish")
    assert f"Version 1 will be published on {start:%d %B %Y, %H:%M}." in messages_of(response)
    assert "is scheduled to be published on" in response.content.decode()
    assert public("/articles/later/").status_code == 404
    assert "Coming soon" not in text_of(public("/articles/"))

    _let_time_pass(article, until=start)
    assert public("/articles/later/").status_code == 200
    assert "Coming soon" in text_of(public("/articles/"))


def test_the_live_version_stays_live_until_a_scheduled_one_starts(editor, reviewer, live_article):
    start = timezone.localtime() + timedelta(days=2)
    editing = _approved(
        live_article,
        editor,
        reviewer,
        title="Bones, next week",
        publish_at_0=f"{start:%Y-%m-%d}",
        publish_at_1=f"{start:%H:%M:%S}",
    )
    move(editing, live_article, "_publish")
    assert "Bones and you" in text_of(public("/articles/bones/"))
    assert "Bones, next week" not in text_of(public("/articles/bones/"))

    _let_time_pass(live_article, until=start + timedelta(seconds=1))
    page = text_of(public("/articles/bones/"))
    assert "Bones, next week" in page
    assert "Bones and you" not in page
    assert list(versions_of(live_article).live().values_list("number", flat=True)) == [2]


def test_unpublishing_withdraws_the_page_and_cancels_a_scheduled_version(
    editor, reviewer, live_article
):
    start = timezone.localtime() + timedelta(days=2)
    editing = _approved(
        live_article,
        editor,
        reviewer,
        publish_at_0=f"{start:%Y-%m-%d}",
        publish_at_1=f"{start:%H:%M:%S}",
    )
    move(editing, live_article, "_publish")
    assert public("/articles/bones/").status_code == 200

    response = move(editing, live_article, "_unpublish")
    assert "Unpublished: the public no longer sees this page." in messages_of(response)
    assert "Working copy: version 2, Approved." in text_of(response)  # never went live
    assert public("/articles/bones/").status_code == 404
    assert "Bones and you" not in text_of(public("/articles/"))
    _let_time_pass(live_article, until=start + timedelta(days=1))
    assert public("/articles/bones/").status_code == 404
    response = move(editing, live_article, "_unpublish")
    assert "This is not published, so there is nothing to unpublish." in messages_of(response)


# 6. A row shown on several pages ------------------------------------------------------


def test_a_shared_risk_factor_changes_everywhere_only_when_its_condition_is_published(
    editor, reviewer
):
    condition = make_condition(name="Osteopenia", slug="osteopenia")
    RiskFactor.objects.create(condition=condition, name="Age", description="Over fifty.")
    article = make_article(slug="bones", title="Bones and you")
    make_section(article, kind="risk_factors", heading="What raises the risk", condition=condition)
    publish(condition, article)
    pages = ("/conditions/osteopenia/", "/articles/bones/")
    for url in pages:
        assert "Age: Over fifty." in text_of(public(url))

    editing = signed_in(editor)
    form = admin_form(editing, condition, **{"risk_factors-0-description": "Over sixty."})
    assert editing.post(change_url(condition), form).status_code == 302
    assert RiskFactor.objects.get().description == "Over sixty."  # the working copy
    for url in pages:
        assert "Age: Over fifty." in text_of(public(url)), url

    move(editing, condition, "_submit_for_review")
    move(signed_in(reviewer), condition, "_approve")
    for url in pages:
        assert "Age: Over fifty." in text_of(public(url)), url

    move(editing, condition, "_publish")
    for url in pages:
        page = text_of(public(url))
        assert "Age: Over sixty." in page, url
        assert "Over fifty." not in page, url


# 7. Addresses that never break ------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "prefix"),
    [
        (lambda: make_article(slug="old", title="Bones"), "/articles/"),
        (lambda: make_condition(name="Osteopenia", slug="old"), "/conditions/"),
        (lambda: make_treatment(name="MSC therapy", slug="old"), "/treatments/"),
    ],
)
def test_a_published_slug_change_leaves_a_permanent_redirect(make, prefix, editor, reviewer):
    record = publish(make())
    editing = signed_in(editor)
    editing.post(change_url(record), admin_form(editing, record, slug="new"))
    assert public(f"{prefix}old/").status_code == 200  # saved, not published

    move(editing, record, "_submit_for_review")
    move(signed_in(reviewer), record, "_approve")
    move(editing, record, "_publish")

    response = public(f"{prefix}old/")
    assert response.status_code == 301
    assert response["Location"] == f"{prefix}new/"
    assert public(f"{prefix}new/").status_code == 200


def test_a_slug_only_saved_is_no_address_yet(editor):
    article = publish(make_article(slug="old", title="Bones"))
    editing = signed_in(editor)
    editing.post(change_url(article), admin_form(editing, article, slug="new"))
    # A 301 from the unpublished address back to the old one would be kept by browsers
    # for good, and loop once the new address is published with its 301 the other way.
    assert public("/articles/new/").status_code == 404


def test_a_slug_scheduled_for_later_is_no_address_until_then(editor, reviewer):
    article = publish(make_article(slug="old", title="Bones"))
    start = timezone.localtime() + timedelta(days=2)
    editing = _approved(
        article,
        editor,
        reviewer,
        slug="new",
        publish_at_0=f"{start:%Y-%m-%d}",
        publish_at_1=f"{start:%H:%M:%S}",
    )
    move(editing, article, "_publish")
    assert public("/articles/old/").status_code == 200
    assert public("/articles/new/").status_code == 404


# 8. The preview link ------------------------------------------------------------------


def _preview_link(browser, record):
    page = browser.get(change_url(record)).content.decode()
    return unescape(re.search(r'href="(/preview/[^"]+/)"', page).group(1))


def _working_copy(editor, article):
    """An edit of the live `article`, saved and not published; and the editor's browser."""
    editing = signed_in(editor)
    form = admin_form(editing, article, standfirst="A working copy nobody has approved.")
    assert editing.post(change_url(article), form).status_code == 302
    return editing


def test_the_preview_link_shows_the_working_copy_to_anyone_never_cached_nor_indexed(
    editor, live_article
):
    link = _preview_link(_working_copy(editor, live_article), live_article)

    response = public(link)
    assert response.status_code == 200
    assert "A working copy nobody has approved." in text_of(response)
    assert "Preview of version 2 (Draft)" in text_of(response)
    assert "noindex" in response["X-Robots-Tag"]
    assert {"private", "no-store"} <= set(re.split(r",\s*", response["Cache-Control"]))
    assert '<meta name="robots" content="noindex' in response.content.decode()
    assert "X-Cache" not in public(link)  # never entered the page cache
    assert "A working copy" not in text_of(public("/articles/bones/"))


def test_a_preview_link_older_than_a_week_has_expired(editor, live_article):
    link = _preview_link(_working_copy(editor, live_article), live_article)
    eight_days = 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=time.time() + eight_days):
        response = public(link)
    assert response.status_code == 404
    assert "This preview link has expired" in text_of(response)
    assert "A working copy" not in text_of(response)
    assert "noindex" in response["X-Robots-Tag"]

    six_days = 6 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=time.time() + six_days):
        assert public(link).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "9999" + token[token.index(":") :],  # another version's id
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_preview_link_is_not_found(tamper, editor, live_article):
    link = _preview_link(_working_copy(editor, live_article), live_article)
    token = link.removeprefix("/preview/").removesuffix("/")
    response = public(f"/preview/{tamper(token)}/")
    assert response.status_code == 404
    assert "This preview link is not valid" in text_of(response)
    assert "A working copy" not in text_of(response)


# 9. What waits on the admin index -----------------------------------------------------


def test_a_reviewer_sees_what_waits_for_review(editor, reviewer, live_article):
    move(_working_copy(editor, live_article), live_article, "_submit_for_review")
    page = text_of(signed_in(reviewer).get(reverse("admin:index")))
    waiting = page.split("Waiting for my review", 1)[1]
    assert waiting.startswith(" Bones and you (article, version 2, submitted")


def test_an_editor_sees_what_was_sent_back_and_why(editor, reviewer, live_article):
    move(_working_copy(editor, live_article), live_article, "_submit_for_review")
    move(signed_in(reviewer), live_article, "_request_changes", comment="Cite the guideline.")
    page = text_of(signed_in(editor).get(reverse("admin:index")))
    assert (
        "Sent back to the editors Bones and you (article, version 2): Cite the guideline." in page
    )
    assert "Waiting for my review" not in page


def test_the_review_due_list_shows_live_versions_due_within_30_days(editor, reviewer, live_article):
    editing = _working_copy(editor, live_article)
    move(editing, live_article, "_submit_for_review")
    soon = timezone.localdate() + timedelta(days=10)
    move(signed_in(reviewer), live_article, "_approve", next_review_due=soon.isoformat())
    publish(make_article(slug="unreviewed", title="Never reviewed"))  # nothing falls due

    page = text_of(signed_in(reviewer).get(reverse("admin:index")))
    due = page.split("Medical review due within 30 days or overdue", 1)[1]
    assert due.startswith(" No published content is due for review.")  # approved, not live

    move(editing, live_article, "_publish")
    page = text_of(signed_in(reviewer).get(reverse("admin:index")))
    due = page.split("Medical review due within 30 days or overdue", 1)[1]
    assert due.startswith(f" Bones and you (article): due {soon.day} {soon:%b %Y}")
    assert "Never reviewed" not in due


# 10. The changelists ------------------------------------------------------------------

CHANGELIST_QUERIES = {"article": 11, "condition": 7, "treatment": 7}

MAKERS = {
    "article": lambda name, slug: make_article(title=name, slug=slug),
    "condition": lambda name, slug: make_condition(name=name, slug=slug),
    "treatment": lambda name, slug: make_treatment(name=name, slug=slug),
}
STATES = {  # a record in each state, named after it; what each filter value finds
    "Draft only": ["unpublished"],
    "Waiting": ["unpublished", "waiting"],
    "Sent back": ["unpublished", "sent_back"],
    "Changed since": ["unpublished_changes", "awaiting"],
    "Unreviewed": ["awaiting"],
    "Overdue": ["overdue"],
    "Due soon": ["due_30_days"],
    "Reviewed": [],
    "Scheduled": ["unpublished"],  # articles only: they have a publish time
}


def _states(model):
    return [state for state in STATES if model == "article" or state != "Scheduled"]


def _in_state(model, state, copy, reviewer):
    """A `model` record with its versions as `state` says (STATES), named after it."""
    name = f"{state} {copy}" if copy else state
    record = MAKERS[model](name, f"{slugify(state)}-{copy}")
    version = save_version(record)
    if state in ("Waiting", "Sent back"):
        publishing.submit(version, None)
    if state == "Sent back":
        publishing.request_changes(version, reviewer, "Cite the source.")
    if state in ("Changed since", "Unreviewed"):
        publish(record)
    if state == "Changed since":
        record.summary = record.standfirst = "Changed since it was published."
        record.save()
        save_version(record)
    if state == "Scheduled":
        record.publish_at = timezone.now() + timedelta(days=3)
        record.save()
        version = save_version(record)
    due_in_days = {"Overdue": 1, "Due soon": 10, "Reviewed": 200, "Scheduled": 200}
    if state in due_in_days:
        publishing.submit(version, None)
        due = timezone.localdate() + timedelta(days=due_in_days[state])
        publishing.approve(version, reviewer, next_review_due=due)
        publishing.publish(version, reviewer)
    if state == "Overdue":  # two days later
        Version.objects.filter(pk=version.pk).update(next_review_due=due - timedelta(days=2))
    return record


def _make_records(model, reviewer, copies=(0,)):
    for copy in copies:
        for state in _states(model):
            _in_state(model, state, copy, reviewer)


def _listed(response):
    assert response.status_code == 200
    cells = re.findall(
        r'class="field-(?:title|name)"><a [^>]*>([^<]+)</a>', response.content.decode()
    )
    return set(map(unescape, cells))


@pytest.mark.parametrize("model", MAKERS)
def test_the_review_filter_finds_each_state(model, editor, reviewer):
    _make_records(model, reviewer)
    url = reverse(f"admin:articles_{model}_changelist")
    browser = signed_in(editor)
    everything = browser.get(url)
    assert _listed(everything) == set(_states(model))
    if model == "article":  # only articles have a publish time
        assert "Not published · Scheduled for" in text_of(everything)
    for value in (
        "waiting",
        "sent_back",
        "unpublished_changes",
        "awaiting",
        "overdue",
        "due_30_days",
        "unpublished",
    ):
        expected = {name for name in _states(model) if value in STATES[name]}
        assert _listed(browser.get(url, {"review": value})) == expected, value


@pytest.mark.parametrize("model", MAKERS)
@pytest.mark.parametrize("review", [None, "awaiting", "due_30_days"])
def test_the_changelists_read_in_a_fixed_number_of_queries(
    model, review, editor, reviewer, django_assert_max_num_queries
):
    url = reverse(f"admin:articles_{model}_changelist")
    browser = signed_in(editor)
    query = {"review": review} if review else {}
    _make_records(model, reviewer)
    with django_assert_max_num_queries(CHANGELIST_QUERIES[model]):
        small = _listed(browser.get(url, query))
    _make_records(model, reviewer, copies=range(1, 5))
    with django_assert_max_num_queries(CHANGELIST_QUERIES[model]):
        large = _listed(browser.get(url, query))
    assert len(large) > len(small)


def test_a_reviewer_approves_the_version_they_read_not_a_newer_one(editor, reviewer, live_article):
    editing, reviewing = signed_in(editor), signed_in(reviewer)
    _revise(live_article, "submitted")
    page = reviewing.get(change_url(live_article)).content.decode()
    assert "Working copy: version 2, Submitted for review." in page
    shown = re.search(r'<input type="hidden" name="version" value="(\d+)">', page).group(1)

    # Meanwhile the editor changes the text again and submits that.
    form = admin_form(editing, live_article, standfirst="Changed while under review.")
    editing.post(change_url(live_article), form)
    move(editing, live_article, "_submit_for_review")

    response = move(reviewing, live_article, "_approve", version=shown)
    assert (
        "Version 3 is the working copy now, not version 2 that you read. Read it before "
        "you approve it or send it back."
    ) in messages_of(response)
    assert versions_of(live_article).last().state == Version.State.SUBMITTED
    assert not versions_of(live_article).filter(approved_by__isnull=False).exists()


def test_an_editor_submits_the_version_they_saw_not_a_newer_one(editor, live_article):
    _revise(live_article, "draft")
    editing = signed_in(editor)
    page = editing.get(change_url(live_article)).content.decode()
    assert '<input type="hidden" name="version" value="2">' in page
    other = signed_in(make_staff("other-editor", "Editors"))
    other.post(change_url(live_article), admin_form(other, live_article, title="Another title"))

    response = move(editing, live_article, "_submit_for_review", version="2")
    assert (
        "Version 3 is the working copy now, not version 2 that you saw. Look at it before "
        "you submit or publish it."
    ) in messages_of(response)
    assert versions_of(live_article).last().state == Version.State.DRAFT


# Deleting (administrators only) ---------------------------------------------------------


def test_an_article_deleted_by_an_administrator_leaves_the_public_pages(live_article):
    from django.contrib.auth import get_user_model

    administrator = get_user_model().objects.create_superuser("root", "root@example.org")
    assert public("/articles/bones/").status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = signed_in(administrator).post(
            reverse("admin:articles_article_delete", args=[live_article.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert public("/articles/bones/").status_code == 404
    assert "Bones and you" not in text_of(public("/articles/"))
    assert versions_of(live_article).count() == 1  # kept, as evidence


def test_conditions_deleted_in_bulk_leave_the_public_pages(db):
    from django.contrib.auth import get_user_model

    administrator = get_user_model().objects.create_superuser("root", "root@example.org")
    conditions = [
        publish(make_condition(name="Osteopenia", slug="osteopenia")),
        publish(make_condition(name="Osteoporosis", slug="osteoporosis")),
    ]
    assert public("/conditions/osteopenia/").status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        signed_in(administrator).post(
            reverse("admin:articles_condition_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [c.pk for c in conditions],
                "post": "yes",
            },
        )
    assert not Condition.objects.exists()
    for slug in ("osteopenia", "osteoporosis"):
        assert public(f"/conditions/{slug}/").status_code == 404


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_condition(name="Osteopenia", slug="osteopenia"),
        lambda: make_treatment(name="MSC therapy", slug="msc"),
    ],
)
def test_conditions_and_treatments_have_preview_links_too(make, editor):
    record = make()  # never published
    editing = signed_in(editor)
    form = admin_form(editing, record, summary="A summary nobody has approved.")
    assert editing.post(change_url(record), form).status_code == 302
    response = public(_preview_link(editing, record))
    assert response.status_code == 200
    assert "A summary nobody has approved." in text_of(response)
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in response.content.decode()
    assert public(record.get_absolute_url()).status_code == 404


def test_a_deleted_record_waits_for_no_review(editor, reviewer, live_article):
    from django.contrib.auth import get_user_model

    _revise(live_article, "submitted")
    administrator = get_user_model().objects.create_superuser("root", "root@example.org")
    signed_in(administrator).post(
        reverse("admin:articles_article_delete", args=[live_article.pk]), {"post": "yes"}
    )
    page = text_of(signed_in(reviewer).get(reverse("admin:index")))
    assert "Waiting for my review Nothing is waiting for review." in page


INDEX_QUERIES = 10  # session, user, permissions, the panel's lists, recent actions


def _submitted(first, count):
    """`count` published articles, each with a new version waiting for review."""
    for number in range(first, first + count):
        article = publish(make_article(slug=f"a{number}", title=f"Article {number}"))
        article.title = f"Revised {number}"
        article.save()
        publishing.submit(save_version(article), None)


def test_the_admin_index_reads_what_waits_in_a_fixed_number_of_queries(
    reviewer, django_assert_max_num_queries
):
    browser = signed_in(reviewer)
    _submitted(0, 1)
    with django_assert_max_num_queries(INDEX_QUERIES):
        assert "Revised 0" in text_of(browser.get(reverse("admin:index")))
    _submitted(1, 5)
    with django_assert_max_num_queries(INDEX_QUERIES):
        assert "Revised 5" in text_of(browser.get(reverse("admin:index")))


def test_a_scheduled_version_given_way_to_a_newer_one_is_approved_again_not_published(
    editor, reviewer, live_article
):
    start = timezone.localtime() + timedelta(days=2)
    editing = _approved(
        live_article,
        editor,
        reviewer,
        title="Next week",
        publish_at_0=f"{start:%Y-%m-%d}",
        publish_at_1=f"{start:%H:%M:%S}",
    )
    move(editing, live_article, "_publish")
    _approved(live_article, editor, reviewer, title="Right now", publish_at_0="2026-01-01")
    move(editing, live_article, "_publish")

    assert "Right now" in text_of(public("/articles/bones/"))
    history = text_of(
        editing.get(reverse("admin:articles_article_history", args=[live_article.pk]))
    )
    assert re.search(r"2 from to Approved \d", history), history
    assert list(versions_of(live_article).values_list("state", flat=True)) == [
        "published",
        "approved",
        "published",
    ]
