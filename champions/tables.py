"""The tables behind the public lists and breakdowns, and their CSV and JSON twins.

A view builds one ``Table``; its page renders ``rows``, and ``?format=csv`` and ``?format=json``
write the very same rows (as in Datasette), so a number on a page can always be checked against
a file. Rows are dicts: the columns' keys are exported, any other key (links, shading) is for the
page only.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from .importing.cells import escape_formula

FORMATS = ("csv", "json")

#: Without the byte order mark, Excel reads a UTF-8 file in the local code page (GBK).
BOM = "\ufeff"


#: How a column's values are written in the CSV (``Column.shown``).
RATE, PER_CENT = "rate", "per_cent"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: How the CSV writes a value, as the page shows it; the JSON keeps the value itself. A dict
    #: of labels (a row type's), ``RATE`` (a share, 0.123 as "12.3%") or ``PER_CENT`` (12.3 as
    #: "12.3%"). Plain data, so that a cached table pickles.
    #: The heading a page groups the column under (a tier's level); never exported.
    group: str = ""
    shown: dict | str | None = None

    def csv_value(self, row):
        value = row.get(self.key)
        if value is None or self.shown is None:
            return value
        if self.shown == RATE:
            return f"{100 * value:.1f}%"
        if self.shown == PER_CENT:
            return f"{value}%"
        return self.shown.get(value, value)


@dataclass
class Table:
    columns: list
    rows: list
    #: What the numbers are as of and where they come from; written into the JSON as it is.
    meta: dict = field(default_factory=dict)
    #: What only the page needs to draw the rows (charts, groups); never exported.
    page: dict = field(default_factory=dict)

    def exported(self, row):
        return {column.key: row.get(column.key) for column in self.columns}


class _Encoder(DjangoJSONEncoder):
    """Money stays exact (as text), like Django's encoder; dates are ISO 8601."""

    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, datetime.date):
            return o.isoformat()
        return super().default(o)


def json_response(table, **extra):
    data = {
        **table.meta,
        **extra,
        "columns": [{"key": c.key, "label": str(c.label)} for c in table.columns],
        "rows": [table.exported(row) for row in table.rows],
    }
    return JsonResponse(data, encoder=_Encoder, json_dumps_params={"ensure_ascii": False})


def _attachment(response, filename):
    """``filename`` is a name, or ``(ASCII name, name in the page's language)``: the second goes
    into ``filename*`` (RFC 5987), which browsers prefer."""
    ascii_name, local_name = filename if isinstance(filename, tuple) else (filename, None)
    disposition = f'attachment; filename="{ascii_name}.csv"'
    if local_name:
        disposition += f"; filename*=UTF-8''{quote(local_name + '.csv')}"
    response["Content-Disposition"] = disposition
    return response


def file_name(page, title, params, day):
    """``(ASCII name, local name)`` of a CSV twin: the page, its filters and the day, e.g.
    ``by-industry-year-2021-2026-12-01`` and ``分行业获评情况-year-2021-2026-12-01``."""
    filters = "-".join(
        f"{name}-{value}"
        for name in sorted(params)
        if name not in ("format", "page")
        for value in params.getlist(name)
        if value
    )
    suffix = "-".join(part for part in (filters, day.isoformat()) if part)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", suffix)
    return f"{page}-{safe}", (f"{title}-{safe}" if title else None)


def csv_line(cells):
    """One CSV line of ``cells``, text that a spreadsheet would run as a formula escaped."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if c is None else escape_formula(str(c)) for c in cells])
    return buffer.getvalue()


def csv_lines(columns, rows):
    """The lines of a CSV file: the byte order mark and the header, then one line per row."""
    yield BOM + csv_line([str(column.label) for column in columns])
    for row in rows:
        yield csv_line([column.csv_value(row) for column in columns])


def csv_response(table, filename):
    content = "".join(csv_lines(table.columns, table.rows))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def streaming_csv_response(columns, rows, filename):
    """A CSV of ``rows`` (an iterator) written as it is read, for lists of any length."""
    lines = (line.encode("utf-8") for line in csv_lines(columns, rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)
