"""Writing a staging table into one model's table: the set-based upsert every kind shares.

Rows find their record by natural key; rows without one are created, rows that differ from
their record update only the columns the file has, identical rows are not written at all. Every
created or updated record gets its historical row (django-simple-history's table) in the same
statement-at-a-time way, stamped with the import run, so history stays complete at bulk speed.
"""

from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone

from ..sql import is_postgresql
from .staging import db_value, distinct, indexes_rebuilt, quote, rebuild_indexes_for

#: Columns of a historical table that describe the change rather than copy the record.
HISTORY_COLUMNS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "import_run_id",
}


@dataclass(frozen=True)
class Key:
    """One way rows find their record: equal ``columns``, for rows matching ``condition``.

    A designation is found by enterprise, tier, batch and product when it has a batch, and by
    enterprise, tier, year and product when it has none: two keys.
    """

    columns: tuple
    condition: str = "1 = 1"
    target_condition: str = "1 = 1"


class Upsert:
    """The upsert of ``staging`` into ``model``.

    ``columns`` are the model columns the file has (staging columns of the same name);
    ``kept`` those among them where an empty cell keeps the stored value; ``create_only`` those
    written when a record is created and never compared or changed afterwards (a title's
    product name as first published: later lists may space it otherwise).
    """

    def __init__(self, model, staging, columns, kept=(), keys=(), create_only=(), number_new=True):
        """``number_new=False``: nothing after ``write`` needs the ids of the records created
        (``target_id`` and ``created = 1`` of their rows), so on SQLite they are not written
        into the staging table; a created row keeps ``target_id`` NULL, which ``counts`` and
        ``line_outcomes`` count as created all the same."""
        self.model = model
        self.number_new = number_new
        self.staging = staging
        self.create_only = [column for column in columns if column in set(create_only)]
        self.columns = [column for column in columns if column not in set(create_only)]
        self.kept = set(kept)
        self.keys = keys
        self.table = quote(model._meta.db_table)

    # --- Finding records ----------------------------------------------------------------------

    def match(self, keys=None):
        """Find the records of rows by ``keys`` (default: the kind's), and note at once whether
        each found row differs from its record: one pass over the table, not two."""
        found = 0
        for key in self.keys if keys is None else keys:
            equal = " AND ".join(f"t.{quote(c)} = {{stg}}.{quote(c)}" for c in key.columns)
            found += self.staging.execute(
                f"UPDATE {{stg}} SET target_id = t.id, changed = {self._differs()} "
                f"FROM {self.table} AS t WHERE {{stg}}.target_id IS NULL AND ({key.condition}) "
                f"AND ({key.target_condition}) AND {equal}"
            )
        return found

    def unmatched(self):
        """How many rows have found no record (are new)."""
        return self.staging.fetch("SELECT COUNT(*) FROM {stg} WHERE target_id IS NULL")[0][0]

    def duplicates(self, identity, where="1 = 1"):
        """``(line, first line)`` of rows that mean the same record as an earlier row.

        ``identity`` is an SQL expression over the staging row (NULL: not compared), of a text
        or integer type.
        """
        if not self._may_repeat(identity, where):
            return []
        return self.staging.fetch(
            f"SELECT s.line, d.first_line FROM {{stg}} AS s JOIN "
            f"(SELECT {identity} AS identity, MIN(line) AS first_line FROM {{stg}} "
            f"WHERE {where} GROUP BY {identity} HAVING COUNT(*) > 1) AS d "
            f"ON {identity.replace('{stg}.', 's.')} = d.identity "
            f"WHERE ({where.replace('{stg}.', 's.')}) AND s.line <> d.first_line ORDER BY s.line"
        )

    def _may_repeat(self, identity, where):
        """Whether an ``identity`` may occur on two rows, found cheaply first on PostgreSQL:
        the rows are fewer than the distinct hashes of their identities' texts. Equal
        identities have equal texts and hashes, so no repeat is missed; telling a million rows
        apart so is a sort of numbers, where grouping them is a hash table of a million texts
        (seconds, for the rows of an import that has none, as most have). SQLite counts
        distinct values more slowly than it groups: there the rows are grouped at once."""
        if not is_postgresql():
            return True
        ((repeats,),) = self.staging.fetch(
            f"SELECT COUNT({identity}) - COUNT(DISTINCT hashtextextended(CAST({identity} AS "
            f"TEXT), 0)) FROM {{stg}} WHERE {where}"
        )
        return repeats > 0

    def same_record_twice(self):
        """Rows that found the same existing record as an earlier row (by different keys)."""
        return self.duplicates("{stg}.target_id", "{stg}.target_id IS NOT NULL")

    def missing(self, column):
        """Lines of rows that would create a record without a value for ``column``."""
        return [
            line
            for (line,) in self.staging.fetch(
                f"SELECT line FROM {{stg}} WHERE target_id IS NULL AND {quote(column)} IS NULL "
                "ORDER BY line"
            )
        ]

    # --- What would change --------------------------------------------------------------------

    def _new_value(self, column):
        value = f"{{stg}}.{quote(column)}"
        if column in self.kept:
            return f"COALESCE({value}, t.{quote(column)})"
        return value

    def _differs(self):
        """SQL: 1 when the row has a value that differs from its record ``t``, else 0."""
        differs = " OR ".join(
            distinct(f"t.{quote(column)}", self._new_value(column)) for column in self.columns
        )
        return f"CASE WHEN {differs or '1 = 0'} THEN 1 ELSE 0 END"

    def mark_changed(self):
        """Compare the rows that found their record some other way than ``match`` (by name)."""
        self.staging.execute(
            f"UPDATE {{stg}} SET changed = {self._differs()} FROM {self.table} AS t "
            "WHERE t.id = {stg}.target_id AND {stg}.changed IS NULL"
        )

    def mark_lines_changed(self, lines):
        self.staging.execute_for_lines("UPDATE {stg} SET changed = 1 WHERE {lines}", lines)

    #: SQL: what a staging row does to its record, ``created``, ``updated`` or ``unchanged``.
    OUTCOME = (
        "CASE WHEN target_id IS NULL OR created = 1 THEN 'created' "
        "WHEN changed = 1 THEN 'updated' ELSE 'unchanged' END"
    )

    def counts(self):
        """``(to create, to update, unchanged)`` over the rows still in the staging table.

        Summed in one pass rather than grouped: SQLite groups by sorting, which holds a
        million rows in memory to find three outcomes."""
        sums = ", ".join(
            f"COALESCE(SUM(CASE WHEN outcome = '{outcome}' THEN 1 ELSE 0 END), 0)"
            for outcome in ("created", "updated", "unchanged")
        )
        ((created, updated, unchanged),) = self.staging.fetch(
            f"SELECT {sums} FROM (SELECT {self.OUTCOME} AS outcome FROM {{stg}}) AS outcomes"
        )
        return int(created), int(updated), int(unchanged)

    def line_outcomes(self):
        """``[(line, outcome)]`` of every row still in the staging table, by line."""
        return self.staging.fetch(f"SELECT line, {self.OUTCOME} FROM {{stg}} ORDER BY line")

    # --- Writing ------------------------------------------------------------------------------

    def write(self, import_run, user=None):
        """Create the new records, update the changed ones, and record the history of both;
        a statement that would have nothing to do is not run."""
        to_create, to_update, _unchanged = self.counts()
        stamp = [db_value(timezone.now()), user.pk if user else None, import_run.pk]
        history = self.model.history.model
        if to_create and not self.number_new and not is_postgresql():
            self._create_unnumbered(to_create, stamp)
        elif to_create:
            self.staging.number_new_rows(self.model)
            new_values = self._new_record_values(stamp[0])
            with indexes_rebuilt(self.model, rebuild_indexes_for(self.model, to_create)):
                self._insert_from_staging(self.table, new_values)
            # The history of a new record is the row just inserted: read from the staging table
            # again rather than joined with the million-row table it went into.
            copied = {column: new_values[column] for column in self._history_columns()}
            with indexes_rebuilt(history, rebuild_indexes_for(history, to_create)):
                self._insert_from_staging(quote(history._meta.db_table), copied, stamp)
        if to_update:
            self._update(stamp[0])
            self._record_updates(stamp)

    def _create_unnumbered(self, to_create, stamp):
        """Create the records of the rows without one, and their history rows, without the
        pass that numbers the new rows of the staging table (SQLite, ``number_new=False``):
        there a new record's id follows its line (``Staging.new_id``), so the records and their
        history rows are given the same ids by two statements. (PostgreSQL takes the ids from
        the table's sequence, once: its rows are numbered.)"""
        history = self.model.history.model
        new_values = self._new_record_values(stamp[0])
        new_values["id"] = self.staging.new_id(self.model)
        copied = {column: new_values[column] for column in self._history_columns()}
        new = "target_id IS NULL"
        with indexes_rebuilt(self.model, rebuild_indexes_for(self.model, to_create)):
            self._insert_from_staging(self.table, new_values, new=new)
        with indexes_rebuilt(history, rebuild_indexes_for(history, to_create)):
            self._insert_from_staging(quote(history._meta.db_table), copied, stamp, new=new)

    def _history_columns(self):
        history = self.model.history.model
        return [f.column for f in history._meta.concrete_fields if f.column not in HISTORY_COLUMNS]

    def _new_record_values(self, now):
        """``{column: (SQL over the staging row, parameters)}`` of a new record's columns."""
        values = {"id": ("{stg}.target_id", [])}
        for field in self.model._meta.concrete_fields:
            column = field.column
            if field.primary_key:
                continue
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                values[column] = ("%s", [now])
            elif column not in self.columns and column not in self.create_only:
                values[column] = ("%s", [self._default(field)])
            elif column in self.kept and field.has_default():
                values[column] = (f"COALESCE({{stg}}.{quote(column)}, %s)", [self._default(field)])
            else:
                values[column] = (f"{{stg}}.{quote(column)}", [])
        return values

    def _insert_from_staging(self, table, values, history_stamp=None, new="created = 1"):
        """INSERT the new rows (those the condition ``new`` selects) into ``table``; with
        ``history_stamp`` (date, user, run), as the "created" records of the historical
        table."""
        columns = list(values)
        selected = [sql for sql, _params in values.values()]
        params = [param for _sql, params in values.values() for param in params]
        if history_stamp:
            columns += ["history_type", "history_date", "history_user_id", "import_run_id"]
            selected += ["'+'", "%s", "%s", "%s"]
            params += history_stamp
        self.staging.execute(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {', '.join(selected)} FROM {{stg}} WHERE {new}",
            params,
        )

    @staticmethod
    def _default(field):
        if field.has_default():
            return field.get_db_prep_save(field.get_default(), connection=connection)
        if field.null:
            return None
        if isinstance(field, (models.CharField, models.TextField)):
            return ""
        raise ValueError(f"{field} has no default; the kind must give it for new rows")

    def _update(self, now):
        assignments = [f"{quote(c)} = {self._new_value(c)}" for c in self.columns]
        params = []
        for field in self.model._meta.concrete_fields:
            if getattr(field, "auto_now", False):
                assignments.append(f"{quote(field.column)} = %s")
                params.append(now)
        self.staging.execute(
            f"UPDATE {self.table} AS t SET {', '.join(assignments)} FROM {{stg}} "
            "WHERE t.id = {stg}.target_id AND {stg}.changed = 1 AND {stg}.created = 0",
            params,
        )

    def _record_updates(self, stamp):
        """The history rows of the updated records: the records as they now are."""
        copied = self._history_columns()
        targets = [*copied, "history_type", "history_date", "history_user_id", "import_run_id"]
        self.staging.execute(
            f"INSERT INTO {quote(self.model.history.model._meta.db_table)} "
            f"({', '.join(quote(t) for t in targets)}) "
            f"SELECT {', '.join('t.' + quote(c) for c in copied)}, '~', %s, %s, %s "
            f"FROM {self.table} AS t JOIN {{stg}} ON t.id = {{stg}}.target_id "
            "WHERE {stg}.changed = 1 AND {stg}.created = 0",
            stamp,
        )
