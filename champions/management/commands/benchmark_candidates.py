"""``manage.py benchmark_candidates``: how long the admin's candidates page takes for 10,105 firms
with five years of figures, beside the sample data, measured in the same run.

In a scratch database of its own with the sample data (``champions.benchmarking.
scratch_database``, dropped at the end: the configured registry is never written), it adds
``--firms`` firms of the city (default 10,105, the size of the sample data's provincial
cultivation list), each with ``--years`` years of figures (default 5) up to the year the
evaluation reads, drawn from a fixed seed so that every run makes the same data; three in five
hold the innovative SME title the specialized SME criteria ask for, one in twenty the tier itself
(with terms ending over the next two years, which fills the reviews page too).

It then times, as a Viewer through the test client (all middleware, templates and queries), the
median of ``--repeat`` requests of: the admin's enterprise list (the baseline: an ordinary admin
page on the same data), the candidates page of ``--tier`` for a new application, its CSV export
and the titles due for review; with the number of queries of each. The issue's aim: the
candidates page within a second, in a number of queries that does not grow with the firms.
"""

import datetime
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from champions.benchmarking import (
    PLAIN_STATIC_FILES,
    benchmark_client,
    scratch_database,
    time_get,
)
from champions.cache import data_changed
from champions.eligibility import evaluate_city, figures_year
from champions.groups import VIEWER
from champions.models import Designation, Enterprise, Industry, Region, Tier, YearlyFigures
from champions.text import name_key
from champions.validators import credit_code_check_character

#: Names of the generated firms start with this ("benchmark firm"), so none passes for a real one.
PREFIX = "基准测试候选企业"
#: The issue's aim for the candidates page, in seconds.
AIM_SECONDS = 1.0
SEED = 20261201
BATCH = 2000


