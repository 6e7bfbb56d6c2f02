"""Delete uploaded files that nothing shows any more (run every night by the job worker)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from genoma.media import GRACE, purge_unused_files


class Command(BaseCommand):
    help = (
        "Delete uploaded images that no record and no version of the content refers to "
        "(an editor's upload taken out of the text, a file whose deletion failed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=int(GRACE.total_seconds() // 3600),
            help="keep files uploaded less than this many hours ago (default: %(default)s)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")

    def handle(self, *args, grace_hours, dry_run, **options):
        names = purge_unused_files(grace=timedelta(hours=grace_hours), dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{len(names)} unused file(s) {verb}.")
