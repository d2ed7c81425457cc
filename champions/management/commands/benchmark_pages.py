"""``manage.py benchmark_pages``: how long each public page takes with the sample data, and again
with a million more designated firms, measured in the same run.

For each page it prints two times per data set: just after a data change (the page is computed
and stored in the cache: what the first visitor after an edit or an import waits) and the median
of repeated requests (served from the cache: what everyone else waits), with the ratio of the
large data set's time to the sample data's. The target is a ratio of at most 3.

The extra firms are written with bulk SQL (``INSERT … SELECT`` over a number series), each with a
title, yearly figures and, for one in ten, a recommendation. Everything happens in a scratch
database of its own with the sample data (``champions.benchmarking.scratch_database``), dropped at
the end: the configured registry is never written.
"""

import contextlib
import datetime
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from champions.benchmarking import benchmark_client, scratch_database, time_get
from champions.cache import data_changed
from champions.models import (
    Batch,
    Designation,
    Enterprise,
    Industry,
    Recommendation,
    Region,
    Tier,
    YearlyFigures,
)

#: Names of the generated firms start with this ("benchmark firm") and the generated batches give
#: it as their source, so that no generated row passes for a real one.
PREFIX = "基准测试企业"
#: The share of the generated titles per tier, in per cent (a city's echelon is a pyramid).
TIER_SHARES = {
    "single_champion": 1,
    "single_champion_product": 1,
    "little_giant": 2,
    "provincial_single_champion": 2,
    "provincial_single_champion_cultivation": 3,
    "hidden_champion": 4,
    "hidden_champion_cultivation": 5,
    "specialized_sme": 20,
    "specialized_cultivation": 40,
    "innovative_sme": 17,
    "champion_pool": 3,
    "first_set": 2,
}
TARGET_RATIO = 3.0


