"""Temporary staging tables, and the little that differs between PostgreSQL and SQLite.

An import copies the validated rows of a file into a temporary table, then works out what to
create, update or leave alone with a few set-based statements against it. Only loading the
table (``COPY`` on PostgreSQL, ``executemany`` on SQLite) and numbering new rows differ by
database; everything else is the same SQL on both.
"""

import contextlib
import datetime
from decimal import Decimal

from django.db import OperationalError, connection, transaction

from ..sql import is_postgresql
from .errors import ImportBusy

#: Rows sent to the database at a time while a file is read.
CHUNK_ROWS = 5_000


def quote(name):
    return connection.ops.quote_name(name)


def distinct(left, right):
    """SQL for "``left`` and ``right`` differ", where NULL equals NULL."""
    if is_postgresql():
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def same(left, right):
    """SQL for "``left`` and ``right`` are equal", where NULL equals NULL."""
    if is_postgresql():
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def text_of(expression):
    """An expression as text, for keys built by concatenation."""
    return f"CAST({expression} AS TEXT)" if is_postgresql() else expression


def db_value(value):
    """A Python value as the database driver takes it (SQLite keeps dates as ISO text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


#: What ``COPY``'s text format escapes in a value (PostgreSQL reads every other character
#: as it is).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"
_NONE = type(None)
#: The types ``copy_text`` writes without converting each value (``%s`` gives what ``str``
#: gives: the text itself, ``12``, ``12.50``, ``2021-07-12``), and ``None``.
_WRITTEN_AS_STR = {str, int, Decimal, datetime.date, _NONE}


def _needs_copy_escape(text):
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def _copy_value(value):
    """One value in ``COPY``'s text format, as psycopg writes it; ``TypeError`` for a type
    ``copy_text`` leaves to psycopg."""
    if value is None:
        return _COPY_NULL
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES) if _needs_copy_escape(value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is datetime.date:
        return value.isoformat()
    raise TypeError(kind)


def copy_text(rows, encoding):
    """Staging rows (tuples, see ``Staging.loader``) as the data of ``COPY … FROM STDIN`` in
    its text format, encoded in ``encoding``: what the server reads is what psycopg's
    ``write_row`` would have sent for the same rows. Text, whole numbers, ``NULL``, booleans,
    decimals and dates are written; any other value raises ``TypeError``.

    A column at a time: the columns of a million-row file have a type or two each, and text
    that never needs escaping; numbers, decimals and dates are written by ``%s`` as ``str``
    writes them.
    """
    columns = []
    for values in zip(*rows, strict=True):
        kinds = set(map(type, values))
        # Value by value: booleans, types _copy_value refuses, text with a character to escape.
        if kinds - _WRITTEN_AS_STR or (
            str in kinds
            and _needs_copy_escape(
                "".join(values if len(kinds) == 1 else [v for v in values if type(v) is str])
            )
        ):
            values = [_copy_value(value) for value in values]
        elif _NONE in kinds:
            values = [_COPY_NULL if value is None else value for value in values]
        columns.append(values)
    line = "\t".join(["%s"] * len(columns)) + "\n"
    return "".join(map(line.__mod__, zip(*columns, strict=True))).encode(encoding)


class Staging:
    """A temporary table with a ``line`` key, the values of a file's columns and the outcome of
    each row: ``target_id`` (the record it writes to), ``created`` and ``changed``."""

    def __init__(self, name, columns):
        #: ``[(column name, SQL type)]`` in the order of the rows given to ``load``.
        self.name = name
        self.table = quote(name)
        self.columns = list(columns)
        self.names = [column for column, _type in self.columns]
        #: Rows in the table: loaded, less those removed.
        self.rows = 0

    def __contains__(self, column):
        return column in self.names

    def create(self):
        definitions = ", ".join(f"{quote(column)} {sql_type}" for column, sql_type in self.columns)
        extra = f", {definitions}" if definitions else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            # SQLite's integer primary key is the row id itself; on PostgreSQL an index on
            # ``line`` would only slow down loading and every update of a million rows.
            line = "line integer NOT NULL" if is_postgresql() else "line integer PRIMARY KEY"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} ({line}{extra}, target_id bigint, "
                "created smallint NOT NULL DEFAULT 0, changed smallint)"
            )
        return self

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    @contextlib.contextmanager
    def loader(self):
        """A function appending rows (tuples of the line and the values of ``columns``).

        On PostgreSQL one ``COPY`` stays open while the file is read, so the server stores
        rows while Python parses the next ones; nothing else may use the connection meanwhile.
        There the function also has ``load_rows.text(data, count)``, which appends ``count``
        rows given as ``copy_text`` made them (in the ``encoding`` it names): worker processes
        prepare the rows so, and the process holding the connection only passes them on.
        """
        names = ", ".join(quote(column) for column in ["line", *self.names])
        with connection.cursor() as cursor:
            if is_postgresql():
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    write_row = copy.write_row

                    def load_rows(rows):
                        for row in rows:
                            write_row(row)
                        self.rows += len(rows)

                    def load_text(data, count):
                        copy.write(data)
                        self.rows += count

                    load_rows.text = load_text
                    load_rows.encoding = cursor.connection.info.encoding
                    yield load_rows
            else:
                insert = (
                    f"INSERT INTO {self.table} ({names}) "
                    f"VALUES ({', '.join('?' * (len(self.names) + 1))})"
                )

                def insert_rows(rows):
                    cursor.cursor.executemany(insert, rows)
                    self.rows += len(rows)

                yield insert_rows

    def load(self, rows):
        with self.loader() as load_rows:
            load_rows(rows)

    def analyze(self):
        """Give the query planner the table's statistics (temporary tables get none by
        themselves): joins against a million-row table need the right plan."""
        self.execute("ANALYZE {stg}")

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
        self.rows -= self.execute_for_lines("DELETE FROM {stg} WHERE {lines}", lines)

    def execute_for_lines(self, sql, lines):
        """Run ``sql`` with ``{lines}`` standing for "the row's line is one of ``lines``";
        return the number of rows it touched."""
        lines = sorted(lines)
        if not lines:
            return 0
        if is_postgresql():  # one statement, the array searched through a hash table
            return self.execute(sql.replace("{lines}", "line = ANY(%s)"), [lines])
        touched = 0
        for start in range(0, len(lines), 900):  # SQLite's limit on parameters
            chunk = lines[start : start + 900]
            touched += self.execute(
                sql.replace("{lines}", f"line IN ({', '.join(['%s'] * len(chunk))})"), chunk
            )
        return touched

    def number_new_rows(self, model):
        """Give every row without a target the id its new record will have, mark it created,
        and return how many there are."""
        sql, params = self.new_id(model)
        return self.execute(
            f"UPDATE {{stg}} SET target_id = {sql}, created = 1 WHERE target_id IS NULL", params
        )

    def new_id(self, model):
        """``(SQL, parameters)``: the id of the new record of a row of this table, evaluated
        once per row. On PostgreSQL the next value of the table's sequence; on SQLite the
        row's line after the largest id the table has had (the import holds the write lock,
        so no other insert can take these ids), which gives the same id each time."""
        table = quote(model._meta.db_table)
        if is_postgresql():
            # The sequence's name first: as an argument, pg_get_serial_sequence() would be
            # evaluated again for every row.
            ((sequence,),) = self.fetch(
                "SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table]
            )
            return "nextval(%s::regclass)", [sequence]
        (last,) = self.fetch(
            f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {table} UNION ALL "
            "SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [model._meta.db_table],
        )[0]
        # Ids follow the lines (with gaps where a line updates a record): no numbering pass.
        return "%s + {stg}.line", [last or 0]


#: A PostgreSQL table gets its secondary indexes and constraints rebuilt, instead of maintained
#: row by row, when an import adds at least this many rows and at least as many as it has.
REBUILD_FROM_ROWS = 100_000


#: The key of PostgreSQL's advisory lock that one import at a time holds (any number, the same
#: in every process: "champions import" in ASCII).
IMPORT_LOCK_KEY = int.from_bytes(b"champimp", "big") >> 1


@contextlib.contextmanager
def import_transaction(wait_seconds, on_wait):
    """The transaction of one import, with settings for its duration: memory for the staging
    tables, sorts and index builds (PostgreSQL), a larger page cache (SQLite).

    Imports into one database run one after another, serialised by the database itself:
    PostgreSQL's advisory lock, SQLite's write lock (taken when the transaction begins). Two
    imports reading and matching the same firms at once would each create those the other has
    not committed yet. When another import holds the lock, ``on_wait()`` is called and the
    import waits up to ``wait_seconds``, then ``ImportBusy`` is raised.
    """
    if is_postgresql():
        with transaction.atomic(), connection.cursor() as cursor:
            _take_advisory_lock(cursor, wait_seconds, on_wait)
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The staging tables' statistics only steer joins: a small sample is enough.
            cursor.execute("SET LOCAL default_statistics_target = 10")
            # Only possible before the session's first temporary table; later imports in
            # the same session keep the value they got.
            cursor.execute(
                "SELECT set_config('temp_buffers', '256MB', false) WHERE NOT EXISTS "
                "(SELECT 1 FROM pg_class WHERE relpersistence = 't' "
                "AND relnamespace = pg_my_temp_schema())"
            )
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -131072")  # 128 MB
        try:
            with _sqlite_write_transaction(cursor, wait_seconds, on_wait):
                yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _take_advisory_lock(cursor, wait_seconds, on_wait):
    """Hold the import lock until the transaction ends, waiting for it if need be."""
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    if cursor.fetchone()[0]:
        return
    on_wait()
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait_seconds * 1000)}"])
    try:
        with transaction.atomic():
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise ImportBusy from None
        raise
    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


@contextlib.contextmanager
def _sqlite_write_transaction(cursor, wait_seconds, on_wait):
    """``transaction.atomic()``, which begins with the write lock (``IMMEDIATE``, see the
    settings), trying first without waiting so as to tell the data officer when it must."""
    cursor.execute("PRAGMA busy_timeout")
    (previous,) = cursor.fetchone()
    stack = contextlib.ExitStack()
    try:
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            stack.enter_context(transaction.atomic())
        except OperationalError:
            on_wait()
            cursor.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
            try:
                stack.enter_context(transaction.atomic())
            except OperationalError:
                raise ImportBusy from None
        cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")
        with stack:
            yield
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


def rebuild_indexes_for(model, new_rows):
    """Whether adding ``new_rows`` to ``model``'s table is a bulk load (PostgreSQL only)."""
    if not is_postgresql() or new_rows < REBUILD_FROM_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        (rows,) = cursor.fetchone()
    return new_rows >= rows


@contextlib.contextmanager
def indexes_rebuilt(model, rebuild):
    """With ``rebuild``, drop the table's secondary indexes, unique and foreign-key constraints
    and create them again afterwards: one sort per index and one join per foreign key instead of
    a million index insertions and trigger checks (PostgreSQL's advice for populating a
    database). The statements are part of the import's transaction, so a failure leaves them as
    they were; the table (and the tables it references) stay locked until the import ends.
    """
    if not rebuild:
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') "
            "ORDER BY contype DESC, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index AS i "
            "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        # Rows written earlier in the transaction (a batch the file named first) have foreign-key
        # checks queued until the commit, and PostgreSQL alters no table with queued checks:
        # run them now. Django's foreign keys are all INITIALLY DEFERRED, so deferring them all
        # again afterwards restores what the transaction had.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
