"""Every changelist exports what it shows: ``?_export=csv`` or ``?_export=xlsx`` on a list's
address gives its rows, with the list's filters and search applied, as a file.

``ChangelistExport.changelist_view`` takes ``_export`` out of the query string before Django's
``ChangeList`` sees it (it would take it for a lookup and show the list's error page), builds
the ChangeList exactly as the list page does (``get_changelist_instance``: the same filters,
search, date hierarchy and permissions-dependent queryset), and writes ``cl.queryset``.

Which columns:

- **The lists of an import kind** (enterprises, designations, recommendations, yearly figures,
  seminars, province counts; ``exporting.EXPORTS``) give the file ``manage.py export_csv KIND``
  writes, restricted to the list's rows: the same header, cells and order, natural keys only,
  so a filtered export can be corrected and imported back. The designations list gives one row
  per event of each title shown, as the designations file does (an event is a line of a
  published list; a title awarded and then reviewed is two lines; a title without any event,
  which only a script could make, has none).
- **Every other list** (tiers, batches, regions, industries, notices, title events, stage moves,
  import runs, targets, organisations, experts) gives the columns of the list itself
  (``list_display``): their headings and their values as the list shows them, in the list's
  order and the user's language (a size class or a stage by its label, a batch or a firm by its
  name). That is what a clerk who clicks "export" under a list expects to get: the table on the
  screen, whole. These models are no import kind, so a file of their database columns would go
  nowhere the registry reads; and those columns hold what a clerk never sees (ids, keys of
  other tables), while the list names each row the way staff know it. Empty cells stay empty
  (the list shows "-"), a yes/no column says 是/否 where the list has an icon, dates are
  ``YYYY-MM-DD`` and moments local time ``YYYY-MM-DD HH:MM:SS``, and text is formula-escaped
  like every exported cell (``cells.escape_formula``).

How: CSV (UTF-8 with BOM) is a ``StreamingHttpResponse`` over ``queryset.iterator`` in chunks of
``exporting.CHUNK_SIZE``, so neither the server's memory nor the time to the first byte grows
with the rows. An .xlsx is written by xlsxwriter in ``constant_memory`` mode (each row flushed
to disk as it is written) into a temporary file, then sent as a ``FileResponse``; the file is
deleted when the response is closed. Its text cells are strings whatever they look like (a
credit code of 18 digits stays text), numbers and dates are Excel's own, the header is bold and
frozen. The queries are those of the list page (``ChangeList`` also counts the rows and reads
its first page: a fixed cost, and an estimate past 100,000 rows) plus the export's, which
``select_related`` and fetch related rows a chunk at a time: their number does not grow with the
rows.

Who: whoever may view the model (``has_view_permission``); others get 403. The export links
("Export CSV", "Export Excel") sit with the list's object tools, carry the list's query string
and are shown to the same people (``templates/admin/champions/change_list_object_tools.html``).
"""

import datetime
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from urllib.parse import quote

import xlsxwriter
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import (
    FileResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.defaultfilters import yesno
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeData
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..exporting import CHUNK_SIZE, EXPORTS, cell, csv_lines, headers
from ..importing.cells import escape_formula

#: The query-string variable that asks a changelist for a file instead of a page.
EXPORT_VAR = "_export"
CSV, XLSX = "csv", "xlsx"
#: The links under each list, in this order.
LINKS = ((CSV, _("Export CSV")), (XLSX, _("Export Excel")))

#: The import kind whose file a model's list exports (the others export their columns).
KIND_OF_MODEL = {export.model: kind for kind, export in EXPORTS.items()}

#: About how many bytes of CSV go out in one piece of the streamed response.
STREAM_BYTES = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows of an Excel sheet; a longer export goes on in a second sheet, under the same header.
SHEET_ROWS = 1_048_576
#: Excel keeps 15 significant digits: larger integers are written as text, digit for digit.
EXACT_NUMBERS_BELOW = 10**15
#: Rows read before the columns' widths are set from them (and the header).
WIDTH_SAMPLE = 200
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """What an export writes: the header, the rows (tuples of values) and, for CSV, how a
    value becomes a cell's text."""

    header: list
    rows: object
    csv_cell: object = cell


def shown_cell(value):
    """A list's value as CSV text: like an import kind's cell (``exporting.cell``: escaped
    text, plain numbers, ISO dates), a moment to the second."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return cell(value)


def plain(value):
    """A value of a list's column as the export keeps it: empty as ``None``, numbers and dates
    as themselves (moments in local time, to the second), yes/no as the words, the rest as
    text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yesno(value)  # Django's own words: 是 / 否, yes / no
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date | int | float | Decimal):
        return value
    if isinstance(value, SafeData):  # a display method's HTML: its text
        return unescape(strip_tags(value)) or None
    return str(value)


