"""Normalisation of names as they appear in official lists.

Lists from the ministry, the province and the districts write the same firm with full-width or
half-width brackets, stray spaces and full-width letters. Matching compares the *key* of a name,
never the name itself, so that 温州某某（集团）有限公司 and 温州某某(集团) 有限公司 are one firm.
"""

import unicodedata


def normalize_text(value):
    """NFKC-normalise and trim a cell: full-width digits and letters become half-width."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def name_key(name):
    """The matching key of an enterprise name: NFKC, no white space at all, case-folded.

    NFKC already maps （）to (), and full-width letters and digits to their ASCII forms.
    """
    return "".join(normalize_text(name).split()).casefold()
