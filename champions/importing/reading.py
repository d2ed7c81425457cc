"""Opening a CSV file as Excel and the offices that send them write it.

The encoding is found by reading the whole file once (it is hashed on the same pass): UTF-8,
with or without a byte-order mark, else GB18030 (a superset of GBK and GB2312, what Excel saves
on a Chinese Windows). The delimiter is whichever of comma, tab and semicolon the first lines use
most. Rows are then streamed: a file of any size is never held in memory.
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
#: A header may sit below a title line or two ("2021年温州市单项冠军企业名单").
HEADER_SEARCH_LINES = 10

# Excel writes cells of any length; the csv module's default limit (128 KiB) is only a guard.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class CsvFile:
    path: str
    encoding: str
    sha256: str
    size: int
    lines: int
    delimiter: str = ","

    def chunks(self, size):
        """``(lines, rows)``: lists of up to ``size`` rows that have a non-blank cell, and the
        physical line each starts on (a quoted cell may span lines)."""
        with open(self.path, encoding=self.encoding, newline="") as handle:
            yield from _chunks(csv.reader(handle, delimiter=self.delimiter), size, 1)

    def slices(self, parts):
        """``(start, end, first line)`` byte ranges cutting the file into about ``parts``
        pieces at line ends outside quoted cells, so that each can be read on its own."""
        targets = [self.size * part // parts for part in range(1, parts)]
        cuts = [(0, 1)]  # (byte, line) where each piece starts
        quotes = newlines = offset = 0
        with open(self.path, "rb") as handle:
            while targets and (chunk := handle.read(READ_BYTES)):
                end = -1
                while targets:
                    end = chunk.find(b"\n", max(end + 1, targets[0] - offset))
                    if end == -1:
                        break
                    # An even number of quotes before it: the line end is not inside a cell.
                    if (quotes + chunk.count(b'"', 0, end)) % 2 == 0:
                        cuts.append((offset + end + 1, newlines + chunk.count(b"\n", 0, end) + 2))
                        targets = [target for target in targets if target > offset + end]
                quotes += chunk.count(b'"')
                newlines += chunk.count(b"\n")
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


def _chunks(reader, size, first_line):
    lines, rows = [], []
    start = first_line
    for cells in reader:
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


def _check_decodes(path, encoding):
    """Decode the whole file; return ``(sha256, size, lines)`` or the line that fails."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    size = lines = 0
    failure = None
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_BYTES):
            digest.update(chunk)
            if failure is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    failure = lines + error.object[: error.start].count(b"\n") + 1
            size += len(chunk)
            lines += chunk.count(b"\n")
        if failure is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                failure = lines + 1
    return digest.hexdigest(), size, lines + 1, failure


def open_csv(path, encoding=None):
    """Inspect the file at ``path``; raises ``OSError`` when it cannot be read and
    ``FileRefused`` when it is empty or does not decode."""
    candidates = [python_encoding(encoding)] if encoding else ["utf-8-sig", "gb18030"]
    failures = []
    for candidate in candidates:
        sha256, size, lines, failure = _check_decodes(path, candidate)
        if failure is None:
            break
        failures.append((candidate, failure))
    else:
        candidate, failure = failures[-1]
        if encoding:
            message = _("the file cannot be read as %(encoding)s") % {"encoding": encoding}
        else:
            message = _(
                "the file is neither UTF-8 nor GB18030/GBK; give its encoding with --encoding"
            )
        raise FileRefused([RowError(failure, "", message)])
    found = CsvFile(path, candidate, sha256, size, lines)
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
