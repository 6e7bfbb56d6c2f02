"""The content's jobs, worked by `python manage.py run_huey`."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from articles.review_digest import send_review_digest


# Monday 01:00 UTC is 08:00 in Bangkok; a failed send is tried again every 10 minutes
# for an hour.
@db_periodic_task(crontab(day_of_week="1", hour="1", minute="0"), retries=6, retry_delay=600)
def weekly_review_digest():
    send_review_digest()