def xlsx_text(value):
    """The text an .xlsx cell holds for ``value``: the CSV cell's, so both files read alike and
    the importer reads either back."""
    return cell(value) if isinstance(value, bool) else escape_formula(str(value))


def _width(text):
    """Columns an Excel cell needs for ``text``: two for each wide (CJK) character."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


class _Workbook:
    """An .xlsx written row by row in constant memory, sheet after sheet of at most
    ``SHEET_ROWS`` rows, each starting with the bold, frozen header."""

    def __init__(self, handle, sheet_name, header):
        self.book = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                # Text is written as text, whatever it looks like.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.bold = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.name = SHEET_NAME_FORBIDDEN.sub("", sheet_name).strip("'")[:31] or "Sheet"
        self.header = header
        self.widths = None
        self.sheets = 0
        self.sheet = None
        self.row = SHEET_ROWS

    def write_rows(self, rows):
        rows = iter(rows)
        sample = [row for row, _ in zip(rows, range(WIDTH_SAMPLE), strict=False)]
        self.widths = [
            min(60, max(8, _width(str(label)) + 2, *(self._cell_width(row[i]) for row in sample)))
            for i, label in enumerate(self.header)
        ]
        for row in sample:
            self.write_row(row)
        for row in rows:
            self.write_row(row)

    def _cell_width(self, value):
        if value is None:
            return 0
        if isinstance(value, datetime.datetime):
            return 21
        if isinstance(value, datetime.date):
            return 12
        text = value if isinstance(value, str) else str(value)
        return _width(max(text.splitlines() or [""], key=len)) + 2

    def _new_sheet(self):
        self.sheets += 1
        name = self.name if self.sheets == 1 else f"{self.name[:25]} ({self.sheets})"
        self.sheet = self.book.add_worksheet(name)
        for column, width in enumerate(self.widths):
            self.sheet.set_column(column, column, width)
        for column, label in enumerate(self.header):
            self.sheet.write_string(0, column, str(label), self.bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write_row(self, values):
        if self.row == SHEET_ROWS:
            self._new_sheet()
        for column, value in enumerate(values):
            self._write(self.row, column, value)
        self.row += 1

    def _write(self, row, column, value):
        if value is None or value == "":
            return
        if isinstance(value, bool):
            self.sheet.write_string(row, column, xlsx_text(value))
        elif isinstance(value, int | float | Decimal) and abs(value) < EXACT_NUMBERS_BELOW:
            self.sheet.write_number(row, column, float(value))
        elif isinstance(value, datetime.datetime):
            self.sheet.write_datetime(row, column, value, self.moment)
        elif isinstance(value, datetime.date):
            self.sheet.write_datetime(row, column, value, self.date)
        else:
            self.sheet.write_string(row, column, xlsx_text(value))

    def close(self):
        if self.sheet is None:  # no rows: the header alone
            self.widths = self.widths or [max(8, _width(str(h)) + 2) for h in self.header]
            self._new_sheet()
        self.book.close()


def _streamed(lines, language):
    """The lines of a CSV file as UTF-8 pieces of about ``STREAM_BYTES``, made in ``language``
    (the request's): they are made while the response is sent, after the view has returned."""
    piece, size = [], 0
    with translation.override(language):
        for line in lines:
            piece.append(line)
            size += len(line)
            if size >= STREAM_BYTES:
                yield "".join(piece).encode()
                piece, size = [], 0
    if piece:
        yield "".join(piece).encode()


def attachment(filename, fallback):
    """``Content-Disposition`` of a download named ``filename``: as is when it is ASCII, else
    RFC 5987's ``filename*`` with the ASCII ``fallback`` for clients that do not read it."""
    if filename.isascii():
        return content_disposition_header(True, filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class ChangelistExport:
    """Mixed into ``RegistryAdmin``: the export of every changelist (see the module)."""

    def changelist_view(self, request, extra_context=None):
        if EXPORT_VAR in request.GET:
            return self.export_view(request)
        extra_context = {**(extra_context or {}), "export_links": self.export_links(request)}
        return super().changelist_view(request, extra_context)

    def export_links(self, request):
        """``[{"format", "label", "url"}]``: the list's query string (filters, search, order),
        without its page, asking for each format; none in a popup or without permission."""
        if IS_POPUP_VAR in request.GET or not self.has_view_permission(request):
            return []
        query = request.GET.copy()
        for name in (PAGE_VAR, ERROR_FLAG):
            query.pop(name, None)
        links = []
        for file_format, label in LINKS:
            query[EXPORT_VAR] = file_format
            links.append({"format": file_format, "label": label, "url": f"?{query.urlencode()}"})
        return links

    def export_view(self, request):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.copy()
        file_format = query.pop(EXPORT_VAR)[-1]
        if file_format not in (CSV, XLSX):
            return HttpResponseBadRequest(
                gettext("Unknown export format “%(format)s”: use csv or xlsx.")
                % {"format": file_format},
                content_type="text/plain; charset=utf-8",
            )
        request.GET = query
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The list page says what is wrong with the filters.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        table = self.export_table(request, changelist.queryset)
        filename, fallback = self.export_filenames(file_format)
        response = csv_response(table) if file_format == CSV else self.xlsx_response(table)
        response["Content-Disposition"] = attachment(filename, fallback)
        return response

    def export_table(self, request, queryset):
        """The header and rows of the export of the list's ``queryset`` (see the module)."""
        kind = KIND_OF_MODEL.get(self.model)
        if kind is not None:
            return Table(headers(kind), EXPORTS[kind].rows(queryset))
        names = [name for name in self.get_list_display(request) if name != "action_checkbox"]
        header = [capfirst(str(label_for_field(name, self.model, self))) for name in names]
        rows = (
            tuple(self.shown_value(obj, name) for name in names)
            for obj in queryset.iterator(chunk_size=CHUNK_SIZE)
        )
        return Table(header, rows, shown_cell)

    def shown_value(self, obj, name):
        """The value of the list's column ``name`` for ``obj``, as ``plain`` keeps it: what the
        list shows (``items_for_result``), without its HTML."""
        try:
            field, attr, value = lookup_field(name, obj, self)
        except ObjectDoesNotExist:
            return None
        if field is not None and getattr(field, "flatchoices", None):
            return plain(display_for_field(value, field, ""))
        boolean = getattr(attr, "boolean", False) if field is None else False
        if boolean or isinstance(field, models.BooleanField):
            return None if value is None else plain(bool(value))
        return plain(value)

    def export_filenames(self, file_format):
        """``<list>-YYYYMMDD.<format>``: the list's name in the user's language, and an ASCII
        fallback with the model's name."""
        day = timezone.localdate().strftime("%Y%m%d")
        name = slugify(str(self.model._meta.verbose_name_plural), allow_unicode=True)
        fallback = f"{self.model._meta.model_name}-{day}.{file_format}"
        return f"{name or self.model._meta.model_name}-{day}.{file_format}", fallback

    def xlsx_response(self, table):
        return workbook_response(table, capfirst(str(self.model._meta.verbose_name_plural)))


def csv_response(table):
    """``table`` as a streamed CSV file (UTF-8 with BOM), its cells written in the request's
    language. Other admin pages that offer a file (the candidates page) use it too."""
    return StreamingHttpResponse(
        _streamed(csv_lines(table.header, table.rows, table.csv_cell), translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )


def workbook_response(table, sheet_name):
    """``table`` as an .xlsx workbook, written to an anonymous temporary file (gone once it is
    closed)."""
    # Not a ``with``: the response reads the file and closes it once it is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book = _Workbook(handle, sheet_name, table.header)
        book.write_rows(table.rows)
        book.close()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response.block_size = STREAM_BYTES
    return response
