"""Forms that fit the city and the clerk: regions city first, autocompletes that tell firms
apart, a batch search that finds what it shows, duplicate firms caught with a link, amounts with
thousands separators, and the link to recommend a firm."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry

from champions.admin.designations import batch_term
from champions.admin.enterprises import enterprise_label
from champions.admin.figures import format_amount
from champions.models import (
    Batch,
    Designation,
    Enterprise,
    FormerName,
    ProvinceCount,
    Recommendation,
    Region,
    YearlyFigures,
)
from tests.admin_helpers import (
    PASSWORD,
    admin_url,
    enterprise_form_data,
    make_member,
    management_form,
)
from tests.conftest import make_credit_code

pytestmark = pytest.mark.django_db

#: Wenzhou and its county-level units, in code order.
WENZHOU = [
    "330300",
    "330302",
    "330303",
    "330304",
    "330305",
    "330324",
    "330326",
    "330327",
    "330328",
    "330329",
    "330381",
    "330382",
    "330383",
]


def region_codes(choices):
    return [str(value) for value, _label in choices if value != ""]


# Regions ----------------------------------------------------------------------------------------


def test_the_region_select_offers_the_city_then_its_counties_then_the_rest(admin_client):
    form = admin_client.get(admin_url(Enterprise, "add")).context["adminform"].form
    codes = region_codes(form.fields["region"].choices)
    assert codes[: len(WENZHOU)] == WENZHOU
    rest = codes[len(WENZHOU) :]
    assert rest == sorted(rest) and len(codes) == Region.objects.count()
    assert "330000" in rest and "330100" in rest


def test_units_of_the_city_name_their_functional_zones(admin_client):
    form = admin_client.get(admin_url(Enterprise, "add")).context["adminform"].form
    labels = dict(form.fields["region"].choices)
    longwan = next(label for value, label in labels.items() if str(value) == "330303")
    assert longwan == "龙湾区（温州经济技术开发区、温州经开区、浙南产业集聚区）"
    lucheng = next(label for value, label in labels.items() if str(value) == "330302")
    assert lucheng == "鹿城区"
    hangzhou = next(label for value, label in labels.items() if str(value) == "330100")
    assert hangzhou == "杭州市"


def test_another_city_setting_puts_that_city_first(admin_client, settings):
    settings.CHAMPIONS_CITY_CODE = "330100"
    form = admin_client.get(admin_url(Enterprise, "add")).context["adminform"].form
    codes = region_codes(form.fields["region"].choices)
    assert codes[0] == "330100" and codes[1].startswith("3301")
    assert codes.index("330300") > codes.index("330102")


@pytest.mark.parametrize("model", [Enterprise, Designation, YearlyFigures, Recommendation])
def test_region_filters_list_the_city_first(admin_client, model):
    response = admin_client.get(admin_url(model))
    spec = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field", None) is not None and spec.field.name == "region"
    )
    codes = [str(value) for value, _label in spec.lookup_choices]
    assert codes[: len(WENZHOU)] == WENZHOU


def test_the_province_count_form_lists_cities_of_the_region_table_city_first(admin_client):
    form = admin_client.get(admin_url(ProvinceCount, "add")).context["adminform"].form
    assert region_codes(form.fields["region"].choices)[: len(WENZHOU)] == WENZHOU


# Autocompletes ------------------------------------------------------------------------------------


def autocomplete(client, model, field, term):
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "champions",
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": term,
        },
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_the_enterprise_autocomplete_tells_two_firms_of_one_name_apart(
    admin_client, make_enterprise, lucheng
):
    ruian = Region.objects.get(code="330381")
    first = make_enterprise(name="温州同名阀门有限公司", region=lucheng)
    second = make_enterprise(name="温州同名阀门有限公司", region=ruian, credit_code=None)
    results = autocomplete(admin_client, Designation, "enterprise", "同名阀门")
    assert {(row["id"], row["text"]) for row in results} == {
        (str(first.pk), f"温州同名阀门有限公司（{first.credit_code}，鹿城区）"),
        (str(second.pk), "温州同名阀门有限公司（瑞安市）"),
    }
    # The same labels wherever a form chooses a firm.
    for model in (Recommendation, YearlyFigures):
        assert len(autocomplete(admin_client, model, "enterprise", "同名阀门")) == 2


def test_the_enterprise_autocomplete_finds_by_credit_code_and_former_name(
    admin_client, make_enterprise
):
    firm = make_enterprise(name="温州新名电气有限公司")
    FormerName.objects.create(enterprise=firm, name="乐清旧名电器厂")
    for term in (firm.credit_code[:10], "旧名电器"):
        texts = [row["text"] for row in autocomplete(admin_client, Designation, "enterprise", term)]
        assert texts == [enterprise_label(firm)]


def test_the_enterprise_autocomplete_costs_fixed_queries(
    admin_client, make_enterprise, django_assert_max_num_queries
):
    for _ in range(25):
        make_enterprise()
    with django_assert_max_num_queries(8):
        results = autocomplete(admin_client, Designation, "enterprise", "测试企业")
    assert len(results) == 20


def test_the_enterprise_changelist_search_is_unchanged(admin_client, make_enterprise):
    firm = make_enterprise(name="温州列表泵业有限公司")
    response = admin_client.get(admin_url(Enterprise), {"q": "列表泵业"})
    assert [row.pk for row in response.context["cl"].result_list] == [firm.pk]
    assert "（" not in str(response.context["cl"].result_list[0])


@pytest.fixture
def batches(single_champion, hidden_champion):
    return {
        "national_6": Batch.objects.create(tier=single_champion, number=6, year=2021),
        "national_7": Batch.objects.create(tier=single_champion, number=7, year=2022),
        "provincial_2021_1": Batch.objects.create(tier=hidden_champion, number=1, year=2021),
        "provincial_2024_6": Batch.objects.create(tier=hidden_champion, number=6, year=2024),
    }


@pytest.mark.parametrize(
    "term, found",
    [
        ("第6批", {"national_6", "provincial_2024_6"}),
        ("第六批", {"national_6", "provincial_2024_6"}),
        ("6", {"national_6", "provincial_2024_6"}),
        ("2021", {"national_6", "provincial_2021_1"}),
        ("2021年", {"national_6", "provincial_2021_1"}),
        ("2021年第6批", {"national_6"}),
        ("第6批 2021", {"national_6"}),
        ("单项冠军 第六批", {"national_6"}),
        ("2021年第6批制造业单项冠军企业", {"national_6"}),
        ("制造业单项冠军企业, batch 6 (2021)", {"national_6"}),
        ("第０批", set()),
        ("第9批", set()),
        ("99999999999999999999", set()),
        ("9" * 5000, set()),
        ("第99999999999批", set()),
    ],
)
def test_the_batch_autocomplete_finds_what_it_shows(admin_client, batches, term, found):
    results = autocomplete(admin_client, Designation, "batch", term)
    ids = {row["id"] for row in results}
    assert ids == {str(batches[name].pk) for name in found}


def test_the_batch_autocomplete_finds_a_batch_by_its_own_label(admin_client, batches):
    for batch in batches.values():
        for language in ("zh-hans", "en"):
            results = autocomplete_in(admin_client, language, str(batch.pk))
            label = next(row["text"] for row in results)
            found = autocomplete_in(admin_client, language, label)
            assert [row["id"] for row in found] == [str(batch.pk)], label


def autocomplete_in(client, language, term_or_pk):
    """The batch autocomplete in ``language``; a batch's pk gives its own label back."""
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "champions", "model_name": "designation", "field_name": "batch", "term": ""},
        headers={"accept-language": language},
    )
    results = response.json()["results"]
    if term_or_pk.isdecimal():
        return [row for row in results if row["id"] == term_or_pk]
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "champions",
            "model_name": "designation",
            "field_name": "batch",
            "term": term_or_pk,
        },
        headers={"accept-language": language},
    )
    return response.json()["results"]


