"""The public pages and their CSV and JSON twins, on a small hand-made registry.

``build_registry`` makes a registry that exercises every rule the pages apply: titles in force,
on a publicity list, lapsed, revoked and expired; a firm recorded with its city only; a firm in
another city; a pending nomination; figures below the disclosure minimum; a firm whose name would
run as a spreadsheet formula. Its titles are recorded as the programmes record them, through
``champions.services.designations``: an award on its announcement day, and passed reviews that
keep it held to this day (``held_title``), a failed review, a revocation.
"""

import csv
import datetime
import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, TestCase
from django.utils import timezone, translation
from django.utils.formats import date_format

from champions import lifecycle, summary
from champions.cache import data_changed
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    EventKind,
    Expert,
    FiguresYear,
    FormerName,
    Industry,
    Notice,
    Organisation,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    Tier,
    YearlyFigures,
)
from champions.services.designations import award, record_designation, record_event, refresh
from champions.services.recommendations import advance, move
from champions.templatetags.champions_pages import num, percent
from champions.workflow import Stage
from tests.conftest import make_credit_code

pytestmark = pytest.mark.django_db

PENDING_NAME = "待定推荐候选有限公司"
SECRET_OUTPUT = Decimal("987654.32")
UNPUBLISHED_SEMINAR = "内部筹备会议"
FORMULA_NAME = "=HYPERLINK(1)示例有限公司"

#: Every list and breakdown, each of which has CSV and JSON twins.
LISTS = [
    "/enterprises/",
    "/breakdowns/regions/",
    "/breakdowns/industries/",
    "/breakdowns/batches/",
    "/breakdowns/province/",
    "/breakdowns/targets/",
    "/seminars/",
]
PAGES = ["/", *LISTS]


def commit_data_changes():
    """Publish the data changes made so far, as their commit does in production: pages then
    read the shared data version from the cache. (Inside the test's transaction they would keep
    a version of their own, which costs no query.)"""
    with TestCase.captureOnCommitCallbacks(execute=True):
        data_changed()


#: How long before its term ends a title's review is announced, in ``keep_in_force``.
REVIEW_LEAD = datetime.timedelta(days=90)


def years_ago(years, day=None):
    """The same day ``years`` earlier than ``day`` (default today)."""
    return lifecycle.years_later(day or timezone.localdate(), -years)


def keep_in_force(designation):
    """Record the passed reviews that keep ``designation`` held to this day: each announced
    ``REVIEW_LEAD`` before its term ends, until the term runs at least that long past today.
    Every review is dated in the past; a tier without a fixed validity needs none."""
    today = timezone.localdate()
    while designation.valid_until is not None and designation.valid_until < today + REVIEW_LEAD:
        record_event(
            designation,
            EventKind.REVIEW_RESULT,
            outcome=lifecycle.PASSED,
            happened_on=designation.valid_until - REVIEW_LEAD,
        )
    return designation


def held_title(enterprise, tier, announced_on, **fields):
    """A title of ``tier`` (a ``Tier`` or its code) awarded on ``announced_on`` and held ever
    since (``keep_in_force``): it counts at the end of every year from its award's, and today.
    ``fields`` go to ``award`` (``year``, default the announcement's; ``batch``, ``product``,
    ``notice``)."""
    if isinstance(tier, str):
        tier = Tier.objects.get(code=tier)
    fields.setdefault("year", announced_on.year)
    return keep_in_force(award(enterprise, tier, happened_on=announced_on, **fields))


def award_in_bulk(designations, announced_on):
    """Record the award of each of ``designations`` (saved in bulk) on ``announced_on``, in bulk,
    and derive their standing as the service does (``refresh``)."""
    DesignationEvent.objects.bulk_create(
        DesignationEvent(designation=d, kind=EventKind.AWARD, happened_on=announced_on)
        for d in designations
    )
    refresh([d.pk for d in designations])