class Command(BaseCommand):
    help = (
        "Time the admin's candidates page for 10,105 firms with five years of figures, beside "
        "the enterprise list, in a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--firms", type=int, default=10_105, help="firms to add")
        parser.add_argument("--years", type=int, default=5, help="years of figures of each")
        parser.add_argument("--tier", default="specialized_sme", help="the tier's code")
        parser.add_argument("--repeat", type=int, default=7, help="requests per timing")

    @override_settings(STORAGES=PLAIN_STATIC_FILES)
    def handle(self, *args, firms, years, tier, repeat, **options):
        if firms < 1 or not 1 <= years <= 10 or repeat < 1:
            raise CommandError("--firms must be at least 1, --years 1 to 10, --repeat at least 1.")
        as_of = timezone.localdate()
        with scratch_database(self.stdout, sample_data=True):
            if not Tier.objects.filter(code=tier).exists():
                raise CommandError(f"Unknown tier {tier}.")
            started = time.perf_counter()
            added, rows = self._generate(firms, years, tier, as_of)
            self.stdout.write(
                f"Added {added:,} firms with {rows:,} rows of yearly figures "
                f"({years} years, {figures_year(as_of) - years + 1}–{figures_year(as_of)}) "
                f"in {time.perf_counter() - started:.1f} s."
            )
            client = benchmark_client(self._viewer())
            candidates = evaluate_city(tier, as_of)
            counts = {verdict: 0 for verdict in ("qualifies", "close", "no")}
            for candidate in candidates:
                counts[candidate.verdict] += 1
            self.stdout.write(
                f"Database: {connection.vendor}; tier {tier}, new application, as of "
                f"{as_of.isoformat()}: {len(candidates):,} firms evaluated, "
                f"{counts['qualifies']:,} qualify, {counts['close']:,} close, {counts['no']:,} not."
            )
            pages = self._pages(tier, as_of)
            results = [(label, *self._measure(client, url, repeat)) for label, url in pages]
        self._report(results)

    # --- Measuring ------------------------------------------------------------------------------

    def _viewer(self):
        user = get_user_model().objects.create_user("benchmark-viewer", is_staff=True)
        user.groups.add(Group.objects.get(name=VIEWER))
        return user

    def _pages(self, tier, as_of):
        candidates = reverse("admin:champions_candidates")
        query = f"tier={tier}&as_of={as_of.isoformat()}&kind=new"
        return [
            ("enterprise list (baseline)", reverse("admin:champions_enterprise_changelist")),
            ("candidates page", f"{candidates}?{query}"),
            ("candidates CSV export", f"{candidates}?{query}&_export=csv"),
            ("titles due for review", reverse("admin:champions_reviews_due")),
        ]

    def _measure(self, client, url, repeat):
        """``(ms just after a data change, median ms of repeated requests, queries of the
        first)``: the first request computes the page (and caches it, the candidates page);
        the next ones are what everyone else waits until the data change again."""
        data_changed()
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            computed = time_get(client, url)
        repeated = statistics.median(time_get(client, url) for _ in range(repeat))
        return computed, repeated, len(queries)

    def _report(self, results):
        width = max(len(label) for label, *_rest in results)
        self.stdout.write("")
        self.stdout.write(
            "As a Viewer, through the test client. computed: the first request after a data "
            "change (ms); repeated: the median of the next requests (ms); queries: of the first."
        )
        self.stdout.write(
            f"{'page':<{width}} {'computed':>9} {'repeated':>9} {'queries':>8} {'× baseline':>11}"
        )
        baseline = results[0][1]
        for label, computed, repeated, queries in results:
            self.stdout.write(
                f"{label:<{width}} {computed:>9.1f} {repeated:>9.1f} {queries:>8} "
                f"{computed / baseline:>11.2f}"
            )
        _label, computed, repeated, queries = next(r for r in results if r[0] == "candidates page")
        verdicts = [
            "met" if milliseconds / 1000 <= AIM_SECONDS else "NOT met"
            for milliseconds in (computed, repeated)
        ]
        self.stdout.write(
            f"Candidates page: computed {computed / 1000:.3f} s ({verdicts[0]}), repeated "
            f"{repeated / 1000:.3f} s ({verdicts[1]}), in {queries} queries, "
            f"{computed / baseline:.2f} × the enterprise list (aim: at most {AIM_SECONDS:.0f} s)."
        )

    # --- Generating the firms -------------------------------------------------------------------

    def _generate(self, count, years, tier_code, as_of):
        """``count`` firms of the city, each with ``years`` years of figures; some holding the
        innovative SME title or ``tier_code``. Returns ``(firms, rows of figures)``."""
        rng = random.Random(SEED)
        counties = list(
            Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE).order_by("code")
        )
        industries = list(Industry.objects.order_by("code"))
        last_year = figures_year(as_of)
        first_id = (
            Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        with transaction.atomic():
            firms = []
            for serial in range(1, count + 1):
                name = f"{PREFIX}{serial:05d}有限公司"
                body = f"9133039{serial:010d}"
                firms.append(
                    Enterprise(
                        name=name,
                        name_key=name_key(name),
                        credit_code=body + credit_code_check_character(body),
                        region=counties[serial % len(counties)],
                        industry=industries[serial % len(industries)],
                        founded=2000 + serial % 20,
                    )
                )
            Enterprise.objects.bulk_create(firms, batch_size=BATCH)
            ids = list(
                Enterprise.objects.filter(id__gte=first_id, name__startswith=PREFIX)
                .order_by("id")
                .values_list("id", flat=True)
            )
            rows = 0
            figures = []
            for pk in ids:
                for year, fields in self._figures(rng, last_year, years):
                    figures.append(YearlyFigures(enterprise_id=pk, year=year, **fields))
                if len(figures) >= BATCH:
                    YearlyFigures.objects.bulk_create(figures, batch_size=BATCH)
                    rows += len(figures)
                    figures = []
            YearlyFigures.objects.bulk_create(figures, batch_size=BATCH)
            rows += len(figures)
            self._titles(rng, ids, tier_code, as_of)
            data_changed()
        with connection.cursor() as cursor:
            for model in (Enterprise, YearlyFigures, Designation):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        return len(ids), rows

    @staticmethod
    def _figures(rng, last_year, years):
        """``years`` years of one firm's figures, the latest first, growing towards it."""
        revenue = rng.lognormvariate(8.0, 1.0)  # about 3,000 (万元), from a few hundred up
        main_share = rng.uniform(0.70, 0.99)
        rd_ratio = rng.uniform(0.015, 0.07)
        debt_ratio = rng.uniform(0.25, 0.9)
        employees = max(10, int(revenue / rng.uniform(40, 120)))
        niche_years = rng.randint(1, 15)
        ip_class1 = rng.choice((0, 0, 1, 1, 2, 3, 5))
        score = rng.uniform(30, 95)
        for back in range(years):
            yield (
                last_year - back,
                {
                    "revenue": money(revenue),
                    "output_value": money(revenue * 1.05),
                    "main_revenue": money(revenue * main_share),
                    "rd_spending": money(revenue * rd_ratio),
                    "total_assets": money(revenue * 1.2),
                    "total_liabilities": money(revenue * 1.2 * debt_ratio),
                    "net_profit": money(revenue * rng.uniform(-0.02, 0.12)),
                    "employees": employees,
                    "rd_staff": max(1, int(employees * rng.uniform(0.05, 0.3))),
                    "ip_class1": ip_class1,
                    "ip_class2": rng.randint(0, 20),
                    "niche_years": max(0, niche_years - back),
                    "market_share": money(rng.uniform(1, 30)),
                    "evaluation_score": money(score),
                },
            )
            revenue /= rng.uniform(1.0, 1.2)

    @staticmethod
    def _titles(rng, ids, tier_code, as_of):
        """Three in five hold the innovative SME title; one in twenty ``tier_code`` itself, its
        term ending on a day of the next two years."""
        titles = []
        innovative = Tier.objects.filter(code="innovative_sme").first()
        tier = Tier.objects.get(code=tier_code)
        for number, pk in enumerate(ids):
            if innovative is not None and number % 5 < 3 and innovative != tier:
                titles.append(
                    Designation(
                        enterprise_id=pk,
                        tier=innovative,
                        year=as_of.year - 1,
                        status=Designation.Status.FINAL,
                        held_from=as_of - datetime.timedelta(days=300),
                        valid_until=as_of + datetime.timedelta(days=800),
                    )
                )
            if number % 20 == 7:
                held_from = as_of - datetime.timedelta(days=rng.randint(400, 1000))
                titles.append(
                    Designation(
                        enterprise_id=pk,
                        tier=tier,
                        year=held_from.year,
                        status=Designation.Status.FINAL,
                        held_from=held_from,
                        valid_until=as_of + datetime.timedelta(days=rng.randint(0, 730)),
                    )
                )
        Designation.objects.bulk_create(titles, batch_size=BATCH)


def money(value):
    return Decimal(value).quantize(Decimal("0.01"))
