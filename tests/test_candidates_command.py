"""``manage.py candidates TIER [--as-of DATE] [--kind new|review] [--output FILE]``: the CSV of
the city's firms against a tier's criteria, on a small registry and on the sample data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from champions.demo import load_demo
from champions.eligibility import CLOSE, NO, QUALIFIES, evaluate_city
from champions.models import Enterprise, Region, Tier, YearlyFigures
from champions.services.designations import award
from tests.import_helpers import run_command

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 3, 1)  # the 2022 measures for new applications; figures of 2025
#: The sample data's load day: reviews still under the 2022 standard, figures of 2024 and 2025.
LOAD_DAY = datetime.date(2026, 12, 1)
COLUMNS = ["credit_code", "name", "verdict", "holds_tier", "conditions"]


def good_little_giant():
    return {
        2025: {
            "revenue": Decimal(20000),
            "main_revenue": Decimal(16000),
            "rd_spending": Decimal(800),
            "total_assets": Decimal(20000),
            "total_liabilities": Decimal(10000),
            "market_share": Decimal(15),
            "niche_years": 5,
            "ip_class1": 3,
        },
        2024: {"revenue": Decimal(18000), "main_revenue": Decimal(14400), "rd_spending": 720},
        2023: {"revenue": Decimal(16000), "main_revenue": Decimal(13000)},
    }


@pytest.fixture
def registry(make_enterprise):
    """Four firms of the city with figures (one qualifies and holds the title, one qualifies,
    one is close, one is not), one without figures, one outside the city with figures."""

    def firm(name, figures, **fields):
        enterprise = make_enterprise(name=name, **fields)
        for year, row in figures.items():
            YearlyFigures.objects.create(enterprise=enterprise, year=year, **row)
        return enterprise

    holder = firm("甲公司", good_little_giant())
    award(holder, Tier.objects.get(code="little_giant"), year=2024, happened_on=ON.replace(2024))
    firm("乙公司", good_little_giant())
    close = good_little_giant()
    close[2025]["market_share"] = Decimal("9.5")
    firm("丙公司", close)
    firm("丁公司", {2025: {"revenue": Decimal(100)}})
    make_enterprise(name="戊公司")
    firm("杭州己公司", good_little_giant(), region=Region.objects.get(code="330100"))
    return holder


def read(outcome):
    assert outcome.code == 0, outcome.err
    return list(csv.reader(io.StringIO(outcome.out.removeprefix("\ufeff"))))


def test_one_line_per_firm_of_the_city_with_figures(registry):
    rows = read(run_command("candidates", "little_giant", "--as-of", ON.isoformat()))

    assert rows[0] == COLUMNS
    assert [(row[1], row[2], row[3]) for row in rows[1:]] == [
        ("乙公司", "qualifies", "no"),
        ("甲公司", "qualifies", "yes"),
        ("丙公司", "close", "no"),
        ("丁公司", "no", "no"),
    ]
    assert rows[2][0] == registry.credit_code
    close = rows[3][4]
    assert "Niche market share of at least 10 %: 9.5% (required ≥ 10%): missed" in close
    assert close.count("; ") >= 6


def test_the_file_is_utf8_with_bom_and_the_tier_may_be_named_in_chinese(registry, tmp_path):
    path = tmp_path / "candidates.csv"

    outcome = run_command(
        "candidates", "小巨人", "--as-of", ON.isoformat(), "--kind", "review", "-o", str(path)
    )

    assert outcome.code == 0, outcome.err
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS and len(rows) == 5
    assert "0 qualify" not in outcome.err and "2 qualify, 1 close, 1 not" in outcome.err


def test_the_2026_measures_apply_to_new_applications_from_april(registry):
    rows = read(run_command("candidates", "little_giant", "--as-of", "2026-04-01"))
    review = read(
        run_command("candidates", "little_giant", "--as-of", "2026-04-01", "--kind", "review")
    )

    # Nobody holds 专精特新中小企业, the 2026 prerequisite; the review still uses 2022's.
    assert {row[2] for row in rows[1:]} == {"no"}
    assert "Holds a valid specialized and innovative SME title: not held: missed" in rows[1][4]
    assert [row[2] for row in review[1:]] == ["qualifies", "qualifies", "close", "no"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_tier"], "Unknown tier no_such_tier"),
        (["first_set"], "No rule version of first_set (new) applies on 2026-03-01"),
        (["little_giant", "--as-of", "2020-01-01"], "No rule version of little_giant"),
    ],
)
def test_errors_name_the_value(registry, args, message):
    outcome = run_command(
        "candidates", *args, *([] if "--as-of" in args else ["--as-of", "2026-03-01"])
    )

    assert outcome.code != 0
    assert message in outcome.err
    assert outcome.out == ""


def test_a_bad_date_or_kind_is_refused(registry):
    kind = run_command("candidates", "little_giant", "--kind", "renewal")
    assert kind.code != 0 and "renewal" in kind.err
    outcome = run_command("candidates", "little_giant", "--as-of", "2026-02-30")
    assert outcome.code != 0 and "2026-02-30" in outcome.err


def test_the_evaluation_takes_the_same_queries_for_one_firm_or_many(registry, make_enterprise):
    with CaptureQueriesContext(connection) as few:
        evaluate_city("little_giant", ON)
    for number in range(30):
        extra = make_enterprise(name=f"庚{number}公司")
        for year, row in good_little_giant().items():
            YearlyFigures.objects.create(enterprise=extra, year=year, **row)
    with CaptureQueriesContext(connection) as many:
        candidates = evaluate_city("little_giant", ON)

    assert len(candidates) == 34
    assert len(many.captured_queries) == len(few.captured_queries) <= 6


TIERS_WITH_CRITERIA = (
    "innovative_sme",
    "specialized_sme",
    "little_giant",
    "single_champion",
    "hidden_champion",
)


@pytest.fixture(scope="module")
def sample_data(django_db_setup, django_db_blocker):
    """The sample data set, loaded once for the tests below (the last of the module) in a
    transaction rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(today=LOAD_DAY)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("kind", ["new", "review"])