def build_registry():
    """The small registry of this module (see the module docstring). Returns its named parts."""
    region = {code: Region.objects.get(code=code) for code in ("330300", "330302", "330381")}
    ningbo_county = Region.objects.get(code="330203")
    tier = {t.code: t for t in Tier.objects.all()}
    industry = {i.code: i for i in Industry.objects.all()}
    serial = iter(range(500, 10**6))

    def firm(name, county, industry_code=None, **fields):
        return Enterprise.objects.create(
            name=name,
            credit_code=make_credit_code(next(serial)),
            region=county,
            industry=industry[industry_code] if industry_code else None,
            **fields,
        )

    batch6 = Batch.objects.create(
        tier=tier["single_champion"],
        number=6,
        year=2021,
        document="工信厅企业函〔2021〕296号",
        announced_on=datetime.date(2021, 11, 30),
    )
    alpha = firm("甲泵阀有限公司", region["330302"], "pumps_valves", main_product="球阀")
    FormerName.objects.create(enterprise=alpha, name="甲阀门厂")
    beta = firm("乙电气有限公司", region["330381"], "electrical", main_product="断路器")
    gamma = firm("丙鞋业有限公司", region["330381"], "footwear")
    delta = firm("丁科技有限公司", region["330300"])  # recorded with the city only
    epsilon = firm("戊生物有限公司", region["330302"], "life_health")
    outsider = firm("宁波己有限公司", ningbo_county, "electrical")
    lapsed = firm("庚失效有限公司", region["330302"], "apparel")
    revoked = firm("辛撤销有限公司", region["330302"], "apparel")
    publicized = firm("壬公示有限公司", region["330381"], "auto_parts")
    formula = firm(FORMULA_NAME, region["330302"], "auto_parts")
    pending = firm(PENDING_NAME, region["330302"], "pumps_valves")

    # Held from the award to this day: they count today and at the end of every year since.
    alpha_list = Notice.objects.create(
        kind=EventKind.AWARD,
        tier=tier["single_champion"],
        document="工信部产业〔2019〕1号",
        published_on=datetime.date(2019, 11, 20),
    )
    held_title(alpha, "single_champion", alpha_list.published_on, notice=alpha_list)
    held_title(alpha, "hidden_champion", datetime.date(2020, 11, 10))
    for product in ("断路器", "接触器"):
        held_title(beta, "single_champion_product", datetime.date(2020, 11, 17), product=product)
    held_title(gamma, "hidden_champion", datetime.date(2020, 11, 10))
    held_title(outsider, "hidden_champion", datetime.date(2020, 11, 10))
    # Tiers without a fixed validity: held until an event ends them.
    held_title(delta, "specialized_cultivation", datetime.date(2021, 8, 2))
    held_title(formula, "first_set", datetime.date(2021, 9, 1), product="首台套泵")
    # Expired: its list gave the term, to the end of 2020, and no review is recorded.
    award(
        epsilon,
        tier["specialized_cultivation"],
        year=2018,
        happened_on=datetime.date(2018, 6, 1),
        valid_until=datetime.date(2020, 12, 31),
    )
    # Lapsed: its review failed, so it ended with its term (before today, after 2018).
    record_event(
        award(lapsed, tier["single_champion"], year=2019, happened_on=datetime.date(2019, 11, 20)),
        EventKind.REVIEW_RESULT,
        outcome=lifecycle.FAILED,
        happened_on=datetime.date(2022, 10, 10),
    )
    # Revoked in 2021.
    record_event(
        award(revoked, tier["little_giant"], year=2019, happened_on=datetime.date(2019, 5, 30)),
        EventKind.REVOCATION,
        happened_on=datetime.date(2021, 6, 30),
    )
    # On a publicity list published three weeks ago, not awarded (yet).
    listed_on = timezone.localdate() - datetime.timedelta(days=21)
    publicity, _created = record_designation(
        enterprise=publicized, tier=tier["little_giant"], year=listed_on.year
    )
    record_event(publicity, EventKind.PUBLICITY, happened_on=listed_on)

    # Batch 6: beta approved (which records its title), three more filed, one never filed.
    for enterprise, stage in (
        (beta, Stage.APPROVED),
        (gamma, Stage.SUBMITTED),
        (epsilon, Stage.PROVINCE_PASSED),
        (pending, Stage.PROVINCE_PASSED),
        (delta, Stage.DRAFT),
    ):
        recommendation = Recommendation.objects.create(enterprise=enterprise, batch=batch6)
        if stage != Stage.DRAFT:
            advance(recommendation, stage)
    # beta's title, awarded with the batch's announcement, passed its reviews since.
    keep_in_force(Designation.objects.get(enterprise=beta, tier=tier["single_champion"]))

    # 2020 figures: four traditional firms, one emerging firm (too few to publish its group).
    # The bureau has closed the year (only closed years are published).
    FiguresYear.objects.create(year=2020, closed_on=datetime.date(2021, 3, 31))
    for enterprise, output, new in (
        # alpha's new-product output is 82 % of the total: under the dominance share (85 %).
        (alpha, SECRET_OUTPUT, Decimal("300000")),
        (beta, Decimal("120000"), Decimal("40000")),
        (gamma, Decimal("50000"), Decimal("10000")),
        (publicized, Decimal("30000"), Decimal("10000")),
        (epsilon, Decimal("20000"), Decimal("5000")),
    ):
        YearlyFigures.objects.create(
            enterprise=enterprise, year=2020, output_value=output, new_product_output=new
        )
    Target.objects.create(
        code="over_10bn",
        name="产值超10亿元企业",
        metric=Target.Metric.ENTERPRISES_OVER,
        threshold=Decimal("100000"),
        goal=10,
        deadline_year=2025,
        position=1,
    )
    for position, (group, name, goal) in enumerate(
        (("traditional", "传统产业产值", "60000000"), ("emerging", "新兴产业产值", "55000000")),
        start=2,
    ):
        Target.objects.create(
            code=group,
            name=name,
            metric=Target.Metric.GROUP_OUTPUT,
            industry_group=group,
            goal=Decimal(goal),
            deadline_year=2025,
            position=position,
        )

    # The province's counts: Wenzhou shares the third place with Jiaxing.
    for code, count in (
        ("330100", 20),
        ("330200", 15),
        ("330300", 9),
        ("330400", 9),
        ("330500", 3),
    ):
        ProvinceCount.objects.create(
            region=Region.objects.get(code=code),
            tier=tier["single_champion"],
            year=2021,
            measure=ProvinceCount.Measure.SUBMITTED,
            count=count,
            source="浙江省经信厅通报",
        )

    seminar = Seminar.objects.create(
        title="制造业单项冠军培育研讨会",
        held_on=datetime.date(2021, 7, 12),
        place="温州",
        summary="研讨单项冠军培育路径。",
        is_published=True,
    )
    seminar.sponsors.add(Organisation.objects.create(name="中国工业经济联合会"))
    seminar.experts.add(Expert.objects.create(name="张教授", affiliation="某大学"))
    seminar.participants.add(alpha)
    Seminar.objects.create(title=UNPUBLISHED_SEMINAR, held_on=datetime.date(2021, 6, 1))
    commit_data_changes()
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "epsilon": epsilon,
        "outsider": outsider,
        "lapsed": lapsed,
        "revoked": revoked,
        "publicized": publicized,
        "formula": formula,
        "pending": pending,
        "batch6": batch6,
    }


