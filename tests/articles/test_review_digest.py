"""Every Monday the job worker emails the Medical reviewers the published content whose
medical review is due within a month or overdue, once per week whatever the number of
workers."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from articles.models import ReviewDigest, Version
from articles.review_digest import send_review_digest
from articles.tasks import weekly_review_digest
from tests.articles.factories import (
    make_article,
    make_condition,
    make_reviewer,
    make_staff,
    publish,
)

pytestmark = pytest.mark.django_db


def due_in(record, days):
    version = Version.objects.live().of(type(record)).get(object_id=record.pk)
    Version.objects.filter(pk=version.pk).update(
        next_review_due=timezone.localdate() + timedelta(days=days)
    )
    return version


@pytest.fixture
def reviewers():
    """Two Medical reviewers with an address; an editor, who gets no digest."""
    found = []
    for username in ("dr-a", "dr-b"):
        reviewer = make_reviewer(username, linked=username == "dr-a")
        reviewer.email = f"{username.replace('-', '.')}@example.com"
        reviewer.save()
        found.append(reviewer)
    writer = make_staff("writer", "Editors")
    writer.email = "writer@example.com"
    writer.save()
    return found


@pytest.fixture
def due_content(reviewers):
    overdue = publish(make_article(slug="old-news", title="Old news"))
    soon = publish(make_condition(slug="soon", name="Soon due"))
    later = publish(make_article(slug="later", title="Reviewed lately"))
    due_in(overdue, -3)
    due_in(soon, 20)
    due_in(later, 60)
    return overdue, soon, later


def test_the_digest_lists_what_is_due_with_links_to_admin(settings, due_content, mailoutbox):
    settings.SITE_URL = "https://genoma.example"
    overdue, soon, _later = due_content
    assert send_review_digest() == 2
    [email] = mailoutbox
    assert email.to == ["dr.a@example.com", "dr.b@example.com"]
    assert email.subject == "Genoma Health: 2 medical review(s) due"
    assert "- Old news (article, version 1): overdue since" in email.body
    assert "- Soon due (condition, version 1): due" in email.body
    assert f"https://genoma.example/admin/articles/article/{overdue.pk}/change/" in email.body
    assert f"https://genoma.example/admin/articles/condition/{soon.pk}/change/" in email.body
    assert "Reviewed lately" not in email.body  # due in two months


def test_the_digest_goes_once_a_week_whatever_the_number_of_workers(due_content, mailoutbox):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    send_review_digest(today=monday)
    send_review_digest(today=monday + timedelta(days=1))  # another worker, or a rerun
    assert len(mailoutbox) == 1
    assert ReviewDigest.objects.get().week == monday
    send_review_digest(today=monday + timedelta(days=7))
    assert len(mailoutbox) == 2


def test_no_digest_when_nothing_is_due(reviewers, mailoutbox):
    publish(make_article(slug="fresh", title="Fresh"))
    assert send_review_digest() == 0
    assert mailoutbox == []
    assert not ReviewDigest.objects.exists()


def test_a_failed_send_leaves_the_week_to_a_retry(settings, due_content, mailoutbox):
    settings.EMAIL_BACKEND = "tests.consultations.test_admin.FailingBackend"
    with pytest.raises(Exception, match="boom"):
        weekly_review_digest.call_local()
    assert not ReviewDigest.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    weekly_review_digest.call_local()  # the retry
    assert len(mail.outbox) == 1
    job = weekly_review_digest.s()  # as the worker queues it: ten minutes apart, six times
    assert (job.retries, job.retry_delay) == (6, 600)


def test_the_worker_sends_it_on_monday_morning_in_thailand():
    from huey.contrib.djhuey import HUEY

    def runs_at(moment):
        return "weekly_review_digest" in {task.name for task in HUEY.read_periodic(moment)}

    week = [datetime(2026, 11, 23) + timedelta(hours=h) for h in range(7 * 24)]  # from Monday
    assert [moment for moment in week if runs_at(moment)] == [datetime(2026, 11, 23, 1, 0)]
