"""Opening a CSV file as Excel and the offices that send them write it.

The encoding is decided from the whole file, read once (it is hashed on the same pass): UTF-8,
with or without a byte-order mark, else GB18030 (a superset of GBK and GB2312, what Excel saves
on a Chinese Windows). A file that is UTF-8 in some lines and not in others is refused with the
line where it breaks: read as GB18030 its UTF-8 lines would be stored as mojibake. The delimiter
is whichever of comma, tab and semicolon the first lines use most. Rows are then streamed: a
file of any size is never held in memory.

What Python's ``csv`` module reads is the rows of the file, whichever way it is read: the
pieces for parallel reading are cut only where the module itself ends a record (``slices``).
A NUL character, a cell longer than ``MAX_CELL_CHARS`` and a line the module cannot parse refuse
the file with its line (``FileRefused``).
"""

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import FileRefused, RowError

READ_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";")
#: A header may sit below title lines ("2021年温州市单项冠军企业名单", 附件, 公示时间) and a
#: blank line or two; the layout looks for it this far down, the delimiter is sniffed as far.
HEADER_SEARCH_LINES = 20

#: The longest cell a file may have, in characters. Far above any field (a seminar's summary is
#: the longest text), and a bound on the memory one cell can take.
MAX_CELL_CHARS = 1 << 20
csv.field_size_limit(MAX_CELL_CHARS)

#: Encodings in which the bytes of the delimiters, quotes and line ends never occur inside
#: another character, so that a byte range of the file can be decoded and parsed on its own.
#: Files in any other encoding (UTF-16, …) are read from start to end in one process.
CUTTABLE_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii", "iso8859-1"}

_BOM = codecs.BOM_UTF8


