"""Opening an Excel workbook (.xlsx, .xls) as the importer reads a CSV file (``reading.py``).

python-calamine reads both formats (openpyxl reads only .xlsx), in Rust. One sheet is read:
the one named, else the first visible worksheet. Its rows come out as ``CsvFile.chunks`` gives
them, numbered as Excel numbers them (leading empty rows and columns are kept), so a message
names the row a clerk finds in Excel, and each cell is text taken as Excel stores it:

- numbers as written (``2021``, ``12.5``), to the 15 significant digits Excel keeps; a number
  of 10^15 or more in Excel's scientific form (``9.13303001234568E+17``): an 18-digit credit
  code Excel made a number has lost its last digits, and ``cells.credit_code`` says so;
- dates ``YYYY-MM-DD``, date-times ``YYYY-MM-DD HH:MM:SS``, times ``HH:MM:SS``, durations as
  Excel's ``[h]:mm:ss``; booleans ``TRUE`` and ``FALSE``;
- an error cell (``#N/A``, ``#REF!``) refuses the workbook, naming its row, column and value:
  read as empty it may clear a stored value, read as its text it would be stored as a name or
  a note. python-calamine gives such cells as empty ones, so they are found in the file itself
  (``_xlsx_error_cells``, ``_xls_error_cells``);
- a merged cell has its value in its top-left cell only (filling down is the importer's).

The sheet is loaded whole by python-calamine (as compact Rust values) and turned into Python
rows one at a time, so a sheet costs about its cells in memory, however many rows it has.
"""

import datetime
import hashlib
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from .columns import column_letters
from .errors import FileRefused, RowError
from .reading import READ_BYTES

#: The first bytes of a zip archive (.xlsx, .xlsm) and of an OLE2 compound file (.xls).
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

#: Excel keeps 15 significant digits of a number; from 10^15 on it cannot keep every digit.
EXCEL_DIGITS = 15
EXCEL_EXACT_BELOW = 10**EXCEL_DIGITS


def is_workbook(path):
    """Whether the file at ``path`` is a workbook, by its first bytes: a CSV named .xlsx is
    read as CSV, an .xls named .csv as a workbook. Raises ``OSError`` when it cannot be read."""
    with open(path, "rb") as handle:
        start = handle.read(len(OLE2_MAGIC))
    return start.startswith(ZIP_MAGIC) or start == OLE2_MAGIC


@dataclass
class WorkbookFile:
    """One sheet of a workbook, with the attributes of ``CsvFile`` the runner reads."""

    path: str
    #: The format, reported where a CSV file reports its encoding.
    encoding: str
    sha256: str
    size: int
    #: The number of the sheet's last row.
    lines: int
    sheet: str
    sheet_names: list[str]
    #: The sheet's cells, loaded once by ``open_workbook``.
    loaded_sheet: CalamineSheet = field(repr=False, compare=False)
    delimiter: str = ""
    quoted: bool = True

    @property
    def cuttable(self):
        """Never: a workbook is not a text that byte ranges can cut into pieces."""
        return False

    def chunks(self, size):
        """``(lines, rows)``: lists of up to ``size`` rows that have a non-blank cell, and the
        number of each row in the sheet."""
        if self.loaded_sheet.start is None:  # no cell at all (iter_rows needs one)
            return
        padding = [""] * self.loaded_sheet.start[1]
        lines, rows = [], []
        for index, values in enumerate(self.loaded_sheet.iter_rows()):
            cells = padding + [
                value if type(value) is str else cell_text(value) for value in values
            ]
            if cells and (cells[0].strip() or "".join(cells).strip()):
                lines.append(index + 1)
                rows.append(cells)
                if len(rows) == size:
                    yield lines, rows
                    lines, rows = [], []
        if rows:
            yield lines, rows


def open_workbook(path, sheet=None):
    """Inspect the workbook at ``path`` and load ``sheet`` (default: the first visible
    worksheet); raises ``OSError`` when the file cannot be read and ``FileRefused`` when it
    is not a workbook python-calamine can read, has no such sheet, or the sheet is empty."""
    sha256, size = _digest(path)
    try:
        with CalamineWorkbook.from_path(path) as book:
            sheet_names = list(book.sheet_names)
            name = _chosen_sheet(book, sheet)
            loaded_sheet = book.get_sheet_by_name(name)
        file_format = _file_format(path)
        find_error_cells = {"xlsx": _xlsx_error_cells, "xls": _xls_error_cells}.get(file_format)
        error_cells = find_error_cells(path, name) if find_error_cells else {}
    except PasswordError:
        message = _(
            "the workbook is protected by a password; remove the password in Excel and "
            "save the workbook again"
        )
        raise FileRefused([RowError(1, "", message)]) from None
    except (CalamineError, zipfile.BadZipFile, zlib.error) as error:
        message = _("the file cannot be read as an Excel workbook: it is damaged or not a workbook")
        raise FileRefused([RowError(1, "", message, str(error))]) from None
    if error_cells:
        raise FileRefused(
            [
                RowError(
                    row + 1,
                    column_letters(column),
                    _("an Excel error value; correct the formula or clear the cell"),
                    text,
                )
                for row, columns in sorted(error_cells.items())
                for column, text in sorted(columns.items())
            ]
        )
    end = loaded_sheet.end
    found = WorkbookFile(
        path,
        file_format,
        sha256,
        size,
        lines=end[0] + 1 if end else 0,
        sheet=name,
        sheet_names=sheet_names,
        loaded_sheet=loaded_sheet,
    )
    if next(found.chunks(1), None) is None:
        message = _("the sheet “%(sheet)s” is empty; the workbook’s sheets are %(sheets)s") % {
            "sheet": name,
            "sheets": _quoted_names(sheet_names),
        }
        raise FileRefused([RowError(1, "", message)])
    return found


