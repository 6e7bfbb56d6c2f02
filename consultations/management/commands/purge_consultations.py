"""Anonymise closed consultation requests after the retention period (PDPA/GDPR)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultations.models import ConsultationEvent, ConsultationRequest

ANONYMISED_NAME = "(anonymised)"


class Command(BaseCommand):
    help = "Anonymise closed (completed, declined, spam) requests older than --older-than days."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=365, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be done.")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more days.")
        cutoff = timezone.now() - timedelta(days=older_than)
        due = ConsultationRequest.objects.closed().filter(
            created_at__lt=cutoff, anonymised_at__isnull=True
        )
        references = list(due.values_list("reference", flat=True))
        if dry_run:
            self.stdout.write(
                f"Would anonymise {len(references)} closed request(s) older than {older_than} days"
                + (f": {', '.join(references)}" if references else ".")
            )
            return
        now = timezone.now()
        with transaction.atomic():
            for consultation in due.select_for_update():
                consultation.full_name = ANONYMISED_NAME
                consultation.email = ""
                consultation.phone = ""
                consultation.message = ""
                consultation.internal_notes = ""
                consultation.time_zone = ""
                consultation.source_page = ""
                consultation.notification_error = ""
                consultation.anonymised_at = now
                consultation.save()
                ConsultationEvent.objects.create(
                    request=consultation,
                    kind=ConsultationEvent.Kind.ANONYMISED,
                    note=f"retention: {older_than} days",
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Anonymised {len(references)} closed request(s) older than {older_than} days."
            )
        )
