"""``manage.py backup FILE``: the whole registry, history included, as (gzipped) JSON.

Portable between SQLite and PostgreSQL; ``restore`` reads it back in bulk. For large PostgreSQL
databases, ``pg_dump`` is faster still; the README gives the recipe.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

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
        self.stdout.write(self.style.SUCCESS(_("Backup written to %(file)s.") % {"file": file}))
