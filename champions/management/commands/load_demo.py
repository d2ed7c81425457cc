"""Load the synthetic sample data set (``champions.demo``) and say what it added and how long it
took, followed by the headline figures the public pages now show."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from champions import summary
from champions.demo import load_demo
from champions.workflow import PUBLIC_LABELS


class Command(BaseCommand):
    help = _(
        "Load the sample data set (synthetic, marked 示例). Running it again adds only what is "
        "missing and changes nothing else."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        added = load_demo()
        elapsed = time.perf_counter() - started
        # History tables grow with their models; the models themselves say what was added.
        added = {m: n for m, n in added.items() if n and not m.__name__.startswith("Historical")}
        if added:
            self.stdout.write(_("Added:"))
            for model, count in added.items():
                self.stdout.write(f"  {model._meta.verbose_name_plural}: {count:,}")
        else:
            self.stdout.write(_("Nothing to add: the sample data set is already loaded."))
        self._write_headlines()
        self.stdout.write(
            self.style.SUCCESS(_("Sample data loaded in %(seconds).2f s.") % {"seconds": elapsed})
        )

    def _write_headlines(self):
        figures = summary.summary(summary.make_scope())
        self.stdout.write(_("Headline figures (titles in force today):"))
        for headline in figures["headlines"]:
            self.stdout.write(f"  {headline['label']}: {headline['count']:,}")
        for funnel in figures["recommendations"]:
            reached = ", ".join(
                f"{PUBLIC_LABELS[stage]} {count}" for stage, count in funnel["reached"].items()
            )
            self.stdout.write(
                _("  %(tier)s, batch %(batch)d (%(year)d): %(reached)s")
                % {**funnel, "tier": funnel["tier_name"], "reached": reached}
            )
        rate = figures["new_product_output_rate"]
        self.stdout.write(
            _("  New-product output rate (%(year)s): %(rate)s")
            % {"year": figures["new_product_output_year"], "rate": rate}
        )
