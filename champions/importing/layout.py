"""The layout of a published list around its rows, and the list's own facts.

Real lists are not a header and rows. Above the header are title lines (the list's name,
附件, 公示时间); the header may take two rows, a merged cell (所在地区) over the cells it spans
(设区市, 县（市、区）); between rows are section rows, text in the first cell only
(一、第四批单项冠军示范企业, 温州市（18家）), often with the header repeated beneath; at the end
are footnotes (注：1.名单按企业注册地排序). Cells under a merged cell are saved empty.

``Layout.read`` takes the rows of a file as the reader gives them and returns the data rows,
each as wide as the header, with what the list says once for all of them filled into the cells
the row leaves empty: a section's tier, batch, event or city, then the facts given as options
(``--tier``, ``--region`` …), and with ``--fill-down`` the cell above. A row's own cell always
wins. Every line that is not a data row is kept in ``skipped`` with the reason, so that the
report accounts for every line of the file.
"""

import copy
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cells import match_key
from .columns import IGNORED_HEADERS, column_letters, header_key
from .errors import BadArguments, CellError, FileRefused, RowError
from .reading import HEADER_SEARCH_LINES

#: Why a line that is not a data row was skipped, as the report says it.
TITLE = "title"
HEADER = "header"
SECTION = "section"
REPEATED_HEADER = "repeated_header"
FOOTNOTE = "footnote"
SKIP_REASONS = {
    TITLE: gettext_lazy("title line above the header"),
    HEADER: gettext_lazy("header"),
    SECTION: gettext_lazy("section row"),
    REPEATED_HEADER: gettext_lazy("header repeated under a section"),
    FOOTNOTE: gettext_lazy("footnote"),
}

#: The columns a list's own facts go to, with the option that gives each.
FACT_OPTIONS = {
    "tier": "--tier",
    "batch": "--batch",
    "year": "--year",
    "status": "--status",
    "announced": "--announced",
    "document": "--document",
    "source": "--source",
    "region": "--region",
}

#: What a section row says about the event of the rows beneath it, as the words of the
#: ``status`` column; longer words first (拟认定 before 认定, 复核公示 before 公示).
SECTION_EVENTS = (
    ("拟通过复核", "复核公示"),
    ("复核公示", "复核公示"),
    ("通过复核", "复核通过"),
    ("复核通过", "复核通过"),
    ("撤销", "撤销"),
    ("取消", "撤销"),
    ("拟认定", "拟认定"),
    ("公示", "公示"),
    ("认定", "认定"),
    ("公布", "认定"),
)

_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）])"
)
_COUNT = re.compile(r"[（(]\s*(\d+)\s*[家个项]\s*[)）]\s*$")
_FOOTNOTE = re.compile(r"^\s*(?:注|备注|说明|附注)\s*[:：、.．\d]")
_BATCH = re.compile(r"(?:\d{4}\s*年度?\s*)?第\s*[0-9零〇一二两三四五六七八九十百]+\s*批")
_YEAR = re.compile(r"(\d{4})\s*年")


def column_name(position):
    """How a column without a header is named: its number and its spreadsheet letters."""
    return f"#{position + 1} ({column_letters(position)})"


@dataclass
class Skipped:
    """A line that is not a data row."""

    line: int
    reason: str
    text: str
    #: For a section row: ``{column: text}`` it applies to the rows beneath it.
    applies: dict = field(default_factory=dict)

    @property
    def reason_text(self):
        return str(SKIP_REASONS[self.reason])


