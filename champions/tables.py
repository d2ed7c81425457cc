"""The tables behind the public lists and breakdowns, and their CSV and JSON twins.

A view builds one ``Table``; its page renders ``rows``, and ``?format=csv`` and ``?format=json``
write the very same rows (as in Datasette), so a number on a page can always be checked against
a file. Rows are dicts: the columns' keys are exported, any other key (links, shading) is for the
page only.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from .importing.cells import escape_formula

FORMATS = ("csv", "json")

#: Without the byte order mark, Excel reads a UTF-8 file in the local code page (GBK).
BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    key: str
    label: str


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
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_line(cells):
    """One CSV line of ``cells``, text that a spreadsheet would run as a formula escaped."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if c is None else escape_formula(str(c)) for c in cells])
    return buffer.getvalue()


def csv_lines(columns, rows):
    """The lines of a CSV file: the byte order mark and the header, then one line per row."""
    yield BOM + csv_line([str(column.label) for column in columns])
    for row in rows:
        yield csv_line([row.get(column.key) for column in columns])


def csv_response(table, filename):
    content = "".join(csv_lines(table.columns, table.rows))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def streaming_csv_response(columns, rows, filename):
    """A CSV of ``rows`` (an iterator) written as it is read, for lists of any length."""
    lines = (line.encode("utf-8") for line in csv_lines(columns, rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)
