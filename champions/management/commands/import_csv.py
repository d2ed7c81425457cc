"""``manage.py import_csv KIND FILE``: import a CSV file, all rows or none.

Exit status 0: imported (with ``--dry-run``: would import). 1: the file was refused and nothing
was written; every problem is listed as ``line N, column C: message (value)``. 2: bad arguments
or a file that cannot be read. The last line of the output is always the summary
``created N, updated N, unchanged N, errors N``.
"""

import csv
import shlex

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from champions.importing import KINDS, import_file
from champions.importing.cells import escape_formula
from champions.importing.errors import ImportBusy, ImportNotAllowed
from champions.importing.runner import WAIT_SECONDS


class Command(BaseCommand):
    help = _(
        "Import a CSV file of enterprises, designations, recommendations, figures, seminars or "
        "province counts. Nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check every row and say what would change, without writing anything."),
        )
        parser.add_argument(
            "--encoding",
            help=_("The file's encoding (default: UTF-8 with or without BOM, else GB18030)."),
        )
        parser.add_argument(
            "--errors",
            metavar="OUT.csv",
            help=_("Also write the problems to this CSV file (UTF-8 with BOM, opens in Excel)."),
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help=_(
                "Create enterprises the registry does not know from the row's name, code and "
                "region, instead of refusing the row."
            ),
        )
        parser.add_argument(
            "--user",
            help=_(
                "Username to record as the person who ran the import; the import is refused "
                "unless that user may import (and move recommendations, for stage moves)."
            ),
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=WAIT_SECONDS,
            metavar="SECONDS",
            help=_(
                "How long to wait for another import into the same database to finish "
                "(default: %(default)s seconds)."
            ),
        )

    def handle(
        self, *args, kind, file, dry_run, encoding, errors, create_missing, user, wait, **options
    ):
        person = None
        if user:
            try:
                person = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(
                    _("No such user: %(user)s") % {"user": user}, returncode=2
                ) from None
        command = shlex.join(
            [
                "import_csv",
                kind,
                file,
                *(["--dry-run"] if dry_run else []),
                *(["--encoding", encoding] if encoding else []),
                *(["--create-missing"] if create_missing else []),
                *(["--user", user] if user else []),
            ]
        )
        try:
            result = import_file(
                kind,
                file,
                encoding=encoding,
                dry_run=dry_run,
                create_missing=create_missing,
                user=person,
                command=command,
                progress_stream=self.stderr._out,
                wait_seconds=wait,
                on_wait=lambda: self.stdout.write(
                    _(
                        "Another import into this database is running; waiting for it to "
                        "finish (at most %(seconds)s seconds)…"
                    )
                    % {"seconds": f"{wait:g}"}
                ),
            )
        except ImportNotAllowed as refusal:
            raise CommandError(
                _("%(reason)s Nothing was written.") % {"reason": refusal}, returncode=2
            ) from None
        except ImportBusy:
            raise CommandError(
                _(
                    "Another import into this database was still running after %(seconds)s "
                    "seconds; nothing was written. Run this one again when it has finished."
                )
                % {"seconds": f"{wait:g}"},
                returncode=2,
            ) from None
        except LookupError:
            raise CommandError(
                _("Unknown encoding: %(encoding)s") % {"encoding": encoding}, returncode=2
            ) from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": error.strerror},
                returncode=2,
            ) from None
        self._report(result, errors)
        if result.refused:
            raise CommandError(_("The file was refused; nothing was written."), returncode=1)

    def _report(self, result, errors_path):
        if result.encoding:
            self.stdout.write(
                _("Read as %(encoding)s, delimiter %(delimiter)s.")
                % {"encoding": result.encoding, "delimiter": repr(result.delimiter)}
            )
        for error in result.errors.sorted():
            self.stdout.write(str(error))
        for warning in result.warnings:
            self.stdout.write(_("warning: %(warning)s") % {"warning": warning})
        if result.errors.truncated:
            self.stdout.write(
                _("… and %(more)d more problems not listed.")
                % {"more": result.errors.count - len(result.errors.errors)}
            )
        if errors_path:
            write_errors(errors_path, result.errors.sorted())
        if result.refused:
            self.stdout.write(
                _("Refused: nothing was written (import run #%(run)s).") % {"run": result.run.pk}
            )
        elif result.dry_run:
            self.stdout.write(
                _("Dry run: nothing was written (import run #%(run)s).") % {"run": result.run.pk}
            )
        else:
            if result.batches_created:
                self.stdout.write(
                    _("Batches created: %(count)d") % {"count": result.batches_created}
                )
            self.stdout.write(_("Imported (import run #%(run)s).") % {"run": result.run.pk})
        self.stdout.write(result.summary())


def write_errors(path, errors):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_("line"), _("column"), _("message"), _("value")])
        for error in errors:
            writer.writerow(
                [
                    error.line,
                    *(escape_formula(text) for text in (error.column, error.message, error.value)),
                ]
            )
