"""The content's jobs, worked by `python manage.py run_huey`."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from articles import cards, images
from articles.review_digest import send_review_digest


@db_task(retries=3, retry_delay=30)
def make_hero_renditions(name):
    """The resized copies of a new hero image, off the editor's request."""
    images.attach_renditions(name)


@db_periodic_task(crontab(minute="*/5"))
def make_missing_renditions():
    """Every five minutes: renditions whose job was lost with its worker."""
    for name in images.missing_renditions():
        images.attach_renditions(name)


@db_task(retries=3, retry_delay=30)
def refresh_share_cards(content_type_id, object_id):
    """A record's share cards, after a publication, a withdrawal or a cancelled schedule."""
    cards.refresh_cards(content_type_id, object_id)


@db_periodic_task(crontab(minute="*/5"))
def refresh_missing_share_cards():
    """Every five minutes: cards whose job was lost, of versions that went live by their
    schedule, and those no version shows any more."""
    for content_type_id, object_id in cards.records_to_refresh():
        cards.refresh_cards(content_type_id, object_id)


# Monday 01:00 UTC is 08:00 in Bangkok; a failed send is tried again every 10 minutes
# for an hour.
@db_periodic_task(crontab(day_of_week="1", hour="1", minute="0"), retries=6, retry_delay=600)
def weekly_review_digest():
    send_review_digest()
