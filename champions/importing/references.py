"""Finding tiers, regions, industries and batches from the way official lists write them.

The reference tables are small, so they are read once per import into dictionaries keyed by
every accepted spelling; each lookup is then a dictionary access, whatever the size of the file.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import Batch, Industry, Region, Tier
from .cells import SLOW, match_key, normalize
from .errors import CellError, RowError

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text):
    """The value of a number written in digits or in Chinese numerals up to 999 (第二十一批)."""
    if text.isdecimal():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(text)
    return total + current


#: Cell texts remembered by the lookups (bounded, for files of a million different typos).
MAX_REMEMBERED = 10_000

_NUMERAL = r"([0-9零〇一二两三四五六七八九十百]+)"
_BATCH = re.compile(r"^(?:(\d{4})年度?)?第?" + _NUMERAL + r"(?:批次?)?(?:[(]?(\d{4})年?度?[)]?)?$")


def parse_batch(raw):
    """``(number, year or None)`` from 6, 第6批, 第六批, 2024年第一批 or 第六批(2021年)."""
    value = "".join(normalize(raw).split())
    if not value:
        return None
    match = _BATCH.match(value)
    if not match:
        raise CellError(_("not a batch (write it as 6, 第6批, 第六批 or 2024年第一批)"))
    year_before, numeral, year_after = match.groups()
    number = chinese_number(numeral)
    if number < 1:
        raise CellError(_("a batch number starts at 1"))
    year = year_before or year_after
    return number, int(year) if year else None


class References:
    """The regions, industries, tiers and batches of the registry, by every accepted spelling."""

    def __init__(self):
        tiers = list(Tier.objects.all())
        self._tiers = {}
        ambiguous = set()
        for tier in tiers:
            for spelling in (tier.code, tier.name, tier.name_en, *tier.alias_list):
                key = match_key(spelling)
                if key and self._tiers.setdefault(key, tier) is not tier:
                    ambiguous.add(key)
        for key in ambiguous:
            del self._tiers[key]
        self.regions_by_code = {region.code: region for region in Region.objects.all()}
        self._regions = self._region_spellings()
        self._industries = {}
        for industry in Industry.objects.all():
            for spelling in (industry.code, industry.name, industry.name_en):
                if spelling:
                    self._industries[match_key(spelling)] = industry.code
        #: ``{(tier, key year, number): (id, year)}``; see ``Batch.key_year``.
        self._batches = {
            (batch.tier_id, batch.key_year, batch.number): (batch.pk, batch.year)
            for batch in Batch.objects.all()
        }
        self.batches_created = 0
        self._pending = []
        #: What the file says that the registry keeps otherwise: ``RowError``s, not refusals.
        self.warnings = []
        self._warned = set()
        self.tier = self._lookup_parser(self._tiers, lambda: _("unknown title"))
        self.region = self._lookup_parser(
            self._regions,
            lambda: _("unknown region (give a GB/T 2260 code or a name such as 鹿城区)"),
        )
        self.industry = self._lookup_parser(
            self._industries,
            lambda: (
                _("unknown industry; accepted: %(names)s")
                % {"names": "、".join(sorted(set(self._industries.values())))}
            ),
        )
        self.city_code = settings.CHAMPIONS_CITY_CODE

    def _region_spellings(self):
        """Codes, names, names with their parents' names before them (温州市鹿城区) and, where
        unambiguous, names without the final 区/县/市 (鹿城)."""
        spellings, short, ambiguous = {}, {}, set()
        for region in self.regions_by_code.values():
            chain = [region]
            while chain[-1].parent_id and chain[-1].parent_id in self.regions_by_code:
                chain.append(self.regions_by_code[chain[-1].parent_id])
            names = [item.name for item in reversed(chain)]
            for start in range(len(names)):
                spellings.setdefault(match_key("".join(names[start:])), region.code)
            spellings[region.code] = region.code
            if region.name_en:
                spellings.setdefault(match_key(region.name_en), region.code)
            if len(region.name) > 2 and region.name[-1] in "区县市省":
                key = match_key(region.name[:-1])
                if short.setdefault(key, region.code) != region.code:
                    ambiguous.add(key)
        for key, code in short.items():
            if key not in ambiguous:
                spellings.setdefault(key, code)
        return spellings

    def _lookup_parser(self, spellings, unknown):
        """A cell parser finding ``spellings[match_key(cell)]``, which remembers the cells it has
        seen: a file spells a few dozen regions a million times. Its fast path serves a column
        of remembered cells with one dictionary access each."""
        seen = {}

        def parse(raw):
            if raw in seen:
                return seen[raw]
            key = match_key(raw)
            found = None
            if key:
                try:
                    found = spellings[key]
                except KeyError:
                    raise CellError(unknown()) from None
            if len(seen) < MAX_REMEMBERED:
                seen[raw] = found
            return found

        parse.fast = lambda cells: [seen.get(raw, SLOW) for raw in cells]
        return parse

    def batch_id(self, tier, number, year, *, line=0, column=""):
        """The id of the batch; for a batch the registry does not have yet, a negative stand-in
        that ``create_pending_batches`` replaces once the file has been read (the database is
        busy receiving rows meanwhile).

        A tier numbered across years has one batch of each number: a row giving it another year
        than the registry's is read as that batch, with a warning naming both years.
        """
        key = (tier.code, Batch.key_year_for(tier, year), number)
        if key not in self._batches:
            self._batches[key] = (-1 - len(self._pending), year)
            self._pending.append((tier, year, number))
        batch_id, known_year = self._batches[key]
        if known_year != year and (key, year) not in self._warned:
            self._warned.add((key, year))
            self.warnings.append(
                RowError(
                    line,
                    column,
                    _(
                        "batch %(number)d of “%(tier)s” is the batch of %(known)d; this row says "
                        "%(given)d. One batch, kept as %(known)d."
                    )
                    % {"number": number, "tier": tier.name, "known": known_year, "given": year},
                    str(year),
                )
            )
        return batch_id

    def create_pending_batches(self, staging):
        """Create the batches the file named for the first time, and put their ids in place."""
        for index, (tier, year, number) in enumerate(self._pending):
            batch = Batch.objects.create(tier=tier, year=year, number=number)
            staging.execute(
                "UPDATE {stg} SET batch_id = %s WHERE batch_id = %s", [batch.pk, -1 - index]
            )
            self._batches[tier.code, batch.key_year, number] = (batch.pk, year)
        self.batches_created += len(self._pending)
        self._pending = []
