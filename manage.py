#!/usr/bin/env python
"""Django's command-line utility for Accord."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's tool: commands typed on a checkout (makemigrations, shell,
    # runserver) run with DEBUG on unless the environment says otherwise. What serves people
    # (gunicorn on config.wsgi) and the workers (Celery on config.celery) get no such default,
    # and the production image sets DEBUG=0 for everything run in it (Dockerfile).
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
