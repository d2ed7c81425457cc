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
from .columns import Header
from .errors import BadArguments, ErrorLog, FileRefused, ImportNotAllowed
from .kinds import KINDS
from .layout import FACT_OPTIONS, Layout, SectionSpellings
from .parallel import can_read_in_parallel, read_in_parallel
from .progress import Progress
from .reading import open_csv
from .references import References
from .report import MAX_NAMES_SHOWN
from .staging import CHUNK_ROWS, import_transaction
from .workbook import is_workbook, open_workbook


@dataclass(frozen=True)
class ListOptions:
    """What a run is told about its list besides the rows (the options of ``import_csv``).

    ``facts`` are the list's own facts, ``{column name: text}`` (``--tier 单项冠军``): they fill
    the cells a row leaves empty, read like the cells themselves. ``fill_down`` names columns
    whose empty cells take the value above (cells saved empty under a merged cell).
    ``known_only`` reads the list against the registry: rows of firms it does not have are
    listed, not refused. ``province_counts`` also counts the rows by city into the province
    comparison. ``sheet`` picks a workbook's sheet.
    """

    facts: dict = field(default_factory=dict)
    fill_down: tuple = ()
    create_missing: bool = False
    known_only: bool = False
    province_counts: bool = False
    sheet: str | None = None
    #: Whether to keep the outcome of every row (for ``--report``).
    line_outcomes: bool = False


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
    #: The sheet read, of a workbook.
    sheet: str = ""
    #: What the run did with the lines that are not rows it wrote (see ``report.py``).
    layout: Layout | None = None
    kind: object = None
    #: ``[(line, outcome)]`` of the rows written (created, updated, unchanged), when asked.
    line_outcomes: list = field(default_factory=list)
    #: ``[(line, name)]`` of the enterprises created (the first ``MAX_NAMES_SHOWN``), and
    #: how many there are.
    firms_created: list = field(default_factory=list)
    firms_created_count: int = 0

    def header_label(self, name):
        """The header the file uses for column ``name``, or the option that gave it."""
        header = getattr(self.kind, "header", None)
        return header.label(name) if header is not None else name

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
    options=None,
    user=None,
    command="",
    progress_stream=None,
    on_progress=None,
    wait_seconds=WAIT_SECONDS,
    on_wait=lambda: None,
    run=None,
    expect=None,
):
    """Import the CSV file or workbook at ``path`` as ``kind``; see ``ImportResult`` and
    ``ListOptions``.

    Raises ``OSError`` when the file cannot be read, ``LookupError`` for an unknown
    ``encoding`` and ``BadArguments`` for options the kind or the file cannot take: those are
    the caller's mistakes, not the file's, and nothing is recorded.
    So are ``ImportNotAllowed`` (``user`` may not import, or not what the file asks) and
    ``ImportBusy`` (another import kept the database for more than ``wait_seconds``; ``on_wait``
    is called when the wait begins).

    ``run`` is an import run recorded beforehand (a browser upload waiting for its turn), which
    this one completes instead of recording a new one. ``expect`` is ``(created, updated,
    unchanged)`` of the dry run a confirmation applies: other counts refuse the file, since
    what would be written is no longer what was previewed. ``on_progress(done, total)`` is
    called as rows are read, at most twice a second.
    """
    if user is not None and not (user.is_active and user.has_perm(IMPORT_PERMISSION)):
        raise ImportNotAllowed(
            _("%(user)s may not import files (the permission “%(permission)s” is missing).")
            % {"user": user.get_username(), "permission": _("Can import files")}
        )
    options = options or ListOptions()
    check_options(kind, options, path, encoding)
    errors = ErrorLog()
    recorded_before = run is not None
    if run is None:
        run = ImportRun(kind=kind, file_name=str(path)[:500], user=user, command=command[:1000])
    run.status = ImportRun.Status.RUNNING
    result = ImportResult(run=run, errors=errors, dry_run=dry_run)
    try:
        if is_workbook(path):
            csv_file = open_workbook(path, options.sheet)
        else:
            csv_file = open_csv(path, encoding)
    except FileRefused as refusal:
        errors.extend(refusal.errors)
        run.sha256 = _sha256(path)
        return _record(result, ImportRun.Status.REFUSED)
    run.sha256 = csv_file.sha256
    result.encoding, result.delimiter = csv_file.encoding, csv_file.delimiter
    result.sheet = csv_file.sheet
    with import_transaction(wait_seconds, on_wait):
        run.save()
        with recording_import_run(run):
            try:
                _import_rows(result, kind, csv_file, options, user, progress_stream, on_progress)
            except FileRefused as refusal:  # a line found unreadable part-way
                errors.extend(refusal.errors)
            counts = (result.created, result.updated, result.unchanged)
            if expect is not None and not errors and counts != tuple(expect):
                errors.add(
                    0,
                    "",
                    _(
                        "the data changed since the preview: it would now create %(created)d, "
                        "update %(updated)d and leave %(unchanged)d unchanged, not what was "
                        "previewed; check the file again"
                    )
                    % dict(zip(("created", "updated", "unchanged"), counts, strict=True)),
                )
        if errors or dry_run:
            transaction.set_rollback(True)
        else:
            _record(result, ImportRun.Status.IMPORTED)
    # A run recorded inside the rolled-back transaction is recorded again; one recorded
    # before it is still there.
    if errors:
        result.created = result.updated = result.unchanged = 0
        if not recorded_before:
            run.pk = None
        return _record(result, ImportRun.Status.REFUSED)
    if dry_run:
        if not recorded_before:
            run.pk = None
        return _record(result, ImportRun.Status.DRY_RUN)
    return result


