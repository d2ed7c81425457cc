"""Parsers for the cells of a CSV file, and the formula escaping shared with the export.

Each parser takes the text of one cell and returns the value to store, or raises ``CellError``
with a message for the data officer. An empty cell means "no value", never zero. Structured
values (numbers, dates, codes, choices) are NFKC-normalised first, so full-width digits and
letters from Excel files are read as ASCII; free text keeps its characters (official names are
written with full-width brackets) and is only trimmed.

Files are read a column of a few thousand cells at a time (``parse_column``). The parsers of the
columns a million-row file has (codes, names, regions, years) also have a fast path, ``fast``,
that takes a whole column and settles the plain cells in one loop; every other cell goes to the
parser itself, so the rules and messages live in one place.
"""

import datetime
import re
import string
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..models.common import MAX_YEAR, MIN_YEAR
from ..validators import CREDIT_CODE_ALPHABET, credit_code_error, normalize_credit_code
from .errors import CellError

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Separators of a list inside one cell (former names, sponsors, participants).
LIST_SEPARATORS = re.compile(r"[;；]")

#: What a fast path gives for a cell it leaves to the full parser.
SLOW = object()


def parse_column(parse, cells):
    """``(values, failures)`` for a column of cells; ``failures`` are ``(index, CellError)``."""
    fast = getattr(parse, "fast", None)
    values = fast(cells) if fast else [SLOW] * len(cells)
    failures = []
    for index in [index for index, value in enumerate(values) if value is SLOW]:
        try:
            values[index] = parse(cells[index])
        except CellError as error:
            values[index] = None
            failures.append((index, error))
    return values, failures


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


def needs_formula_escape(value):
    """Whether the export must prefix ``value`` with ``'`` so that a spreadsheet shows it as text.

    A value that already starts with ``'`` before such a character is escaped too, so that the
    import, which removes exactly one ``'``, gives back what was exported.
    """
    while value[:1] == "'":
        value = value[1:]
    return value[:1] in FORMULA_STARTS


def escape_formula(value):
    return "'" + value if needs_formula_escape(value) else value


def unescape_formula(value):
    return value[1:] if value[:1] == "'" and needs_formula_escape(value) else value


def normalize(value):
    """NFKC and trimmed: how every structured cell is read."""
    if value[:1] == "'":
        value = unescape_formula(value)
    if not value.isascii():  # ASCII is already NFKC; most cells are, and this is the hot path
        value = unicodedata.normalize("NFKC", value)
    return value.strip()


def _check_length(value, max_length):
    if len(value) > max_length:
        raise CellError(
            _("at most %(max)d characters, this has %(count)d")
            % {"max": max_length, "count": len(value)}
        )
    return value


def text(max_length, empty=""):
    """Free text, trimmed; ``empty`` for an empty cell ("" clears the field, None keeps it)."""

    def parse(raw):
        value = (unescape_formula(raw) if raw[:1] == "'" else raw).strip()
        return _check_length(value, max_length) if value else empty

    def fast(cells):
        return [
            value
            if (value := raw.strip()) and len(value) <= max_length and value[0] != "'"
            else (SLOW if value else empty)
            for raw in cells
        ]

    parse.fast = fast
    return parse


def text_list(max_length):
    """Names separated by ``;`` in one cell, each trimmed, in the file's order, without repeats.

    The formula escape belongs to the cell, not to the names in it: a name may start with ``'``.
    """

    def parse(raw):
        items = [item.strip() for item in LIST_SEPARATORS.split(unescape_formula(raw))]
        return tuple(dict.fromkeys(_check_length(item, max_length) for item in items if item))

    return parse


def _plain_number(raw):
    """The cell without thousands separators, or "" for an empty cell."""
    value = normalize(raw).replace(" ", "")
    if "," in value:
        if not _THOUSANDS.match(value):
            raise CellError(_("misplaced thousands separator"))
        value = value.replace(",", "")
    return value


def integer(minimum=0, maximum=2**31 - 1):
    def parse(raw):
        value = _plain_number(raw)
        if not value:
            return None
        if not value.isdecimal():
            raise CellError(_("not a whole number"))
        number = int(value)
        if not minimum <= number <= maximum:
            raise CellError(
                _("must be between %(min)s and %(max)s") % {"min": minimum, "max": maximum}
            )
        return number

    return parse


def decimal(max_digits=16, decimal_places=2, *, negative=False, maximum=None, percent=False):
    """A non-negative amount (money in 10k yuan) with at most ``decimal_places`` decimals;
    ``negative``: it may be below zero (a net profit); ``maximum``: the largest value allowed;
    ``percent``: a trailing ``%`` is accepted (a share written ``12.5%``)."""
    integer_digits = max_digits - decimal_places

    def parse(raw):
        value = _plain_number(raw)
        if percent:
            value = value.removesuffix("%")
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(_("not a number")) from None
        if not number.is_finite():
            raise CellError(_("not a number"))
        if number < 0 and not negative:
            raise CellError(_("cannot be negative"))
        if maximum is not None and number > maximum:
            raise CellError(_("at most %(max)s") % {"max": maximum})
        sign, digits, exponent = number.as_tuple()
        if -exponent > decimal_places:
            raise CellError(_("at most %(places)d decimal places") % {"places": decimal_places})
        if len(digits) + exponent > integer_digits:
            raise CellError(_("too large"))
        return number

    return parse


