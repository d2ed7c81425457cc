"""The registry's own area, and what an import does with rows of firms outside it.

The area is ``CHAMPIONS_CITY_CODE``: a city, or a province for a province-wide registry. A
provincial or national list names firms of every city; those of other cities (宁波市 has its
own plan and its own registry) are not this registry's firms: their rows are skipped and counted
by city, never imported, so no page of this city shows them.
"""

from django.conf import settings

from ..models import Region
from .cells import match_key
from .errors import CellError


class Area:
    """The region ``code`` and every region under it, out of ``regions_by_code``."""

    def __init__(self, regions_by_code, code=None):
        self.code = code or settings.CHAMPIONS_CITY_CODE
        self.regions = regions_by_code
        self.codes = {c for c in regions_by_code if self._under(c)}
        area = regions_by_code.get(self.code)
        #: Names of the area and its parts, for marking a name as possibly this area's firm
        #: (温州, 乐清, 瑞安 …): the names without their final 市/区/县.
        self.place_names = sorted(
            {
                _short(region.name)
                for region in regions_by_code.values()
                if region.code in self.codes and region.level != Region.Level.PROVINCE
            }
            | ({_short(area.name)} if area else set()),
            key=len,
            reverse=True,
        )

    def _under(self, code):
        while code:
            if code == self.code:
                return True
            region = self.regions.get(code)
            code = region.parent_id if region else None
        return False

    def __contains__(self, code):
        return code in self.codes

    def city_of(self, code):
        """The city a region belongs to (a city or a province is its own), for counting rows
        by city."""
        region = self.regions.get(code)
        while region is not None and region.level == Region.Level.COUNTY:
            region = self.regions.get(region.parent_id)
        return region.code if region is not None else code

    def possibly_ours(self, name):
        """The place of this area that ``name`` names (乐清 in 乐清市示例阀门有限公司), or
        an empty string."""
        return next((place for place in self.place_names if place and place in name), "")

    def region_parser(self, parse):
        """The region cell parser ``parse``, which also takes a place outside the area that it
        does not know by its whole name (江苏省苏州市, 北京市海淀区): such a cell is read as the
        outer region it starts with, so that the row is skipped as another place's. A place
        inside the area must be known exactly: reading it as its city would put a firm at the
        wrong level."""
        prefixes = sorted(
            (
                (match_key(region.name), code)
                for code, region in self.regions.items()
                if code not in self.codes and region.level != Region.Level.COUNTY
            ),
            key=lambda item: -len(item[0]),
        )

        def parse_region(raw):
            try:
                return parse(raw)
            except CellError:
                key = match_key(raw)
                outer = next((code for prefix, code in prefixes if key.startswith(prefix)), None)
                if outer is None or any(place in raw for place in self.place_names if place):
                    raise
                return outer

        fast = getattr(parse, "fast", None)
        if fast is not None:
            parse_region.fast = fast
        return parse_region

    def describe(self, code):
        region = self.regions.get(code)
        return region.name if region else code


def _short(name):
    return name[:-1] if len(name) > 2 and name[-1] in "市区县省" else name
