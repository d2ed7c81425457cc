"""``manage.py export_csv KIND [--output FILE]``: a CSV file that ``import_csv`` reads back."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from champions.exporting import EXPORTS, export_csv


class Command(BaseCommand):
    help = _(
        "Export enterprises, designations, recommendations, figures, seminars or province counts "
        "as CSV (UTF-8 with BOM), with natural keys, in a stable order."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTS))
        parser.add_argument("--output", "-o", help=_("File to write (default: standard output)."))
        parser.add_argument(
            "--chinese-headers",
            action="store_true",
            help=_("Write the official Chinese column labels instead of the English names."),
        )

    def handle(self, *args, kind, output, chinese_headers, **options):
        if not output:
            stream = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            export_csv(kind, stream, chinese_headers=chinese_headers)
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = export_csv(kind, stream, chinese_headers=chinese_headers)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s") % {"file": output, "reason": error.strerror},
                returncode=2,
            ) from None
        self.stderr.write(
            _("%(count)d rows written to %(file)s.") % {"count": count, "file": output}
        )
