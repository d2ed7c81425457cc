"""The columns a kind of file may have, and how a file's header row is matched to them.

Headers are English field names or their Chinese labels, compared after NFKC, without spaces,
case-folded, with a leading ``*`` (the "required" mark of templates) dropped, so 企业名称,
``*企业名称`` and ``Name`` all work.
"""

import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter

from django.utils.translation import gettext as _

from .cells import parse_column
from .errors import RowError

#: Columns of official lists that carry nothing to import: the row number.
IGNORED_HEADERS = ("序号", "编号", "no", "no.", "#")


@dataclass(frozen=True)
class Column:
    """One column of a kind of file.

    ``name`` is the English header; ``labels`` are the other accepted headers, the official
    Chinese one first. ``field`` is the model column the value is written to, or ``None`` when
    the kind uses the value itself; ``staging`` names the staging column (default: ``field``,
    else ``name``) and ``db_type`` its SQL type where it is not a model column.
    ``keep_when_empty`` makes an empty cell leave the stored value as it is (keys and required
    fields, which have no "no value"); otherwise an empty cell clears the field.
    """

    name: str
    labels: tuple
    parse: object
    field: str | None = None
    keep_when_empty: bool = False
    staging: str | None = None
    db_type: str | None = None
    #: The English header the export writes, where it says more than ``name`` (a unit).
    english: str | None = None

    def headers(self):
        return (self.name, *self.labels, *([self.english] if self.english else []))

    @property
    def staging_name(self):
        return self.staging or self.field or self.name


def column_letters(position):
    """A column's letters as spreadsheets name it: 0 is A, 26 is AA."""
    letters, number = "", position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def header_key(text):
    return "".join(unicodedata.normalize("NFKC", text).split()).lstrip("*").casefold()


@dataclass
class BoundColumn:
    column: Column
    #: Positions of the file's columns feeding this one, best header first: a list may give both
    #: 所属区县 and 所在地市, and the county wins where both are filled in.
    positions: list = field(default_factory=list)
    header: str = ""

    def cells(self, rows):
        """This column's cells of ``rows`` (all as wide as the header)."""
        if len(self.positions) == 1:
            return list(map(itemgetter(*self.positions), rows))
        return [next((row[p] for p in self.positions if row[p].strip()), "") for row in rows]


class Header:
    """A file's header row matched to a kind's columns."""

    def __init__(self, columns, required, line, header_cells, labels=None):
        """``labels`` names columns that the file does not have but the run's options give
        (``{"tier": "--tier"}``), for messages."""
        self.line = line
        #: The columns the list gives once for all its rows (``Layout``), not row by row.
        self.virtual = set(labels or ())
        self.width = len(header_cells)
        by_key = {}
        for column in columns:
            for rank, header in enumerate(column.headers()):
                by_key.setdefault(header_key(header), (column, rank))
        problems = []
        bound = {}
        seen = {}
        ranked = {}
        for position, text in enumerate(header_cells):
            key = header_key(text)
            if not key or key in IGNORED_HEADERS:
                continue
            if key in seen:
                problems.append(
                    RowError(
                        line,
                        text,
                        _("this column appears twice (also column %(n)d)") % {"n": seen[key] + 1},
                    )
                )
                continue
            seen[key] = position
            if key not in by_key:
                problems.append(
                    RowError(
                        line,
                        text,
                        _("unknown column; accepted: %(accepted)s")
                        % {"accepted": describe(columns)},
                    )
                )
                continue
            column, rank = by_key[key]
            bound.setdefault(column.name, BoundColumn(column))
            ranked.setdefault(column.name, []).append((rank, position, text.strip()))
        for name, entries in ranked.items():
            entries.sort()
            bound[name].positions = [position for _rank, position, _text in entries]
            bound[name].header = (labels or {}).get(name) or entries[0][2]
        present = set(bound)
        for group in required:
            if not present.intersection(group):
                wanted = " / ".join(describe_column(columns, name) for name in group)
                problems.append(RowError(line, wanted, _("missing required column")))
        self.problems = problems
        # Columns in the kind's order, so that staging rows line up with the staging table.
        self.columns = [bound[column.name] for column in columns if column.name in bound]
        self.present = present

    def __contains__(self, name):
        return name in self.present

    def label(self, name):
        """The header the file uses for column ``name`` (for error messages)."""
        for bound in self.columns:
            if bound.column.name == name:
                return bound.header
        return name

    def chunk_parser(self, errors):
        """A function ``(lines, rows) -> (columns, bad)`` reading a chunk of rows a column at a
        time: ``columns`` maps each column's name to its values, ``bad`` holds the positions of
        rows with an error (reported in ``errors``). Rows are as wide as the header
        (``Layout.data_rows``)."""

        def parse_chunk(lines, rows):
            bad = set()
            columns = {}
            for bound in self.columns:
                cells = bound.cells(rows)
                values, failures = parse_column(bound.column.parse, cells)
                for index, error in failures:
                    errors.add(lines[index], bound.header, error, cells[index])
                    bad.add(index)
                columns[bound.column.name] = values
            return columns, bad

        return parse_chunk


def describe_column(columns, name):
    for column in columns:
        if column.name == name:
            return f"{column.labels[0]} ({column.name})" if column.labels else column.name
    return name


def describe(columns):
    return ", ".join(describe_column(columns, column.name) for column in columns)
