"""Every database constraint refuses bad data by itself, without forms or model validation.

Rows are written with ``bulk_create`` or ``update()``, which skip ``save()`` and ``full_clean()``,
so only the database stands between the bad value and the table.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from champions.models import (
    Batch,
    Designation,
    Enterprise,
    Expert,
    FormerName,
    Organisation,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    Target,
    Tier,
    YearlyFigures,
)
from tests.conftest import make_credit_code

pytestmark = pytest.mark.django_db


def refused(write):
    """True when the database refuses ``write`` with an integrity error."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_region_code_must_be_six_digits():
    assert refused(
        lambda: Region.objects.bulk_create([Region(code="33AB00", name="x", level="city")])
    )
    assert not refused(
        lambda: Region.objects.bulk_create([Region(code="339900", name="x", level="city")])
    )


def test_tier_validity_and_unique_name(single_champion):
    assert refused(lambda: Tier.objects.filter(pk=single_champion.pk).update(validity_years=0))
    assert refused(
        lambda: Tier.objects.bulk_create(
            [Tier(code="copy", name=single_champion.name, level="national", kind="enterprise")]
        )
    )


def test_enterprise_credit_code_unique_and_well_formed(make_enterprise, lucheng):
    first = make_enterprise()
    second = make_enterprise()
    assert refused(
        lambda: Enterprise.objects.filter(pk=second.pk).update(credit_code=first.credit_code)
    )
    assert refused(
        lambda: Enterprise.objects.filter(pk=second.pk).update(credit_code="91330300ABC")
    )
    assert refused(
        lambda: Enterprise.objects.filter(pk=second.pk).update(credit_code="91330300000000000a")
    )
    assert refused(
        lambda: Enterprise.objects.filter(pk=second.pk).update(credit_code="9133030000000000OI")
    )
    # Several enterprises without a code are fine: published lists often carry names only.
    assert not refused(
        lambda: Enterprise.objects.filter(pk__in=[first.pk, second.pk]).update(credit_code=None)
    )


def test_enterprise_name_and_founded(make_enterprise):
    firm = make_enterprise()
    assert refused(lambda: Enterprise.objects.filter(pk=firm.pk).update(name=""))
    assert refused(lambda: Enterprise.objects.filter(pk=firm.pk).update(founded=1800))
    assert refused(lambda: Enterprise.objects.filter(pk=firm.pk).update(founded=2500))
    assert not refused(lambda: Enterprise.objects.filter(pk=firm.pk).update(founded=1998))


def test_former_name_unique_per_enterprise(make_enterprise):
    firm = make_enterprise()
    FormerName.objects.create(enterprise=firm, name="温州旧名（集团）有限公司")
    # The same name in another bracket style has the same key.
    assert refused(
        lambda: FormerName.objects.create(enterprise=firm, name="温州旧名(集团)有限公司")
    )
    assert refused(
        lambda: FormerName.objects.bulk_create([FormerName(enterprise=firm, name="", name_key="x")])
    )


def test_batch_unique_number_and_year(single_champion, national_batch):
    assert refused(lambda: Batch.objects.create(tier=single_champion, number=6, year=2021))
    assert refused(lambda: Batch.objects.create(tier=single_champion, number=0, year=2021))
    assert refused(lambda: Batch.objects.create(tier=single_champion, number=7, year=1900))
    assert not refused(lambda: Batch.objects.create(tier=single_champion, number=1, year=2022))


def test_one_designation_per_enterprise_tier_batch_product(
    make_enterprise, single_champion, national_batch
):
    firm = make_enterprise()
    fields = {"enterprise": firm, "tier": single_champion, "year": 2021}
    Designation.objects.create(batch=national_batch, **fields)
    assert refused(lambda: Designation.objects.create(batch=national_batch, **fields))
    # Without a batch, one per enterprise, tier, year and product.
    Designation.objects.create(**fields)
    assert refused(lambda: Designation.objects.create(**fields))
    assert not refused(
        lambda: Designation.objects.create(batch=national_batch, product="阀门", **fields)
    )


def test_designation_year_range(make_enterprise, single_champion):
    assert refused(
        lambda: Designation.objects.create(
            enterprise=make_enterprise(), tier=single_champion, year=3000
        )
    )


