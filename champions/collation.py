"""Names in pinyin order, sorted by the database itself: no stored key to fill and keep.

``order_by("name__pinyin")`` (the ``pinyin`` transform, registered on ``Enterprise.name`` in
``ChampionsConfig.ready``; ``forms.NAME_ORDER``) compiles, per database:

- PostgreSQL: ``name COLLATE "zh-Hans-x-icu"``, ICU's collation for simplified Chinese, which
  is pinyin order. A server built without ICU has no such collation: there, the plain order of
  the column (its own collation). Whether it exists is asked of ``pg_collation`` once per
  server and process, when the first connection to it opens (on the raw connection, so that no
  page counts the query).
- SQLite: ``name COLLATE pinyin``, a collation registered on every new connection, comparing
  ``text.pinyin_sort_key`` (a character table from pypinyin, one reading per character).
- Anything else: the plain order of the column.

Callers add ``name_key`` then ``id`` after it, so that names equal in that order (the same
name in another case or width, on SQLite; the plain order's ties) keep one stable order from
page to page.
"""

from django.db.models import Transform

from .text import pinyin_sort_key

#: The collation of the pinyin order, per database vendor.
ICU_COLLATION = "zh-Hans-x-icu"
SQLITE_COLLATION = "pinyin"

#: Per PostgreSQL server (host, port, database): whether it has ``ICU_COLLATION``.
_icu_available = {}


def _server(connection):
    settings = connection.settings_dict
    return (settings.get("HOST"), settings.get("PORT"), settings.get("NAME"))


def compare(left, right):
    """SQLite's collation function: negative, zero or positive as ``left`` sorts first."""
    left, right = pinyin_sort_key(left), pinyin_sort_key(right)
    return (left > right) - (left < right)


def prepare_connection(sender, connection, **kwargs):
    """``connection_created``: the SQLite collation, or whether PostgreSQL's exists."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare)
    elif connection.vendor == "postgresql" and _server(connection) not in _icu_available:
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [ICU_COLLATION])
            found = cursor.fetchone() is not None
        if not connection.connection.autocommit:
            connection.connection.rollback()  # no transaction left open by the check
        _icu_available[_server(connection)] = found


def collation_for(connection):
    """The name of the pinyin collation on ``connection``, or None: its plain order."""
    if connection.vendor == "sqlite":
        return SQLITE_COLLATION
    if connection.vendor == "postgresql":
        if _server(connection) not in _icu_available:
            connection.ensure_connection()  # which asks (prepare_connection)
        return ICU_COLLATION if _icu_available.get(_server(connection)) else None
    return None


class PinyinOrder(Transform):
    """``name__pinyin``: the name, collated in pinyin order where the database can."""

    lookup_name = "pinyin"

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        collation = collation_for(connection)
        if collation is None:
            return sql, params
        return f"{sql} COLLATE {connection.ops.quote_name(collation)}", params
