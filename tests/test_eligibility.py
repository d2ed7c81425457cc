"""Eligibility criteria as data (``criteria.json``, ``RuleVersion``, ``Condition``) and their
evaluation (``champions.eligibility``): every threshold at its boundary, the revenue bands, the
either-or routes, each of the last two years, unknown figures, both versions of the national
SME ladder, and the review standard that differs from the new one.

The pure tests read the rules exactly as ``criteria.json`` ships them (what migration 0012
seeds), and evaluate them without the database. Tests run in English (``conftest``): conditions
are named by their English labels.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from champions.eligibility import (
    CLOSE,
    MET,
    MISSED,
    NO,
    QUALIFIES,
    UNKNOWN,
    AmbiguousRuleVersion,
    Firm,
    InvalidCondition,
    NoRuleVersion,
    Rules,
    evaluate,
    figures_year,
    rule_version_for,
)
from champions.eligibility.conditions import spec_errors
from champions.importing.cells import decimal as decimal_cell
from champions.importing.errors import CellError
from champions.models import Condition, RuleVersion, Tier, YearlyFigures
from champions.reference import criteria_rows, read_criteria
from tests.import_helpers import export_bytes, run_import, write_csv

#: A day whose figures year is 2025: new applications still under the 2022 measures.
BEFORE_2026 = datetime.date(2026, 3, 1)
#: New applications under the 2026 measures, reviews still under the 2022 standard.
IN_2026 = datetime.date(2026, 6, 1)
#: Reviews under the 2026 measures too.
IN_2027 = datetime.date(2027, 6, 1)
Y = 2025


def rules(tier, kind, on):
    """The rules of ``criteria.json`` for ``tier`` and ``kind`` applying on ``on``."""
    found = []
    for version in read_criteria()["versions"]:
        for applies in version["applies"]:
            start = datetime.date.fromisoformat(applies["from"])
            end = applies["to"] and datetime.date.fromisoformat(applies["to"])
            if (
                version["tier"] == tier
                and applies["kind"] == kind
                and start <= on
                and (end is None or on <= end)
            ):
                found.append(
                    Rules.from_rows(tier, kind, version["name"], criteria_rows(version, kind))
                )
    assert len(found) == 1, (tier, kind, on, found)
    return found[0]


def verdict(tier, figures, *, kind="new", on=IN_2026, held=(), firm=None):
    return evaluate(figures, set(held), rules(tier, kind, on), on, firm)


def result(outcome, code):
    return next(r for r in outcome.conditions if r.code == code)


def outcomes(outcome):
    return {r.code: r.outcome for r in outcome.conditions}


def with_changes(figures, year, **fields):
    changed = {y: dict(row) for y, row in figures.items()}
    changed.setdefault(year, {}).update(fields)
    return changed


# --- Firms that meet every condition, to change one figure at a time ---------------------------


def little_giant_2022():
    """Revenue 20,000 (the top band), main business 80 %, R&D 4 % in both years, debt 50 %,
    market share 15 %, 2-year average main-business growth about 11 %."""
    return {
        Y: {
            "revenue": Decimal(20000),
            "main_revenue": Decimal(16000),
            "rd_spending": Decimal(800),
            "total_assets": Decimal(20000),
            "total_liabilities": Decimal(10000),
            "market_share": Decimal(15),
            "niche_years": 5,
            "ip_class1": 3,
            "employees": 200,
            "rd_staff": 40,
        },
        Y - 1: {"revenue": Decimal(18000), "main_revenue": Decimal(14400), "rd_spending": 720},
        Y - 2: {"revenue": Decimal(16000), "main_revenue": Decimal(13000)},
    }


def little_giant_2026():
    figures = little_giant_2022()
    figures[Y].update(main_revenue=Decimal(19000), ip_class1=5, evaluation_score=Decimal(70))
    figures[Y - 1].update(main_revenue=Decimal(17000))
    return figures


def specialized_2022():
    return {
        Y: {
            "revenue": Decimal(1200),
            "main_revenue": Decimal(1100),
            "rd_spending": Decimal(100),
            "total_assets": Decimal(1000),
            "total_liabilities": Decimal(500),
            "niche_years": 3,
            "ip_class1": 1,
            "evaluation_score": Decimal(60),
            "equity_raised": Decimal(0),
        },
        Y - 1: {"revenue": Decimal(1100), "rd_spending": Decimal(100), "equity_raised": 0},
    }


def specialized_2026():
    figures = specialized_2022()
    figures[Y].update(revenue=Decimal(2000), main_revenue=Decimal(1800), rd_spending=100)
    figures[Y - 1].update(revenue=Decimal(1800), rd_spending=Decimal(100))
    return figures


def hidden_champion():
    return {
        Y: {
            "revenue": Decimal(50000),
            "main_revenue": Decimal(40000),
            "rd_spending": Decimal(2500),
            "total_assets": Decimal(50000),
            "total_liabilities": Decimal(30000),
            "net_profit": Decimal(6000),
            "niche_years": 12,
            "national_rank": 2,
            "ip_class1": 3,
        },
        Y - 1: {"revenue": Decimal(45000), "net_profit": Decimal(5000), "rd_spending": 2000},
        Y - 2: {"revenue": Decimal(40000), "net_profit": Decimal(4000)},
    }


ZHEJIANG_FIRM = Firm(founded=2010, regions=("330302", "330300", "330000"))


# --- The figures year ---------------------------------------------------------------------------


def test_the_figures_year_is_the_latest_complete_year_before_the_day():
    assert figures_year(datetime.date(2026, 1, 1)) == 2025
    assert figures_year(datetime.date(2026, 12, 31)) == 2025


# --- 小巨人 2022: thresholds, bands, each of two years ------------------------------------------


def test_a_little_giant_meeting_every_2022_condition_qualifies():
    outcome = verdict("little_giant", little_giant_2022(), on=BEFORE_2026)

    assert outcome.verdict == QUALIFIES
    assert set(outcomes(outcome).values()) == {MET}
    assert outcome.year == Y


@pytest.mark.parametrize(
    ("revenue", "expected"),
    # Main business 16,000: 70.0000001 % and 69.99998 %.
    [(Decimal("22857.14"), MET), (Decimal("22857.15"), MISSED)],
)
def test_main_business_share_at_least_70_percent(revenue, expected):
    figures = with_changes(little_giant_2022(), Y, revenue=revenue)

    outcome = verdict("little_giant", figures, on=BEFORE_2026)

    assert result(outcome, "main_share").outcome == expected
    # Missed by a hair: close, not qualifying.
    assert outcome.verdict == (QUALIFIES if expected == MET else CLOSE)


@pytest.mark.parametrize(
    ("liabilities", "expected"), [(Decimal(14000), MET), (Decimal("14000.01"), MISSED)]
)
def test_debt_ratio_at_most_70_percent(liabilities, expected):
    figures = with_changes(little_giant_2022(), Y, total_liabilities=liabilities)

    assert (
        result(verdict("little_giant", figures, on=BEFORE_2026), "debt_ratio").outcome == expected
    )


@pytest.mark.parametrize(
    ("liabilities", "expected"),
    # 76.9 % is 9.86 % over 70 %: close; 77 % is 10 % over: not.
    [(Decimal(15380), CLOSE), (Decimal(15400), NO)],
)
def test_close_is_missed_by_less_than_ten_percent_of_the_threshold(liabilities, expected):
    figures = with_changes(little_giant_2022(), Y, total_liabilities=liabilities)

    outcome = verdict("little_giant", figures, on=BEFORE_2026)

    assert outcome.verdict == expected
    assert result(outcome, "debt_ratio").outcome == MISSED


@pytest.mark.parametrize(
    ("revenue", "rd_ratio", "expected", "band"),
    [
        # 1亿元 and above: 3 % each year.
        (Decimal(10000), Decimal(3), MET, "revenue of 100 million yuan or more"),
        (Decimal(10000), Decimal("2.99"), MISSED, "revenue of 100 million yuan or more"),
        # 5000万元 to 1亿元: 6 % each year; 9,999.99 is in it.
        (Decimal("9999.99"), Decimal(3), MISSED, "revenue of 50 to 100 million yuan"),
        (Decimal(5000), Decimal(6), MET, "revenue of 50 to 100 million yuan"),
        (Decimal(5000), Decimal("5.99"), MISSED, "revenue of 50 to 100 million yuan"),
    ],
)
def test_rd_by_revenue_band(revenue, rd_ratio, expected, band):
    rd = revenue * rd_ratio / 100
    figures = with_changes(little_giant_2022(), Y, revenue=revenue, rd_spending=rd)
    figures = with_changes(figures, Y - 1, revenue=revenue, rd_spending=rd)
    figures[Y]["main_revenue"] = revenue * Decimal("0.8")

    found = result(verdict("little_giant", figures, on=BEFORE_2026), "rd_by_revenue")

    assert (found.outcome, found.note) == (expected, band)


def small_little_giant(equity, rd_total, rd_staff):
    figures = little_giant_2022()
    figures[Y].update(
        revenue=Decimal(4000), main_revenue=Decimal(3400), rd_spending=Decimal(rd_total) / 2
    )
    figures[Y]["rd_staff"] = rd_staff
    figures[Y]["equity_raised"] = Decimal(equity)
    figures[Y - 1].update(
        revenue=Decimal(3800),
        main_revenue=Decimal(3200),
        rd_spending=Decimal(rd_total) / 2,
        equity_raised=Decimal(0),
    )
    figures[Y - 2].update(revenue=Decimal(3600), main_revenue=Decimal(3000))
    return figures


@pytest.mark.parametrize(
    ("equity", "rd_total", "rd_staff", "expected"),
    [
        (8000, 3000, 100, MET),  # 100 of 200 employees: 50 %
        (7999, 3000, 100, MISSED),
        (8000, 2999, 100, MISSED),
        (8000, 3000, 99, MISSED),
    ],
)
def test_below_5000_the_band_asks_for_equity_rd_and_rd_staff(equity, rd_total, rd_staff, expected):
    figures = small_little_giant(equity, rd_total, rd_staff)

    found = result(verdict("little_giant", figures, on=BEFORE_2026), "rd_by_revenue")

    assert found.note == "revenue below 50 million yuan"
    assert found.outcome == expected
    assert len(found.details) == 3


def test_each_of_the_last_two_years_means_both():
    one_bad_year = with_changes(little_giant_2022(), Y - 1, rd_spending=Decimal(500))  # 2.8 %
    one_year_missing = with_changes(little_giant_2022(), Y - 1, rd_spending=None)

    bad = verdict("little_giant", one_bad_year, on=BEFORE_2026)
    missing = verdict("little_giant", one_year_missing, on=BEFORE_2026)

    assert result(bad, "rd_by_revenue").outcome == MISSED
    assert result(missing, "rd_by_revenue").outcome == UNKNOWN
    assert missing.verdict == CLOSE


def test_an_average_over_two_years_needs_the_year_before_them():
    figures = little_giant_2022()
    del figures[Y - 2]

    outcome = verdict("little_giant", figures, on=BEFORE_2026)

    assert result(outcome, "main_growth").outcome == UNKNOWN
    assert outcome.verdict == CLOSE


def test_one_unknown_figure_is_close_two_are_not():
    one = with_changes(little_giant_2022(), Y, market_share=None)
    two = with_changes(one, Y, niche_years=None)

    assert verdict("little_giant", one, on=BEFORE_2026).verdict == CLOSE
    assert verdict("little_giant", two, on=BEFORE_2026).verdict == NO
    assert verdict("little_giant", {}, on=BEFORE_2026).verdict == NO


def test_a_missed_condition_and_an_unknown_one_are_not_close():
    figures = with_changes(little_giant_2022(), Y, market_share=None, niche_years=2)

    assert verdict("little_giant", figures, on=BEFORE_2026).verdict == NO


# --- 小巨人 2026, and the review standard ----------------------------------------------------


def test_little_giant_2026_needs_the_specialized_title_and_ninety_percent():
    figures = little_giant_2026()

    held = verdict("little_giant", figures, held={"specialized_sme"})
    not_held = verdict("little_giant", figures)
    old_share = verdict(
        "little_giant",
        with_changes(figures, Y, main_revenue=Decimal(17999)),
        held={"specialized_sme"},
    )

    assert held.verdict == QUALIFIES
    assert result(not_held, "holds_specialized").outcome == MISSED
    assert not_held.verdict == NO  # a prerequisite title is never "close"
    assert result(old_share, "main_share").outcome == MISSED  # 89.995 %: 2022's 70 % is not enough


def test_the_2022_little_giant_is_not_one_of_2026():
    """Main business 80 % and revenue 4,500 with the small band's figures: enough in 2022, not
    in 2026 (90 %, revenue at least 5,000)."""
    figures = small_little_giant(8000, 3000, 100)

    assert verdict("little_giant", figures, on=BEFORE_2026).verdict == QUALIFIES
    in_2026 = verdict("little_giant", figures, on=IN_2026, held={"specialized_sme"})
    assert {result(in_2026, c).outcome for c in ("revenue", "main_share")} == {MISSED}
    assert in_2026.verdict == NO


def test_market_share_or_national_rank_is_an_either_or_route():
    figures = with_changes(little_giant_2026(), Y, market_share=Decimal(9), national_rank=3)
    by_rank = verdict("little_giant", figures, held={"specialized_sme"})
    neither = verdict(
        "little_giant",
        with_changes(figures, Y, market_share=Decimal("9.5"), national_rank=4),
        held={"specialized_sme"},
    )
    rank_unknown = verdict(
        "little_giant",
        with_changes(figures, Y, market_share=Decimal("9.5"), national_rank=None),
        held={"specialized_sme"},
    )

    assert result(by_rank, "market_position").outcome == MET
    assert by_rank.verdict == QUALIFIES
    assert result(neither, "market_position").outcome == MISSED
    assert result(neither, "market_position").shortfall == Decimal("0.05")
    assert neither.verdict == CLOSE
    assert result(rank_unknown, "market_position").outcome == UNKNOWN


def test_reviews_in_2026_keep_the_2022_standard():
    figures = little_giant_2022()  # main business 80 %: the 2022 standard, not 2026's

    assert rules("little_giant", "review", IN_2026).name.endswith("（2022）：专精特新“小巨人”企业")
    assert verdict("little_giant", figures, kind="review", on=IN_2026).verdict == QUALIFIES
    assert verdict("little_giant", figures, kind="new", on=IN_2026).verdict == NO


def test_the_2026_review_does_not_ask_for_growth():
    flat = little_giant_2026()
    flat[Y - 1]["revenue"] = flat[Y]["revenue"]
    flat[Y - 2]["revenue"] = flat[Y]["revenue"]
    flat = {year + 1: row for year, row in flat.items()}  # in 2027, the figures of 2026

    new = verdict("little_giant", flat, kind="new", on=IN_2027, held={"specialized_sme"})
    review = verdict("little_giant", flat, kind="review", on=IN_2027, held={"specialized_sme"})

    assert result(new, "revenue_growth").outcome == MISSED
    assert new.verdict == NO  # growth 0 against 5 %: no relative closeness to speak of
    assert "revenue_growth" not in outcomes(review)
    assert review.verdict == QUALIFIES


def test_a_waivable_condition_missed_makes_a_firm_close_not_qualified():
    figures = with_changes(little_giant_2026(), Y, ip_class1=0)

    outcome = verdict("little_giant", figures, held={"specialized_sme"})

    assert result(outcome, "ip_class1").outcome == MISSED
    assert result(outcome, "ip_class1").waivable
    assert outcome.verdict == CLOSE
    assert "(waivable)" in outcome.text()


@pytest.mark.parametrize(
    ("rd_total", "expected"), [(Decimal(1200), MET), (Decimal("1199.98"), MISSED)]
)
def test_little_giant_2026_rd_total_of_two_years(rd_total, expected):
    figures = little_giant_2026()
    figures[Y]["rd_spending"] = rd_total / 2 + 300
    figures[Y - 1]["rd_spending"] = rd_total / 2 - 300

    outcome = verdict("little_giant", figures, held={"specialized_sme"})

    assert result(outcome, "rd_total").outcome == expected


# --- 专精特新中小企业, 2022 and 2026 ----------------------------------------------------------


def test_specialized_2022_boundaries():
    figures = specialized_2022()
    assert verdict("specialized_sme", figures, on=BEFORE_2026).verdict == QUALIFIES

    short_rd = with_changes(figures, Y, rd_spending=Decimal("99.99"))
    outcome = verdict("specialized_sme", short_rd, on=BEFORE_2026)
    assert result(outcome, "rd_spending").outcome == MISSED
    # 99.99 of 1,200 is 8.3 %: the share is met, only the amount misses (by 0.01 %).
    assert result(outcome, "rd_ratio").outcome == MET
    assert outcome.verdict == CLOSE


def test_specialized_2022_revenue_or_equity():
    small = with_changes(specialized_2022(), Y, revenue=Decimal(999), rd_spending=Decimal(40))
    with_equity = with_changes(small, Y, equity_raised=Decimal(2000))

    assert result(
        verdict("specialized_sme", small, on=BEFORE_2026), "revenue_or_equity"
    ).outcome == (MISSED)
    found = result(verdict("specialized_sme", with_equity, on=BEFORE_2026), "revenue_or_equity")
    assert found.outcome == MET


def test_specialized_2022_score_or_a_direct_route():
    low_score = with_changes(specialized_2022(), Y, evaluation_score=Decimal("59.9"))
    big_rd = with_changes(low_score, Y, rd_spending=Decimal(1100), revenue=Decimal(20000))
    big_rd = with_changes(big_rd, Y - 1, rd_spending=Decimal(900), revenue=Decimal(18000))

    missed = verdict("specialized_sme", low_score, on=BEFORE_2026)
    direct = verdict("specialized_sme", big_rd, on=BEFORE_2026)

    assert result(missed, "score_or_direct").outcome == MISSED
    assert result(direct, "score_or_direct").outcome == MET  # 2-year average R&D 1,000


def test_specialized_2026_is_stricter_than_2022():
    figures = specialized_2022()  # revenue 1,200: 2022's 1,000 is met, 2026's 1,500 is not

    in_2026 = verdict("specialized_sme", figures, held={"innovative_sme"})

    assert verdict("specialized_sme", figures, on=BEFORE_2026).verdict == QUALIFIES
    assert result(in_2026, "revenue_or_equity").outcome == MISSED
    assert result(in_2026, "main_share").outcome == MET  # 91.7 %
    assert verdict("specialized_sme", specialized_2026(), held={"innovative_sme"}).verdict == (
        QUALIFIES
    )


@pytest.mark.parametrize(
    ("score", "expected"), [(Decimal(50), QUALIFIES), (Decimal("49.9"), CLOSE), (Decimal(44), NO)]
)
def test_specialized_2026_evaluation_score_at_least_50(score, expected):
    figures = with_changes(specialized_2026(), Y, evaluation_score=score)

    assert verdict("specialized_sme", figures, held={"innovative_sme"}).verdict == expected


def test_specialized_2026_rd_in_each_of_two_years_and_the_title_held():
    figures = specialized_2026()
    figures[Y - 1]["rd_spending"] = Decimal("99")

    outcome = verdict("specialized_sme", figures, held={"innovative_sme"})
    no_title = verdict("specialized_sme", specialized_2026())

    assert result(outcome, "rd_spending").outcome == MISSED
    assert result(no_title, "holds_innovative").outcome == MISSED
    assert no_title.verdict == NO


def test_specialized_review_in_2026_uses_2022_and_from_2027_the_2026_measures():
    assert rules("specialized_sme", "review", datetime.date(2026, 12, 31)).name.startswith(
        "优质中小企业梯度培育管理暂行办法（2022）"
    )
    assert rules("specialized_sme", "review", datetime.date(2027, 1, 1)).name.startswith(
        "优质中小企业梯度培育管理办法（2026）"
    )
    assert rules("specialized_sme", "new", datetime.date(2026, 3, 31)).name.startswith(
        "优质中小企业梯度培育管理暂行办法（2022）"
    )
    assert rules("specialized_sme", "new", datetime.date(2026, 4, 1)).name.startswith(
        "优质中小企业梯度培育管理办法（2026）"
    )


# --- 创新型中小企业: the points table ---------------------------------------------------------


def innovative(rd_ratio, growth, debt, main_share, ip1=1, ip2=0, group="other"):
    """Main-business revenue 10 × ``main_share`` the year before, up ``growth`` % since; the
    revenue makes its share ``main_share`` %."""
    before = Decimal(main_share) * 10
    main_revenue = before * (1 + Decimal(growth) / 100)
    revenue = main_revenue * 100 / Decimal(main_share)
    return (
        {
            Y: {
                "revenue": revenue,
                "rd_spending": revenue * Decimal(rd_ratio) / 100,
                "main_revenue": main_revenue,
                "total_assets": Decimal(1000),
                "total_liabilities": Decimal(debt) * 10,
                "ip_class1": ip1,
                "ip_class2": ip2,
                "equity_raised": Decimal(0),
            },
            Y - 1: {"main_revenue": before, "equity_raised": Decimal(0)},
            Y - 2: {"equity_raised": Decimal(0)},
        },
        Firm(industry_group=group),
    )


def score_of(outcome):
    route = result(outcome, "route")
    return next(d for d in route.details if d.label == "score")


@pytest.mark.parametrize(
    ("rd_ratio", "growth", "debt", "main_share", "group", "expected", "points", "firm_verdict"),
    [
        # 创新能力 10 + 15, 成长性 15 + 10, 专业化 20 + 5: 75.
        (3, 10, 55, 70, "other", MET, "75 points", QUALIFIES),
        # R&D 2.99 %: 10 instead of 15; debt 55.1 %: 5 instead of 10: 65.
        ("2.99", 10, "55.1", 70, "other", MET, "65 points", QUALIFIES),
        # Growth 9.99 %: 10; debt 76 %: 0; 成长性 10 < 15 (a third short), though the total is 70.
        (5, "9.99", 76, 70, "emerging", MISSED, "70 points", NO),
        # 创新能力 10 + 5 = 15 < 20 (a quarter short), though the total is 75.
        (1, 15, 55, 70, "emerging", MISSED, "75 points", NO),
        # Total 55 with every part at its minimum or more: missed by 8.3 %, close.
        (2, 5, 75, 60, "other", MISSED, "55 points", CLOSE),
    ],
)
def test_innovative_sme_points_table(
    rd_ratio, growth, debt, main_share, group, expected, points, firm_verdict
):
    figures, firm = innovative(rd_ratio, growth, debt, main_share, group=group)

    outcome = verdict("innovative_sme", figures, firm=firm)
    score = score_of(outcome)

    assert (score.outcome, score.note) == (expected, points)
    assert outcome.verdict == firm_verdict


def test_innovative_sme_new_equity_is_a_direct_route():
    figures, firm = innovative(1, 0, 90, 40)
    figures[Y]["equity_raised"] = Decimal(300)
    figures[Y - 1]["equity_raised"] = Decimal(200)

    assert verdict("innovative_sme", figures, firm=firm).verdict == QUALIFIES
    figures[Y - 1]["equity_raised"] = Decimal("199.99")
    assert verdict("innovative_sme", figures, firm=firm).verdict == CLOSE  # 0.002 % short
    figures[Y - 1]["equity_raised"] = Decimal(0)
    assert verdict("innovative_sme", figures, firm=firm).verdict == NO


def test_a_score_with_unknown_items_is_unknown_only_when_they_could_change_it():
    figures, _firm = innovative(5, 15, 55, 70)
    no_industry = verdict("innovative_sme", figures, firm=Firm())  # 10 points unknown: 95 anyway
    figures[Y]["total_assets"] = None  # and the debt ratio: 85 without both
    figures[Y]["main_revenue"] = None  # and main-business share and growth: 35 without them
    little_known = verdict("innovative_sme", figures, firm=Firm())

    assert score_of(no_industry).outcome == MET
    assert score_of(little_known).outcome == UNKNOWN


# --- 单项冠军 and 隐形冠军 -------------------------------------------------------------------


def champion(main_revenues, niche_years=10, global_rank=3):
    return {
        Y - back: {
            "main_revenue": Decimal(value),
            "niche_years": niche_years,
            "global_rank": global_rank,
        }
        for back, value in enumerate(main_revenues)
    }


def test_single_champion_2023_three_year_average():
    assert verdict("single_champion", champion([50000, 40000, 30000])).verdict == QUALIFIES
    low = verdict("single_champion", champion([50000, 40000, 29999]))
    assert result(low, "main_revenue").outcome == MISSED
    assert low.verdict == CLOSE  # 0.0008 % short
    two_years = verdict("single_champion", champion([90000, 90000]))
    assert result(two_years, "main_revenue").outcome == UNKNOWN
    # 9 years of 10 is 10 % short: not close (less than 10 % is).
    assert verdict("single_champion", champion([50000] * 3, niche_years=9)).verdict == NO
    assert verdict("single_champion", champion([50000] * 3, global_rank=4)).verdict == NO


def test_single_champion_2016_and_2023_versions():
    old = rules("single_champion", "new", datetime.date(2020, 1, 1))
    new = rules("single_champion", "new", IN_2026)

    assert {c["code"] for c in old.conditions} == {"niche_years", "main_share", "global_rank"}
    assert {c["code"] for c in new.conditions} == {"niche_years", "main_revenue", "global_rank"}


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        (Decimal(5000), MET),
        (Decimal("4999.99"), MISSED),
        (Decimal(200000), MET),
        (Decimal("200000.01"), MISSED),
    ],
)
def test_hidden_champion_revenue_range(revenue, expected):
    figures = with_changes(hidden_champion(), Y, revenue=revenue)

    found = result(verdict("hidden_champion", figures, firm=ZHEJIANG_FIRM), "revenue")

    assert found.outcome == expected


def test_hidden_champion_qualifies_and_revenue_must_rise_strictly():
    assert verdict("hidden_champion", hidden_champion(), firm=ZHEJIANG_FIRM).verdict == QUALIFIES
    flat = with_changes(hidden_champion(), Y - 1, revenue=Decimal(40000))  # 2024 = 2023

    outcome = verdict("hidden_champion", flat, firm=ZHEJIANG_FIRM)

    assert result(outcome, "revenue_up").outcome == MISSED  # growth 0 % is not > 0 %


def test_hidden_champion_registered_in_zhejiang_and_ten_years_old():
    elsewhere = Firm(founded=2010, regions=("320500", "320000"))
    young = Firm(founded=2016, regions=ZHEJIANG_FIRM.regions)
    just_ten = Firm(founded=2015, regions=ZHEJIANG_FIRM.regions)

    assert result(
        verdict("hidden_champion", hidden_champion(), firm=elsewhere), "registered"
    ).outcome == (MISSED)
    assert result(
        verdict("hidden_champion", hidden_champion(), firm=young), "years_operating"
    ).outcome == (MISSED)
    assert result(
        verdict("hidden_champion", hidden_champion(), firm=just_ten), "years_operating"
    ).outcome == (MET)
    assert result(verdict("hidden_champion", hidden_champion()), "registered").outcome == UNKNOWN


def test_hidden_champion_profit_growth_from_a_loss_is_unknown():
    figures = with_changes(hidden_champion(), Y - 2, net_profit=Decimal(-100))

    outcome = verdict("hidden_champion", figures, firm=ZHEJIANG_FIRM)

    assert result(outcome, "profit_growth").outcome == UNKNOWN


def test_conditions_read_as_text_with_their_values():
    figures = with_changes(little_giant_2022(), Y - 1, rd_spending=Decimal(500))

    text = verdict("little_giant", figures, on=BEFORE_2026).text()

    assert "Main business at least 70 % of revenue: 80% (required ≥ 70%): met" in text
    assert "in 2025 4%, in 2024 2.8% (required each of the last 2 years ≥ 3%): missed" in text


# --- The parameters' check ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "spec"),
    [
        ("threshold", {"measure": "rd_ratio", "op": "=>", "value": 3}),
        ("threshold", {"measure": "no_such_measure", "op": ">=", "value": 3}),
        ("threshold", {"measure": "rd_ratio", "op": ">=", "value": "3"}),
        ("threshold", {"measure": "rd_ratio", "op": ">=", "value": 3, "years": 9}),
        ("threshold", {"measure": "rd_ratio", "op": ">=", "value": 3, "over": "median"}),
        ("range", {"measure": "revenue", "min": 10, "max": 5}),
        ("any_of", {"routes": [{"all_of": []}]}),
        ("bands", {"by": "revenue", "bands": [{"from": 0, "all_of": [{"form": "nope"}]}]}),
        ("holds_tier", {"tiers": "little_giant"}),
        ("score", {"total": {"op": ">=", "value": 60}, "parts": [{"items": [{"measure": "x"}]}]}),
        ("magic", {}),
    ],
)
def test_parameters_that_do_not_read_are_refused(form, spec):
    assert spec_errors(form, spec)
    with pytest.raises(ValidationError):
        Condition(code="c", label="c", form=form, spec=spec).clean()
    with pytest.raises(InvalidCondition):
        Rules.from_rows("t", "new", "v", [{"code": "c", "label": "c", "form": form, "spec": spec}])


def test_every_shipped_condition_reads():
    for version in read_criteria()["versions"]:
        for applies in version["applies"]:
            for row in criteria_rows(version, applies["kind"]):
                assert spec_errors(row["form"], row["spec"]) == [], (version["name"], row)


# --- The database: seeded versions, constraints, history --------------------------------------


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_the_migration_seeded_every_version_of_the_file():
    expected = sum(len(version["applies"]) for version in read_criteria()["versions"])

    assert RuleVersion.objects.count() == expected
    assert set(RuleVersion.objects.values_list("tier_id", flat=True)) == {
        "innovative_sme",
        "specialized_sme",
        "little_giant",
        "single_champion",
        "hidden_champion",
    }
    assert not RuleVersion.objects.filter(source="").exists()
    for condition in Condition.objects.all():
        condition.clean()


@pytestmark_db
@pytest.mark.parametrize(
    ("tier", "kind", "day", "document"),
    [
        ("little_giant", "new", datetime.date(2026, 3, 31), "工信部企业〔2022〕63号"),
        ("little_giant", "new", datetime.date(2026, 4, 1), "工信部企业〔2026〕2号"),
        ("little_giant", "review", datetime.date(2026, 12, 31), "工信部企业〔2022〕63号"),
        ("little_giant", "review", datetime.date(2027, 1, 1), "工信部企业〔2026〕2号"),
        ("single_champion", "new", datetime.date(2023, 8, 31), "工信部产业〔2016〕105号"),
        ("single_champion", "new", datetime.date(2023, 9, 1), "工信部政法〔2023〕138号"),
    ],
)
def test_the_version_applying_on_a_day(tier, kind, day, document):
    version = rule_version_for(tier, kind, day)

    assert version.document == document
    assert version.applies_from <= day
    assert version.applies_to is None or day <= version.applies_to


@pytestmark_db
def test_no_version_before_the_first_and_overlaps_are_refused():
    with pytest.raises(NoRuleVersion):
        rule_version_for("little_giant", "new", datetime.date(2020, 1, 1))
    with pytest.raises(NoRuleVersion):
        rule_version_for("first_set", "new", IN_2026)
    tier = Tier.objects.get(code="little_giant")
    overlapping = RuleVersion(
        tier=tier, kind="new", name="x", applies_from=datetime.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()
    overlapping.save()  # the database allows it (an exclusion constraint is PostgreSQL only) …
    with pytest.raises(AmbiguousRuleVersion):
        rule_version_for("little_giant", "new", IN_2026)  # … the evaluation does not


@pytestmark_db
def test_a_version_cannot_end_before_it_starts():
    tier = Tier.objects.get(code="first_set")
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleVersion.objects.create(
            tier=tier,
            kind="new",
            name="x",
            applies_from=datetime.date(2026, 1, 2),
            applies_to=datetime.date(2026, 1, 1),
        )
    one_day = RuleVersion.objects.create(
        tier=tier,
        kind="new",
        name="x",
        applies_from=datetime.date(2026, 1, 1),
        applies_to=datetime.date(2026, 1, 1),
    )
    assert rule_version_for("first_set", "new", datetime.date(2026, 1, 1)) == one_day


@pytestmark_db
def test_edits_of_the_criteria_have_history():
    condition = Condition.objects.filter(rule_version__tier_id="little_giant", code="debt_ratio")[0]
    condition.spec = {**condition.spec, "value": 65}
    condition.save()
    version = condition.rule_version
    version.source += " 已核对。"
    version.save()

    assert condition.history.count() == 1  # seeded rows have none; the edit has one
    assert condition.history.first().spec["value"] == 65
    assert version.history.first().source.endswith("已核对。")


# --- The figures they need: fields, constraints, import, export -------------------------------


@pytestmark_db
@pytest.mark.parametrize(
    "fields",
    [{"main_revenue": -1}, {"rd_staff": -1}, {"market_share": Decimal("100.01")}],
)
def test_figures_checks(make_enterprise, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyFigures.objects.create(enterprise=make_enterprise(), year=2024, **fields)


@pytestmark_db
def test_a_net_profit_may_be_negative(make_enterprise):
    figures = YearlyFigures.objects.create(
        enterprise=make_enterprise(), year=2024, net_profit=Decimal("-12.5"), market_share=100
    )
    assert figures.net_profit == Decimal("-12.5")


@pytestmark_db
def test_the_new_figures_import_with_chinese_headers_and_export_back(tmp_path, make_enterprise):
    firm = make_enterprise()
    header = [
        "统一社会信用代码",
        "年份",
        "主营业务收入（万元）",
        "资产总额",
        "负债总额（万元）",
        "净利润",
        "研发人员",
        "Ⅰ类知识产权",
        "Ⅱ类知识产权（项）",
        "从事细分领域年限",
        "细分市场占有率（%）",
        "新增股权融资（万元）",
        "评价得分",
    ]
    row = [firm.credit_code, "2025", "1,200.5", "3000", "1500", "-20", "12", "2", "7", "6"]
    path = write_csv(tmp_path / "figures.csv", [header, [*row, "12.5%", "500", "61.5"]])

    outcome = run_import("figures", path)

    assert outcome.summary == "created 1, updated 0, unchanged 0, errors 0", outcome.out
    figures = YearlyFigures.objects.get(enterprise=firm)
    assert (figures.main_revenue, figures.total_assets, figures.net_profit) == (
        Decimal("1200.5"),
        Decimal(3000),
        Decimal(-20),
    )
    assert (figures.rd_staff, figures.ip_class1, figures.ip_class2, figures.niche_years) == (
        12,
        2,
        7,
        6,
    )
    assert (figures.market_share, figures.equity_raised, figures.evaluation_score) == (
        Decimal("12.5"),
        Decimal(500),
        Decimal("61.5"),
    )
    exported = export_bytes("figures", tmp_path).decode("utf-8-sig").splitlines()
    assert exported[0].endswith(
        "main_revenue (10k yuan),total_assets (10k yuan),total_liabilities (10k yuan),"
        "net_profit (10k yuan),rd_staff,ip_class1,ip_class2,niche_years,market_share (%),"
        "equity_raised (10k yuan),evaluation_score"
    )
    assert exported[1].endswith("1200.50,3000.00,1500.00,-20.00,12,2,7,6,12.50,500.00,61.5")


def test_a_market_share_over_100_percent_is_refused_in_a_file():
    parse = decimal_cell(5, 2, maximum=100, percent=True)

    assert parse("100%") == Decimal(100)
    with pytest.raises(CellError):
        parse("100.5")
    with pytest.raises(CellError):
        decimal_cell(16, 2)("-1")
    assert decimal_cell(16, 2, negative=True)("-1") == Decimal(-1)