@pytest.fixture
def registry():
    return build_registry()


def get(client, url, language="zh-hans", **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def csv_rows(response):
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def page_count(response):
    """The number of firms the directory page says it lists."""
    return int(re.search(r'class="result-count" data-count="(\d+)"', body(response)).group(1))


def summary_counts(client, **params):
    data = client.get("/api/summary.json", params).json()
    return {tier["code"]: tier["count"] for tier in data["tiers"]}


# --- Every page and twin, anonymous, in both languages -----------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_answers_anonymously_in_both_languages(client, registry, url, language):
    response = get(client, url, language)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = body(response)
    assert f'<html lang="{language}">' in html
    # The language switch, on every page, posting to Django's set_language view.
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html and 'name="language" value="zh-hans"' in html
    if url in LISTS:
        assert "format=csv" in html and "format=json" in html


@pytest.mark.parametrize(
    "url", ["/", "/enterprises/", "/breakdowns/regions/", "/breakdowns/industries/"]
)
def test_tier_names_follow_the_language(client, registry, url):
    assert "制造业单项冠军企业" in body(get(client, url, "zh-hans"))
    english = body(get(client, url, "en"))
    assert "Manufacturing single champion enterprise" in english


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_list_has_csv_and_json_twins(client, registry, url, language):
    response = get(client, url, language, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    assert len(rows) >= 2, "a header and at least one row"
    data = get(client, url, language, format="json").json()
    assert [c["key"] for c in data["columns"]] == [c for c in data["rows"][0]]
    # The directory's JSON is one page of the list, and says how long the list is.
    assert data.get("count", len(data["rows"])) == len(rows) - 1


def test_language_switch_sets_english_for_the_next_pages(client, registry):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/breakdowns/regions/"})
    assert response.status_code == 302
    assert response["Location"] == "/breakdowns/regions/"
    page = body(client.get("/breakdowns/regions/"))
    assert '<html lang="en">' in page
    assert "Rui&#x27;an" in page or "Rui'an" in page


def test_dates_and_numbers_are_written_in_the_local_form(client, registry):
    assert "2021年7月12日" in body(get(client, "/seminars/", "zh-hans"))
    assert "July 12, 2021" in body(get(client, "/seminars/", "en"))
    assert num(10105) == "10,105"
    assert num(Decimal("1629.43")) == "1,629.4"
    assert num(None) == "—"
    assert percent(0.381) == "38.1%"


def test_unknown_page_is_a_404_in_the_site_layout(client, registry):
    response = get(client, "/no-such-page/", "en")
    assert response.status_code == 404
    assert 'action="/i18n/setlang/"' in body(response)


def test_write_methods_are_refused(client, registry):
    for url in PAGES:
        assert client.post(url).status_code == 405


# --- Counts agree: pages, summary JSON, CSV twins ----------------------------------------------


def test_home_counts_equal_the_summary_json_and_link_to_the_directory(client, registry):
    html = body(get(client, "/", "en"))
    counts = summary_counts(client)
    for code, count in counts.items():
        link = re.search(
            rf'<a href="([^"]+)" data-tier="{code}" data-counts="\w+">([\d,]+)</a>', html
        )
        if not count:
            # A tier held by none says so ("none", or "not recorded" when nothing of it is).
            assert link is None, code
            assert re.search(rf'data-tier="{code}" data-state="(none|unrecorded)"', html), code
            continue
        assert link, code
        assert int(link.group(2).replace(",", "")) == count
    assert counts["single_champion"] == 2  # alpha, and beta by approval; not the lapsed firm
    assert counts["single_champion_product"] == 2
    assert counts["hidden_champion"] == 3
    # Enterprise titles: the directory behind the link lists as many firms as the count.
    directory = client.get("/enterprises/", {"tier": "hidden_champion"})
    assert page_count(directory) == counts["hidden_champion"]


def test_headlines_on_the_home_page_equal_the_summary_json(client, registry):
    html = body(get(client, "/", "en"))
    headlines = client.get("/api/summary.json").json()["headlines"]
    for headline in headlines:
        shown = re.search(rf'data-headline="{headline["code"]}">([\d,]+)<', html).group(1)
        assert int(shown.replace(",", "")) == headline["count"]
    assert re.search(r'data-headline="new_product_output_rate">([\d.]+)%', html).group(1) == "30.2"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "330300", "tier": "hidden_champion"}, 2),  # the city: not the Ningbo firm
        ({"region": "330381", "tier": "hidden_champion"}, 1),  # Rui'an
        ({"region": "330300", "tier": "specialized_cultivation", "year": "2020"}, 1),
        ({"region": "330300", "tier": "specialized_cultivation"}, 1),
        ({"region": "330302", "tier": "specialized_cultivation", "year": "2019"}, 1),
        ({"region": "330302", "tier": "specialized_cultivation"}, 0),  # epsilon's title expired
        ({"region": "330300", "tier": "single_champion", "year": "2018"}, 0),
    ],
)
def test_region_subtree_tier_and_year_filters_agree_everywhere(client, registry, params, expected):
    page = client.get("/enterprises/", params)
    assert page_count(page) == expected
    csv_count = len(csv_rows(client.get("/enterprises/", {**params, "format": "csv"}))) - 1
    json_count = client.get("/enterprises/", {**params, "format": "json"}).json()["count"]
    scope = {k: v for k, v in params.items() if k in ("region", "year")}
    assert summary_counts(client, **scope)[params["tier"]] == expected
    assert csv_count == json_count == expected


