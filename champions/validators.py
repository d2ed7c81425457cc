"""The unified social credit code (统一社会信用代码, GB 32100-2015).

One normaliser and one validator, used by the model field, the admin forms and the importer, so
that a code is accepted or refused the same way wherever it is entered.
"""

import operator
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The 31 characters a code may use: digits and upper-case letters without I, O, S, V and Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CHAR_VALUE = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}
_ALPHABET = frozenset(CREDIT_CODE_ALPHABET)
#: Weight of each of the first 17 positions: 3**i mod 31.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
CREDIT_CODE_LENGTH = 18


def normalize_credit_code(value):
    """Return the code in canonical form: NFKC (full-width → half-width), no spaces, upper-case.

    ``None`` and blank strings become ``""`` so that callers can store "no code" as NULL.
    """
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def credit_code_check_character(first17):
    """The check character for the first 17 characters of a code (they must be in the alphabet)."""
    if len(first17) != len(_WEIGHTS):
        raise ValueError(f"expected {len(_WEIGHTS)} characters, got {len(first17)}")
    # map() instead of a generator: the importer checks a million codes per file.
    total = sum(map(operator.mul, map(_CHAR_VALUE.__getitem__, first17), _WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code):
    """Why ``code`` (already normalised) is not a valid credit code, or ``None`` when it is.

    The importer calls this on every row, so it returns a message instead of raising.
    """
    if len(code) != CREDIT_CODE_LENGTH:
        return _("a credit code has 18 characters, this one has %(count)d") % {"count": len(code)}
    if not _ALPHABET.issuperset(code):
        bad = [char for char in code if char not in _CHAR_VALUE]
        return _("a credit code cannot contain %(chars)s") % {"chars": "".join(dict.fromkeys(bad))}
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        return _("wrong check character: the last character should be %(expected)s") % {
            "expected": expected
        }
    return None


def validate_credit_code(value):
    """Django validator: raises ``ValidationError`` for a code that fails GB 32100-2015."""
    code = normalize_credit_code(value)
    if not code:
        return
    message = credit_code_error(code)
    if message:
        raise ValidationError(message, code="invalid_credit_code", params={"value": value})