def test_the_sample_data_has_candidates_and_near_misses_for_each_tier(sample_data, kind):
    """On the load day, for a new application (the 2026 measures, which ask a specialized SME
    for an innovative SME title in force and a little giant for a specialized SME one) and for a
    review (still the 2022 standard): some firms that do not hold the tier qualify, some are
    close."""
    today = LOAD_DAY
    with_figures = Enterprise.objects.filter(figures__isnull=False).distinct().count()
    counts = {}
    for tier in TIERS_WITH_CRITERIA:
        candidates = evaluate_city(tier, today, kind)
        assert len(candidates) == with_figures
        counts[tier] = {
            v: sum(1 for c in candidates if c.verdict == v and not c.holds_tier)
            for v in (QUALIFIES, CLOSE, NO)
        }

    for tier, by_verdict in counts.items():
        assert by_verdict[QUALIFIES] > 0, (tier, by_verdict)
        assert by_verdict[CLOSE] > 0, (tier, by_verdict)
        assert by_verdict[NO] > 0, (tier, by_verdict)
    assert sum(by_verdict[CLOSE] for by_verdict in counts.values()) > 50
    # The single champions of the sample data hold their title and qualify again.
    holders = [c for c in evaluate_city("single_champion", today) if c.holds_tier]
    assert len(holders) == 6 and {c.verdict for c in holders} == {QUALIFIES}


def test_the_command_on_the_sample_data(sample_data):
    outcome = run_command(
        "candidates", "little_giant", "--kind", "review", "--as-of", LOAD_DAY.isoformat()
    )
    rows = read(outcome)

    assert rows[0] == COLUMNS
    assert len(rows) - 1 == Enterprise.objects.filter(figures__isnull=False).distinct().count()
    assert {row[2] for row in rows[1:]} == {"qualifies", "close", "no"}
    assert {row[3] for row in rows[1:]} == {"yes", "no"}
    assert all(row[1].startswith("示例") for row in rows[1:])
