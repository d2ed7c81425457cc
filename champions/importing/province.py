"""``--province-counts``: a provincial list read as the province comparison as well.

A list of the province names the firms of every city; counted by city, it is what the public
pages rank the city by (``ProvinceCount``). The rows of every city count, this registry's own
included; the rows of other cities are then skipped as usual.
"""

from django.utils.translation import gettext as _

from .. import lifecycle
from ..models import ProvinceCount, Region, Tier

#: The measure a list's rows count towards, by the event they record: an award or a passed
#: review is a title held; a publicity list of a national tier is what the province reported.
MEASURES = {
    (lifecycle.AWARD, ""): ProvinceCount.Measure.IN_FORCE,
    (lifecycle.REVIEW_RESULT, lifecycle.PASSED): ProvinceCount.Measure.IN_FORCE,
}


def count_by_city(staging, area, errors):
    """``{(city code, tier code, year, measure): rows}`` over the staged rows; rows that
    count towards no measure, or give no city, are errors (the option asks for counts that
    the list cannot give)."""
    rows = staging.fetch(
        "SELECT MIN(line), region_id, tier_id, year, event_kind, outcome, COUNT(*) FROM {stg} "
        "GROUP BY region_id, tier_id, year, event_kind, outcome ORDER BY MIN(line)"
    )
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    counts = {}
    for line, region, tier, year, kind, outcome, count in rows:
        measure = MEASURES.get((kind, outcome))
        if kind == lifecycle.PUBLICITY and tiers[tier].level == Tier.Level.NATIONAL:
            measure = ProvinceCount.Measure.SUBMITTED
        city = area.city_of(region) if region else None
        if city is None or area.regions[city].level != Region.Level.CITY:
            errors.add(
                line,
                "--province-counts",
                _("the province counts need each row's city, and this row gives none"),
            )
            continue
        if measure is None:
            errors.add(
                line,
                "--province-counts",
                _(
                    "the province counts are of titles held or of national nominations; "
                    "this row's event is neither"
                ),
            )
            continue
        key = (city, tier, year, measure)
        counts[key] = counts.get(key, 0) + count
    return counts


def write_province_counts(counts, source):
    """Store the counts, replacing what the province comparison had for the same city, tier,
    year and measure: a list of a tier's year is the whole of that year's count."""
    for (city, tier, year, measure), count in counts.items():
        ProvinceCount.objects.update_or_create(
            region_id=city,
            tier_id=tier,
            year=year,
            measure=measure,
            defaults={"count": count, "source": source[:500]},
        )