def _digest(path):
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _quoted_names(names):
    return ", ".join(f"“{name}”" for name in names)


def _chosen_sheet(book, sheet):
    """The name of the sheet to read; ``FileRefused`` listing the sheets when none is ``sheet``."""
    if sheet is None:
        visible = [
            metadata.name
            for metadata in book.sheets_metadata
            if metadata.visible == SheetVisibleEnum.Visible
            and metadata.typ == SheetTypeEnum.WorkSheet
        ]
        if visible or book.sheet_names:
            return (visible or book.sheet_names)[0]
        raise FileRefused([RowError(1, "", _("the file is empty"))])
    if sheet in book.sheet_names:
        return sheet
    message = _("the workbook has no sheet “%(sheet)s”; its sheets are %(sheets)s") % {
        "sheet": sheet,
        "sheets": _quoted_names(book.sheet_names),
    }
    raise FileRefused([RowError(1, "", message)])


def _file_format(path):
    """``xls`` for an OLE2 file; for a zip, what its parts say: ``xlsx`` (and .xlsm), else the
    other formats python-calamine reads, ``xlsb`` and ``ods``."""
    with open(path, "rb") as handle:
        if handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
            return "xls"
    with zipfile.ZipFile(path) as archive:
        parts = set(archive.namelist())
    if "xl/workbook.xml" in parts:
        return "xlsx"
    return "xlsb" if "xl/workbook.bin" in parts else "ods"


# Cell values -----------------------------------------------------------------------------------


def cell_text(value):
    """The text of a value python-calamine gives, as Excel stores it (see the module's doc)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.timedelta):
        return duration_text(value)
    return str(value)


def number_text(number):
    """``2021``, ``12.5``; from 10^15 on, Excel's scientific form ``9.13303001234568E+17``.

    The number is first rounded to Excel's 15 significant digits: a computed 0.1 + 0.2 is the
    0.3 Excel shows, not 0.30000000000000004.
    """
    rounded = float(f"{number:.{EXCEL_DIGITS}g}")
    if abs(rounded) >= EXCEL_EXACT_BELOW:
        mantissa, exponent = f"{rounded:.{EXCEL_DIGITS - 1}E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    if rounded.is_integer():
        return str(int(rounded))
    return repr(rounded)


def duration_text(duration):
    """A duration as Excel's ``[h]:mm:ss`` shows it: ``30:00:00`` for a day and six hours."""
    seconds = round(duration.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


# Error cells -----------------------------------------------------------------------------------
# python-calamine gives an error cell (#N/A, #REF!, …) as an empty one. Excel writes the error
# text into the file beside the formula, so it is found there.

#: An error cell of a worksheet part: ``<c r="B5" t="e"><f>NA()</f><v>#N/A</v></c>``.
_XLSX_ERROR_CELL = re.compile(
    rb"<(?:\w+:)?c\s(?P<attributes>[^>]*?\bt=[\"']e[\"'][^>]*?)(?<!/)>(?P<content>.*?)"
    rb"</(?:\w+:)?c>",
    re.DOTALL,
)
_XLSX_REFERENCE = re.compile(rb"\br=[\"']([A-Z]+)([0-9]+)[\"']")
_XLSX_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _xlsx_error_cells(path, sheet):
    """``{row: {column: text}}`` of the error cells of ``sheet``, from its worksheet part,
    streamed: the text is searched only where a chunk holds ``t="e"``."""
    with zipfile.ZipFile(path) as archive:
        part = _xlsx_sheet_part(archive, sheet)
        if part is None:
            return {}
        found = {}
        pending = b""
        with archive.open(part) as stream:
            while chunk := stream.read(READ_BYTES):
                data = pending + chunk
                row_end = data.rfind(b"row>")  # no cell is cut in two after a row's tag
                cut = row_end + len(b"row>") if row_end >= 0 else 0
                _add_xlsx_error_cells(data[:cut], found)
                pending = data[cut:]
        _add_xlsx_error_cells(pending, found)
    return found


def _add_xlsx_error_cells(data, found):
    if b't="e"' not in data and b"t='e'" not in data:
        return
    for cell in _XLSX_ERROR_CELL.finditer(data):
        reference = _XLSX_REFERENCE.search(cell["attributes"])
        value = _XLSX_VALUE.search(cell["content"])
        if reference and value:
            letters, row = reference.groups()
            column = 0
            for letter in letters:
                column = column * 26 + letter - ord("A") + 1
            found.setdefault(int(row) - 1, {})[column - 1] = value[1].decode("utf-8", "replace")


def _xlsx_sheet_part(archive, sheet):
    """The zip path of the worksheet named ``sheet``, from the workbook part and its
    relationships (the ``r:id`` of the sheet, whatever the namespace's prefix)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {
        element.get("Id"): element.get("Target")
        for element in relationships
        if element.tag.endswith("}Relationship")
    }
    for element in workbook.iter():
        if element.tag.endswith("}sheet") and element.get("name") == sheet:
            identity = next(
                (value for key, value in element.attrib.items() if key.endswith("}id")), None
            )
            target = targets.get(identity)
            if target is None:
                return None
            part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            return posixpath.normpath(part)
    return None


#: BIFF8 error codes (a FORMULA result or a BOOLERR cell) and the text Excel shows.
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET = 0x0809, 0x000A, 0x0085
_BIFF_FORMULA, _BIFF_BOOLERR = 0x0006, 0x0205


def _xls_error_cells(path, sheet):
    """``{row: {column: text}}`` of the error cells of ``sheet`` of an .xls (BIFF8) file.

    The file has been read by python-calamine already; what this reader does not understand
    (an Excel 95 file, an odd layout) gives no error cells, as python-calamine itself does.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        stream = _ole_stream(data, "Workbook")
        offset = _xls_sheet_offset(stream, sheet) if stream else None
        return {} if offset is None else _xls_sheet_errors(stream, offset)
    except (struct.error, IndexError, ValueError):
        return {}


def _biff_records(stream, offset):
    """``(type, body)`` of the BIFF records from ``offset`` to the end of the substream that
    starts there (a chart's substream inside a sheet's is passed over)."""
    depth = 0
    while offset + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4 : offset + 4 + length]
        offset += 4 + length
        depth += (record == _BIFF_BOF) - (record == _BIFF_EOF)
        yield record, body
        if depth <= 0:
            return


