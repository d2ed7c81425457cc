"""``manage.py backup FILE``: the whole registry, history included, as (gzipped) JSON.

Portable between SQLite and PostgreSQL. For large PostgreSQL databases, ``pg_dump`` is faster;
the README gives the recipe.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from champions.backup import EXCLUDED


class Command(BaseCommand):
    help = "Write the whole registry, history and staff accounts included, to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="output file; a name ending in .gz is compressed")

    def handle(self, *args, file, **options):
        call_command(
            "dumpdata",
            *[f"--exclude={label}" for label in EXCLUDED],
            natural_foreign=True,
            natural_primary=True,
            output=file,
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file}"))
