"""``manage.py restore FILE``: load a backup into a freshly migrated, empty registry.

All or nothing (one transaction), and in bulk (``champions.backup.restore``): a few statements per
model, whatever the number of rows. It refuses a database that already holds enterprises, so a
backup is never mixed into live data by mistake.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from champions.backup import RestoreError, restore


class Command(BaseCommand):
    help = "Load a backup written by `backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            count = restore(file)
        except RestoreError as error:
            raise CommandError(error) from error
        except DatabaseError as error:
            # A constraint the rows break (a damaged or hand-edited backup); rolled back.
            raise CommandError(
                _("The backup could not be restored; the database is unchanged: %(error)s")
                % {"error": error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(count)d records from %(file)s.") % {"count": count, "file": file}
            )
        )
