"""The consultations' jobs, worked by `python manage.py run_huey`."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from consultations import services


@db_task()
def send_emails(request_pk):
    services.send_due_emails(request_pk)


@db_periodic_task(crontab(minute="*"))
def send_emails_due():
    """Every minute: retries whose time has come, and emails of a job lost with its worker."""
    services.send_all_due_emails()


@db_periodic_task(crontab(minute="*/5"))
def send_reminders():
    """Every five minutes: the reminders the day before and two hours before."""
    services.send_due_reminders()


@db_periodic_task(crontab(hour="3", minute="30"))
def purge_consultations():
    """Every night at 03:30 UTC: the retention rules of the privacy notice."""
    call_command("purge_consultations")
