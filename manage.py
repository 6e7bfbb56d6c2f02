#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys

# Commands that only read the code (never serve, sign or check a deployment) need no
# secret key: a throwaway one lets them run in a bare shell. Every other command,
# like the web server, still refuses to start without DJANGO_SECRET_KEY.
CODE_ONLY_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help", "version"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genoma.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
