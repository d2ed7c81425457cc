"""One import run: read the file, stage its rows, apply them, and record the run.

Everything between the first read and the last write happens in one transaction. When any row
is bad, or for a dry run, the transaction is rolled back, so the data is exactly as before; the
run itself is then recorded afterwards, with what it found.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..history import recording_import_run
from ..models import ImportRun
from .columns import Header, find_header
from .errors import ErrorLog, FileRefused, ImportNotAllowed
from .kinds import KINDS
from .parallel import can_read_in_parallel, read_in_parallel
from .progress import Progress
from .reading import HEADER_SEARCH_LINES, open_csv
from .references import References
from .staging import CHUNK_ROWS, import_transaction


@dataclass
class ImportResult:
    run: ImportRun
    errors: ErrorLog
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batches_created: int = 0
    #: ``RowError``s of what the file says that the registry keeps otherwise.
    warnings: list = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def refused(self):
        return bool(self.errors)

    def summary(self):
        """The last line of the command's output; not translated, because scripts read it
        (DESIGN.md, stable interfaces)."""
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"errors {len(self.errors)}"
        )


#: The permission a user needs to import a file, in the admin or with ``import_csv --user``.
IMPORT_PERMISSION = "champions.run_import"

#: How long an import waits by default for another one in the same database to finish.
WAIT_SECONDS = 600


def import_file(
    kind,
    path,
    *,
    encoding=None,
    dry_run=False,
    create_missing=False,
    user=None,
    command="",
    progress_stream=None,
    wait_seconds=WAIT_SECONDS,
    on_wait=lambda: None,
):
    """Import the CSV file at ``path`` as ``kind``; see ``ImportResult``.

    Raises ``OSError`` when the file cannot be read and ``LookupError`` for an unknown
    ``encoding``: those are the caller's mistakes, not the file's, and nothing is recorded.
    So are ``ImportNotAllowed`` (``user`` may not import, or not what the file asks) and
    ``ImportBusy`` (another import kept the database for more than ``wait_seconds``; ``on_wait``
    is called when the wait begins).
    """
    if user is not None and not (user.is_active and user.has_perm(IMPORT_PERMISSION)):
        raise ImportNotAllowed(
            _("%(user)s may not import files (the permission “%(permission)s” is missing).")
            % {"user": user.get_username(), "permission": _("Can import files")}
        )
    errors = ErrorLog()
    run = ImportRun(kind=kind, file_name=str(path)[:500], user=user, command=command[:1000])
    result = ImportResult(run=run, errors=errors, dry_run=dry_run)
    try:
        csv_file = open_csv(path, encoding)
    except FileRefused as refusal:
        errors.extend(refusal.errors)
        run.sha256 = _sha256(path)
        return _record(result, ImportRun.Status.REFUSED)
    run.sha256 = csv_file.sha256
    result.encoding, result.delimiter = csv_file.encoding, csv_file.delimiter
    with import_transaction(wait_seconds, on_wait):
        run.save()
        with recording_import_run(run):
            try:
                _import_rows(result, kind, csv_file, create_missing, user, progress_stream)
            except FileRefused as refusal:  # a line found unreadable part-way
                errors.extend(refusal.errors)
        if errors or dry_run:
            transaction.set_rollback(True)
        else:
            _record(result, ImportRun.Status.IMPORTED)
    if errors:
        result.created = result.updated = result.unchanged = 0
        run.pk = None
        return _record(result, ImportRun.Status.REFUSED)
    if dry_run:
        run.pk = None
        return _record(result, ImportRun.Status.DRY_RUN)
    return result


def _import_rows(result, kind_name, csv_file, create_missing, user, progress_stream):
    errors = result.errors
    kind = KINDS[kind_name](References(), errors, create_missing=create_missing)
    kind_columns = kind.columns()
    (header_line, header_cells), data = find_header(
        csv_file.chunks(CHUNK_ROWS), kind_columns, HEADER_SEARCH_LINES
    )
    header = Header(kind_columns, kind.required, header_line, header_cells)
    if header.problems:
        errors.extend(header.problems)
        return
    kind.bind(header)
    staging = kind.staging().create()
    progress = Progress(progress_stream, csv_file.lines)
    with staging.loader() as load_rows:
        if can_read_in_parallel(kind, csv_file):
            read_in_parallel(kind, header, csv_file, errors, load_rows, progress)
        else:
            parse_chunk = header.chunk_parser(errors)
            for lines, rows in data:
                columns, bad = parse_chunk(lines, rows)
                load_rows(kind.stage_chunk(lines, columns, bad))
                progress.update(lines[-1])
    progress.finish()
    kind.references.create_pending_batches(staging)
    upsert = kind.apply(staging, result.run, user)
    result.created, result.updated, result.unchanged = upsert.counts()
    result.created += kind.created_elsewhere
    result.batches_created = kind.references.batches_created
    result.warnings = kind.references.warnings
    staging.drop()


def _record(result, status):
    run = result.run
    run.status = status
    run.finished_at = timezone.now()
    run.created, run.updated, run.unchanged = result.created, result.updated, result.unchanged
    run.errors = len(result.errors)
    run.save()
    return result


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