@pytest.mark.parametrize(
    ("url", "params", "scope"),
    [
        # The region breakdown's rows are the city's counties, so it counts the city.
        ("/breakdowns/regions/", {}, {"region": "330300"}),
        ("/breakdowns/regions/", {"year": "2020"}, {"region": "330300", "year": "2020"}),
        ("/breakdowns/regions/", {"region": "330381"}, {"region": "330381"}),
        # The industry breakdown counts the whole registry, like the home page.
        ("/breakdowns/industries/", {}, {}),
        ("/breakdowns/industries/", {"year": "2020"}, {"year": "2020"}),
        (
            "/breakdowns/industries/",
            {"region": "330300", "year": "2020"},
            {"region": "330300", "year": 2020},
        ),
    ],
)
def test_breakdown_totals_equal_the_summary_json(client, registry, url, params, scope):
    expected = summary_counts(client, **scope)
    rows = client.get(url, {**params, "format": "json"}).json()["rows"]
    total = next(row for row in rows if row["row"] == "total")
    assert {code: total[code] for code in expected} == expected


def test_breakdown_rows_add_up_and_match_their_csv(client, registry):
    data = client.get("/breakdowns/regions/", {"format": "json"}).json()
    rows = csv_rows(client.get("/breakdowns/regions/", {"format": "csv"}))
    assert len(rows) - 1 == len(data["rows"])
    regions = [row for row in data["rows"] if row["row"] == "region"]
    total = data["rows"][-1]
    assert sum(row["hidden_champion"] for row in regions) == total["hidden_champion"] == 2
    assert sum(row["enterprises"] for row in regions) == total["enterprises"]
    # delta is recorded with the city only: it gets a row of its own.
    assert data["rows"][-2]["code"] == "330300"
    assert data["rows"][-2]["specialized_cultivation"] == 1