class Command(BaseCommand):
    help = "Time every public page with the sample data and with a million more firms."

    def add_arguments(self, parser):
        parser.add_argument("--firms", type=int, default=1_000_000, help="firms to add")
        parser.add_argument("--repeat", type=int, default=15, help="requests per cached timing")

    def handle(self, *args, **options):
        with scratch_database(self.stdout, sample_data=True):
            client = benchmark_client()
            pages = self._pages()
            self.stdout.write(f"Database: {connection.vendor}; pages: {len(pages)}")
            sample = self._measure(client, pages, options["repeat"])
            started = time.perf_counter()
            added = self._generate(options["firms"])
            self.stdout.write(
                f"Added {added:,} firms with titles, figures and recommendations "
                f"in {time.perf_counter() - started:.1f} s "
                f"({Designation.objects.count():,} titles in all)."
            )
            large = self._measure(client, pages, options["repeat"])
        self._report(pages, sample, large, options["firms"])

    # --- Measuring ------------------------------------------------------------------------------

    def _pages(self):
        """The pages measured: every page, a few filtered lists, twins and a firm's page."""
        firm = (
            Designation.objects.filter(status=Designation.Status.FINAL)
            .order_by("enterprise_id")
            .values_list("enterprise_id", flat=True)
            .first()
        )
        county = Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE).order_by("code")
        county = county.values_list("code", flat=True).first()
        pages = [
            "/",
            "/enterprises/",
            "/enterprises/?tier=hidden_champion",
            f"/enterprises/?region={county}&tier=specialized_cultivation&year=2021&sort=region",
            "/enterprises/?q=泵阀",
            "/enterprises/?format=json&page=3",
            "/breakdowns/regions/",
            "/breakdowns/regions/?format=csv",
            "/breakdowns/industries/",
            "/breakdowns/batches/",
            "/breakdowns/province/",
            "/breakdowns/targets/",
            "/seminars/",
            "/api/summary.json",
        ]
        if firm:
            pages.append(f"/enterprises/{firm}/")
        return pages

    def _measure(self, client, pages, repeat):
        """``{url: (ms just after a change, median ms when cached)}``."""
        results = {}
        for url in pages:
            data_changed()
            after_change = time_get(client, url)
            cached = statistics.median(time_get(client, url) for _ in range(repeat))
            results[url] = (after_change, cached)
        return results

    def _report(self, pages, sample, large, firms):
        width = max(len(url) for url in pages)
        self.stdout.write("")
        self.stdout.write(
            "Times in ms. computed: the first request after a data change, which computes the page "
            "and caches it; cached: the median of repeated requests; ratio: cached time with the "
            "large data set over cached time with the sample data."
        )
        self.stdout.write(f"{'':<{width}} {'sample data':>19} {f'+{firms:,} firms':>19}")
        self.stdout.write(
            f"{'page':<{width}} {'computed':>10} {'cached':>8} {'computed':>10} {'cached':>8} "
            f"{'ratio':>6}"
        )
        worst = 0.0
        for url in pages:
            (sample_computed, sample_cached), (large_computed, large_cached) = (
                sample[url],
                large[url],
            )
            ratio = large_cached / sample_cached
            worst = max(worst, ratio)
            self.stdout.write(
                f"{url:<{width}} {sample_computed:>10.1f} {sample_cached:>8.1f} "
                f"{large_computed:>10.1f} {large_cached:>8.1f} {ratio:>6.2f}"
            )
        verdict = "met" if worst <= TARGET_RATIO else "NOT met"
        self.stdout.write(
            f"Worst ratio {worst:.2f} (target at most {TARGET_RATIO:.0f}): {verdict}."
        )

    # --- Generating the large data set --------------------------------------------------------

    def _generate(self, count):
        """Add ``count`` firms, each with a title in force and figures, in a few statements."""
        now = timezone.now()
        first_id = (
            Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        with transaction.atomic():
            self._insert_firms(count, now)
            self._insert_titles(first_id, now)
            self._insert_figures(first_id, now)
            self._insert_recommendations(first_id, now)
            data_changed()
        self._settle()
        return Enterprise.objects.filter(id__gte=first_id).count()

    def _settle(self):
        """Bring the tables' statistics up to date and (PostgreSQL) reclaim deleted rows, so the
        timings see the data as a database that has run for a while would."""
        with connection.cursor() as cursor:
            analyze = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            for model in (Enterprise, Designation, YearlyFigures, Recommendation, Batch):
                cursor.execute(f"{analyze} {model._meta.db_table}")
            if connection.vendor == "postgresql":
                # Write the changed pages out now rather than during the timings (a superuser
                # may; anyone else's timings carry that noise).
                with contextlib.suppress(DatabaseError):
                    cursor.execute("CHECKPOINT")

    def _numbers(self):
        """A CTE ``numbers(n)`` of 1 … %s, in the database's own fastest way."""
        if connection.vendor == "postgresql":
            return "WITH numbers(n) AS (SELECT generate_series(1, %s))"
        return (
            "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers "
            "WHERE n < %s)"
        )

    def _insert_firms(self, count, now):
        counties = list(
            Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE)
            .order_by("code")
            .values_list("code", flat=True)
        )
        industries = list(Industry.objects.order_by("code").values_list("code", flat=True))
        region = _pick("n", counties)
        industry = _pick("n", industries)
        sql = (
            f"{self._numbers()} INSERT INTO {Enterprise._meta.db_table} "
            "(created_at, updated_at, name, name_key, region_id, industry_id, main_product) "
            f"SELECT %s, %s, %s || n || '有限公司', %s || n || '有限公司', "
            f"{region[0]}, {industry[0]}, '' FROM numbers"
        )
        params = [count, now, now, PREFIX, PREFIX, *region[1], *industry[1]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _insert_titles(self, first_id, now):
        tiers = [code for code in TIER_SHARES if Tier.objects.filter(code=code).exists()]
        buckets = [code for code in tiers for _ in range(TIER_SHARES[code])]
        tier = _pick("e.id", buckets)
        # Titles held since a year ago with no end, as their award events would leave them; the
        # pages read only the standing, so the events themselves are left out.
        sql = (
            f"INSERT INTO {Designation._meta.db_table} (created_at, updated_at, enterprise_id, "
            "tier_id, year, product, product_key, product_class, status, held_from, document, "
            "source) "
            f"SELECT %s, %s, e.id, {tier[0]}, 2015 + e.id %% 7, '', '', '', %s, %s, '', '' "
            f"FROM {Enterprise._meta.db_table} e WHERE e.id >= %s"
        )
        held_from = timezone.localdate() - datetime.timedelta(days=365)
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, now, *tier[1], Designation.Status.FINAL, held_from, first_id])

    def _insert_figures(self, first_id, now):
        year = YearlyFigures.objects.order_by("-year").values_list("year", flat=True).first()
        sql = (
            f"INSERT INTO {YearlyFigures._meta.db_table} (created_at, updated_at, enterprise_id, "
            "year, output_value, new_product_output, size_class) "
            "SELECT %s, %s, e.id, %s, 500 + e.id %% 20000, 100 + e.id %% 5000, '' "
            f"FROM {Enterprise._meta.db_table} e WHERE e.id >= %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, now, year or 2020, first_id])

    def _insert_recommendations(self, first_id, now):
        """One firm in ten nominated into one of a few generated batches, at various stages."""
        tier = Tier.objects.order_by("position").first()
        batches = Batch.objects.bulk_create(
            Batch(
                tier=tier,
                number=900 + n,
                year=2019,
                key_year=Batch.key_year_for(tier, 2019),
                source=PREFIX,
            )
            for n in range(4)
        )
        batch = _pick("e.id / 10", [b.pk for b in batches])
        stage = _pick("e.id / 40", ["nominated", "province_passed", "submitted", "publicized"])
        sql = (
            f"INSERT INTO {Recommendation._meta.db_table} (created_at, updated_at, enterprise_id, "
            f"batch_id, product, stage, ended_at_stage, note) "
            f"SELECT %s, %s, e.id, {batch[0]}, '', {stage[0]}, '', '' "
            f"FROM {Enterprise._meta.db_table} e WHERE e.id >= %s AND e.id %% 10 = 0"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, now, *batch[1], *stage[1], first_id])


def _pick(number, values):
    """SQL choosing ``values[number % len(values)]``, and its parameters."""
    cases = " ".join(f"WHEN {i} THEN %s" for i in range(len(values)))
    return f"(CASE ({number}) %% {len(values)} {cases} END)", list(values)
