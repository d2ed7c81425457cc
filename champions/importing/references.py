"""Finding tiers, regions, industries and batches from the way official lists write them.

The reference tables are small, so they are read once per import into dictionaries keyed by
every accepted spelling; each lookup is then a dictionary access, whatever the size of the file.

Titles are the hard part: lists shorten them (单项冠军 for 制造业单项冠军企业) and say the level
apart, in a 级别 column or before the title (省级…, 浙江省…). The rule, here and only here:

- a text that is a tier's code, name or alias is that tier, or a ``TierChoice`` when several
  tiers claim it;
- any other text with a level written before it (省级单项冠军) is read without that level and
  without a final 企业, and means the tiers of that level whose spellings shorten to the same;
- the row's level (``References.resolve_tier``) settles a choice, and decides over the level
  of a tier: the tiers whose spellings shorten to the same are one programme at several levels,
  so 单项冠军 is the national title, and in a row of level 省级 the provincial one.
"""

import difflib
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Batch, Industry, Region, Tier
from . import cells
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


#: How lists write a level, in a 级别 column or before a title (国家级…, 省内首台（套）). The names
#: of the city and of its province (温州市, 温州, 浙江省, 浙江) count too before a title.
LEVEL_WORDS = {
    "国家级": Tier.Level.NATIONAL,
    "国家": Tier.Level.NATIONAL,
    "国内": Tier.Level.NATIONAL,
    "national": Tier.Level.NATIONAL,
    "省级": Tier.Level.PROVINCIAL,
    "省": Tier.Level.PROVINCIAL,
    "省内": Tier.Level.PROVINCIAL,
    "provincial": Tier.Level.PROVINCIAL,
    "市级": Tier.Level.MUNICIPAL,
    "市": Tier.Level.MUNICIPAL,
    "municipal": Tier.Level.MUNICIPAL,
}

#: What lists leave off the end of a title (单项冠军 for 单项冠军企业).
TITLE_SUFFIX = "企业"

#: Known spellings an unknown title's message suggests (as their tiers' official names).
NEAREST_SHOWN = 3


@dataclass(frozen=True)
class TierChoice:
    """A title cell whose text may mean several tiers: the text, and those tiers in echelon
    order. The tier parser gives it instead of guessing; ``References.resolve_tier`` settles it
    with the row's level or refuses the row with the candidates."""

    spelling: str
    candidates: tuple


