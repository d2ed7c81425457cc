"""The two layouts of a breakdown (by region, by industry), from the rows its table has.

At desktop widths the matrix shows every tier's column, grouped under its level (national,
provincial, municipal); on a phone each row becomes a card listing the titles it holds, by level,
with the same counts and links. Both are drawn from the same ``Table`` rows: no second query.
"""

from django import template

from ..models import Tier

register = template.Library()


def _by_level(items):
    """``items`` (each with a ``level``) in runs of one level, in their order."""
    labels = dict(Tier.Level.choices)
    runs = []
    for item in items:
        if not runs or runs[-1]["level"] != item["level"]:
            runs.append(
                {"level": item["level"], "label": labels.get(item["level"], ""), "items": []}
            )
        runs[-1]["items"].append(item)
    return runs


@register.simple_tag
def matrix_layout(table):
    """``{"levels": [...], "cards": [...]}`` of a breakdown's table.

    ``levels``: the header's groups of tier columns (``level``, ``label``, ``span``). ``cards``:
    one per row, with ``row``, its non-zero tiers grouped by level (``label``, ``cell``) and
    ``zeros``, the number of tiers it holds none of.
    """
    tiers = table.columns[3:-1]
    levels = _by_level({"level": column.group} for column in tiers)
    for level in levels:
        level["span"] = len(level.pop("items"))
    cards = []
    for row in table.rows:
        held = [
            {"level": column.group, "label": column.label, "cell": cell}
            for column, cell in zip(tiers, row["cells"], strict=True)
            if cell["count"]
        ]
        cards.append({"row": row, "levels": _by_level(held), "zeros": len(tiers) - len(held)})
    return {"levels": levels, "cards": cards}
