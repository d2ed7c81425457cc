"""The admin's candidates page, its export and the titles due for review
(``champions.admin.candidates``): who may see them, what they show, how many queries they cost.

The rules are made here (a tier the seeded criteria do not cover, two simple thresholds), so the
tests say exactly which firm qualifies; the evaluation itself is tested in test_eligibility.py.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from champions.admin.candidates import SECTION_ROWS
from champions.cache import data_changed
from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import Condition, RuleVersion, Tier, YearlyFigures
from champions.services.designations import award
from tests.admin_helpers import PASSWORD, make_member

pytestmark = pytest.mark.django_db

CANDIDATES = reverse("admin:champions_candidates")
REVIEWS = reverse("admin:champions_reviews_due")
AS_OF = datetime.date(2026, 6, 1)  # figures of 2025
YEAR = 2025
TIER = "champion_pool"  # no seeded criteria: the test's own
NO_RULES_TIER = "first_set"
GROUPS = (DATA_ENTRY, REVIEWER, VIEWER)
COLUMNS = ["credit_code", "name", "verdict", "holds_tier", "conditions"]


def params(**extra):
    return {"tier": TIER, "as_of": AS_OF.isoformat(), "kind": "new", **extra}


@pytest.fixture
def rules():
    """New applications: revenue ≥ 1,000 and R&D ≥ 3 % of it; a review: revenue ≥ 800."""
    tier = Tier.objects.get(code=TIER)
    new = RuleVersion.objects.create(
        tier=tier, kind="new", name="测试认定条件", applies_from=datetime.date(2020, 1, 1)
    )
    Condition.objects.create(
        rule_version=new,
        position=1,
        code="revenue",
        label="营业收入",
        form="threshold",
        spec={"measure": "revenue", "op": ">=", "value": 1000},
    )
    Condition.objects.create(
        rule_version=new,
        position=2,
        code="rd",
        label="研发投入占比",
        form="threshold",
        spec={"measure": "rd_ratio", "op": ">=", "value": 3},
    )
    review = RuleVersion.objects.create(
        tier=tier, kind="review", name="测试复核标准", applies_from=datetime.date(2020, 1, 1)
    )
    Condition.objects.create(
        rule_version=review,
        position=1,
        code="revenue",
        label="营业收入",
        form="threshold",
        spec={"measure": "revenue", "op": ">=", "value": 800},
    )
    return tier


def firm(make_enterprise, name, revenue, rd_spending):
    enterprise = make_enterprise(name=name)
    YearlyFigures.objects.create(
        enterprise=enterprise, year=YEAR, revenue=revenue, rd_spending=rd_spending
    )
    return enterprise


@pytest.fixture
def registry(rules, make_enterprise):
    """One firm qualifies, one qualifies and holds the tier, one is close (5 % short of the
    revenue), one is not (far short); titles ending within 12 months and after."""
    rows = {
        "qualifies": firm(make_enterprise, "甲合格公司", Decimal(2000), Decimal(100)),
        "holder": firm(make_enterprise, "乙已获公司", Decimal(2000), Decimal(100)),
        "close": firm(make_enterprise, "丙接近公司", Decimal(950), Decimal(50)),
        "no": firm(make_enterprise, "丁不符公司", Decimal(100), Decimal(1)),
    }
    rows["holder_title"] = award(
        rows["holder"],
        rules,
        year=2024,
        happened_on=datetime.date(2024, 3, 1),
        valid_until=datetime.date(2026, 9, 30),
    )
    # Another tier, whose review no rule version covers, ending within the 12 months.
    rows["no_rules_title"] = award(
        rows["close"],
        Tier.objects.get(code=NO_RULES_TIER),
        year=2023,
        happened_on=datetime.date(2023, 5, 1),
        valid_until=datetime.date(2027, 2, 28),
    )
    # Ending after the 12 months: not listed.
    rows["later_title"] = award(
        rows["no"],
        rules,
        year=2025,
        happened_on=datetime.date(2025, 3, 1),
        valid_until=datetime.date(2028, 2, 28),
    )
    return rows


def client_of(group):
    client = Client()
    client.force_login(make_member(group))
    return client


def sections(page):
    """``{section key: [enterprise ids in it]}`` of a candidates page."""
    found = {}
    for key, body in re.findall(
        r'<div class="module elig-section" id="section-(\w+)">(.*?)</div>', page, re.S
    ):
        found[key] = [int(pk) for pk in re.findall(r'data-enterprise="(\d+)"', body)]
    return found


def count_of(page, element_id):
    match = re.search(rf'id="{element_id}"><(?:a[^>]*><)?strong data-count="(\d+)"', page)
    return int(match.group(1)) if match else None


def csv_rows(body):
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def download(client, file_format, **extra):
    response = client.get(CANDIDATES, params(_export=file_format, **extra))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# --- Who may see them ---------------------------------------------------------------------------


@pytest.mark.parametrize("group", GROUPS)
def test_every_staff_group_reads_both_pages_and_the_export(registry, group):
    client = client_of(group)
    assert client.get(CANDIDATES).status_code == 200
    assert client.get(CANDIDATES, params()).status_code == 200
    assert client.get(REVIEWS).status_code == 200
    response, body = download(client, "csv")
    assert response.status_code == 200
    assert csv_rows(body)[0] == COLUMNS


@pytest.mark.parametrize(
    "url",
    [CANDIDATES, f"{CANDIDATES}?tier={TIER}", f"{CANDIDATES}?tier={TIER}&_export=csv", REVIEWS],
)
def test_the_public_gets_the_login_page(registry, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "url",
    [CANDIDATES, f"{CANDIDATES}?tier={TIER}", f"{CANDIDATES}?tier={TIER}&_export=xlsx", REVIEWS],
)
def test_staff_without_the_permissions_get_403(registry, url):
    user = get_user_model().objects.create_user("nobody", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 403
    # The rule versions alone are not enough: the pages show the firms' figures.
    user.user_permissions.add(Permission.objects.get(codename="view_ruleversion"))
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_yearlyfigures"))
    user = get_user_model().objects.get(pk=user.pk)  # permissions are cached on the object
    client.force_login(user)
    assert client.get(url).status_code == 200


def test_the_pages_answer_get_only(registry, admin_client):
    assert admin_client.post(CANDIDATES, params()).status_code == 405
    assert admin_client.post(REVIEWS).status_code == 405


def test_the_pages_are_linked_from_the_index_and_the_rule_versions(registry):
    client = client_of(VIEWER)
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{CANDIDATES}"' in index and f'href="{REVIEWS}"' in index
    versions = client.get(reverse("admin:champions_ruleversion_changelist")).content.decode()
    assert f'href="{CANDIDATES}"' in versions and f'href="{REVIEWS}"' in versions
    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD, is_staff=True)
    nobody.user_permissions.add(Permission.objects.get(codename="view_ruleversion"))
    client.force_login(nobody)
    versions = client.get(reverse("admin:champions_ruleversion_changelist")).content.decode()
    assert f'href="{CANDIDATES}"' not in versions


def test_the_rule_version_admin_edits_conditions_inline_with_history(registry, admin_client):
    version = RuleVersion.objects.get(tier_id=TIER, kind="new")
    url = reverse("admin:champions_ruleversion_change", args=[version.pk])
    page = admin_client.get(url).content.decode()
    assert "研发投入占比" in page and 'name="conditions-TOTAL_FORMS"' in page
    history = reverse("admin:champions_ruleversion_history", args=[version.pk])
    assert admin_client.get(history).status_code == 200


# --- The candidates page ------------------------------------------------------------------------


def test_candidates_qualify_first_then_the_close_ones_with_their_conditions(registry):
    page = client_of(VIEWER).get(CANDIDATES, params()).content.decode()
    found = sections(page)
    assert found == {"qualifies": [registry["qualifies"].pk], "close": [registry["close"].pk]}
    # Counts at the top: four evaluated, two hold the tier, one in each section.
    assert count_of(page, "count-evaluated") == 4
    assert count_of(page, "count-holding") == 2
    assert count_of(page, "count-qualifies") == 1
    assert count_of(page, "count-close") == 1
    assert "测试认定条件" in page
    # Each row links to the firm and shows each condition's outcome and values.
    change = reverse("admin:champions_enterprise_change", args=[registry["close"].pk])
    assert f'<a href="{change}">丙接近公司</a>' in page
    close_row = page[page.index(f'data-enterprise="{registry["close"].pk}"') :]
    close_row = close_row[: close_row.index("</tr>")]
    assert re.search(r'data-code="revenue" data-outcome="missed"', close_row)
    assert re.search(r'data-code="rd" data-outcome="met"', close_row)
    assert "营业收入" in close_row and "950" in close_row
    assert "丁不符公司" not in page and "乙已获公司" not in page


def test_an_unknown_figure_makes_a_firm_close_and_says_so(registry, make_enterprise):
    unknown = make_enterprise(name="戊缺数公司")
    YearlyFigures.objects.create(enterprise=unknown, year=YEAR, revenue=Decimal(2000))
    page = client_of(VIEWER).get(CANDIDATES, params()).content.decode()
    assert unknown.pk in sections(page)["close"]
    row = page[page.index(f'data-enterprise="{unknown.pk}"') :]
    assert 'data-code="rd" data-outcome="unknown"' in row[: row.index("</tr>")]


def test_a_review_lists_the_holders_against_the_review_standard(registry):
    page = client_of(VIEWER).get(CANDIDATES, params(kind="review")).content.decode()
    assert sections(page) == {
        "qualifies": [registry["holder"].pk],
        "close": [],
        "no": [registry["no"].pk],
    }
    assert "测试复核标准" in page


def test_the_form_offers_the_tiers_with_rules_and_defaults(registry):
    page = client_of(VIEWER).get(CANDIDATES).content.decode()
    tiers = set(
        re.findall(r'<option value="(\w+)"', page.split('name="tier"')[1].split("</select>")[0])
    )
    with_rules = set(RuleVersion.objects.values_list("tier_id", flat=True))
    assert tiers == with_rules and TIER in tiers and NO_RULES_TIER not in tiers
    assert f'href="?tier={TIER}"' in page  # the links to each tier when none is chosen yet
    assert sections(page) == {}


def test_a_tier_without_rules_on_the_day_says_so(registry):
    client = client_of(VIEWER)
    page = client.get(CANDIDATES, params(as_of="2019-06-01")).content.decode()
    assert 'id="elig-problem"' in page and sections(page) == {}
    response = client.get(CANDIDATES, {"tier": NO_RULES_TIER})
    assert response.status_code == 200 and sections(response.content.decode()) == {}
    response = client.get(CANDIDATES, params(as_of="not-a-day"))
    assert response.status_code == 200 and response.context["form"].errors


def test_a_long_section_is_cut_and_says_so(registry, make_enterprise, monkeypatch):
    monkeypatch.setattr("champions.admin.candidates.SECTION_ROWS", 2)
    for number in range(3):
        firm(make_enterprise, f"己合格{number}公司", Decimal(3000), Decimal(200))
    page = client_of(VIEWER).get(CANDIDATES, params()).content.decode()
    assert len(sections(page)["qualifies"]) == 2
    assert count_of(page, "count-qualifies") == 4
    assert 'class="elig-note-row elig-cut"' in page
    assert SECTION_ROWS >= 100


# --- The export ---------------------------------------------------------------------------------


def test_the_export_has_every_firm_in_the_columns_of_the_candidates_command(registry):
    client = client_of(VIEWER)
    response, body = download(client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *lines = csv_rows(body)
    assert header == COLUMNS
    by_name = {line[1]: line for line in lines}
    assert set(by_name) == {"甲合格公司", "乙已获公司", "丙接近公司", "丁不符公司"}
    assert by_name["甲合格公司"][2:4] == ["qualifies", "no"]
    assert by_name["乙已获公司"][2:4] == ["qualifies", "yes"]
    assert by_name["丙接近公司"][2] == "close"
    assert by_name["丁不符公司"][2] == "no"
    assert "营业收入" in by_name["丙接近公司"][4]
    assert [line[2] for line in lines] == ["qualifies", "qualifies", "close", "no"]

    response, data = download(client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0] == COLUMNS
    assert [row[:4] for row in rows[1:]] == [line[:4] for line in lines]


def test_a_bad_export_format_is_refused(registry, admin_client):
    assert admin_client.get(CANDIDATES, params(_export="pdf")).status_code == 400
    assert admin_client.get(CANDIDATES, {"_export": "csv"}).status_code == 400


# --- The titles due for review ------------------------------------------------------------------


def test_titles_due_for_review_by_end_date_with_the_standard_that_applies(registry):
    page = client_of(VIEWER).get(REVIEWS, {"as_of": AS_OF.isoformat()}).content.decode()
    rows = re.findall(r'data-designation="(\d+)" data-verdict="(\w+)"', page)
    assert rows == [
        (str(registry["holder_title"].pk), "qualifies"),
        (str(registry["no_rules_title"].pk), "none"),
    ]
    assert re.findall(r'data-month="([\d-]+)"', page) == ["2026-09", "2027-02"]
    assert "测试复核标准" in page
    # The tier without a review standard is listed as such (无复核标准), not hidden.
    assert page.count('class="elig-verdict elig-verdict-none"') == 1
    assert count_of(page, "count-total") == 2
    assert count_of(page, "count-qualifies") == 1
    assert count_of(page, "count-none") == 1


def test_a_title_whose_firm_fell_short_is_shown_so(registry):
    YearlyFigures.objects.filter(enterprise=registry["holder"]).update(revenue=Decimal(100))
    page = client_of(VIEWER).get(REVIEWS, {"as_of": AS_OF.isoformat()}).content.decode()
    assert f'data-designation="{registry["holder_title"].pk}" data-verdict="no"' in page
    assert 'data-code="revenue" data-outcome="missed"' in page


def test_both_pages_default_to_today(registry):
    client = client_of(VIEWER)
    response = client.get(REVIEWS)
    assert response.context["result"]["as_of"] == timezone.localdate()
    response = client.get(CANDIDATES, {"tier": TIER})
    assert response.context["result"]["as_of"] == timezone.localdate()
    assert response.context["result"]["kind"] == "new"


# --- Queries ------------------------------------------------------------------------------------


def add_firms(make_enterprise, tier, count, start):
    for number in range(start, start + count):
        enterprise = firm(
            make_enterprise, f"规模{number:03d}公司", Decimal(500 + 100 * number), Decimal(40)
        )
        if number % 3 == 0:
            award(
                enterprise,
                tier,
                year=2024,
                happened_on=datetime.date(2024, 3, 1),
                valid_until=AS_OF + datetime.timedelta(days=30 + number),
            )


#: Every admin request: the session, the user, the user's and the groups' permissions, and the
#: session saved again (a savepoint, the update, its release: ``SESSION_SAVE_EVERY_REQUEST``).
REQUEST_QUERIES = 7
#: The candidates page's own: the tiers with rules; the rule version and its conditions, read
#: for the page and again by ``evaluate_city``; the tiers' names, the firms, their figures and
#: the titles they hold.
CANDIDATE_QUERIES = REQUEST_QUERIES + 9
#: The candidates page, computed, is stored in the cache (the database's table in the tests):
#: the data version, the page's key, then storing it (a savepoint, the table's size, the key, the
#: insert, the release).
CACHE_QUERIES = 6
#: The reviews page's own: the titles due (with their firms, regions, industries, tiers and
#: batches), the review versions, their conditions, the tiers' names, the figures, the titles
#: held.
REVIEW_QUERIES = REQUEST_QUERIES + 6


@pytest.mark.parametrize("url", ["candidates", "csv", "reviews"])
def test_a_fixed_number_of_queries_for_3_firms_and_for_30(
    rules, make_enterprise, django_assert_num_queries, url
):
    client = client_of(VIEWER)
    target = {
        "candidates": (CANDIDATES, params(), CANDIDATE_QUERIES + CACHE_QUERIES),
        "csv": (CANDIDATES, params(_export="csv"), CANDIDATE_QUERIES),
        "reviews": (REVIEWS, {"as_of": AS_OF.isoformat()}, REVIEW_QUERIES),
    }[url]
    client.get(target[0], target[1])  # the session and caches warmed up

    def measure():
        with django_assert_num_queries(target[2]):
            response = client.get(target[0], target[1])
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code == 200

    add_firms(make_enterprise, rules, 3, 0)
    measure()
    add_firms(make_enterprise, rules, 27, 3)
    measure()


def test_the_candidates_page_is_kept_until_the_data_change(registry, django_assert_max_num_queries):
    client = client_of(VIEWER)
    assert sections(client.get(CANDIDATES, params()).content.decode())["close"] == [
        registry["close"].pk
    ]
    with django_assert_max_num_queries(REQUEST_QUERIES + 3):  # read from the cache
        client.get(CANDIDATES, params())
    YearlyFigures.objects.filter(enterprise=registry["close"]).update(revenue=Decimal(1500))
    data_changed()  # ``update`` sends no signal: what the importer does after such writes
    found = sections(client.get(CANDIDATES, params()).content.decode())
    assert set(found["qualifies"]) == {registry["qualifies"].pk, registry["close"].pk}
