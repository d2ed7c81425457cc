"""``manage.py benchmark_scale``: the admin and the main public pages at national scale.

It times the admin lists (plain, filtered, searched), an enterprise's change page, and the public
home page, directory and summary JSON with the sample data; then imports ``--enterprises`` firms
and ``--titles`` designations per firm through the importer (the same code as ``import_csv``),
analyses the tables, and times the same pages again, in the same run. Each page should stay
within 3x its sample-data time.

Admin pages are never cached, so their time is what staff wait. A public page is timed twice:
just after a data change (computed) and served from the cache (what almost every visitor gets).
Everything happens in a scratch database of its own with the sample data
(``champions.benchmarking.scratch_database``), dropped at the end: the configured registry is
never written.
"""

import csv
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from champions.benchmarking import (
    PLAIN_STATIC_FILES,
    benchmark_client,
    median_get,
    scratch_database,
    time_get,
)
from champions.cache import data_changed
from champions.importing import import_file
from champions.models import Designation, Enterprise, Industry, Region
from champions.validators import credit_code_check_character

TARGET_RATIO = 3.0
#: Tiers the generated firms hold, one designation each, in this order.
GENERATED_TIERS = ("specialized_cultivation", "innovative_sme", "champion_pool", "hidden_champion")
ADMIN = "/admin/champions"


class Command(BaseCommand):
    help = "Time the admin and public pages with the sample data and at national scale."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=1_000_000)
        parser.add_argument("--titles", type=int, default=3, help="designations per firm")
        parser.add_argument("--repeat", type=int, default=5)

    @override_settings(STORAGES=PLAIN_STATIC_FILES)
    def handle(self, *args, enterprises, titles, repeat, **options):
        if titles > len(GENERATED_TIERS):
            raise CommandError(f"--titles is at most {len(GENERATED_TIERS)}")
        with scratch_database(self.stdout, sample_data=True):
            client = benchmark_client(get_user_model().objects.create_superuser("benchmark-admin"))
            pages = self._pages()
            before = (Enterprise.objects.count(), Designation.objects.count())
            sample = self._measure(client, pages, repeat)
            with tempfile.TemporaryDirectory() as folder:
                self._import(Path(folder), enterprises, titles)
            self._analyse()
            after = (Enterprise.objects.count(), Designation.objects.count())
            large = self._measure(client, pages, repeat)
        self._report(pages, sample, large, before, after)

    def _pages(self):
        firm = Designation.objects.order_by("enterprise_id").values_list("enterprise_id", flat=True)
        county = Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE).order_by("code")[0]
        return {
            "admin": [
                f"{ADMIN}/enterprise/",
                f"{ADMIN}/enterprise/?region__code__exact={county.code}",
                f"{ADMIN}/enterprise/?tier=little_giant",
                f"{ADMIN}/enterprise/?q=瓯海欧立",
                f"{ADMIN}/enterprise/?q=电器有限",
                f"{ADMIN}/enterprise/{firm.first()}/change/",
                f"{ADMIN}/designation/",
                f"{ADMIN}/designation/?tier__code__exact=hidden_champion&status__exact=final",
                f"{ADMIN}/designation/?q=电器有限",
                # Two characters: too short for a trigram index, so the names are scanned.
                f"{ADMIN}/designation/?q=示例",
                f"{ADMIN}/recommendation/",
                f"{ADMIN}/yearlyfigures/?year=2020",
            ],
            "public": ["/", "/enterprises/", "/enterprises/?q=泵阀", "/api/summary.json"],
        }

    def _measure(self, client, pages, repeat):
        """``{url: ms}`` for the admin, ``{url: (computed ms, cached ms)}`` for public pages."""
        results = {url: median_get(client, url, repeat) for url in pages["admin"]}
        for url in pages["public"]:
            data_changed()
            computed = time_get(client, url)
            results[url] = (computed, median_get(client, url, repeat))
        return results

    def _import(self, folder, enterprises, titles):
        # The city's own counties: firms elsewhere are not the registry's, and are skipped.
        counties = list(
            Region.objects.filter(parent_id=settings.CHAMPIONS_CITY_CODE).values_list(
                "code", flat=True
            )
        )
        industries = list(Industry.objects.values_list("code", flat=True))
        firms_file, titles_file = folder / "enterprises.csv", folder / "designations.csv"
        with (
            open(firms_file, "w", newline="", encoding="utf-8") as firms_out,
            open(titles_file, "w", newline="", encoding="utf-8") as titles_out,
        ):
            firms, held = csv.writer(firms_out), csv.writer(titles_out)
            firms.writerow(["credit_code", "name", "region", "industry", "main_product", "founded"])
            held.writerow(["credit_code", "tier", "year", "status"])
            for number in range(enterprises):
                body = f"92{number:015d}"
                code = body + credit_code_check_character(body)
                firms.writerow(
                    [
                        code,
                        f"规模测试企业{number:07d}有限公司",
                        counties[number % len(counties)],
                        industries[number % len(industries)],
                        "零部件",
                        1990 + number % 30,
                    ]
                )
                for tier in GENERATED_TIERS[:titles]:
                    held.writerow([code, tier, 2015 + number % 10, "final"])
        for kind, path, rows in (
            ("enterprises", firms_file, enterprises),
            ("designations", titles_file, enterprises * titles),
        ):
            started = time.perf_counter()
            result = import_file(kind, path, command="benchmark_scale")
            seconds = time.perf_counter() - started
            if result.refused:
                problems = "; ".join(str(error) for error in result.errors.sorted()[:5])
                raise CommandError(f"the generated {kind} file was refused: {problems}")
            self.stdout.write(
                f"Imported {rows:,} {kind} in {seconds:.1f} s ({rows / seconds:,.0f} rows/s): "
                f"{result.summary()}"
            )

    def _analyse(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _report(self, pages, sample, large, before, after):
        self.stdout.write(
            f"\nDatabase: {connection.vendor}. Sample data: {before[0]:,} enterprises, "
            f"{before[1]:,} designations; large: {after[0]:,} enterprises, {after[1]:,} "
            "designations.\nMedian ms over repeated requests; public pages also just after a "
            "data change (computed)."
        )
        width = max(len(url) for urls in pages.values() for url in urls)
        self.stdout.write(f"{'page':<{width}} {'sample':>9} {'large':>9} {'ratio':>6}")
        worst = 0.0
        for url in pages["admin"]:
            ratio = large[url] / sample[url]
            worst = max(worst, ratio)
            self.stdout.write(
                f"{url:<{width}} {sample[url]:>9.1f} {large[url]:>9.1f} {ratio:>6.2f}"
            )
        for url in pages["public"]:
            for label, index in (("cached", 1), ("computed", 0)):
                ratio = large[url][index] / sample[url][index]
                if index == 1:
                    worst = max(worst, ratio)
                name = f"{url} ({label})"
                self.stdout.write(
                    f"{name:<{width}} {sample[url][index]:>9.1f} {large[url][index]:>9.1f} "
                    f"{ratio:>6.2f}"
                )
        verdict = "met" if worst <= TARGET_RATIO else "NOT met"
        self.stdout.write(
            f"Worst ratio of admin and cached public pages {worst:.2f} "
            f"(target at most {TARGET_RATIO:.0f}): {verdict}."
        )