def test_a_batch_word_of_the_tier_searches_its_names(batches):
    matched = Batch.objects.filter(batch_term("隐形冠军"))
    assert set(matched) == {batches["provincial_2021_1"], batches["provincial_2024_6"]}


# Duplicate firms ----------------------------------------------------------------------------------


def errors_html(response, field):
    """The rendered errors of ``field`` on the admin form of ``response``."""
    return str(response.context["adminform"].form.errors[field])


def test_adding_a_firm_of_a_registered_name_warns_with_a_link_then_adds_it_if_confirmed(
    admin_client, make_enterprise, lucheng
):
    registered = make_enterprise(name="温州示例阀门(集团)有限公司")
    data = enterprise_form_data("温州示例阀门 （集团）有限公司", lucheng)
    response = admin_client.post(admin_url(Enterprise, "add"), data)
    assert response.status_code == 200
    warning = errors_html(response, "name")
    assert f'<a href="{admin_url(Enterprise, "change", registered.pk)}">' in warning
    assert enterprise_label(registered) in unescape(warning)
    page = response.content.decode()
    assert re.search(r'<input type="checkbox" name="add_anyway"[^>]*id="id_add_anyway"', page)
    assert Enterprise.objects.count() == 1

    response = admin_client.post(admin_url(Enterprise, "add"), {**data, "add_anyway": "on"})
    assert response.status_code == 302
    assert Enterprise.objects.count() == 2


