"""``manage.py candidates TIER [--as-of DATE] [--kind new|review] [--output FILE]``: the firms of
the city against a tier's eligibility criteria, as CSV (UTF-8 with BOM).

Columns: ``credit_code, name, verdict (qualifies / close / no), holds_tier (yes / no),
conditions``; one line per firm of the city with figures, those who qualify first. The conditions
are written as text in the language of the run. ``champions.eligibility`` does the evaluation.
"""

import csv
import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from champions.eligibility import (
    AmbiguousRuleVersion,
    InvalidCondition,
    NoRuleVersion,
    evaluate_city,
    figures_year,
    rule_version_for,
)
from champions.importing.cells import escape_formula
from champions.importing.errors import CellError
from champions.importing.references import References, TierChoice
from champions.models import RuleVersion

COLUMNS = ("credit_code", "name", "verdict", "holds_tier", "conditions")


def resolve_tier(text):
    """The ``Tier`` a code, name or published spelling names; ``CommandError`` otherwise."""
    try:
        tier = References().tier(text)
    except CellError as error:
        raise CommandError(
            _("Unknown tier %(tier)s: %(reason)s") % {"tier": text, "reason": error}
        ) from None
    if isinstance(tier, TierChoice):
        raise CommandError(
            _("“%(tier)s” may mean %(candidates)s; give the tier's code.")
            % {"tier": text, "candidates": "、".join(t.code for t in tier.candidates)}
        )
    if tier is None:
        raise CommandError(_("Give a tier."))
    return tier


def parse_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": text}) from None


def write_candidates(stream, candidates):
    """The CSV rows of ``candidates``, after the BOM and the header; returns how many."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for candidate in candidates:
        writer.writerow(
            escape_formula(value)
            for value in (
                candidate.credit_code,
                candidate.name,
                candidate.verdict,
                "yes" if candidate.holds_tier else "no",
                candidate.conditions_text(),
            )
        )
    return len(candidates)


class Command(BaseCommand):
    help = _(
        "List the firms of the city with figures against a tier's eligibility criteria on a day, "
        "as CSV (UTF-8 with BOM): who qualifies, who is close, who is not."
    )

    def add_arguments(self, parser):
        parser.add_argument("tier", help=_("The tier's code or name (小巨人, little_giant)."))
        parser.add_argument(
            "--as-of", type=parse_date, help=_("The day of the evaluation (default: today).")
        )
        parser.add_argument(
            "--kind",
            choices=RuleVersion.Kind.values,
            default=RuleVersion.Kind.NEW,
            help=_("A new application (default) or a review."),
        )
        parser.add_argument("--output", "-o", help=_("File to write (default: standard output)."))

    def handle(self, *args, tier, as_of, kind, output, **options):
        tier = resolve_tier(tier)
        as_of = as_of or timezone.localdate()
        try:
            rule_version = rule_version_for(tier, kind, as_of)
            candidates = evaluate_city(tier, as_of, kind)
        except NoRuleVersion:
            raise CommandError(
                _("No rule version of %(tier)s (%(kind)s) applies on %(date)s.")
                % {"tier": tier.code, "kind": kind, "date": as_of.isoformat()}
            ) from None
        except AmbiguousRuleVersion as error:
            raise CommandError(
                _("Several rule versions of %(tier)s (%(kind)s) apply on %(date)s: %(names)s")
                % {
                    "tier": tier.code,
                    "kind": kind,
                    "date": as_of.isoformat(),
                    "names": "; ".join(error.args[3]),
                }
            ) from None
        except InvalidCondition as error:
            raise CommandError(
                _("A condition of %(tier)s cannot be read: %(error)s")
                % {"tier": tier.code, "error": error}
            ) from None
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as stream:
                    write_candidates(stream, candidates)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(reason)s")
                    % {"file": output, "reason": error.strerror}
                ) from None
        else:
            stream = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            write_candidates(stream, candidates)
        counts = {verdict: 0 for verdict in ("qualifies", "close", "no")}
        for candidate in candidates:
            counts[candidate.verdict] += 1
        self.stderr.write(
            _(
                "%(tier)s, %(kind)s, %(date)s (%(version)s, figures of %(year)d): "
                "%(qualifies)d qualify, %(close)d close, %(no)d not."
            )
            % {
                "tier": tier.code,
                "kind": kind,
                "date": as_of.isoformat(),
                "version": rule_version.name,
                "year": figures_year(as_of),
                **counts,
            }
        )