def test_directory_json_and_csv_list_the_same_firms_as_the_page(client, registry):
    page = body(client.get("/enterprises/", {"status": "all"}))
    data = client.get("/enterprises/", {"status": "all", "format": "json"}).json()
    rows = csv_rows(client.get("/enterprises/", {"status": "all", "format": "csv"}))
    names = [row["name"] for row in data["rows"]]
    assert names == [row[0].removeprefix("'") for row in rows[1:]]
    for name in names:
        assert name in page or name.replace("=", "") in page
    assert data["count"] == len(names) == page_count(client.get("/enterprises/", {"status": "all"}))


# --- What the public may see ---------------------------------------------------------------


def every_public_response(client, registry):
    """Every page and twin in both languages, and the firm pages of every firm."""
    for language in ("zh-hans", "en"):
        for url in PAGES:
            yield url, get(client, url, language)
            if url in LISTS:
                yield url, get(client, url, language, format="csv")
                yield url, get(client, url, language, format="json")
        for url in (
            "/enterprises/",
            "/breakdowns/regions/",
            "/breakdowns/industries/",
            "/breakdowns/batches/",
        ):
            for extra in ({"status": "all"}, {"year": "2021"}, {"region": "330302"}):
                yield url, get(client, url, language, **extra)
        yield "summary", get(client, "/api/summary.json", language)
        for enterprise in Enterprise.objects.all():
            url = f"/enterprises/{enterprise.pk}/"
            yield url, get(client, url, language)


def test_no_pending_name_no_firm_figure_no_unpublished_seminar_anywhere(client, registry):
    secret_forms = [
        PENDING_NAME,
        "987654",
        "987,654",
        "98.8",  # the secret output in 100 million yuan
        UNPUBLISHED_SEMINAR,
    ]
    seen = 0
    for url, response in every_public_response(client, registry):
        text = body(response)
        for secret in secret_forms:
            assert secret not in text, (url, secret)
        seen += 1
    assert seen > 60


def test_firm_pages_exist_only_for_holders_of_a_public_title(client, registry):
    for name in ("pending", "lapsed", "revoked"):
        assert client.get(f"/enterprises/{registry[name].pk}/").status_code == 404
    assert client.get("/enterprises/999999/").status_code == 404
    # The expired title no longer gives epsilon a page; the outsider's title does.
    assert client.get(f"/enterprises/{registry['epsilon'].pk}/").status_code == 404
    assert client.get(f"/enterprises/{registry['outsider'].pk}/").status_code == 200


def test_firm_page_lists_titles_with_batch_year_and_document(client, registry):
    html = body(get(client, f"/enterprises/{registry['beta'].pk}/", "en"))
    assert "Manufacturing single champion enterprise" in html
    assert "batch 6" in html and "2021" in html
    # The batch's document: its approval recorded the award from the batch's notice.
    assert "工信厅企业函〔2021〕296号" in html
    html = body(get(client, f"/enterprises/{registry['alpha'].pk}/", "en"))
    assert "工信部产业〔2019〕1号" in html  # the award's list; the reviews since had none
    # The state its events leave it in, and the last day of its current term.
    reviewed = Designation.objects.get(enterprise=registry["alpha"], tier="single_champion")
    with translation.override("en"):
        term_end = date_format(reviewed.valid_until)
    assert f"Passed review · term ends {term_end}" in html
    assert "甲阀门厂" in html  # a former name
    assert str(SECRET_OUTPUT) not in html


def test_titles_on_a_publicity_list_are_shown_only_when_asked_and_marked(client, registry):
    firm = registry["publicized"]
    assert firm.name not in body(client.get("/enterprises/"))
    listed = body(get(client, "/enterprises/", "en", status="publicized"))
    assert firm.name in listed and "on a publicity list" in listed
    page = body(get(client, f"/enterprises/{firm.pk}/", "en"))
    assert 'class="publicized"' in page and "On the publicity list" in page
    # Counts never include them.
    assert summary_counts(client)["little_giant"] == 0


def test_figures_over_fewer_than_three_firms_are_suppressed_with_a_note(client, registry):
    data = get(client, "/breakdowns/targets/", "en", format="json").json()
    by_name = {row["name"]: row for row in data["rows"]}
    assert by_name["新兴产业产值"]["value"] is None  # one emerging firm
    assert "fewer than 3" in by_name["新兴产业产值"]["note"]
    assert by_name["产值超10亿元企业"]["value"] == "2"  # alpha and beta, among 5 reporting
    traditional = Decimal(by_name["传统产业产值"]["value"])  # 100 million yuan
    assert traditional == (SECRET_OUTPUT + 120000 + 50000 + 30000) / 10000
    html = body(get(client, "/breakdowns/targets/", "en"))
    assert "fewer than 3 firms" in html
    assert html.count('class="progress suppressed"') == 1