@dataclass
class CsvFile:
    path: str
    encoding: str
    sha256: str
    size: int
    lines: int
    delimiter: str = ","
    #: Whether the file has a quote character at all (without one, every line ends a record).
    quoted: bool = True
    #: A CSV file has no sheets (``workbook.WorkbookFile`` names the one it reads).
    sheet = ""

    def chunks(self, size):
        """``(lines, rows)``: lists of up to ``size`` rows that have a non-blank cell, and the
        physical line each starts on (a quoted cell may span lines)."""
        with open(self.path, encoding=self.encoding, newline="") as handle:
            yield from _chunks(csv.reader(handle, delimiter=self.delimiter), size, 1)

    @property
    def cuttable(self):
        return codecs.lookup(self.encoding).name in CUTTABLE_ENCODINGS

    def slices(self, parts):
        """``(start, end, first line)`` byte ranges cutting the file into about ``parts``
        pieces, each of which can be read on its own and gives the rows the whole file gives.

        The cuts are where the ``csv`` module ends a record: the file is parsed once here with
        the module itself (the quote, delimiter and line-end bytes are the same in every
        ``CUTTABLE_ENCODINGS`` encoding, so Latin-1 stands in for the real one, a byte per
        character). Counting quotes instead goes wrong on a stray ``"`` inside an unquoted cell
        (``DN50 2" valve``), which the module takes as a plain character.
        """
        if not self.cuttable:
            return [(0, self.size, 1)]
        targets = [self.size * part // parts for part in range(1, parts)]
        if not self.quoted:
            return self._slices_at_line_ends(targets)
        cuts = [(0, 1)]  # (byte, line) where each piece starts
        position = {"offset": 0, "lines": 0}
        with open(self.path, encoding="latin-1", newline="") as handle:

            def counted_lines():
                for line in handle:
                    position["offset"] += len(line)
                    position["lines"] += 1
                    if position["lines"] == 1 and self.encoding == "utf-8-sig":
                        line = line.removeprefix(_BOM.decode("latin-1"))
                    yield line

            reader = csv.reader(counted_lines(), delimiter=self.delimiter)
            for _row in _checked(reader, 1):
                offset = position["offset"]
                if offset >= self.size:
                    break
                if offset >= targets[0]:
                    cuts.append((offset, position["lines"] + 1))
                    targets = [target for target in targets if target > offset]
                    if not targets:
                        break
        ends = [start for start, _line in cuts[1:]] + [self.size]
        return [(start, end, line) for (start, line), end in zip(cuts, ends, strict=True)]

    def _slices_at_line_ends(self, targets):
        """``slices`` of a file without quotes: the first line end after each target."""
        cuts = [(0, 1)]
        lines = offset = 0
        with open(self.path, "rb") as handle:
            while targets and (chunk := handle.read(READ_BYTES)):
                end = -1
                while targets:
                    end = chunk.find(b"\n", max(end + 1, targets[0] - offset))
                    if end == -1:
                        break
                    if offset + end + 1 < self.size:
                        cuts.append((offset + end + 1, lines + chunk.count(b"\n", 0, end) + 2))
                    targets = [target for target in targets if target > offset + end]
                lines += chunk.count(b"\n")
                offset += len(chunk)
        ends = [start for start, _line in cuts[1:]] + [self.size]
        return [(start, end, line) for (start, line), end in zip(cuts, ends, strict=True)]

    def slice_chunks(self, start, end, first_line, size):
        """``chunks`` of the rows between bytes ``start`` and ``end`` (see ``slices``)."""
        with open(self.path, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        encoding = "utf-8" if self.encoding == "utf-8-sig" and start else self.encoding
        text = io.StringIO(data.decode(encoding), newline="")
        yield from _chunks(csv.reader(text, delimiter=self.delimiter), size, first_line)


def _checked(reader, first_line):
    """The rows of ``reader``; what the ``csv`` module cannot read refuses the file."""
    while True:
        start = first_line + reader.line_num
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = _(
                    "a cell is longer than %(limit)s characters, the most a cell may hold"
                ) % {"limit": f"{MAX_CELL_CHARS:,}"}
            else:
                message = _("the line cannot be read as CSV: %(reason)s") % {"reason": error}
            raise FileRefused([RowError(start, "", message)]) from None


def _chunks(reader, size, first_line):
    lines, rows = [], []
    start = first_line
    for cells in _checked(reader, first_line):
        if cells and (cells[0].strip() or "".join(cells).strip()):
            lines.append(start)
            rows.append(cells)
            if len(rows) == size:
                yield lines, rows
                lines, rows = [], []
        start = first_line + reader.line_num
    if rows:
        yield lines, rows


def python_encoding(name):
    """The codec to decode with; raises ``LookupError`` for an unknown encoding name."""
    codec = codecs.lookup(name).name
    return "utf-8-sig" if codec == "utf-8" else codec


@dataclass
class _Decoded:
    """What reading the whole file in one encoding found."""

    sha256: str
    size: int
    lines: int
    #: The line where decoding fails, or None.
    failure: int | None
    #: The first line with a NUL character, or None.
    nul: int | None
    #: Whether the text before ``failure`` (or the whole text) has a character beyond ASCII.
    non_ascii: bool
    #: Whether the text has a quote character.
    quoted: bool = True


def _decode_whole(path, encoding):
    """Decode the whole file as ``encoding``; lines are counted in the decoded text."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    size = lines = 0
    failure = nul = None
    non_ascii = quoted = False
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if failure is not None:
                continue
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                text = error.object[: error.start].decode(encoding, "replace")
                failure = lines + text.count("\n") + 1
                non_ascii = non_ascii or not text.isascii()
                continue
            if nul is None and "\x00" in text:
                nul = lines + text[: text.index("\x00")].count("\n") + 1
            non_ascii = non_ascii or not text.isascii()
            quoted = quoted or '"' in text
            lines += text.count("\n")
        if failure is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                failure = lines + 1
    return _Decoded(digest.hexdigest(), size, lines + 1, failure, nul, non_ascii, quoted)


def _first_utf8_line(path, after=0):
    """The first line after line ``after`` that is UTF-8 with a character beyond ASCII: text
    no GBK file has by chance, a line at a time."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number <= after or line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return number
    return None


def _decided_encoding(path, encoding):
    """``(encoding, _Decoded)`` for the file, or ``FileRefused`` naming the line that breaks."""
    if encoding:
        decoded = _decode_whole(path, encoding)
        if decoded.failure is None:
            return encoding, decoded
        message = _("the file cannot be read as %(encoding)s") % {"encoding": encoding}
        raise FileRefused([RowError(decoded.failure, "", message)])
    decoded = _decode_whole(path, "utf-8-sig")
    if decoded.failure is None:
        return "utf-8-sig", decoded
    broken = decoded.failure
    utf8_line = None if not decoded.non_ascii else _first_utf8_line(path)
    utf8_line = utf8_line or _first_utf8_line(path, after=broken)
    if utf8_line:
        message = _(
            "the file mixes encodings: line %(utf8)d is UTF-8, this line is not; save the "
            "whole file in one encoding, or give the encoding with --encoding"
        ) % {"utf8": utf8_line}
        raise FileRefused([RowError(broken, "", message)])
    decoded = _decode_whole(path, "gb18030")
    if decoded.failure is None:
        return "gb18030", decoded
    message = _("the file is neither UTF-8 nor GB18030/GBK; give its encoding with --encoding")
    raise FileRefused([RowError(decoded.failure, "", message)])


def open_csv(path, encoding=None):
    """Inspect the file at ``path``; raises ``OSError`` when it cannot be read and
    ``FileRefused`` when it is empty, does not decode or holds a NUL character."""
    encoding, decoded = _decided_encoding(path, python_encoding(encoding) if encoding else None)
    if decoded.nul is not None:
        message = _(
            "the line holds a NUL character (\\x00), which no text may hold; the file is "
            "damaged or not a CSV file"
        )
        raise FileRefused([RowError(decoded.nul, "", message)])
    found = CsvFile(
        path, encoding, decoded.sha256, decoded.size, decoded.lines, quoted=decoded.quoted
    )
    if next(found.chunks(1), None) is None:
        raise FileRefused([RowError(1, "", _("the file is empty"))])
    found.delimiter = sniff_delimiter(found)
    return found


def sniff_delimiter(csv_file):
    """The delimiter used most (outside quotes) in the first lines; comma when none is."""
    counts = dict.fromkeys(DELIMITERS, 0)
    with open(csv_file.path, encoding=csv_file.encoding, newline="") as handle:
        for _number, line in zip(range(HEADER_SEARCH_LINES), handle, strict=False):
            quoted = False
            for char in line:
                if char == '"':
                    quoted = not quoted
                elif not quoted and char in counts:
                    counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","
