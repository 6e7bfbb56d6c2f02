"""Anonymise consultation requests a retention period after they were closed (PDPA/GDPR)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultations.models import ConsultationRequest
from consultations.services import erase_personal_data


class Command(BaseCommand):
    help = "Anonymise requests closed (completed, declined, spam) more than --older-than days ago."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=365, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be done.")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more days.")
        cutoff = timezone.now() - timedelta(days=older_than)
        due = ConsultationRequest.objects.closed().filter(
            closed_at__lt=cutoff, anonymised_at__isnull=True
        )
        references = list(due.values_list("reference", flat=True))
        if dry_run:
            self.stdout.write(
                f"Would anonymise {len(references)} request(s) closed more than {older_than} days ago"
                + (f": {', '.join(references)}" if references else ".")
            )
            return
        with transaction.atomic():
            for consultation in due.select_for_update():
                erase_personal_data(
                    consultation, reason=f"retention: {older_than} days after closing"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Anonymised {len(references)} request(s) closed more than {older_than} days ago."
            )
        )