def test_new_product_rate_is_suppressed_below_three_firms(client, make_enterprise):
    hidden = Tier.objects.get(code="hidden_champion")
    FiguresYear.objects.create(year=2020, closed_on=datetime.date(2021, 3, 31))
    for index in range(2):
        firm = make_enterprise()
        held_title(firm, hidden, datetime.date(2020, 11, 10))
        YearlyFigures.objects.create(
            enterprise=firm, year=2020, output_value=100 + index, new_product_output=50
        )
    html = body(get(client, "/", "en"))
    assert 'data-headline="new_product_output_rate">—<' in html
    assert "fewer than 3 firms" in html
    assert "101" not in html


def test_csv_cells_that_would_run_as_formulas_are_escaped(client, registry):
    rows = csv_rows(client.get("/enterprises/", {"format": "csv"}))
    names = [row[0] for row in rows]
    assert "'" + FORMULA_NAME in names
    assert FORMULA_NAME not in names


# --- Directory behaviour -------------------------------------------------------------------


def test_directory_search_matches_former_names_and_full_width_forms(client, registry):
    for query in ("甲泵阀", "甲阀门厂", "甲 泵 阀"):
        assert page_count(client.get("/enterprises/", {"q": query})) == 1, query
    assert page_count(client.get("/enterprises/", {"q": "不存在"})) == 0


def test_directory_filters_by_batch_industry_level_and_designation_year(client, registry):
    batch = registry["batch6"]
    assert page_count(client.get("/enterprises/", {"batch": batch.pk})) == 1  # beta
    assert page_count(client.get("/enterprises/", {"industry": "electrical"})) == 2
    assert page_count(client.get("/enterprises/", {"level": "national"})) == 2  # alpha, beta
    assert page_count(client.get("/enterprises/", {"designated": "2021"})) == 3


def test_directory_pages_and_sorts(client, make_enterprise):
    tier = Tier.objects.get(code="specialized_cultivation")
    lucheng, ruian = Region.objects.get(code="330302"), Region.objects.get(code="330381")
    for index in range(120):
        firm = make_enterprise(name=f"企业{index:03d}", region=ruian if index % 2 else lucheng)
        held_title(firm, tier, datetime.date(2021, 8, 2))
    first = client.get("/enterprises/", {"format": "json"}).json()
    assert (first["count"], first["pages"], len(first["rows"])) == (120, 3, 50)
    assert first["rows"][0]["name"] == "企业000"
    last = client.get("/enterprises/", {"format": "json", "page": 3}).json()
    assert len(last["rows"]) == 20
    reversed_ = client.get("/enterprises/", {"format": "json", "sort": "-name"}).json()
    assert reversed_["rows"][0]["name"] == "企业119"
    by_region = client.get("/enterprises/", {"format": "json", "sort": "region"}).json()
    assert by_region["rows"][0]["region"] == "鹿城区"
    html = body(client.get("/enterprises/", {"page": 2}))
    assert "page=3" in html and "page=1" in html
    assert len(csv_rows(client.get("/enterprises/", {"format": "csv"}))) == 121