class Layout:
    """One file's layout, learnt while it is read (see the module's docstring).

    ``columns`` are the kind's; ``facts`` the list's facts given as options, ``{column name:
    text}``, parsed by the column like a cell; ``fill_down`` the columns (header texts or
    English names) whose empty cells take the value above; ``spellings`` finds what a
    section names (``SectionSpellings``).
    """

    def __init__(
        self, columns, errors, *, facts=None, fill_down=(), spellings=None, keep_lines=False
    ):
        self.columns = {column.name: column for column in columns}
        self.errors = errors
        self.facts = {name: text for name, text in (facts or {}).items() if text}
        self.fill_down_names = list(fill_down)
        self.spellings = spellings
        self.skipped = []
        self.warnings = []
        self._in_piece = False
        #: The lines of the data rows, when ``keep_lines`` (for the report of a refused file).
        self.data_lines = [] if keep_lines else None
        #: ``{column header: cells filled from the row above}``.
        self.filled_down = {}
        self.header_lines = ()
        for name, text in self.facts.items():
            try:
                self.columns[name].parse(text)
            except CellError as error:
                raise BadArguments(f"{FACT_OPTIONS[name]} {text}: {error}") from None

    def list_title(self):
        """The list's name: the first title line above the header, if there is one."""
        return next((skipped.text for skipped in self.skipped if skipped.reason == TITLE), "")

    def may_read_in_pieces(self):
        """Whether pieces of the file can be read each on its own (``parallel``): not when a
        row's cells depend on the rows above it (a section's facts, ``--fill-down``)."""
        return not self._fill_positions and not any(s.applies for s in self._ahead)

    def piece_reader(self):
        """A copy for reading one piece of the file in a worker process: it starts outside
        any section; a section naming facts there refuses the file (``may_read_in_pieces``
        saw none in the first rows, and the rows beneath would be read without them)."""
        piece = copy.copy(self)
        piece.skipped, piece.warnings, piece.filled_down = [], [], {}
        piece._section, piece._counted, piece._above = {}, None, {}
        piece._in_piece = True
        return piece

    # --- The header -----------------------------------------------------------------------------

    def find_header(self, rows, lines):
        """The index in ``rows`` of the header's (last) row, its cells, and the index of its
        first row: the row with the most known column names among the first
        ``HEADER_SEARCH_LINES``, joined with the row beneath it when that row names the cells
        under a merged one. Without any known name, the first row, so that its unknown names
        are reported."""
        known = {header_key(h) for column in self.columns.values() for h in column.headers()}
        self._known = known
        keys = [[header_key(cell) for cell in row] for row in rows[:HEADER_SEARCH_LINES]]
        best, best_score = (0, 0), 0
        for index, row_keys in enumerate(keys):
            score = sum(1 for key in row_keys if key in known)
            end = index
            if index + 1 < len(keys) and self._names_merged_cells(row_keys, keys[index + 1]):
                score += sum(1 for key in keys[index + 1] if key in known)
                end = index + 1
            if score > best_score:
                best, best_score = (index, end), score
        first, last = best
        cells = list(rows[first])
        if last != first:
            below = rows[last]
            width = max(len(cells), len(below))
            cells += [""] * (width - len(cells))
            for position, text in enumerate(below):
                if text.strip():
                    cells[position] = text
        for index in range(first):
            self.skipped.append(Skipped(lines[index], TITLE, _joined(rows[index])))
        self.header_lines = tuple(lines[first : last + 1])
        for line in self.header_lines:
            self.skipped.append(Skipped(line, HEADER, _joined(rows[lines.index(line)])))
        return first, last, cells

    def _names_merged_cells(self, top, below):
        """Whether row ``below`` is the second row of a two-row header under ``top``: every
        cell it fills is a known column name, under a cell of ``top`` that is empty or is not a
        column name itself (the merged cell's label, 所在地区)."""
        filled = [(position, key) for position, key in enumerate(below) if key]
        if not filled or any(
            key not in self._known or key in IGNORED_HEADERS for _p, key in filled
        ):
            return False
        return any(
            position >= len(top) or not top[position] or top[position] not in self._known
            for position, _key in filled
        )

    # --- Reading --------------------------------------------------------------------------------

    def read(self, chunks):
        """``(header line, header cells, virtual labels, data chunks)`` from the ``(lines,
        rows)`` chunks of a file. Virtual columns are the fact columns the header lacks, added
        at its end; ``virtual labels`` maps their English names to the option named in
        messages."""
        lines, rows = next(chunks)
        first, last, header_cells = self.find_header(rows, lines)
        self.width = len(header_cells)
        self.header_keys = [header_key(cell) for cell in header_cells]
        self._header_rows = [self.header_keys] + [
            _padded([header_key(cell) for cell in rows[index]], self.width)
            for index in range(first, last + 1)
        ]
        # Repeated headers are looked for where the header's first name is (a cheap test
        # every row passes through).
        probe = next((p for p, key in enumerate(self.header_keys) if key), 0)
        self._probe = (
            probe,
            {rows[index][probe] for index in range(first, last + 1) if probe < len(rows[index])}
            | {header_cells[probe]},
        )
        self.unnamed = [p for p, key in enumerate(self.header_keys) if not key]
        present = self._present_columns(header_cells)
        rest = (lines[last + 1 :], rows[last + 1 :])
        # A numbered section may stand above the first header (一、第四批…, then the header).
        opening = [
            (lines[index], self._lone_text(rows[index]))
            for index in range(first)
            if _ORDINAL.match(self._lone_text(rows[index]) or "")
        ]
        sections = self._ahead = self._sections_ahead(*rest) + [
            Skipped(line, SECTION, text, self._section_facts(text)) for line, text in opening
        ]
        wanted = set(self.facts) | {name for s in sections for name in s.applies}
        self.virtual = [name for name in FACT_OPTIONS if name in wanted and name not in present]
        self.positions = {name: present.get(name) for name in FACT_OPTIONS if name in wanted}
        for offset, name in enumerate(self.virtual):
            self.positions[name] = self.width + offset
        header_cells = header_cells + self.virtual
        self._fill_positions = self._fill_down_positions(header_cells, present)
        labels = {name: FACT_OPTIONS[name] for name in self.virtual}
        self._section = {}
        self._footnotes = False
        self._counted = None
        self._above = {}
        opened = {line for line, _text in opening}
        self.skipped = [skipped for skipped in self.skipped if skipped.line not in opened]
        for line, text in opening:
            self._enter_section(line, text)
        self.skipped.sort(key=lambda skipped: skipped.line)
        data = self._data_chunks(rest, chunks)
        return self.header_lines[-1], header_cells, labels, data

    def _present_columns(self, header_cells):
        """``{column name: first position}`` of the kind's columns the header has."""
        by_key = {}
        for column in self.columns.values():
            for header in column.headers():
                by_key.setdefault(header_key(header), column.name)
        present = {}
        for position, key in enumerate(self.header_keys):
            if key in by_key:
                present.setdefault(by_key[key], position)
        return present

    def _fill_down_positions(self, header_cells, present):
        keys = {key: position for position, key in enumerate(self.header_keys) if key}
        positions = []
        for name in self.fill_down_names:
            key = header_key(name)
            position = keys.get(key, present.get(name))
            if position is None:
                named = "、".join(cell.strip() for cell in header_cells[: self.width] if cell)
                raise FileRefused(
                    [
                        RowError(
                            self.header_lines[-1],
                            name,
                            _("--fill-down names no column of the header; it has: %(columns)s")
                            % {"columns": named},
                        )
                    ]
                )
            positions.append((position, header_cells[position].strip() or name))
        return positions

    def _sections_ahead(self, lines, rows):
        """The section rows among the first rows (what they name decides the virtual columns);
        read again, with their effect, when the rows are."""
        found = []
        for line, row in zip(lines, rows, strict=True):
            text = self._lone_text(row)
            if text is not None and self._is_section(text, row):
                found.append(Skipped(line, SECTION, text, self._section_facts(text)))
        return found

    def _data_chunks(self, first, chunks):
        if first[0]:
            yield self.data_rows(*first)
        for lines, rows in chunks:
            yield self.data_rows(lines, rows)
        self._close_count()

    def data_rows(self, lines, rows):
        """The data rows of a chunk, as wide as the header with its virtual columns; the other
        lines go to ``skipped`` (and a cell where the header has none to ``errors``)."""
        kept_lines, kept_rows = [], []
        keep_line, keep_row = kept_lines.append, kept_rows.append
        width = self.width
        probe, probe_texts = self._probe
        unnamed = self.unnamed
        # Without virtual cells, facts (the list's or its sections') and fill-down, ``_filled``
        # gives every row back as it is: the rows of most files, a million of them at times.
        filled = self._filled if self.virtual or self.positions or self._fill_positions else None
        # A row with a third cell is no lone row: the test most rows stop at.
        wide = width > 2
        for line, row in zip(lines, rows, strict=True):
            size = len(row)
            if size != width:
                if size < width:
                    row += [""] * (width - size)
                else:
                    extra = next((cell for cell in row[width:] if cell.strip()), None)
                    if extra is not None:
                        self.errors.add(
                            line,
                            str(width + 1),
                            _("more cells than the header has columns"),
                            extra,
                        )
                    del row[width:]
            if not (wide and row[2]) and not any(row[2:]):
                text = self._lone_text(row)
                if text is not None and self._skipped_lone_row(line, text, row):
                    continue
            if row[probe] in probe_texts and self._is_header(row):
                self.skipped.append(Skipped(line, REPEATED_HEADER, _joined(row)))
                continue
            for position in unnamed:
                if row[position].strip():
                    self.errors.add(
                        line,
                        column_name(position),
                        _("this column holds data but has no header; name it or delete it"),
                        row[position],
                    )
            if self._counted is not None:
                self._counted[1] += 1
            keep_line(line)
            keep_row(filled(row) if filled else row)
        if self.data_lines is not None:
            self.data_lines += kept_lines
        return kept_lines, kept_rows

    def _skipped_lone_row(self, line, text, row):
        """Record a row of one cell if it is a footnote or a section; whether it was."""
        if self._footnotes or _FOOTNOTE.match(text):
            self._footnotes = True
            self.skipped.append(Skipped(line, FOOTNOTE, text))
            return True
        if self._is_section(text, row):
            self._enter_section(line, text)
            return True
        return False

    def _filled(self, row):
        """``row`` with the virtual cells added, and its empty cells filled: from the row above
        (``--fill-down``: the row's own merged cell), then from its section, then from the
        list's facts."""
        if self.virtual:
            row += [""] * len(self.virtual)
        for position, header in self._fill_positions:
            if row[position].strip():
                self._above[position] = row[position]
            elif position in self._above:
                row[position] = self._above[position]
                self.filled_down[header] = self.filled_down.get(header, 0) + 1
        for name, position in self.positions.items():
            if position is not None and not row[position].strip():
                value = self._section.get(name) or self.facts.get(name)
                if value:
                    row[position] = value
        return row

    def _is_header(self, row):
        """Whether ``row`` repeats the header, or one row of a two-row header."""
        keys = [header_key(cell) for cell in row]
        return any(keys == header_row for header_row in self._header_rows)

    @staticmethod
    def _lone_text(row):
        """The text of a row that fills one cell only, in its first or second column."""
        texts = [cell for cell in row if cell.strip()]
        if len(texts) != 1 or not (row[0].strip() or (len(row) > 1 and row[1].strip())):
            return None
        return texts[0].strip()

    def _is_section(self, text, row):
        """Whether a lone text is a section row rather than a row giving one cell (a name, a
        credit code): it is numbered (一、, （二）), counts firms (（18家）), is exactly a
        tier's or a region's name, or stands in the 序号 column and is not a number."""
        if _ORDINAL.match(text) or _COUNT.search(text):
            return True
        if self.spellings is not None and self.spellings.is_name(text):
            return True
        position = 0 if row[0].strip() else 1
        keys = getattr(self, "header_keys", ())
        return position < len(keys) and keys[position] in IGNORED_HEADERS and not text.isdigit()

    def _section_facts(self, text):
        return self.spellings.facts(text, self.columns) if self.spellings else {}

    def _enter_section(self, line, text):
        """A section row: what it names applies to the rows beneath it until a section names
        the same kind of fact again; a numbered top section (一、) starts afresh."""
        applies = self._section_facts(text)
        if applies and self._in_piece:
            raise FileRefused(
                [
                    RowError(
                        line,
                        "",
                        _(
                            "a section naming a title, batch or place this far down a file "
                            "this large; put each section in a file of its own"
                        ),
                        text,
                    )
                ]
            )
        for name in list(applies):
            if name not in self.positions:
                self.errors.add(
                    line,
                    "",
                    _(
                        "this section names %(what)s, but the file has no such column and the "
                        "first sections did not name one; add the column"
                    )
                    % {"what": f"{FACT_OPTIONS[name]} {applies[name]}"},
                    text,
                )
                del applies[name]
            elif name in self.facts and not self._same_value(name, applies[name]):
                self.errors.add(
                    line,
                    FACT_OPTIONS[name],
                    _("the section says “%(section)s”, the option says “%(option)s”")
                    % {"section": applies[name], "option": self.facts[name]},
                    text,
                )
        if re.match(r"^\s*[一二三四五六七八九十]+\s*[、.．]", text):
            self._section = {}
        self._section.update(applies)
        self._above = {}
        self._close_count()
        count = _COUNT.search(text)
        self._counted = [line, 0, int(count.group(1))] if count else None
        self.skipped.append(Skipped(line, SECTION, text, applies))

    def _same_value(self, name, text):
        parse = self.columns[name].parse
        try:
            return parse(text) == parse(self.facts[name])
        except CellError:
            return False

    def _close_count(self):
        """Warn when a section said how many firms it lists (（18家）) and another number of
        rows followed."""
        if self._counted is None:
            return
        line, rows, said = self._counted
        self._counted = None
        if rows != said:
            self.warnings.append(
                RowError(
                    line,
                    "",
                    _("the section says %(said)d firms; %(rows)d rows follow it")
                    % {"said": said, "rows": rows},
                )
            )


