"""``manage.py restore FILE``: load a backup into a freshly migrated, empty registry.

All or nothing (``loaddata`` runs in one transaction). It refuses a database that already holds
enterprises, so a backup is never mixed into live data by mistake.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from champions.models import Enterprise


class Command(BaseCommand):
    help = "Load a backup written by `backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if Enterprise.objects.exists():
            raise CommandError(
                _("This database already holds enterprises; restore into an empty one.")
            )
        call_command("loaddata", file, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Restored {file}"))