def test_directory_lists_the_highest_titles_first_then_names(client, make_enterprise):
    """By default: the level of a firm's highest title (national, provincial, municipal), then
    the tier's place on the echelon, then the name; the CSV in the same order."""
    day = datetime.date(2021, 8, 2)
    held = {
        "甲": ["champion_pool"],
        "乙": ["champion_pool", "hidden_champion"],
        "丙": ["little_giant"],
        "丁": ["hidden_champion"],
        "戊": ["specialized_cultivation"],
    }
    for name, tiers in held.items():
        firm = make_enterprise(name=f"排序企业{name}")
        for tier in tiers:
            held_title(firm, tier, day)
    expected = ["排序企业丙", "排序企业丁", "排序企业乙", "排序企业戊", "排序企业甲"]
    rows = client.get("/enterprises/", {"format": "json"}).json()["rows"]
    assert [row["name"] for row in rows] == expected
    assert [row[0] for row in csv_rows(client.get("/enterprises/", {"format": "csv"}))[1:]] == (
        expected
    )
    # Filtered by a tier, the firms hold the same highest matching title: names decide, in
    # pinyin order (甲 jiǎ before 乙 yǐ; tests/test_pinyin_order.py).
    rows = client.get("/enterprises/", {"format": "json", "tier": "champion_pool"}).json()["rows"]
    assert [row["name"] for row in rows] == ["排序企业甲", "排序企业乙"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tier": "no_such_tier"}, "tier"),
        ({"region": "999999"}, "region"),
        ({"year": "20x1"}, "year"),
        ({"sort": "credit_code"}, "sort"),
        ({"status": "lapsed"}, "status"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(client, registry, params, field):
    assert client.get("/enterprises/", params).status_code == 400
    response = client.get("/enterprises/", {**params, "format": "json"})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert client.get("/enterprises/", {**params, "format": "csv"}).status_code == 400


# --- Breakdowns ----------------------------------------------------------------------------


def test_industry_breakdown_groups_traditional_and_emerging(client, registry):
    rows = client.get("/breakdowns/industries/", {"format": "json", "year": "2020"}).json()["rows"]
    kinds = [row["row"] for row in rows]
    assert kinds.count("group") == 3  # traditional, emerging and other
    traditional = next(row for row in rows if row["row"] == "group")
    members = rows[: kinds.index("group")]
    assert sum(row["hidden_champion"] for row in members) == traditional["hidden_champion"] == 3
    unrecorded = next(row for row in rows if row["code"] == "")
    assert unrecorded["name"]  # delta has no industry
    assert rows[-1]["row"] == "total"


def test_region_breakdown_shades_cells_by_their_column(client, registry):
    html = body(client.get("/breakdowns/regions/"))
    assert "heat-5" in html and "heat-0" in html
    # The cell of Rui'an's hidden champions links to exactly those firms.
    assert "/enterprises/?tier=hidden_champion&amp;region=330381" in html


def test_batch_funnel_counts_stages_and_success_rate(client, registry):
    rows = client.get("/breakdowns/batches/", {"format": "json"}).json()["rows"]
    (batch,) = rows
    assert (batch["tier"], batch["batch"], batch["year"]) == ("制造业单项冠军企业", 6, 2021)
    assert (batch["nominated"], batch["province_passed"], batch["submitted"]) == (4, 4, 2)
    assert (batch["publicized"], batch["approved"]) == (1, 1)
    # Three nominations are still under way: a rate now would only look low.
    assert (batch["under_way"], batch["success_rate"]) == (3, None)
    assert "3 nominations still under way" in body(get(client, "/breakdowns/batches/", "en"))
    for recommendation in Recommendation.objects.filter(stage__in=["submitted", "province_passed"]):
        move(recommendation, Stage.REJECTED)
    batch = client.get("/breakdowns/batches/", {"format": "json"}).json()["rows"][0]
    assert (batch["under_way"], batch["success_rate"]) == (0, 0.25)
    assert batch["province_passed"] == 4  # rejected later, they still got that far
    html = body(get(client, "/breakdowns/batches/", "en"))
    assert "<strong>4</strong> passed the provincial screening" in html
    assert "25.0%" in html
    assert 'class="chart funnel"' in html


def test_home_shows_the_latest_funnel_and_the_city_rank(client, registry):
    html = body(get(client, "/", "en"))
    assert "<strong>4</strong> passed the provincial screening" in html
    assert "3rd in Zhejiang Province" in html
    assert "浙江省经信厅通报" in html  # the source of the rank
    province = client.get("/breakdowns/province/", {"format": "json"}).json()["rows"]
    ranks = {row["city"]: row["rank"] for row in province}
    assert ranks["温州市"] == ranks["嘉兴市"] == 3
    assert ranks["湖州市"] == 5


def test_every_home_figure_says_as_of_when_and_from_where(client, registry):
    html = body(get(client, "/", "en"))
    with translation.override("en"):
        today = date_format(timezone.localdate())
    assert html.count(f"As of {today}.") == 2  # the headline figures and the echelon
    assert "Source: titles recorded in the registry from the lists published by MIIT" in html
    # In Chinese, the authorities are named in Chinese, in one sentence.
    chinese = body(get(client, "/", "zh-hans"))
    assert "来源：本名录据工业和信息化部、" in chinese
    assert "2020 figures of 5 firms" in html
    assert "Figures of 2020; goal for 2025." in html


def test_seminars_lists_published_ones_with_everything_about_them(client, registry):
    html = body(get(client, "/seminars/", "en"))
    for text in ("制造业单项冠军培育研讨会", "中国工业经济联合会", "张教授", "甲泵阀有限公司"):
        assert text in html
    assert f'href="/enterprises/{registry["alpha"].pk}/"' in html
    assert UNPUBLISHED_SEMINAR not in html
    rows = client.get("/seminars/", {"format": "json", "year": "2020"}).json()["rows"]
    assert rows == []


def test_home_chart_is_inline_svg_with_a_link_per_tier(client, registry):
    html = body(get(client, "/", "en"))
    svg = html[html.index('<svg class="chart echelon"') : html.index("</svg>")]
    # One bar per tier, the levels from the top; a link for each tier with holders.
    assert svg.count('<g class="tier ') == Tier.objects.count()
    held = [code for code, count in summary_counts(client).items() if count]
    assert svg.count('<a href="/enterprises/?tier=') == len(held)
    levels = re.findall(r'<g class="band level-(\w+)">', svg)
    assert levels == ["national", "provincial", "municipal"]
    assert "<script" not in html


# --- The cache follows every change ---------------------------------------------------------


def test_a_change_shows_on_the_next_request(cache_backend, client, registry):
    assert summary_counts(client)["little_giant"] == 0
    html = body(client.get("/"))
    # A staff member records the award of the publicized title, as the admin would.
    title = Designation.objects.get(enterprise=registry["publicized"])
    record_event(title, EventKind.AWARD, happened_on=timezone.localdate())
    assert summary_counts(client)["little_giant"] == 1
    assert body(client.get("/")) != html
    title.delete()
    assert summary_counts(client)["little_giant"] == 0


def test_bulk_writes_that_say_so_show_on_the_next_request(cache_backend, client, registry):
    from champions.cache import data_changed

    tier = Tier.objects.get(code="little_giant")
    assert page_count(client.get("/enterprises/", {"tier": "little_giant"})) == 0
    announced_on = years_ago(1)
    titles = Designation.objects.bulk_create(
        [Designation(enterprise=registry["gamma"], tier=tier, year=announced_on.year)]
    )
    award_in_bulk(titles, announced_on)
    data_changed()
    assert page_count(client.get("/enterprises/", {"tier": "little_giant"})) == 1


def test_the_cache_is_used_until_the_data_change(client, registry, django_assert_num_queries):
    cache.clear()
    first = client.get("/breakdowns/regions/")
    with django_assert_num_queries(2):  # the data version and the cached page
        again = client.get("/breakdowns/regions/")
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", again.content) == token.sub(b"", first.content)
    client.get("/breakdowns/regions/", {"format": "json"})
    with django_assert_num_queries(2):  # the data version and the cached table
        client.get("/breakdowns/regions/", {"format": "json"})


def test_a_cached_page_gets_a_fresh_csrf_token_for_each_visitor(cache_backend, registry):
    """The language switch posts a CSRF token; a cached page must not hand one visitor's token
    to the next."""
    cache.clear()
    pages = [Client().get("/") for _ in range(2)]
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        for page in pages
    ]
    assert tokens[0] != tokens[1]
    assert "csrf-token" not in pages[1].content.decode()
    # Each token works for the visitor who got it.
    visitor = Client(enforce_csrf_checks=True)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', visitor.get("/").content.decode()
    ).group(1)
    response = visitor.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_summary_functions_count_what_the_pages_count(registry):
    scope = summary.make_scope(Region.objects.get(code="330300"), 2020)
    tiers = {t["code"]: t["count"] for t in summary.tier_counts(scope)}
    assert tiers["specialized_cultivation"] == 1  # epsilon, in force until the end of 2020
    assert tiers["hidden_champion"] == 2


