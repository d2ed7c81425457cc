"""The enterprise change page in a browser: it fits a 1366 px screen without scrolling sideways,
for a firm with titles, former names, recommendations and years of figures."""

import datetime
from decimal import Decimal

import pytest

from champions.models import Batch, Enterprise, FormerName, Recommendation, Tier, YearlyFigures
from champions.services.designations import award
from champions.services.recommendations import move
from tests.admin_helpers import make_member
from tests.browser_helpers import BROWSER_MARKS, log_in, scrolls_sideways

pytestmark = BROWSER_MARKS

LAPTOP = {"width": 1366, "height": 768}


def full_firm(make_enterprise):
    """A firm with all an enterprise page shows: former names, titles with events, a moved
    recommendation and years of figures with large amounts."""
    firm = make_enterprise(
        name="温州示例超长名称精密机械制造(集团)股份有限公司",
        main_product="高精度数控机床主轴及其关键零部件",
        founded=1995,
    )
    for number, name in enumerate(("瓯海示例机械厂", "温州示例精密机械有限公司"), start=1):
        FormerName.objects.create(
            enterprise=firm, name=name, until=datetime.date(2000 + 5 * number, 3, 1)
        )
    tiers = Tier.objects.filter(kind=Tier.Kind.ENTERPRISE).order_by("position")[:3]
    for number, tier in enumerate(tiers, start=1):
        batch = Batch.objects.create(tier=tier, number=number + 5, year=2020 + number)
        award(firm, tier, batch=batch, year=batch.year, happened_on=datetime.date(2021, 11, 20))
    batch = Batch.objects.create(tier=tiers[0], number=9, year=2024)
    move(Recommendation.objects.create(enterprise=firm, batch=batch), "nominated")
    for year in range(2018, 2025):
        YearlyFigures.objects.create(
            enterprise=firm,
            year=year,
            output_value=Decimal("123456789.12"),
            revenue=Decimal("98765432.10"),
            rd_spending=Decimal("1234567.89"),
            new_product_output=Decimal("87654321.00"),
            export_value=Decimal("7654321.00"),
            employees=12345,
            national_rank=1,
            global_rank=3,
            size_class="large",
        )
    return firm


@pytest.mark.parametrize(
    "group, language", [("Data entry", "zh-hans"), ("Data entry", "en"), ("Viewer", "zh-hans")]
)
def test_the_enterprise_page_fits_a_laptop_screen(
    browser, live_server, make_enterprise, group, language
):
    firm = full_firm(make_enterprise)
    user = make_member(group)
    url = f"{live_server.url}/admin/champions/enterprise/{firm.pk}/change/"

    def scenario(page):
        log_in(page, live_server, user.username)
        page.goto(url)
        page.wait_for_selector("#title-timelines")
        overflowing = page.evaluate(
            """[...document.querySelectorAll('.inline-group, #title-timelines')]
                 .filter(group => group.scrollWidth > group.clientWidth).map(group => group.id)"""
        )
        return scrolls_sideways(page), overflowing, page.locator("#figures-group").inner_text()

    sideways, overflowing, figures = browser.run(scenario, language=language, viewport=LAPTOP)
    assert not sideways
    assert overflowing == []  # nor does any inline reach past the page's column
    if group == "Viewer":
        assert "123,456,789.12" in figures
    assert Enterprise.objects.get(pk=firm.pk).figures.count() == 7
