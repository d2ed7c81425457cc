"""Temporary staging tables, and the little that differs between PostgreSQL and SQLite.

An import copies the validated rows of a file into a temporary table, then works out what to
create, update or leave alone with a few set-based statements against it. Only loading the
table (``COPY`` on PostgreSQL, ``executemany`` on SQLite) and numbering new rows differ by
database; everything else is the same SQL on both.
"""

import datetime

from django.db import connection

#: Rows sent to the database at a time while a file is read.
CHUNK_ROWS = 5_000


def quote(name):
    return connection.ops.quote_name(name)


def is_postgresql():
    return connection.vendor == "postgresql"


def distinct(left, right):
    """SQL for "``left`` and ``right`` differ", where NULL equals NULL."""
    if is_postgresql():
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def text_of(expression):
    """An expression as text, for keys built by concatenation."""
    return f"CAST({expression} AS TEXT)" if is_postgresql() else expression


def db_value(value):
    """A Python value as the database driver takes it (SQLite keeps dates as ISO text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class Staging:
    """A temporary table with a ``line`` key, the values of a file's columns and the outcome of
    each row: ``target_id`` (the record it writes to), ``created`` and ``changed``."""

    def __init__(self, name, columns):
        #: ``[(column name, SQL type)]`` in the order of the rows given to ``load``.
        self.name = name
        self.table = quote(name)
        self.columns = list(columns)
        self.names = [column for column, _type in self.columns]

    def __contains__(self, column):
        return column in self.names

    def create(self):
        definitions = ", ".join(f"{quote(column)} {sql_type}" for column, sql_type in self.columns)
        extra = f", {definitions}" if definitions else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (line integer PRIMARY KEY{extra}, "
                "target_id bigint, created smallint NOT NULL DEFAULT 0, "
                "changed smallint NOT NULL DEFAULT 0)"
            )
        return self

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def load(self, rows):
        """Append ``rows``: tuples of the line followed by the values of ``columns``."""
        if not rows:
            return
        names = ", ".join(quote(column) for column in ["line", *self.names])
        with connection.cursor() as cursor:
            if is_postgresql():
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join("?" * (len(self.names) + 1))
                cursor.cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({placeholders})", rows
                )

    def execute(self, sql, params=()):
        """Run ``sql``, where ``{stg}`` stands for this table; returns the row count."""
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{stg}", self.table), params)
            return cursor.rowcount

    def fetch(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{stg}", self.table), params)
            return cursor.fetchall()

    def remove(self, lines):
        """Drop rows that turned out bad, so that no later step writes them."""
        lines = sorted(lines)
        for start in range(0, len(lines), 900):
            chunk = lines[start : start + 900]
            self.execute(
                f"DELETE FROM {{stg}} WHERE line IN ({', '.join(['%s'] * len(chunk))})", chunk
            )

    def number_new_rows(self, model):
        """Give every row without a target the id its new record will have; mark it created."""
        table = quote(model._meta.db_table)
        if is_postgresql():
            self.execute(
                "UPDATE {stg} SET target_id = nextval(pg_get_serial_sequence(%s, 'id')), "
                "created = 1 WHERE target_id IS NULL",
                [model._meta.db_table],
            )
            return
        # SQLite: the import holds the write lock, so no other insert can take these ids.
        (last,) = self.fetch(
            f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {table} UNION ALL "
            "SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [model._meta.db_table],
        )[0]
        self.execute(
            "UPDATE {stg} SET target_id = %s + numbered.n, created = 1 FROM "
            "(SELECT line, row_number() OVER (ORDER BY line) AS n FROM {stg} "
            "WHERE target_id IS NULL) AS numbered WHERE {stg}.line = numbered.line",
            [last or 0],
        )