def test_one_recommendation_per_enterprise_batch_product(make_enterprise, national_batch):
    firm = make_enterprise()
    Recommendation.objects.create(enterprise=firm, batch=national_batch)
    assert refused(lambda: Recommendation.objects.create(enterprise=firm, batch=national_batch))
    assert not refused(
        lambda: Recommendation.objects.create(enterprise=firm, batch=national_batch, product="泵")
    )


def test_recommendation_stage_values(make_enterprise, national_batch):
    rec = Recommendation.objects.create(enterprise=make_enterprise(), batch=national_batch)
    assert refused(lambda: Recommendation.objects.filter(pk=rec.pk).update(stage="bogus"))
    # An ended recommendation must remember how far it got; an open one must not.
    assert refused(lambda: Recommendation.objects.filter(pk=rec.pk).update(stage="rejected"))
    assert refused(
        lambda: Recommendation.objects.filter(pk=rec.pk).update(ended_at_stage="nominated")
    )
    assert not refused(
        lambda: Recommendation.objects.filter(pk=rec.pk).update(
            stage="rejected", ended_at_stage="nominated"
        )
    )


@pytest.mark.parametrize(
    "field", ["output_value", "revenue", "rd_spending", "new_product_output", "export_value"]
)
def test_figures_money_not_negative(make_enterprise, field):
    figures = YearlyFigures.objects.create(enterprise=make_enterprise(), year=2020)
    assert refused(lambda: YearlyFigures.objects.filter(pk=figures.pk).update(**{field: -1}))
    assert not refused(lambda: YearlyFigures.objects.filter(pk=figures.pk).update(**{field: 0}))


def test_figures_unique_year_and_ranks(make_enterprise):
    firm = make_enterprise()
    figures = YearlyFigures.objects.create(enterprise=firm, year=2020)
    assert refused(lambda: YearlyFigures.objects.create(enterprise=firm, year=2020))
    assert refused(lambda: YearlyFigures.objects.create(enterprise=firm, year=1000))
    assert refused(lambda: YearlyFigures.objects.filter(pk=figures.pk).update(national_rank=0))
    assert refused(lambda: YearlyFigures.objects.filter(pk=figures.pk).update(global_rank=0))
    # employees is an unsigned column on both databases
    assert refused(lambda: YearlyFigures.objects.filter(pk=figures.pk).update(employees=-5))


def test_target_constraints():
    ok = {
        "code": "t",
        "name": "t",
        "metric": "enterprises_over",
        "threshold": 100000,
        "goal": 100,
        "deadline_year": 2025,
    }
    assert refused(lambda: Target.objects.create(**{**ok, "goal": 0}))
    assert refused(lambda: Target.objects.create(**{**ok, "deadline_year": 1900}))
    assert refused(lambda: Target.objects.create(**{**ok, "threshold": None}))
    assert refused(
        lambda: Target.objects.create(**{**ok, "metric": "group_output", "threshold": None})
    )
    assert not refused(lambda: Target.objects.create(**ok))
    assert refused(lambda: Target.objects.create(**ok))  # code is unique


def test_province_count_unique(wenzhou, single_champion):
    ProvinceCount.objects.create(region=wenzhou, tier=single_champion, year=2021, count=9)
    assert refused(
        lambda: ProvinceCount.objects.create(
            region=wenzhou, tier=single_champion, year=2021, count=8
        )
    )
    assert refused(
        lambda: ProvinceCount.objects.create(region=wenzhou, tier=single_champion, year=20, count=8)
    )


def test_seminar_expert_organisation_unique():
    Seminar.objects.create(title="研讨会", held_on=datetime.date(2021, 7, 12))
    assert refused(
        lambda: Seminar.objects.create(title="研讨会", held_on=datetime.date(2021, 7, 12))
    )
    Expert.objects.create(name="张三", affiliation="某大学")
    assert refused(lambda: Expert.objects.create(name="张三", affiliation="某大学"))
    Organisation.objects.create(name="中国工业经济联合会")
    assert refused(lambda: Organisation.objects.create(name="中国工业经济联合会"))


def test_make_credit_code_is_valid():
    from champions.validators import credit_code_error

    assert credit_code_error(make_credit_code(42)) is None
