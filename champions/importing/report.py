"""What a run says it did with every line of its file: the lines printed by ``import_csv``
(the same for a dry run and a real one), and the line-by-line file of ``--report``.

A line of the file is a data row that was created, updated or left unchanged; a row refused
with its problems; a row skipped because its firm is another place's, or not in the registry
(``--known-only``); or a line that is not a row at all (title, header, section, repeated
header, footnote: ``Layout.skipped``). Blank lines are not listed.
"""

import csv

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import DesignationEvent, EventKind, ProvinceCount
from .cells import escape_formula
from .errors import printable, shown

#: Names printed in full on the terminal; the rest are counted (``--report`` has every line).
MAX_NAMES_SHOWN = 1000

OUTCOMES = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "skipped": gettext_lazy("skipped"),
    "refused": gettext_lazy("refused"),
    "not_found": gettext_lazy("not in the registry"),
    "not_written": gettext_lazy("not written"),
}


def describe(result):
    """The report's lines, in the language of the run."""
    layout, kind = result.layout, result.kind
    lines = []
    if layout is not None and layout.header_lines:
        first, last = layout.header_lines[0], layout.header_lines[-1]
        lines.append(
            _("Header: line %(line)d.") % {"line": first}
            if first == last
            else _("Header: lines %(first)d–%(last)d (two rows).") % {"first": first, "last": last}
        )
        for skipped in layout.skipped:
            if skipped.reason == "header":
                continue
            text = _("line %(line)d skipped: %(reason)s (%(text)s)") % {
                "line": skipped.line,
                "reason": skipped.reason_text,
                "text": shown(skipped.text),
            }
            if skipped.applies:
                text += " → " + "; ".join(
                    f"{result.header_label(name)} {shown(value)}"
                    for name, value in skipped.applies.items()
                )
            lines.append(text)
        for column, count in layout.filled_down.items():
            lines.append(
                _("Filled down: %(count)d empty cells of %(column)s from the row above.")
                % {"count": count, "column": column}
            )
    if kind is None:
        return lines
    for city, city_lines in sorted(kind.outside.items(), key=lambda item: -len(item[1])):
        lines.append(
            _("Skipped, another place's firms: %(place)s %(count)d (lines %(lines)s).")
            % {
                "place": kind.area.describe(city),
                "count": len(city_lines),
                "lines": _line_list(city_lines),
            }
        )
    if kind.not_found:
        lines.append(
            _("Not in the registry, no event recorded (%(count)d):")
            % {"count": len(kind.not_found)}
        )
        for line, name, place in kind.not_found[:MAX_NAMES_SHOWN]:
            text = _("  line %(line)d: %(name)s") % {"line": line, "name": shown(name or "")}
            if place:
                text += _(" — names %(place)s: possibly this registry's firm, to check") % {
                    "place": place
                }
            lines.append(text)
        lines += _more(len(kind.not_found))
    if result.refused:
        return lines
    if result.firms_created_count:
        lines.append(
            (
                _("Enterprises that would be created (%(count)d):")
                if result.dry_run
                else _("Enterprises created (%(count)d):")
            )
            % {"count": result.firms_created_count}
        )
        lines += [
            _("  line %(line)d: %(name)s") % {"line": line, "name": shown(name or "")}
            for line, name in result.firms_created
        ]
        lines += _more(result.firms_created_count)
    batches = kind.references.created_batches
    if batches:
        lines.append(
            (
                _("Batches that would be created: %(batches)s")
                if result.dry_run
                else _("Batches created: %(batches)s")
            )
            % {"batches": "；".join(str(batch) for batch in batches)}
        )
    if kind.events:
        lines.append(
            (
                _("Events that would be recorded: %(events)s")
                if result.dry_run
                else _("Events recorded: %(events)s")
            )
            % {
                "events": "，".join(
                    f"{_event_label(event_kind, outcome)} {count}"
                    for (event_kind, outcome), count in sorted(kind.events.items())
                )
            }
        )
    for (city, tier, year, measure), count in getattr(kind, "province_counted", {}).items():
        lines.append(
            _("Province comparison: %(city)s, %(tier)s, %(year)s, %(measure)s: %(count)d")
            % {
                "city": kind.area.describe(city),
                "tier": tier,
                "year": year,
                "measure": ProvinceCount.Measure(measure).label,
                "count": count,
            }
        )
    return lines


def line_outcomes(result):
    """``[(line, outcome, reason, value)]`` for every line of the file but blank ones."""
    layout, kind = result.layout, result.kind
    rows = {}
    if layout is not None:
        for skipped in layout.skipped:
            rows[skipped.line] = ("skipped", skipped.reason_text, skipped.text)
    if kind is not None:
        for city, city_lines in kind.outside.items():
            reason = _("another place's firm (%(place)s)") % {"place": kind.area.describe(city)}
            for line in city_lines:
                rows[line] = ("skipped", reason, "")
        for line, name, place in kind.not_found:
            reason = (
                _("names %(place)s: possibly this registry's firm, to check") % {"place": place}
                if place
                else ""
            )
            rows[line] = ("not_found", reason, name or "")
    for line, outcome in result.line_outcomes:
        rows.setdefault(line, (outcome, "", ""))
    problems = {}
    for error in result.errors.sorted():
        problems.setdefault(error.line, []).append(str(error))
    for line, messages in problems.items():
        rows[line] = ("refused", " / ".join(messages), "")
    if layout is not None and result.refused:
        for line in layout.data_lines or ():
            rows.setdefault(line, ("not_written", _("the file was refused"), ""))
    return [(line, *rows[line]) for line in sorted(rows)]


def write_line_report(path, result):
    """``--report OUT.csv``: UTF-8 with BOM, formula cells escaped, for Excel."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_("line"), _("outcome"), _("why"), _("value")])
        for line, outcome, reason, value in line_outcomes(result):
            writer.writerow(
                [
                    line,
                    str(OUTCOMES[outcome]),
                    escape_formula(printable(str(reason))),
                    escape_formula(printable(str(value))),
                ]
            )


def _event_label(kind, outcome):
    label = str(EventKind(kind).label)
    if outcome:
        label += f" ({DesignationEvent.Outcome(outcome).label})"
    return label


def _line_list(lines, shown_lines=20):
    listed = ", ".join(str(line) for line in lines[:shown_lines])
    return listed + (" …" if len(lines) > shown_lines else "")


def _more(count):
    if count <= MAX_NAMES_SHOWN:
        return []
    return [
        _("  … and %(more)d more (--report lists every line)") % {"more": count - MAX_NAMES_SHOWN}
    ]