def _either(names):
    """``A or B`` (``A、B or C``): names are Chinese, so ``、`` separates them in any language."""
    if len(names) == 1:
        return names[0]
    return _("%(names)s or %(last)s") % {"names": "、".join(names[:-1]), "last": names[-1]}


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
        self.city_code = settings.CHAMPIONS_CITY_CODE
        self.regions_by_code = {region.code: region for region in Region.objects.all()}
        self._regions = self._region_spellings()
        self._level_prefixes = self._level_prefixes_of_city()
        self._read_tiers()
        self._industry_list = list(Industry.objects.all())
        self._industries = {}
        for industry in self._industry_list:
            for spelling in (industry.code, industry.name, industry.name_en):
                if spelling:
                    self._industries[match_key(spelling)] = industry.code
        #: ``{(tier, key year, number): (id, year)}``; see ``Batch.key_year``.
        self._batches = {
            (batch.tier_id, batch.key_year, batch.number): (batch.pk, batch.year)
            for batch in Batch.objects.all()
        }
        #: The batches ``create_pending_batches`` made, for the run's report.
        self.created_batches = []
        self._pending = []
        #: What the file says that the registry keeps otherwise: ``RowError``s, not refusals.
        self.warnings = []
        self._warned = set()
        self.tier = self._lookup_parser(self._find_tier)
        self.region = self._lookup_parser(
            self._found_in(
                self._regions,
                lambda: _("unknown region (give a GB/T 2260 code or a name such as 鹿城区)"),
            )
        )
        self.industry = self._lookup_parser(
            self._found_in(self._industries, self._unknown_industry)
        )
        #: The 级别 column: a ``Tier.Level``.
        self.level = cells.choice(LEVEL_WORDS, _("level"))

    def _region_spellings(self):
        """Codes, names, names with their parents' names before them (温州市鹿城区), where
        unambiguous names without the final 区/县/市 (鹿城), then the regions' aliases, alone and
        after their parents' names (温州市经开区). An alias never takes an official spelling, and
        one that two regions claim means neither."""
        spellings, short, ambiguous, aliases = {}, {}, set(), {}
        for region in self.regions_by_code.values():
            chain = [region]
            while chain[-1].parent_id and chain[-1].parent_id in self.regions_by_code:
                chain.append(self.regions_by_code[chain[-1].parent_id])
            names = [item.name for item in reversed(chain)]
            for start in range(len(names)):
                spellings.setdefault(match_key("".join(names[start:])), region.code)
                for alias in region.alias_list:
                    key = match_key("".join(names[start:-1]) + alias)
                    aliases.setdefault(key, set()).add(region.code)
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
        for key, codes in aliases.items():
            if len(codes) == 1:
                spellings.setdefault(key, *codes)
        return spellings

    def _level_prefixes_of_city(self):
        """``(match key, level)`` of the words that say a level before a title, longest first
        (省内 before 省)."""
        prefixes = dict(LEVEL_WORDS)
        city = self.regions_by_code.get(self.city_code)
        province = city and self.regions_by_code.get(city.parent_id)
        for region, level in ((city, Tier.Level.MUNICIPAL), (province, Tier.Level.PROVINCIAL)):
            if region and len(region.name) > 2:
                prefixes[region.name] = level
                prefixes[region.name[:-1]] = level  # 温州 for 温州市, 浙江 for 浙江省
        by_key = {match_key(word): level for word, level in prefixes.items()}
        return sorted(by_key.items(), key=lambda item: -len(item[0]))

    def _short_form(self, key):
        """``(level or None, form)``: a title's match key without a level written before it and
        without a final 企业 (省级单项冠军企业: provincial, 单项冠军)."""
        level = None
        for prefix, prefix_level in self._level_prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                level, key = prefix_level, key[len(prefix) :]
                break
        return level, key.removesuffix(TITLE_SUFFIX) or key

    def _read_tiers(self):
        """The tiers by the match key of each spelling (a key two tiers claim has both), by
        short form, and each tier's programme: the tiers sharing a short form with it, whatever
        their level (制造业单项冠军企业 and 浙江省制造业单项冠军企业)."""
        self._tiers, self._tier_forms = {}, {}
        forms_of = {}
        tiers = list(Tier.objects.order_by("position", "code"))
        for tier in tiers:
            for spelling in (tier.code, tier.name, tier.name_en, *tier.alias_list):
                if key := match_key(spelling):
                    form = self._short_form(key)[1]
                    for mapping, claimed in ((self._tiers, key), (self._tier_forms, form)):
                        claimants = mapping.setdefault(claimed, [])
                        if tier not in claimants:
                            claimants.append(tier)
                    forms_of.setdefault(tier, set()).add(form)
        self._programmes = {
            tier: sorted({t for form in forms for t in self._tier_forms[form]}, key=tiers.index)
            for tier, forms in forms_of.items()
        }

    def _find_tier(self, key, raw):
        """A ``Tier``, or a ``TierChoice`` when the text may mean several (module docstring)."""
        candidates = self._tiers.get(key)
        if not candidates:
            level, form = self._short_form(key)
            # A short form (隐形冠军培育) may mean the tier of each level that has it: the row's
            # 级别, or a level written before it, picks one (``resolve_tier``).
            candidates = [
                t for t in self._tier_forms.get(form, ()) if t.level == (level or t.level)
            ]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return TierChoice(normalize(raw), tuple(candidates))
        nearest = difflib.get_close_matches(key, self._tiers, n=4 * NEAREST_SHOWN)
        names = list(dict.fromkeys(t.name for near in nearest for t in self._tiers[near]))
        if names:
            raise CellError(
                _("unknown title; nearest: %(names)s") % {"names": "、".join(names[:NEAREST_SHOWN])}
            )
        raise CellError(_("unknown title"))

    def resolve_tier(self, value, level=None):
        """The tier a title cell names, given the row's level (a ``Tier.Level`` or None): what
        the tier parser gave (a ``Tier``, a ``TierChoice`` or None for an empty cell) settled.

        A level picks the one candidate of that level; for a ``Tier`` of another level, the tier
        of that level of the same programme (单项冠军 at 省级: 浙江省制造业单项冠军企业). Raises
        ``CellError`` naming the candidates when there is not exactly one.
        """
        if value is None or isinstance(value, Tier) and level in (None, value.level):
            return value
        if isinstance(value, Tier):
            spelling, candidates = value.name, self._programmes.get(value, [value])
        else:
            spelling, candidates = value.spelling, value.candidates
        if level is None:
            raise CellError(
                _(
                    "“%(spelling)s” may mean %(candidates)s; write the full name, "
                    "or give a 级别 column"
                )
                % {"spelling": spelling, "candidates": _either([t.name for t in candidates])}
            )
        of_level = [tier for tier in candidates if tier.level == level]
        if len(of_level) == 1:
            return of_level[0]
        values = {
            "spelling": spelling,
            "candidates": _either([t.name for t in of_level or candidates]),
            "level": Tier.Level(level).label,
        }
        if of_level:
            raise CellError(
                _(
                    "“%(spelling)s” at level “%(level)s” may mean %(candidates)s; "
                    "write the full name"
                )
                % values
            )
        raise CellError(
            _("“%(spelling)s” names no title of level “%(level)s” (only %(candidates)s)") % values
        )

    def _unknown_industry(self):
        """The industries in the language of the run, in their order."""
        if (get_language() or "").startswith("zh"):
            names = "、".join(industry.name for industry in self._industry_list)
        else:
            names = ", ".join(i.name_en or i.name for i in self._industry_list)
        return _("unknown industry; accepted: %(names)s") % {"names": names}

    @staticmethod
    def _found_in(spellings, unknown):
        """A lookup of ``spellings[key]`` for ``_lookup_parser``; ``unknown()`` is the message of
        a text it does not have."""

        def find(key, raw):
            try:
                return spellings[key]
            except KeyError:
                raise CellError(unknown()) from None

        return find

    def _lookup_parser(self, find):
        """A cell parser giving ``find(match key, cell)``, which remembers the cells it has seen
        (and the messages of those it refused): a file spells a few dozen regions a million
        times. Its fast path serves a column of remembered cells with one dictionary access
        each."""
        seen, refused = {}, {}

        def parse(raw):
            if raw in seen:
                return seen[raw]
            if raw in refused:
                raise CellError(refused[raw])
            key = match_key(raw)
            try:
                found = find(key, raw) if key else None
            except CellError as error:
                if len(refused) < MAX_REMEMBERED:
                    refused[raw] = str(error)
                raise
            if len(seen) < MAX_REMEMBERED:
                seen[raw] = found
            return found

        parse.fast = lambda cells: [seen.get(raw, SLOW) for raw in cells]
        return parse

    def known_batch_year(self, tier, number):
        """The year of batch ``number`` of a tier numbered across years, when the registry has
        it (a review sheet names the original batch, 原认定批次, without its year)."""
        if tier.batch_numbering != Tier.Numbering.ACROSS_YEARS:
            return None
        found = self._batches.get((tier.code, Batch.key_year_for(tier, None), number))
        return found[1] if found else None

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
            self.created_batches.append(batch)
            staging.execute(
                "UPDATE {stg} SET batch_id = %s WHERE batch_id = %s", [batch.pk, -1 - index]
            )
            self._batches[tier.code, batch.key_year, number] = (batch.pk, year)
        self._pending = []

    @property
    def batches_created(self):
        return len(self.created_batches)

    def tier_spellings(self):
        """The match keys of every tier's code, names and aliases (what a section row of a
        list may name)."""
        return list(self._tiers)

    def region_spellings(self):
        """``{match key: region code}`` of every accepted spelling of a region."""
        return dict(self._regions)