_YEAR_SUFFIX = re.compile(r"\s*年(度)?$")


def year(raw):
    value = _YEAR_SUFFIX.sub("", normalize(raw))
    if not value:
        return None
    if not (value.isdecimal() and len(value) == 4):
        raise CellError(_("not a year"))
    number = int(value)
    if not MIN_YEAR <= number <= MAX_YEAR:
        raise CellError(
            _("a year between %(min)d and %(max)d") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def date(raw):
    """A date as 2021-07-12, 2021/7/12, 2021.7.12, 2021年7月12日 or 20210712."""
    value = normalize(raw).replace(" ", "")
    if not value:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                parsed = datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(_("no such date")) from None
            if not MIN_YEAR <= parsed.year <= MAX_YEAR:
                raise CellError(_("no such date"))
            return parsed
    raise CellError(_("not a date (write it as 2021-07-12)"))


def match_key(value):
    """How words are compared with a list of accepted spellings: NFKC, no spaces, quotes or round
    brackets, case-folded. Tier names are published as 专精特新“小巨人”企业, 〝小巨人〞, "小巨人"
    or without quotes, and 首台（套） as 首台(套) or 首台套 (NFKC makes brackets ASCII)."""
    return "".join(_IGNORED.sub("", normalize(value)).split()).casefold()


_IGNORED = re.compile(r"[\"'“”‘’「」『』《》〝〞〟‟„()]")


def choice(spellings, name):
    """One of a fixed set of values; ``spellings`` maps every accepted word to the value."""
    by_key = {match_key(word): value for word, value in spellings.items()}
    accepted = "、".join(dict.fromkeys(spellings))

    def parse(raw):
        key = match_key(raw)
        if not key:
            return None
        try:
            return by_key[key]
        except KeyError:
            raise CellError(
                _("unknown %(name)s; accepted: %(accepted)s") % {"name": name, "accepted": accepted}
            ) from None

    return parse


boolean = choice(
    {
        "yes": True,
        "no": False,
        "true": True,
        "false": False,
        "1": True,
        "0": False,
        "是": True,
        "否": False,
        "y": True,
        "n": False,
    },
    "yes/no value",
)


def _year_fast(cells):
    values = []
    for raw in cells:
        if len(raw) == 4 and raw.isascii() and raw.isdigit():
            number = int(raw)
            values.append(number if MIN_YEAR <= number <= MAX_YEAR else SLOW)
        else:
            values.append(SLOW if raw else None)
    return values


year.fast = _year_fast


#: A code Excel turned into a number: ``9.13303001234568E+17`` (as a workbook or a CSV saved
#: by Excel shows it), or ``913303001234567890.0``. Excel keeps 15 significant digits, so the
#: code's last digits are gone and only entering it again as text brings them back.
_CODE_AS_EXCEL_NUMBER = re.compile(r"\d(?:\.\d+)?E\+?\d+|\d+\.0+")


def credit_code(raw):
    """A unified social credit code, upper-cased and checked (GB 32100-2015)."""
    code = normalize_credit_code(unescape_formula(raw) if raw[:1] == "'" else raw)
    if not code:
        return None
    message = credit_code_error(code)
    if message and _CODE_AS_EXCEL_NUMBER.fullmatch(code):
        message = _(
            "Excel stored this credit code as a number and lost its last digits; format the "
            "column as text and enter the codes again"
        )
    if message:
        raise CellError(message)
    return code


#: The check of a code's first 17 characters in two C calls, for the fast path: read last
#: first as the digits of a number in base 34, each character standing for its value in the
#: code's alphabet, they make a number equal, modulo 31, to the weighted sum GB 32100 checks
#: (weights 3**i mod 31, ``validators``), since 34 = 3 (mod 31). A character outside the
#: alphabet becomes "#", which ``int`` refuses.
_BASE34_DIGITS = str.maketrans(
    {
        char: "0123456789abcdefghijklmnopqrstuvwxyz"[CREDIT_CODE_ALPHABET.index(char)]
        if char in CREDIT_CODE_ALPHABET
        else "#"
        for char in string.digits + string.ascii_uppercase
    }
)
#: The check character of each remainder of that number modulo 31.
_CHECK_CHARACTERS = [CREDIT_CODE_ALPHABET[(31 - total) % 31] for total in range(31)]


def _credit_code_fast(cells):
    """Codes written plainly: 18 ASCII letters and digits (already NFKC, nothing to trim).

    The code is accepted exactly when ``credit_code_error`` finds nothing (18 characters of
    the alphabet, the right check character), computed as ``_BASE34_DIGITS`` says; every
    other code goes to ``credit_code``, which says what is wrong. A code Excel made a number
    (``9.13303001234568E+17``) is not 18 letters and digits, so it always goes there too.
    """
    values = []
    append = values.append
    digits, checks = _BASE34_DIGITS, _CHECK_CHARACTERS
    for raw in cells:
        if len(raw) == 18 and raw.isascii() and raw.isalnum():
            code = raw.upper()
            try:
                total = int(code[16::-1].translate(digits), 34)
            except ValueError:  # a character outside the alphabet
                append(SLOW)
                continue
            append(code if code[17] == checks[total % 31] else SLOW)
        else:
            append(SLOW if raw else None)
    return values


credit_code.fast = _credit_code_fast