def check_options(kind_name, options, path, encoding):
    """Refuse options that the kind has no column for, or that the file cannot take."""
    columns = {column.name for column in KINDS[kind_name].column_names()}
    for name in options.facts:
        if name not in columns:
            raise BadArguments(
                _("%(option)s does not apply to a file of %(kind)s")
                % {"option": FACT_OPTIONS[name], "kind": kind_name}
            )
    for flag, allowed in (
        ("--known-only", options.known_only and kind_name != "designations"),
        ("--province-counts", options.province_counts and kind_name != "designations"),
    ):
        if allowed:
            raise BadArguments(_("%(option)s applies to designations only") % {"option": flag})
    if options.create_missing and kind_name == "seminars":
        raise BadArguments(
            _(
                "--create-missing does not apply to seminars: a participant's row gives no "
                "region; import new participants as enterprises first"
            )
        )
    if options.known_only and options.create_missing:
        raise BadArguments(_("--known-only and --create-missing exclude each other"))
    workbook = is_workbook(path)
    if options.sheet and not workbook:
        raise BadArguments(_("--sheet is for Excel workbooks; this file is not one"))
    if encoding and workbook:
        raise BadArguments(_("--encoding is for CSV files; this file is an Excel workbook"))


def _import_rows(result, kind_name, source, options, user, progress_stream, on_progress):
    errors = result.errors
    references = References()
    kind = KINDS[kind_name](
        references,
        errors,
        create_missing=options.create_missing,
        known_only=options.known_only,
        province_counts=options.province_counts,
    )
    result.kind = kind
    kind_columns = kind.columns()
    layout = result.layout = Layout(
        kind_columns,
        errors,
        facts=options.facts,
        fill_down=options.fill_down,
        spellings=SectionSpellings.of(references),
        keep_lines=options.line_outcomes,
    )
    header_line, header_cells, labels, data = layout.read(source.chunks(CHUNK_ROWS))
    kind.list_title = layout.list_title()
    header = Header(kind_columns, kind.required, header_line, header_cells, labels=labels)
    if header.problems:
        errors.extend(header.problems)
        return
    kind.bind(header)
    staging = kind.staging().create()
    progress = Progress(progress_stream, source.lines, on_update=on_progress)
    with staging.loader() as load_rows:
        if can_read_in_parallel(kind, source) and layout.may_read_in_pieces():
            read_in_parallel(kind, header, layout, source, errors, load_rows, progress)
        else:
            parse_chunk = header.chunk_parser(errors)
            for lines, rows in data:
                columns, bad = parse_chunk(lines, rows)
                load_rows(kind.stage_chunk(lines, columns, bad))
                progress.update(lines[-1] if lines else 0)
    progress.finish()
    kind.references.create_pending_batches(staging)
    upsert = kind.apply(staging, result.run, user)
    result.created, result.updated, result.unchanged = upsert.counts()
    result.created += kind.created_elsewhere
    result.batches_created = kind.references.batches_created
    created = kind.created_records(staging, MAX_NAMES_SHOWN)
    result.firms_created = (kind.created_firms + created)[:MAX_NAMES_SHOWN]
    result.firms_created_count = len(kind.created_firms) + (result.created if created else 0)
    result.warnings = layout.warnings + kind.references.warnings
    if options.line_outcomes:
        result.line_outcomes = upsert.line_outcomes()
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