@pytest.mark.parametrize(
    ("required", "outcome"),
    [("1", "CHAMPIONS_REQUIRE_BROWSER=1 requires it"), ("", "1 skipped")],
)
def test_browser_tests_fail_without_chromium_only_when_required(required, outcome):
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "CHAMPIONS_CHROMIUM": "/nonexistent/chromium",
        "CHAMPIONS_REQUIRE_BROWSER": required,
    }
    test = "tests/test_browser_pages.py::test_home_renders_its_echelon_chart"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert outcome in result.stdout, result.stdout + result.stderr
    assert (result.returncode != 0) == bool(required)


def test_a_title_ending_today_leaves_the_pages_at_midnight(
    cache_backend, client, make_enterprise, monkeypatch
):
    today = timezone.localdate()
    tier = Tier.objects.get(code="little_giant")
    firm = make_enterprise()
    tomorrow = today + datetime.timedelta(days=1)
    # Announced three years before tomorrow: the last day of its term is today. (On 28 February
    # of a leap year no announcement day gives that term; the list then states it.)
    announced_on = years_ago(tier.validity_years, tomorrow)
    computed = lifecycle.term_end(announced_on, tier.validity_years)
    title = award(
        firm,
        tier,
        year=announced_on.year,
        happened_on=announced_on,
        valid_until=None if computed == today else today,
    )
    assert (title.held_from, title.valid_until) == (announced_on, today)
    assert page_count(client.get("/enterprises/", {"tier": "little_giant"})) == 1
    assert summary_counts(client)["little_giant"] == 1
    # No edit happens overnight; the cached pages still follow the date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert page_count(client.get("/enterprises/", {"tier": "little_giant"})) == 0
    assert summary_counts(client)["little_giant"] == 0
    assert client.get(f"/enterprises/{firm.pk}/").status_code == 404
