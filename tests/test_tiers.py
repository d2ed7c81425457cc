"""The tiers of the real programmes (``champions/reference/tiers.csv``, migration 0007): every
spelling a published list uses finds exactly one tier, the migration is the CSV's and can run
again, and the headlines count a firm once and never count a support status."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions import summary
from champions.importing.cells import match_key
from champions.importing.errors import CellError
from champions.importing.references import References
from champions.lifecycle import term_end
from champions.models import Batch, Designation, Tier
from champions.reference import read_reference
from champions.services.designations import award, refresh

pytestmark = pytest.mark.django_db

migration = importlib.import_module("champions.migrations.0007_lifecycle_tiers")

#: code: (official name, level, kind, validity in years, batch numbering).
NEW_OR_RENAMED = {
    "single_champion_cultivation": (
        "制造业单项冠军培育企业",
        "national",
        "enterprise",
        3,
        "across_years",
    ),
    "tech_sme": ("科技型中小企业", "national", "enterprise", 1, "within_year"),
    "key_little_giant": ("重点“小巨人”企业", "national", "support", 3, "across_years"),
    "first_set_domestic": ("国内首台（套）装备", "national", "product", 3, "within_year"),
    "provincial_hidden_champion_cultivation": (
        "浙江省隐形冠军培育企业",
        "provincial",
        "enterprise",
        3,
        "within_year",
    ),
    "hidden_champion_cultivation": (
        "温州市隐形冠军培育企业",
        "municipal",
        "enterprise",
        None,
        "within_year",
    ),
    "first_set": ("浙江省首台（套）装备", "provincial", "product", 3, "within_year"),
    "first_batch_material": ("首批次新材料", "provincial", "product", 3, "within_year"),
    "first_version_software": ("首版次软件产品", "provincial", "product", 3, "within_year"),
}

#: The forms real lists print (issue 9), with straight and curly quotes, and the tier each is.
SPELLINGS = [
    ("隐形冠军", "hidden_champion"),
    ("省级隐形冠军企业", "hidden_champion"),
    ("单项冠军", "single_champion"),
    ("国家级制造业单项冠军示范企业", "single_champion"),
    ("国家级制造业单项冠军产品", "single_champion_product"),
    ("制造业单项冠军产品企业", "single_champion_product"),
    ("制造业单项冠军培育企业", "single_champion_cultivation"),
    ("专精特新“小巨人”", "little_giant"),
    ('专精特新"小巨人"', "little_giant"),
    ("专精特新小巨人", "little_giant"),
    ("专精特新“小巨人”企业", "little_giant"),
    ("重点“小巨人”企业", "key_little_giant"),
    ('重点"小巨人"企业', "key_little_giant"),
    ("重点小巨人企业", "key_little_giant"),
    ("科技型中小企业", "tech_sme"),
    ("浙江省首台（套）装备", "first_set"),
    ("浙江省首台(套)装备", "first_set"),
    ("省内首台（套）", "first_set"),
    ("首台（套）装备", "first_set"),
    ("首台套", "first_set"),
    ("国内首台（套）", "first_set_domestic"),
    ("国内首台(套)", "first_set_domestic"),
    ("国内首台（套）装备", "first_set_domestic"),
    ("首批次新材料", "first_batch_material"),
    ("首版次软件产品", "first_version_software"),
    ("省单项冠军培育企业", "provincial_single_champion_cultivation"),
    ("浙江省隐形冠军培育企业", "provincial_hidden_champion_cultivation"),
    ("省隐形冠军培育企业", "provincial_hidden_champion_cultivation"),
    ("温州市隐形冠军培育企业", "hidden_champion_cultivation"),
    ("隐形冠军培育企业", "hidden_champion_cultivation"),
]


def tier_rows():
    return list(
        Tier.objects.order_by("code").values(
            "code",
            "name",
            "name_en",
            "level",
            "kind",
            "validity_years",
            "batch_numbering",
            "authority",
            "authority_en",
            "aliases",
            "position",
        )
    )


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def grant(enterprise, code, days=100, product=""):
    """A title of ``code`` awarded ``days`` ago: within every validity."""
    happened_on = days_ago(days)
    return award(
        enterprise,
        Tier.objects.get(code=code),
        year=happened_on.year,
        product=product,
        happened_on=happened_on,
    )


def headlines():
    tiers = summary.tier_counts(summary.make_scope())
    return {headline["code"]: headline for headline in summary.headline_counts(tiers)}


# --- The tiers and their spellings --------------------------------------------------------------


@pytest.mark.parametrize("code", NEW_OR_RENAMED)
def test_the_new_and_renamed_tiers(code):
    tier = Tier.objects.get(code=code)
    name, level, kind, validity, numbering = NEW_OR_RENAMED[code]
    assert (tier.name, tier.level, tier.kind) == (name, level, kind)
    assert (tier.validity_years, tier.batch_numbering) == (validity, numbering)
    assert tier.authority and tier.authority_en


@pytest.mark.parametrize(("spelling", "code"), SPELLINGS)
def test_real_spellings_resolve_to_one_tier(spelling, code):
    assert References().tier(spelling).code == code


def test_every_spelling_of_the_csv_resolves_to_its_own_tier():
    references = References()
    for row in read_reference("tiers"):
        aliases = [alias for alias in row["aliases"].split("|") if alias]
        for spelling in (row["code"], row["name_zh"], row["name_en"], *aliases):
            assert references.tier(spelling).code == row["code"], spelling


def test_no_spelling_is_shared_by_two_tiers():
    owners = {}
    for tier in Tier.objects.all():
        for spelling in (tier.code, tier.name, tier.name_en, *tier.alias_list):
            owners.setdefault(match_key(spelling), set()).add(tier.code)
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}


def test_quoted_names_list_both_quote_styles():
    for tier in Tier.objects.all():
        spellings = [tier.name, *tier.alias_list]
        for spelling in spellings:
            if "“" in spelling:
                assert spelling.replace("“", '"').replace("”", '"') in spellings, spelling
            if '"' in spelling:
                assert spelling.replace('"', "“", 1).replace('"', "”", 1) in spellings, spelling


def test_cultivation_tiers_are_apart_from_the_titles_they_lead_to():
    references = References()
    assert references.tier("浙江省隐形冠军企业").code == "hidden_champion"
    # A short form both share is neither until a level says which.
    with pytest.raises(CellError, match="浙江省隐形冠军培育企业 or 温州市隐形冠军培育企业"):
        references.resolve_tier(references.tier("隐形冠军培育"))
    provincial = references.resolve_tier(references.tier("隐形冠军培育"), Tier.Level.PROVINCIAL)
    assert provincial.code == "provincial_hidden_champion_cultivation"


def test_echelon_order_top_first():
    tiers = list(Tier.objects.order_by("position", "code"))
    ranks = {"national": 0, "provincial": 1, "municipal": 2}
    assert [ranks[t.level] for t in tiers] == sorted(ranks[t.level] for t in tiers)
    codes = [tier.code for tier in tiers]
    assert codes[0] == "single_champion"
    assert codes.index("key_little_giant") == codes.index("little_giant") + 1
    assert [t.code for t in tiers] == [row["code"] for row in read_reference("tiers")]


# --- The migration ------------------------------------------------------------------------------


def test_the_migrated_table_is_the_csv_and_seeding_again_changes_nothing():
    for position, row in enumerate(read_reference("tiers"), start=1):
        tier = Tier.objects.get(code=row["code"])
        for field, value in migration.values_of(row, position).items():
            assert getattr(tier, field) == value, (tier.code, field)
        assert tier.alias_list[: len(row["aliases"].split("|"))] == row["aliases"].split("|")
    before = tier_rows()
    migration.seed_tiers(apps)
    assert tier_rows() == before
    migration.seed_tiers(apps)
    assert tier_rows() == before
    assert len(before) == len(read_reference("tiers"))


def test_seeding_a_registry_from_before_the_new_tiers(make_enterprise):
    """The state 0006 left: the city's pool under its old name with a spelling staff added, no
    new tiers. Seeding renames the pool (its titles stay), keeps former names and the staff's
    spelling as aliases, adds the new tiers; a second run changes nothing."""
    pool = Tier.objects.get(code="hidden_champion_cultivation")
    firm = make_enterprise()
    title = grant(firm, "hidden_champion_cultivation")
    Tier.objects.filter(
        code__in=[
            "single_champion_cultivation",
            "tech_sme",
            "key_little_giant",
            "first_set_domestic",
            "provincial_hidden_champion_cultivation",
            "first_batch_material",
            "first_version_software",
        ]
    ).delete()
    Tier.objects.filter(code=pool.code).update(
        name="隐形冠军培育企业", aliases="隐形冠军培育对象\n鹿城区隐形冠军培育企业"
    )
    Tier.objects.filter(code="first_set").update(name="首台（套）装备", aliases="首台套")
    Tier.objects.filter(code="champion_pool").update(name="单项冠军培育池企业")

    migration.seed_tiers(apps)
    after = tier_rows()
    migration.seed_tiers(apps)
    assert tier_rows() == after

    pool.refresh_from_db()
    assert pool.name == "温州市隐形冠军培育企业"
    assert {"隐形冠军培育企业", "鹿城区隐形冠军培育企业"} <= set(pool.alias_list)
    title.refresh_from_db()
    assert title.tier_id == pool.code
    assert set(NEW_OR_RENAMED) <= {row["code"] for row in after}
    references = References()
    assert references.tier("鹿城区隐形冠军培育企业").code == pool.code
    assert references.tier("首台（套）装备").code == "first_set"
    assert references.tier("单项冠军培育池企业").code == "champion_pool"  # a former name


def test_a_changed_validity_derives_the_titles_of_the_tier_again(make_enterprise):
    """A first (set) product recognised four years ago was held for good while the tier had no
    validity; with the CSV's three years its term is over."""
    product = grant(make_enterprise(), "first_set", days=4 * 365, product="样例装备")
    recent = grant(make_enterprise(), "first_set", product="新装备")
    Tier.objects.filter(code="first_set").update(validity_years=None)
    refresh([product.pk, recent.pk])
    assert Designation.objects.in_force().filter(tier_id="first_set").count() == 2

    migration.seed_tiers(apps)
    assert Tier.objects.get(code="first_set").validity_years == 3
    product.refresh_from_db()
    assert product.valid_until == term_end(product.held_from, 3)
    assert list(Designation.objects.in_force().filter(tier_id="first_set")) == [recent]
    standing = list(Designation.objects.values_list("pk", "status", "held_from", "valid_until"))
    migration.seed_tiers(apps)
    assert list(Designation.objects.values_list("pk", "status", "held_from", "valid_until")) == (
        standing
    )


