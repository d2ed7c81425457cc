"""``manage.py import_csv KIND FILE``: import a CSV file or an Excel workbook, all rows or none.

Exit status 0: imported (with ``--dry-run``: would import). 1: the file was refused and nothing
was written; every problem is listed as ``line N, column C: message (value)``. 2: bad arguments
or a file that cannot be read. The output says what became of every line (``report.py``); its
last line is always the summary ``created N, updated N, unchanged N, errors N``.
"""

import argparse
import csv
import shlex

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from champions.importing import KINDS, import_file
from champions.importing.cells import escape_formula
from champions.importing.errors import BadArguments, ImportBusy, ImportNotAllowed
from champions.importing.layout import FACT_OPTIONS
from champions.importing.report import describe, write_line_report
from champions.importing.runner import WAIT_SECONDS, ListOptions

#: What ``--status`` takes: the events a list can announce.
LIST_STATUSES = ("publicized", "final", "review_publicity", "review_result", "revoked", "support")


def kinds_and_columns():
    """The help text's list of kinds with their columns, Chinese header and English name."""
    described = []
    for name in sorted(KINDS):
        columns = "; ".join(
            f"{column.labels[0]} {column.name}" if column.labels else column.name
            for column in KINDS[name].column_names()
        )
        described.append(f"{name}: {columns}")
    return "\n".join(described)


class Command(BaseCommand):
    help = _(
        "Import a CSV file or an Excel workbook (.xlsx, .xls) of enterprises, designations, "
        "recommendations, figures, seminars or province counts. Nothing is written unless "
        "every row is valid."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = _("Kinds and their columns (Chinese header, English name):") + (
            "\n" + kinds_and_columns()
        )
        return parser

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        facts = parser.add_argument_group(
            _("the list's own facts"),
            _("For what the rows do not say; a row's own cell wins."),
        )
        facts.add_argument("--tier", help=_("The title of the list (称号)."))
        facts.add_argument("--batch", help=_("The batch (批次): 6, 第六批 or 2024年第一批."))
        facts.add_argument("--year", help=_("The year of the list (年度)."))
        facts.add_argument(
            "--status",
            choices=LIST_STATUSES,
            help=_("What the list announces (an award when not given)."),
        )
        facts.add_argument(
            "--announced", metavar="YYYY-MM-DD", help=_("The date the list was published.")
        )
        facts.add_argument("--document", help=_("The document number (文号)."))
        facts.add_argument("--source", help=_("Where the list was published (an address)."))
        facts.add_argument(
            "--region", help=_("The region of the rows that give none (a code or a name).")
        )
        parser.add_argument(
            "--fill-down",
            action="append",
            default=[],
            metavar="COLUMN",
            help=_(
                "Fill the empty cells of this column (its header, or its English name) from "
                "the row above: cells saved empty under a merged cell. May be repeated."
            ),
        )
        parser.add_argument(
            "--known-only",
            action="store_true",
            help=_(
                "Record events only for firms the registry has; list the names it does not "
                "find instead of refusing them (designations)."
            ),
        )
        parser.add_argument(
            "--province-counts",
            action="store_true",
            help=_(
                "Also count the list's rows by city into the province comparison counts "
                "(designations of a provincial list)."
            ),
        )
        parser.add_argument(
            "--report",
            metavar="OUT.csv",
            help=_("Write what became of every line to this CSV file (UTF-8 with BOM)."),
        )
        parser.add_argument(
            "--sheet", help=_("The sheet of an Excel workbook to read (default: the first).")
        )
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
        list_options = ListOptions(
            facts={name: options[name] for name in FACT_OPTIONS if options.get(name)},
            fill_down=tuple(
                name.strip()
                for value in options["fill_down"]
                for name in value.split(",")
                if name.strip()
            ),
            create_missing=create_missing,
            known_only=options["known_only"],
            province_counts=options["province_counts"],
            sheet=options["sheet"],
            line_outcomes=bool(options["report"]),
        )
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
                *[
                    item
                    for name, text in list_options.facts.items()
                    for item in (FACT_OPTIONS[name], text)
                ],
                *[item for name in list_options.fill_down for item in ("--fill-down", name)],
                *(["--known-only"] if list_options.known_only else []),
                *(["--province-counts"] if list_options.province_counts else []),
                *(["--sheet", list_options.sheet] if list_options.sheet else []),
            ]
        )
        try:
            result = import_file(
                kind,
                file,
                encoding=encoding,
                dry_run=dry_run,
                options=list_options,
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
        except BadArguments as mistake:
            raise CommandError(
                _("%(reason)s Nothing was written.") % {"reason": mistake}, returncode=2
            ) from None
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
        self._report(result, errors, options["report"])
        if result.refused:
            raise CommandError(_("The file was refused; nothing was written."), returncode=1)

    def _report(self, result, errors_path, report_path):
        if result.delimiter:
            self.stdout.write(
                _("Read as %(encoding)s, delimiter %(delimiter)s.")
                % {"encoding": result.encoding, "delimiter": repr(result.delimiter)}
            )
        elif result.encoding:
            self.stdout.write(
                _("Read as %(format)s, sheet “%(sheet)s”.")
                % {"format": result.encoding, "sheet": result.sheet}
            )
        for line in describe(result):
            self.stdout.write(line)
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
        if report_path:
            write_line_report(report_path, result)
        if result.refused:
            self.stdout.write(
                _("Refused: nothing was written (import run #%(run)s).") % {"run": result.run.pk}
            )
        elif result.dry_run:
            self.stdout.write(
                _("Dry run: nothing was written (import run #%(run)s).") % {"run": result.run.pk}
            )
        else:
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
