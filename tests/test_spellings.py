"""The spellings real published lists use for titles, regions and industries: short forms and a
level (级别 or written before the title), functional zones and former county names, and messages
that name what would have been accepted."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from champions.importing.cells import match_key
from champions.importing.errors import CellError
from champions.importing.references import References, TierChoice
from champions.models import ProvinceCount, Region, Tier
from champions.reference import read_reference, seed_region_aliases

from .import_helpers import run_import, write_csv

pytestmark = pytest.mark.django_db

NATIONAL, PROVINCIAL, MUNICIPAL = Tier.Level.NATIONAL, Tier.Level.PROVINCIAL, Tier.Level.MUNICIPAL

#: Spellings of county ledgers and provincial lists, and the tier each is without a level.
SPELLINGS = [
    ("隐形冠军", "hidden_champion"),
    ("省级隐形冠军企业", "hidden_champion"),
    ("单项冠军", "single_champion"),
    ("国家级制造业单项冠军示范企业", "single_champion"),
    ("国家级制造业单项冠军产品", "single_champion_product"),
    ("制造业单项冠军产品企业", "single_champion_product"),
    ("专精特新“小巨人”", "little_giant"),
    ("专精特新小巨人", "little_giant"),
    ("重点“小巨人”企业", "key_little_giant"),
    ("科技型中小企业", "tech_sme"),
    ("浙江省首台（套）装备", "first_set"),
    ("国内首台（套）", "first_set_domestic"),
    ("省内首台（套）", "first_set"),
    ("省单项冠军培育企业", "provincial_single_champion_cultivation"),
    # Quotes and brackets the aliases do not list.
    ("专精特新〝小巨人〞企业", "little_giant"),
    ("专精特新「小巨人」企业", "little_giant"),
    ("首台套装备", "first_set"),
    ("国内首台套装备", "first_set_domestic"),
    # A level written before a short form that is no alias.
    ("省级单项冠军", "provincial_single_champion"),
    ("浙江省单项冠军", "provincial_single_champion"),
    ("国家级单项冠军", "single_champion"),
    ("国家级专精特新“小巨人”", "little_giant"),
    ("省专精特新中小企业", "specialized_sme"),
    ("省级隐形冠军培育", "provincial_hidden_champion_cultivation"),
    ("温州市隐形冠军培育", "hidden_champion_cultivation"),
]


@pytest.fixture
def references():
    return References()


def resolve(references, spelling, level=None):
    return references.resolve_tier(references.tier(spelling), level)


# --- Titles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "code"), SPELLINGS)
def test_real_spellings_resolve(references, spelling, code):
    assert resolve(references, spelling).code == code


def test_quotes_and_round_brackets_do_not_count():
    assert match_key("首台（套）") == match_key("首台(套)") == match_key("首台套") == "首台套"
    assert match_key("〝小巨人〞") == match_key("「小巨人」") == match_key("“小巨人”") == "小巨人"


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("国家级", NATIONAL),
        ("国家", NATIONAL),
        ("National", NATIONAL),
        ("省级", PROVINCIAL),
        ("省", PROVINCIAL),
        ("provincial", PROVINCIAL),
        ("市级", MUNICIPAL),
        ("市", MUNICIPAL),
        (" municipal ", MUNICIPAL),
    ],
)
def test_the_level_column(references, word, level):
    assert references.level(word) == level


def test_an_empty_level_is_none_and_an_unknown_one_is_refused(references):
    assert references.level("") is None
    with pytest.raises(CellError, match="unknown level; accepted: 国家级、"):
        references.level("县级")


@pytest.mark.parametrize(
    ("spelling", "level", "code"),
    [
        ("单项冠军", PROVINCIAL, "provincial_single_champion"),
        ("单项冠军", NATIONAL, "single_champion"),
        ("制造业单项冠军企业", PROVINCIAL, "provincial_single_champion"),
        ("单项冠军培育企业", PROVINCIAL, "provincial_single_champion_cultivation"),
        ("首台套", NATIONAL, "first_set_domestic"),
        ("首台（套）", PROVINCIAL, "first_set"),
        ("隐形冠军培育企业", PROVINCIAL, "provincial_hidden_champion_cultivation"),
        ("浙江省隐形冠军企业", PROVINCIAL, "hidden_champion"),
    ],
)
def test_the_row_level_picks_the_programme_of_that_level(references, spelling, level, code):
    assert resolve(references, spelling, level).code == code


def test_a_level_without_a_title_of_it_is_refused(references):
    with pytest.raises(CellError) as refused:
        resolve(references, "隐形冠军", NATIONAL)
    assert str(refused.value) == (
        "“浙江省隐形冠军企业” names no title of level “National” (only 浙江省隐形冠军企业)"
    )
    with pytest.raises(CellError, match="制造业单项冠军企业 or 浙江省制造业单项冠军企业"):
        resolve(references, "单项冠军", MUNICIPAL)


def test_a_short_form_two_tiers_claim_needs_a_level():
    """Staff give 单项冠军 to the provincial tier too: the spelling is kept, as a choice."""
    provincial = Tier.objects.get(code="provincial_single_champion")
    provincial.aliases += "\n单项冠军"
    provincial.save()
    references = References()
    choice = references.tier(" 单项冠军 ")
    assert choice == TierChoice("单项冠军", (Tier.objects.get(code="single_champion"), provincial))
    with pytest.raises(CellError) as refused:
        references.resolve_tier(choice)
    assert str(refused.value) == (
        "“单项冠军” may mean 制造业单项冠军企业 or 浙江省制造业单项冠军企业; write the full "
        "name, or give a 级别 column"
    )
    assert references.resolve_tier(choice, references.level("省级")) == provincial
    assert references.resolve_tier(choice, NATIONAL).code == "single_champion"
    with pytest.raises(CellError, match="names no title of level “Municipal”"):
        references.resolve_tier(choice, MUNICIPAL)
    # The full names stay one tier each.
    assert references.tier("浙江省制造业单项冠军企业") == provincial


def test_a_written_level_fitting_several_tiers_of_it_is_a_choice():
    Tier.objects.filter(code="specialized_cultivation").update(aliases="专精特新中小企业培育")
    Tier.objects.filter(code="specialized_sme").update(aliases="专精特新中小企业培育企业")
    references = References()
    choice = references.tier("省级专精特新中小企业培育")
    assert [tier.code for tier in choice.candidates] == [
        "specialized_sme",
        "specialized_cultivation",
    ]
    with pytest.raises(CellError, match="at level “Provincial” may mean 浙江省专精特新中小企业 or"):
        references.resolve_tier(choice, PROVINCIAL)


def test_nothing_to_resolve(references):
    assert references.resolve_tier(None, PROVINCIAL) is None
    assert references.tier("") is None


def test_an_unknown_title_names_the_nearest_spellings(references):
    with pytest.raises(CellError) as refused:
        references.tier("单项冠君企业")
    message = str(refused.value)
    assert message.startswith("unknown title; nearest: 制造业单项冠军企业、")
    assert len(message.split("nearest: ")[1].split("、")) <= 3
    with pytest.raises(CellError) as refused:
        references.tier("浙江省科技型中小企业")  # no provincial tier of that name
    assert "科技型中小企业" in str(refused.value)
    with pytest.raises(CellError) as refused:
        references.tier("金牌企业")
    assert str(refused.value) == "unknown title"
    with pytest.raises(CellError) as again:
        references.tier("金牌企业")  # remembered
    assert str(again.value) == "unknown title"


def test_province_counts_take_the_level_column(tmp_path):
    rows = [
        ["地市", "称号", "级别", "年份", "数量"],
        ["杭州市", "单项冠军", "省级", "2023", "30"],
        ["杭州市", "单项冠军", "", "2023", "12"],
        ["宁波市", "首台套", "国家级", "2023", "5"],
        ["宁波市", "隐形冠军", "国家级", "2023", "5"],
    ]
    outcome = run_import("province", write_csv(tmp_path / "bad.csv", rows))
    assert "line 5, column 称号: “浙江省隐形冠军企业” names no title of level" in outcome.out
    assert ProvinceCount.objects.count() == 0  # a bad row refuses the file
    rows[4][2] = "省级"
    outcome = run_import("province", write_csv(tmp_path / "good.csv", rows))
    assert outcome.summary == "created 4, updated 0, unchanged 0, errors 0", outcome.out
    assert set(ProvinceCount.objects.values_list("region_id", "tier_id", "count")) == {
        ("330100", "provincial_single_champion", 30),
        ("330100", "single_champion", 12),
        ("330200", "first_set_domestic", 5),
        ("330200", "hidden_champion", 5),
    }


# --- Regions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("经开区", "330303"),
        ("温州经开区", "330303"),
        ("温州经济技术开发区", "330303"),
        ("温州市经开区", "330303"),
        ("浙南产业集聚区", "330303"),
        ("瓯江口新区", "330305"),
        ("温州瓯江口新区", "330305"),
        ("洞头县", "330305"),
        ("温州市洞头县", "330305"),
        ("浙江省温州市洞头县", "330305"),
        ("萧山市", "330109"),
        ("绍兴县", "330603"),
        ("龙湾区", "330303"),
    ],
)
def test_region_aliases(references, spelling, code):
    assert references.region(spelling) == code


def test_an_alias_never_takes_an_official_name_and_a_shared_one_means_neither():
    Region.objects.filter(code="330302").update(aliases="龙湾区\n经开区\n鹿城工业区")
    references = References()
    assert references.region("龙湾区") == "330303"
    assert references.region("鹿城工业区") == "330302"
    assert references.region("温州经开区") == "330303"
    with pytest.raises(CellError, match="unknown region"):
        references.region("经开区")


def test_the_migration_gave_the_regions_their_aliases():
    expected = {
        row["code"]: row["aliases"].split("|")
        for row in read_reference("regions")
        if row["aliases"]
    }
    assert {"330303", "330305"} <= set(expected)
    regions = Region.objects.in_bulk(list(expected))
    assert {code: regions[code].alias_list for code in expected} == expected


def test_seeding_aliases_fills_empty_ones_and_keeps_staff_edits():
    Region.objects.filter(code="330305").update(aliases="")
    Region.objects.filter(code="330303").update(aliases="龙湾工业园")
    importlib.import_module("champions.migrations.0009_region_aliases").seed(apps, None)
    assert "瓯江口新区" in Region.objects.get(code="330305").alias_list
    assert Region.objects.get(code="330303").alias_list == ["龙湾工业园"]
    before = list(Region.objects.values_list("code", "aliases"))
    seed_region_aliases(apps)
    assert list(Region.objects.values_list("code", "aliases")) == before


# --- Industries ---------------------------------------------------------------------------------


def test_an_unknown_industry_lists_the_industries_in_the_language_of_the_run(references):
    with translation.override("zh-hans"), pytest.raises(CellError) as chinese:
        references.industry("造船")
    assert "泵阀" in str(chinese.value)
    assert str(chinese.value).endswith(
        "电气、鞋业、服装、汽摩配、泵阀、数字经济、智能装备、生命健康、"
        "新能源智能网联汽车、新材料、其他"
    )
    assert "pumps_valves" not in str(chinese.value)
    with translation.override("en"), pytest.raises(CellError) as english:
        References().industry("造船")
    assert str(english.value).startswith(
        "unknown industry; accepted: Electrical equipment, Footwear, Apparel,"
    )
    assert "Pumps and valves" in str(english.value) and "泵阀" not in str(english.value)