def test_batch_numbering_of_a_tier_with_batches_is_kept():
    tier = Tier.objects.get(code="first_set")
    Batch.objects.create(tier=tier, number=1, year=2021)
    Tier.objects.filter(code="first_set").update(batch_numbering="across_years")
    Tier.objects.filter(code="first_batch_material").update(batch_numbering="across_years")
    migration.seed_tiers(apps)
    assert Tier.objects.get(code="first_set").batch_numbering == "across_years"
    assert Tier.objects.get(code="first_batch_material").batch_numbering == "within_year"


# --- The headlines ------------------------------------------------------------------------------


def test_a_firm_promoted_from_the_pool_counts_once_in_the_headline(make_enterprise):
    promoted, pooled, titled = make_enterprise(), make_enterprise(), make_enterprise()
    grant(promoted, "hidden_champion_cultivation", days=400)
    grant(promoted, "hidden_champion")
    grant(pooled, "hidden_champion_cultivation")
    grant(titled, "hidden_champion")
    tiers = {tier["code"]: tier for tier in summary.tier_counts(summary.make_scope())}
    assert tiers["hidden_champion"]["count"] == 2
    assert tiers["hidden_champion_cultivation"]["count"] == 2
    assert tiers["hidden_champion_cultivation"]["counted_before"] == {"hidden_champions": 1}
    assert headlines()["hidden_champions"]["count"] == 3


