"""What every kind of file shares: reading rows into the staging table, then one upsert."""

from django.db import connection
from django.utils.translation import gettext as _

from ..area import Area
from ..errors import ErrorLog
from ..staging import Staging, text_of
from ..upsert import Upsert


class Kind:
    """One kind of file (enterprises, designations, …) and the model it writes.

    A subclass declares its ``columns()``, the ``required`` column groups (a file must have at
    least one column of each group), and ``keys`` (how rows find their record). It completes
    each parsed row in ``complete`` (derived and cross-column values) and may add steps around
    the shared upsert in ``apply``.
    """

    name = ""
    model = None
    required = ()
    keys = ()
    #: The column named in "the same record as line N" errors.
    identity_column = "name"
    #: Whether a large file may be parsed in worker processes (``parallel``): only kinds whose
    #: rows create nothing while they are read (batches are created as they are first named).
    parallel = False

    def __init__(
        self, references, errors, *, create_missing=False, known_only=False, province_counts=False
    ):
        self.references = references
        self.errors = errors
        self.create_missing = create_missing
        self.known_only = known_only
        self.province_counts = province_counts
        self.area = Area(references.regions_by_code)
        self.header = None
        #: The list's name, from the first title line above the header (``Layout``).
        self.list_title = ""
        self.created_elsewhere = 0
        #: ``{city code: [lines]}``: rows of firms outside the registry's area, skipped.
        self.outside = {}
        #: ``[(line, name)]`` of the firms the run creates, for the report.
        self.created_firms = []
        #: ``[(line, name, place)]`` of the rows ``--known-only`` did not find, with the place
        #: of this area the name mentions (possibly the registry's firm), or "".
        self.not_found = []
        #: ``{(kind, outcome): count}`` of the events the run records (designations).
        self.events = {}

    def columns(self):
        raise NotImplementedError

    @classmethod
    def column_names(cls):
        """The kind's columns without the registry's reference data (their parsers of tiers
        and regions missing), for help texts and checks of options."""
        return cls(_WithoutReferences(), ErrorLog()).columns()

    # --- Rows -----------------------------------------------------------------------------------

    def bind(self, header):
        """Fix the staging layout once the file's header is known."""
        self.header = header
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        self.staged = []  # (row key, staging column, SQL type)
        #: Model columns the upsert writes: those of the file's columns that have a field, and
        #: the model columns among the derived ones.
        self.written = []
        for bound in header.columns:
            column = bound.column
            if column.field is None and column.db_type is None:
                continue
            sql_type = column.db_type or fields[column.field].db_type(connection)
            self.staged.append((column.name, column.staging_name, sql_type))
            if column.field:
                self.written.append(column.field)
        for name, sql_type in self.derived_columns():
            if name not in {staging for _key, staging, _type in self.staged}:
                self.staged.append((name, name, sql_type))
                if name in fields:
                    self.written.append(name)
        self.row_keys = [key for key, _staging, _type in self.staged]

    def derived_columns(self):
        """``(name, SQL type)`` of staging columns ``complete`` adds to every row."""
        return []

    def field_type(self, column):
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        return fields[column].db_type(connection)

    def staging(self):
        return Staging(
            f"import_{self.name}", [(staging, sql_type) for _key, staging, sql_type in self.staged]
        )

    def complete(self, row, line):
        """Add derived values to ``row`` and check values that depend on each other; report
        problems in ``self.errors`` and return False for a bad row."""
        return True

    def stage_chunk(self, lines, columns, bad):
        """The staging tuples of a parsed chunk (``Header.chunk_parser``), bad rows left out.

        Row by row through ``complete``; a kind whose files run to a million rows does it a
        column at a time instead.
        """
        staged = []
        names = list(columns)
        for index, line in enumerate(lines):
            if index in bad:
                continue
            row = {name: columns[name][index] for name in names}
            if self.complete(row, line):
                staged.append((line, *[row.get(key) for key in self.row_keys]))
        return staged

    # --- Writing --------------------------------------------------------------------------------

    def kept_columns(self):
        kept = {
            bound.column.staging_name
            for bound in self.header.columns
            if bound.column.keep_when_empty
        }
        return kept | set(self.always_kept)

    #: Columns that are always in the staging table, NULL when the file does not give them.
    always_kept = ()

    #: Model columns written only when a record is created (see ``Upsert``).
    create_only = ()

    def upsert(self, staging):
        return Upsert(
            self.model,
            staging,
            self.written,
            kept=self.kept_columns(),
            keys=self.keys,
            create_only=self.create_only,
            number_new=self.needs_new_ids(),
        )

    def needs_new_ids(self):
        """Whether a step after the upsert's write reads the ids of the records it created
        from the staging table (``Upsert``'s ``number_new``)."""
        return True

    def apply(self, staging, import_run, user):
        """Work out and write what the staged rows change; return the upsert (for its counts)."""
        staging.analyze()
        upsert = self.upsert(staging)
        self.resolve(staging, upsert, import_run, user)
        upsert.match()
        staging.analyze()  # the matches changed what the planner should expect
        # Checks of new rows are skipped when there are none (a file imported again).
        self.check(staging, upsert, new_rows=upsert.unmatched())
        upsert.mark_changed()
        self.before_write(staging, upsert, import_run, user)
        upsert.write(import_run, user)
        self.after_write(staging, upsert, import_run, user)
        return upsert

    def resolve(self, staging, upsert, import_run, user):
        """Fill in references found through the database (the enterprise of each row)."""

    def skip_outside(self, staging):
        """Take the rows of firms outside the registry's area out of the import, counted by
        city (``outside``)."""
        if "region_id" not in staging:
            return
        codes = sorted(self.area.codes)
        rows = staging.fetch(
            "SELECT line, region_id FROM {stg} WHERE region_id IS NOT NULL AND region_id "
            f"NOT IN ({', '.join(['%s'] * len(codes))}) ORDER BY line",
            codes,
        )
        for line, region in rows:
            self.outside.setdefault(self.area.city_of(region), []).append(line)
        staging.remove([line for line, _region in rows])

    def check(self, staging, upsert, new_rows):
        """Report rows that mean the same record, and new rows missing a required value."""
        bad = set()
        for key in self.keys if new_rows else ():
            identity = " || '|' || ".join(
                f"COALESCE({text_of('{stg}.' + column)}, '')" for column in key.columns
            )
            where = f"{{stg}}.target_id IS NULL AND ({key.condition})"
            bad |= self.report_duplicates(upsert.duplicates(identity, where))
        bad |= self.report_duplicates(upsert.same_record_twice())
        for column, row_key in self.required_on_create() if new_rows else ():
            for line in upsert.missing(column):
                self.errors.add(line, self.header.label(row_key), _("required for a new record"))
                bad.add(line)
        staging.remove(bad)

    def required_on_create(self):
        """``(staging column, column name)`` pairs a new record must have."""
        return []

    def report_duplicates(self, pairs, column=None):
        for line, first_line in pairs:
            self.errors.add(
                line,
                self.header.label(column or self.identity_column),
                _("the same record as line %(line)d") % {"line": first_line},
            )
        return {line for line, _first in pairs}

    def before_write(self, staging, upsert, import_run, user):
        """Mark rows changed by something the upsert does not compare (lists, stages)."""

    def after_write(self, staging, upsert, import_run, user):
        """Write what the upsert does not (former names, participants, stage moves)."""

    def created_records(self, staging, limit):
        """``[(line, name)]`` of the first ``limit`` firms the rows created, for kinds whose
        records are firms; ``[]`` otherwise."""
        return []


class _WithoutReferences:
    """Stands in for ``References`` where only the columns' names are wanted."""

    regions_by_code = {}

    def __getattr__(self, name):
        return None
