"""What goes wrong in a file, said the way the data officer can find it: line, column, value."""

import unicodedata
from dataclasses import dataclass

#: A file with more bad rows than this is refused without listing the rest; the first ones are
#: enough to see what is wrong, and the list stays small however large the file.
MAX_REPORTED_ERRORS = 10_000

#: A value quoted in a message is cut to this many characters: a cell may hold a megabyte.
MAX_SHOWN_CHARS = 80

#: Characters a message shows as escapes (``\x1b``, ``\u202e``) instead of printing them:
#: terminal control sequences, bidirectional overrides, line breaks inside a cell.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def printable(text):
    """``text`` with every control or format character written as its escape."""
    if text.isprintable():
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _HIDDEN_CATEGORIES
        else char
        for char in text
    )


def shown(value):
    """A cell's value as a message quotes it: escaped, and shortened when long."""
    value = printable(value)
    if len(value) <= MAX_SHOWN_CHARS:
        return value
    return f"{value[: MAX_SHOWN_CHARS - 1]}… ({len(value):,})"


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: ``line`` counts physical lines of the file (the header is line 1); 0 for a
    problem of the whole file."""

    line: int
    column: str
    message: str
    value: str = ""

    def __str__(self):
        """``line N, column C: message (value)``. The place is never translated: scripts read
        it (a stable interface); the message is in the language of the run."""
        if not self.line:  # about the whole file, not one of its lines
            return f"{self.message} ({self.value})" if self.value else self.message
        place = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        text = f"{place}: {self.message}"
        return f"{text} ({self.value})" if self.value else text


class CellError(ValueError):
    """Raised by a cell parser; the reader adds the line, column and value."""


class FileRefused(Exception):
    """The file cannot be read as a list of rows at all (encoding, empty, headers)."""

    def __init__(self, errors):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = list(errors)

    def __reduce__(self):
        # Raised in a worker process and re-raised in the main one: pickled with its errors.
        return type(self), (self.errors,)


class ErrorLog:
    """The errors of one run; ``sorted()`` gives them by line.

    ``count`` is the number of problems, ``len()`` the number of lines that have one (the
    "errors N" of the summary: rows, like created, updated and unchanged).
    """

    def __init__(self, limit=MAX_REPORTED_ERRORS):
        self.limit = limit
        self.errors = []
        self.count = 0
        self.bad_lines = set()

    def add(self, line, column, message, value=""):
        self.count += 1
        self.bad_lines.add(line)
        if len(self.errors) < self.limit:
            self.errors.append(
                RowError(line, printable(column), printable(str(message)), shown(str(value or "")))
            )

    def merge(self, other):
        """Add the errors another log found (a worker's)."""
        self.count += other.count
        self.bad_lines |= other.bad_lines
        self.errors.extend(other.errors[: max(self.limit - len(self.errors), 0)])

    def extend(self, errors):
        for error in errors:
            self.add(error.line, error.column, error.message, error.value)

    @property
    def truncated(self):
        return self.count > len(self.errors)

    def sorted(self):
        return sorted(self.errors)

    def __bool__(self):
        return self.count > 0

    def __len__(self):
        return len(self.bad_lines)


class ImportNotAllowed(Exception):
    """The user the run is recorded for may not do what the file asks (import at all, or move
    recommendations); nothing is written."""


class ImportBusy(Exception):
    """Another import held the database's import lock for longer than this run would wait."""


class BadArguments(ValueError):
    """Options a run cannot take (a column the kind does not have, ``--sheet`` for a CSV
    file); nothing is read or written."""