def test_headlines_count_once_within_a_region_and_a_year(make_enterprise, wenzhou):
    firm = make_enterprise()
    grant(firm, "hidden_champion_cultivation", days=400)
    grant(firm, "hidden_champion")
    year = timezone.localdate().year
    scope = summary.make_scope(region=wenzhou, year=year)
    counted = {h["code"]: h["count"] for h in summary.headline_counts(summary.tier_counts(scope))}
    assert counted["hidden_champions"] == 1
    # At the end of a year before both titles, neither counts.
    earlier = summary.make_scope(year=days_ago(400).year - 1)
    counted = {h["code"]: h["count"] for h in summary.headline_counts(summary.tier_counts(earlier))}
    assert counted["hidden_champions"] == 0


def test_products_still_add_to_their_firms(make_enterprise):
    firm = make_enterprise()
    grant(firm, "single_champion")
    grant(firm, "single_champion_product", product="阀门")
    grant(firm, "single_champion_product", product="水泵")
    assert headlines()["single_champions"]["count"] == 3


def test_the_support_tier_is_counted_on_its_own_and_in_no_headline(make_enterprise, monkeypatch):
    giant, supported_only = make_enterprise(), make_enterprise()
    grant(giant, "little_giant")
    grant(giant, "key_little_giant")
    grant(supported_only, "key_little_giant")
    tiers = {tier["code"]: tier for tier in summary.tier_counts(summary.make_scope())}
    assert tiers["key_little_giant"]["count"] == 2
    assert tiers["key_little_giant"]["kind"] == Tier.Kind.SUPPORT
    counted = headlines()
    assert counted["little_giants"]["count"] == 1
    assert all("key_little_giant" not in headline["tiers"] for headline in counted.values())
    # Even a headline listing it leaves it out.
    monkeypatch.setattr(
        summary,
        "HEADLINES",
        (("little_giants", "little giants", ("little_giant", "key_little_giant")),),
    )
    assert headlines()["little_giants"]["count"] == 1
    assert headlines()["little_giants"]["tiers"] == ["little_giant"]


def test_tier_counts_stay_one_query(make_enterprise):
    for _ in range(3):
        firm = make_enterprise()
        grant(firm, "hidden_champion_cultivation", days=400)
        grant(firm, "hidden_champion")
    with CaptureQueriesContext(connection) as captured:
        tiers = summary.tier_counts(summary.make_scope())
        summary.headline_counts(tiers)
    assert len(captured.captured_queries) == 1
    assert Designation.objects.count() == 6
