"""Number formats and server-drawn SVG charts for the public pages.

Numbers use thousands separators in both languages (Django's Chinese format has none, and
official statistics print 10,105); years and codes are printed plain with ``|unlocalize``.
Charts are inline SVG computed here, so a page reads without JavaScript; every chart's numbers
are also written in the text beside it.
"""

import math
from decimal import Decimal

from django import template
from django.utils.translation import pgettext

from .. import summary
from ..models import Tier

register = template.Library()

DASH = "—"


@register.filter
def num(value, places=None):
    """``10105`` → ``10,105``; decimals to ``places`` (default 1); nothing → a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, int) and places is None:
        return f"{value:,}"
    return f"{Decimal(value):,.{1 if places is None else int(places)}f}"


@register.filter
def percent(share, places=1):
    """``0.381`` → ``38.1%``; nothing (suppressed or undefined) → a dash."""
    if share is None:
        return DASH
    return f"{100 * share:.{int(places)}f}%"


@register.filter
def joined(items):
    """Items written as a list in the active language: "a; b", "a、b"."""
    return pgettext("list separator", "; ").join(str(item) for item in items)


@register.filter
def local(obj):
    """A model's name in the active language (the English one if recorded)."""
    if obj is None:
        return ""
    return summary.localized(obj.name, getattr(obj, "name_en", ""))


def _wrap(text, width):
    """Split ``text`` into lines of about ``width`` characters at spaces (Chinese needs none)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


CHART_WIDTH = 400
LINE = 16
#: The outline drawn for a tier held by none.
NONE_WIDTH = 40


def state_text(state, count):
    """A tier's count as the echelon writes it: the number, or the word of its state."""
    if state == summary.HELD:
        return num(count)
    if state == summary.NONE:
        return pgettext("echelon", "none")
    return pgettext("echelon", "not recorded")


def _sqrt_width(count, largest, usable, least=4):
    """Bar width by the square root of the count (so 6 and 10,105 both show); 0 has no bar."""
    if not count or not largest:
        return 0
    return least + (usable - least) * math.sqrt(count / largest)


@register.inclusion_tag("champions/charts/echelon.html")
def echelon_chart(tiers):
    """The echelon as a pyramid: the levels from the top (national, provincial, municipal), in
    each a centred bar per tier, as wide as its count (square-root scale). A tier held by none
    and one not recorded at all are drawn apart, each with its word."""
    largest = max((tier["count"] for tier in tiers), default=0)
    levels, y = [], 4
    for level in Tier.Level:
        members = [tier for tier in tiers if tier["level"] == level.value]
        if not members:
            continue
        band = {"level": level.value, "label": str(level.label), "label_y": y + 14, "rows": []}
        y += 24
        for tier in members:
            state = summary.tier_state(tier)
            lines = _wrap(f"{tier['label']} · {state_text(state, tier['count'])}", 52)
            width = _sqrt_width(tier["count"], largest, CHART_WIDTH - 20)
            if state == summary.NONE:
                width = NONE_WIDTH  # an empty outline: held by none
            text_y = [y + LINE * (i + 1) - 4 for i in range(len(lines))]
            bar_y = y + LINE * len(lines) + 2
            band["rows"].append(
                {
                    **tier,
                    "state": state,
                    "lines": list(zip(text_y, lines, strict=True)),
                    "bar_x": round((CHART_WIDTH - width) / 2, 1),
                    "bar_y": bar_y,
                    "bar_width": round(width, 1),
                }
            )
            y = bar_y + 22
        band["rule_y"] = y - 4
        levels.append(band)
        y += 6
    return {"levels": levels, "width": CHART_WIDTH, "height": y, "center": CHART_WIDTH // 2}


@register.inclusion_tag("champions/charts/funnel.html")
def funnel_chart(stages, label):
    """A batch's funnel: one bar per stage, as long as its share of the nominations."""
    first = stages[0]["count"] if stages else 0
    rows, y = [], 4
    for stage in stages:
        width = (CHART_WIDTH - 4) * stage["count"] / first if first else 0
        rows.append(
            {
                **stage,
                "text_y": y + 13,
                "text": pgettext("funnel bar", "%(count)s %(stage)s")
                % {"count": num(stage["count"]), "stage": stage["label"]},
                "bar_y": y + 18,
                "bar_width": round(max(width, 2 if stage["count"] else 0), 1),
            }
        )
        y += 38
    return {"rows": rows, "width": CHART_WIDTH, "height": y, "label": label}


@register.inclusion_tag("champions/charts/ranking.html")
def ranking_chart(rows, label):
    """The cities of the province, largest count first, the registry's city highlighted."""
    bars, y = [], 4
    usable = CHART_WIDTH - 150
    for row in rows:
        width = round(max(usable * row["share"], 2 if row["count"] else 0), 1)
        bars.append(
            {
                **row,
                "bar_y": y + 3,
                "text_y": y + 13,
                "bar_width": width,
                "count_x": round(width + 104, 1),
                "count_text": num(row["count"]),
            }
        )
        y += 22
    return {"rows": bars, "width": CHART_WIDTH, "height": y + 2, "label": label}


@register.simple_tag
def tier_count_text(tier):
    return state_text(summary.tier_state(tier), tier["count"])


@register.simple_tag
def suppression_note():
    return summary.suppression_note()