def test_the_confirmation_box_is_hidden_until_the_warning(admin_client):
    page = admin_client.get(admin_url(Enterprise, "add")).content.decode()
    assert re.search(r'<input type="hidden" name="add_anyway"', page)


def test_a_former_name_counts_as_a_registered_name(admin_client, make_enterprise, lucheng):
    renamed = make_enterprise(name="温州新名泵业有限公司")
    FormerName.objects.create(enterprise=renamed, name="瓯海老名泵厂")
    response = admin_client.post(
        admin_url(Enterprise, "add"), enterprise_form_data("瓯海老名泵厂", lucheng)
    )
    assert admin_url(Enterprise, "change", renamed.pk) in errors_html(response, "name")


def test_a_new_name_adds_without_a_warning(admin_client, make_enterprise, lucheng):
    make_enterprise(name="温州示例阀门有限公司")
    response = admin_client.post(
        admin_url(Enterprise, "add"), enterprise_form_data("温州示例阀门制造有限公司", lucheng)
    )
    assert response.status_code == 302


def test_a_registered_credit_code_is_refused_with_a_link_to_its_firm(
    admin_client, make_enterprise, lucheng
):
    holder = make_enterprise(name="温州<b>某某</b>有限公司")
    code = holder.credit_code.lower()  # as typed: normalised before it is looked up
    data = {**enterprise_form_data("温州另一家有限公司", lucheng, code), "add_anyway": "on"}
    response = admin_client.post(admin_url(Enterprise, "add"), data)
    assert response.status_code == 200
    error = errors_html(response, "credit_code")
    assert f'<a href="{admin_url(Enterprise, "change", holder.pk)}">' in error
    assert "温州&lt;b&gt;某某&lt;/b&gt;有限公司" in error  # the firm's name, escaped
    assert "<b>" not in error
    assert len(response.context["adminform"].form.errors["credit_code"]) == 1
    assert Enterprise.objects.count() == 1


def test_changing_a_firm_to_another_firms_credit_code_is_refused_with_a_link(
    admin_client, make_enterprise, lucheng
):
    from tests.admin_helpers import opened

    holder = make_enterprise()
    other = make_enterprise()
    data = {**enterprise_form_data(other.name, lucheng, holder.credit_code), **opened(other)}
    response = admin_client.post(admin_url(Enterprise, "change", other.pk), data)
    assert response.status_code == 200
    assert admin_url(Enterprise, "change", holder.pk) in errors_html(response, "credit_code")
    # Its own code saves as before.
    data = {**enterprise_form_data(other.name, lucheng, other.credit_code), **opened(other)}
    assert admin_client.post(admin_url(Enterprise, "change", other.pk), data).status_code == 302


# Amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("150000"), "150,000"),
        (Decimal("150000.00"), "150,000"),
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("999.99"), "999.99"),
        (Decimal("0"), "0"),
        (None, None),
    ],
)
def test_amounts_have_thousands_separators(value, shown):
    assert format_amount(value) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_figures_list_shows_amounts_with_thousands_separators(
    admin_client, make_enterprise, language
):
    YearlyFigures.objects.create(
        enterprise=make_enterprise(),
        year=2023,
        output_value=Decimal("1234567.5"),
        revenue=Decimal("150000"),
    )
    page = admin_client.get(
        admin_url(YearlyFigures), headers={"accept-language": language}
    ).content.decode()
    assert "1,234,567.50" in page and "150,000" in page


def test_viewers_read_amounts_with_thousands_separators(client, make_enterprise):
    make_member("Viewer")
    client.login(username="viewer", password=PASSWORD)
    firm = make_enterprise()
    figures = YearlyFigures.objects.create(
        enterprise=firm, year=2023, output_value=Decimal("2345678"), export_value=Decimal("12345.6")
    )
    for url in (
        admin_url(YearlyFigures, "change", figures.pk),
        admin_url(Enterprise, "change", firm.pk),
    ):
        page = client.get(url).content.decode()
        assert "2,345,678" in page and "12,345.60" in page, url


def test_data_entry_still_types_amounts_into_number_fields(client, make_enterprise):
    make_member("Data entry")
    client.login(username="data_entry", password=PASSWORD)
    figures = YearlyFigures.objects.create(
        enterprise=make_enterprise(), year=2023, output_value=Decimal("2345678")
    )
    form = client.get(admin_url(YearlyFigures, "change", figures.pk)).context["adminform"].form
    assert "output_value" in form.fields


# The enterprise change page ---------------------------------------------------------------------


def test_the_enterprise_page_links_to_recommend_the_firm(admin_client, make_enterprise):
    firm = make_enterprise()
    page = admin_client.get(admin_url(Enterprise, "change", firm.pk)).content.decode()
    url = f"{admin_url(Recommendation, 'add')}?enterprise={firm.pk}"
    assert f'href="{url}"' in page
    form = admin_client.get(url).context["adminform"].form
    assert str(form.initial["enterprise"]) == str(firm.pk)
    assert f'<option value="{firm.pk}" selected>' in admin_client.get(url).content.decode()


def test_only_those_who_may_recommend_see_the_link(client, make_enterprise):
    make_member("Viewer")
    client.login(username="viewer", password=PASSWORD)
    firm = make_enterprise()
    page = client.get(admin_url(Enterprise, "change", firm.pk)).content.decode()
    assert "add-recommendation" not in page


def test_adding_a_firm_leaves_no_log_of_a_warning(admin_client, make_enterprise, lucheng):
    """The warning is a form error: nothing is saved or logged until the firm is confirmed."""
    make_enterprise(name="温州示例阀门有限公司")
    admin_client.post(
        admin_url(Enterprise, "add"), enterprise_form_data("温州示例阀门有限公司", lucheng)
    )
    assert not LogEntry.objects.exists()


def test_the_add_form_keeps_the_inlines(admin_client, lucheng):
    data = enterprise_form_data("温州带曾用名有限公司", lucheng, make_credit_code(777))
    data.update(management_form("former_names", 0, [{"name": "温州老名厂", "until": ""}]))
    assert admin_client.post(admin_url(Enterprise, "add"), data).status_code == 302
    assert FormerName.objects.get().enterprise.name == "温州带曾用名有限公司"