def _xls_sheet_offset(stream, sheet):
    """Where the substream of ``sheet`` starts, from the BOUNDSHEET records of the globals."""
    for record, body in _biff_records(stream, 0):
        if record == _BIFF_BOUNDSHEET:
            position, length, high_byte = struct.unpack_from("<I2xBB", body)
            raw = body[8 : 8 + length * (2 if high_byte & 1 else 1)]
            if raw.decode("utf-16-le" if high_byte & 1 else "latin-1") == sheet:
                return position
    return None


def _xls_sheet_errors(stream, offset):
    found = {}
    for record, body in _biff_records(stream, offset):
        if record == _BIFF_FORMULA and body[12:14] == b"\xff\xff" and body[6] == 2:
            code = body[8]  # a result that is not a number: type 2 is an error
        elif record == _BIFF_BOOLERR and body[7] == 1:
            code = body[6]
        else:
            continue
        row, column = struct.unpack_from("<HH", body)
        found.setdefault(row, {})[column] = _BIFF_ERRORS.get(code, "#N/A")
    return found


#: Sector numbers from this one on mark the end of a chain, a free sector, a FAT sector….
_OLE_LAST_SECTOR = 0xFFFFFFFA
_OLE_STREAM = 2  # the type of a directory entry that is a stream


def _ole_stream(data, name):
    """The bytes of the stream ``name`` of the OLE2 compound file ``data``, or None."""
    sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
    fat_count, directory_start = struct.unpack_from("<II", data, 44)
    mini_cutoff, mini_fat_start = struct.unpack_from("<II", data, 56)
    difat_start, difat_count = struct.unpack_from("<II", data, 68)

    def sector(number):
        start = (number + 1) * sector_size
        return data[start : start + sector_size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    per_sector = sector_size // 4 - 1
    for _index in range(difat_count):
        entries = struct.unpack(f"<{per_sector + 1}I", sector(difat_start))
        fat_sectors.extend(entries[:per_sector])
        difat_start = entries[per_sector]
    fat_bytes = b"".join(sector(number) for number in fat_sectors[:fat_count])
    fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes)

    def chain(start, table):
        for _index in range(len(table) + 1):  # a loop in a damaged table ends here
            if start >= _OLE_LAST_SECTOR:
                return
            yield start
            start = table[start]

    def read(start):
        return b"".join(sector(number) for number in chain(start, fat))

    directory = read(directory_start)
    root_start = struct.unpack_from("<I", directory, 116)[0]  # the mini stream, entry 0
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        name_bytes = struct.unpack_from("<H", entry, 64)[0]
        entry_name = entry[: max(name_bytes - 2, 0)].decode("utf-16-le")
        if entry[66] == _OLE_STREAM and entry_name.casefold() == name.casefold():
            first, size = struct.unpack_from("<II", entry, 116)
            break
    else:
        return None
    if size >= mini_cutoff:
        return read(first)[:size]
    mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
    mini_stream = read(root_start)
    mini_fat_bytes = read(mini_fat_start)
    mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)
    return b"".join(
        mini_stream[number * mini_size : (number + 1) * mini_size]
        for number in chain(first, mini_fat)
    )[:size]
