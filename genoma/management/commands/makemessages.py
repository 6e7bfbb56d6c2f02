"""Django's makemessages, reading the project's own source only.

`make messages` and the catalogue test (tests/genoma/test_catalogue.py) run it the same
way: installed packages, collected static files, reports and tests hold no string the
site shows.
"""

from django.core.management.commands import makemessages

NOT_OUR_SOURCE = ["node_modules/*", "staticfiles/*", "reports/*", "media/*", "tests/*"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_OUR_SOURCE]
        return super().handle(*args, **options)
