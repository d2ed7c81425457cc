"""Writing a staging table into one model's table: the set-based upsert every kind shares.

Rows find their record by natural key; rows without one are created, rows that differ from
their record update only the columns the file has, identical rows are not written at all. Every
created or updated record gets its historical row (django-simple-history's table) in the same
statement-at-a-time way, stamped with the import run, so history stays complete at bulk speed.
"""

from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

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
    ``kept`` those among them where an empty cell keeps the stored value.
    """

    def __init__(self, model, staging, columns, kept=(), keys=()):
        self.model = model
        self.staging = staging
        self.columns = list(columns)
        self.kept = set(kept)
        self.keys = keys
        self.table = quote(model._meta.db_table)

    # --- Finding records ----------------------------------------------------------------------

    def match(self):
        for key in self.keys:
            equal = " AND ".join(f"t.{quote(c)} = {{stg}}.{quote(c)}" for c in key.columns)
            self.staging.execute(
                f"UPDATE {{stg}} SET target_id = t.id FROM {self.table} AS t "
                f"WHERE {{stg}}.target_id IS NULL AND ({key.condition}) "
                f"AND ({key.target_condition}) AND {equal}"
            )

    def duplicates(self, identity, where="1 = 1"):
        """``(line, first line)`` of rows that mean the same record as an earlier row.

        ``identity`` is an SQL expression over the staging row (NULL: not compared).
        """
        return self.staging.fetch(
            f"SELECT s.line, d.first_line FROM {{stg}} AS s JOIN "
            f"(SELECT {identity} AS identity, MIN(line) AS first_line FROM {{stg}} "
            f"WHERE {where} GROUP BY {identity} HAVING COUNT(*) > 1) AS d "
            f"ON {identity.replace('{stg}.', 's.')} = d.identity "
            f"WHERE ({where.replace('{stg}.', 's.')}) AND s.line <> d.first_line ORDER BY s.line"
        )

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

    def mark_changed(self):
        """Flag matched rows with at least one value that differs from their record."""
        if not self.columns:
            return
        differs = " OR ".join(
            distinct(f"t.{quote(column)}", self._new_value(column)) for column in self.columns
        )
        self.staging.execute(
            f"UPDATE {{stg}} SET changed = 1 FROM {self.table} AS t "
            f"WHERE t.id = {{stg}}.target_id AND ({differs})"
        )

    def mark_lines_changed(self, lines):
        lines = sorted(lines)
        for start in range(0, len(lines), 900):
            chunk = lines[start : start + 900]
            self.staging.execute(
                f"UPDATE {{stg}} SET changed = 1 WHERE line IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )

    def counts(self):
        """``(to create, to update, unchanged)`` over the rows still in the staging table."""
        created, changed, total = self.staging.fetch(
            "SELECT COALESCE(SUM(CASE WHEN target_id IS NULL OR created = 1 THEN 1 ELSE 0 END), "
            "0), "
            "COALESCE(SUM(CASE WHEN target_id IS NOT NULL AND created = 0 AND changed = 1 "
            "THEN 1 ELSE 0 END), 0), COUNT(*) FROM {stg}"
        )[0]
        return int(created), int(changed), int(total - created - changed)

    # --- Writing ------------------------------------------------------------------------------

    def write(self, import_run, user=None):
        """Create the new records, update the changed ones, and record the history of both."""
        now = timezone.now()
        new_rows = self.staging.number_new_rows(self.model)
        with indexes_rebuilt(self.model, rebuild_indexes_for(self.model, new_rows)):
            self._insert(now)
        self._update(now)
        history = self.model.history.model
        with indexes_rebuilt(history, rebuild_indexes_for(history, new_rows)):
            self._record_history(now, import_run, user)

    def _timestamps(self):
        auto_now_add = [
            f.column for f in self.model._meta.concrete_fields if getattr(f, "auto_now_add", False)
        ]
        auto_now = [
            f.column for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
        return auto_now_add, auto_now

    def _insert(self, now):
        auto_now_add, auto_now = self._timestamps()
        targets, values, params = ["id"], ["{stg}.target_id"], []
        for field in self.model._meta.concrete_fields:
            column = field.column
            if field.primary_key:
                continue
            targets.append(column)
            if column in auto_now_add or column in auto_now:
                values.append("%s")
                params.append(db_value(now))
            elif column in self.columns:
                default = self._default(field) if field.has_default() else None
                if column in self.kept and default is not None:
                    values.append(f"COALESCE({{stg}}.{quote(column)}, %s)")
                    params.append(default)
                else:
                    values.append(f"{{stg}}.{quote(column)}")
            else:
                values.append("%s")
                params.append(self._default(field))
        self.staging.execute(
            f"INSERT INTO {self.table} ({', '.join(quote(t) for t in targets)}) "
            f"SELECT {', '.join(values)} FROM {{stg}} WHERE created = 1",
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
        _auto_now_add, auto_now = self._timestamps()
        assignments = [f"{quote(c)} = {self._new_value(c)}" for c in self.columns]
        params = []
        for column in auto_now:
            assignments.append(f"{quote(column)} = %s")
            params.append(db_value(now))
        self.staging.execute(
            f"UPDATE {self.table} AS t SET {', '.join(assignments)} FROM {{stg}} "
            "WHERE t.id = {stg}.target_id AND {stg}.changed = 1 AND {stg}.created = 0",
            params,
        )

    def _record_history(self, now, import_run, user):
        history = self.model.history.model
        copied = [
            f.column for f in history._meta.concrete_fields if f.column not in HISTORY_COLUMNS
        ]
        targets = [*copied, "history_date", "history_type", "history_user_id", "import_run_id"]
        self.staging.execute(
            f"INSERT INTO {quote(history._meta.db_table)} "
            f"({', '.join(quote(t) for t in targets)}) "
            f"SELECT {', '.join('t.' + quote(c) for c in copied)}, %s, "
            "CASE WHEN {stg}.created = 1 THEN '+' ELSE '~' END, %s, %s "
            f"FROM {self.table} AS t JOIN {{stg}} ON t.id = {{stg}}.target_id "
            "WHERE {stg}.created = 1 OR {stg}.changed = 1",
            [db_value(now), user.pk if user else None, import_run.pk],
        )


def duplicate_message(first_line):
    return _("the same record as line %(line)d") % {"line": first_line}