class SectionSpellings:
    """What a section row's text names: a tier, a batch or a year, an event and a city or
    county, by the spellings the import knows (``References``)."""

    @classmethod
    def of(cls, references):
        """The spellings of ``references``: every tier's, and the cities' and counties' (a
        province in a section is the list's authority, 浙江省隐形冠军企业, not its rows')."""
        regions = references.regions_by_code
        return cls(
            references.tier_spellings(),
            {
                key: code
                for key, code in references.region_spellings().items()
                if regions[code].level != regions[code].Level.PROVINCE
            },
        )

    def __init__(self, tier_keys, region_keys):
        #: ``[(match key, spelling)]``, longest first, so that the longest name wins.
        self.tiers = sorted(((k, k) for k in tier_keys if len(k) >= 2), key=lambda x: -len(x[0]))
        self.regions = sorted(
            (
                (key, code)
                for key, code in region_keys.items()
                if len(key) >= 2 and not key.isdigit()
            ),
            key=lambda item: -len(item[0]),
        )
        self._region_codes = region_keys

    def is_name(self, text):
        key = match_key(_COUNT.sub("", text))
        return any(key == k for k, _s in self.tiers) or key in self._region_codes

    def facts(self, text, columns):
        """``{column name: text}`` of what ``text`` names, for the columns the kind has."""
        key = match_key(_ORDINAL.sub("", _COUNT.sub("", text)))
        found = {}
        tier = next((k for k, _s in self.tiers if k in key), None)
        if tier:
            found["tier"] = tier
            key = key.replace(tier, " ")
        batch = _BATCH.search(key)
        if batch:
            found["batch"] = batch.group(0)
        else:
            year = _YEAR.search(key)
            if year:
                found["year"] = year.group(1)
        for word, status in SECTION_EVENTS:
            if word in key:
                found["status"] = status
                break
        region = next((code for k, code in self.regions if k in key), None)
        if region:
            found["region"] = region
        return {name: value for name, value in found.items() if name in columns}


def _padded(keys, width):
    return keys + [""] * (width - len(keys)) if len(keys) < width else keys[:width]


def _joined(row):
    return " | ".join(cell.strip() for cell in row if cell.strip())
