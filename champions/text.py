"""Normalisation of names as they appear in official lists.

Lists from the ministry, the province and the districts write the same firm with full-width or
half-width brackets, stray spaces and full-width letters. Matching compares the *key* of a name,
never the name itself, so that 温州某某（集团）有限公司 and 温州某某(集团) 有限公司 are one firm.
"""

import functools
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


#: Tone marks as pypinyin writes them, and the tone each stands for (the neutral tone, 5, has
#: none). ``ü`` is written ``v``, as in pypinyin's TONE3 style (``lv4``).
_TONE_MARKS = {
    **{mark: ("a", tone) for tone, mark in enumerate("āáǎà", 1)},
    **{mark: ("e", tone) for tone, mark in enumerate("ēéěè", 1)},
    **{mark: ("i", tone) for tone, mark in enumerate("īíǐì", 1)},
    **{mark: ("o", tone) for tone, mark in enumerate("ōóǒò", 1)},
    **{mark: ("u", tone) for tone, mark in enumerate("ūúǔù", 1)},
    **{mark: ("v", tone) for tone, mark in enumerate("ǖǘǚǜ", 1)},
    **{mark: ("n", tone) for tone, mark in enumerate("ńňǹ", 2)},
    "ḿ": ("m", 2),
    "ü": ("v", 5),
}

#: A character's place in pinyin order, by group: symbols and punctuation, then digits, then
#: Han characters, then letters (as ICU's Chinese collation puts them).
_SYMBOL, _DIGIT, _HAN, _LETTER = range(4)


def _tone3(reading):
    """``("wen", 1)`` for ``wēn``: the syllable without its tone mark, and the tone (5: none)."""
    tone, letters = 5, []
    for char in reading:
        letter, tone = _TONE_MARKS.get(char, (char, tone))
        letters.append(letter)
    return "".join(letters), tone


@functools.cache
def _pinyin_table():
    """Every Han character pypinyin knows → its sort key, ``(_HAN, "lu", "lv", 4, "绿")``: the
    syllable with ü as u, the syllable (ü as v), the tone, the character (``pinyin_sort_key``).

    Built once, on first use (about 0.5 s): from pypinyin's single-character readings, not its
    phrases, so a character read several ways gets its most common reading, the first pypinyin
    lists (行 xíng, never háng; 重 zhòng; 长 cháng).
    """
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code_point, readings in pinyin_dict.items():
        char = chr(code_point)
        syllable, tone = _tone3(readings.split(",", 1)[0])
        table[char] = (_HAN, syllable.replace("v", "u"), syllable, tone, char)
    return table


def _other_key(char):
    """The key of a character of a ``name_key`` (NFKC, case-folded already) that is no Han
    character pypinyin knows: digits and letters (of any script, by code point, so Latin
    first) in their groups; anything else (punctuation, symbols) first of all."""
    if char.isdigit():
        return (_DIGIT, char, "", 0, "")
    return (_LETTER if char.isalpha() else _SYMBOL, char, "", 0, "")


@functools.lru_cache(maxsize=65_536)
def pinyin_sort_key(name):
    """The key that sorts names in pinyin order, as Chinese readers expect a list of firms.

    A tuple with one item per character of the name's ``name_key`` (NFKC, no spaces,
    case-folded). A Han character's is ``(_HAN, "wen", "wen", 1, "温")``: its pinyin syllable,
    then its tone as a number (5 for the neutral tone), then the character itself, so that the
    syllables compare first, the tones break ties, and two characters read alike still differ
    (by code point). ü compares as u, then after it, as in ICU's order: lu, lü, luan, lüe
    (``("lu", "lv")``, ``("lue", "lve")``). Any other character comes as itself, in its group:
    symbols and punctuation first, then digits, then Han characters, then letters, as ICU's
    Chinese collation puts them. A shorter name sorts before the longer one it begins.

    Fast (a look-up per character, cached per name), since SQLite sorts with it
    (``champions.collation``): each character has one reading, its most common one (the first
    pypinyin lists), not the one its neighbours call for: 银行 is read yín xíng here, where
    pypinyin's phrases say yín háng (ICU, on PostgreSQL, also reads each character one way,
    though not always the same way: 长 zhǎng there). Names with the same key are told apart by
    the caller (``name_key``, then the id).
    """
    table = _pinyin_table()
    return tuple(table.get(char) or _other_key(char) for char in name_key(name))
