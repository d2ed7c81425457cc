"""Model rules beyond the database constraints."""

import pytest
from django.core.exceptions import ValidationError

from champions.models import Designation, FormerName, Tier

pytestmark = pytest.mark.django_db


def test_a_designation_batch_must_belong_to_its_tier(make_enterprise, national_batch):
    little_giant = Tier.objects.get(code="little_giant")
    designation = Designation(
        enterprise=make_enterprise(), tier=little_giant, batch=national_batch, year=2021
    )
    with pytest.raises(ValidationError) as refused:
        designation.full_clean()
    assert "batch" in refused.value.message_dict
    designation.tier = national_batch.tier
    designation.full_clean()


def test_former_names_have_a_change_history(make_enterprise):
    former = FormerName.objects.create(enterprise=make_enterprise(), name="旧名有限公司")
    former.name = "旧名（集团）有限公司"
    former.save()
    assert [h.name for h in former.history.all()] == ["旧名（集团）有限公司", "旧名有限公司"]


def test_tiers_name_their_authority_in_chinese_and_english():
    tier = Tier.objects.get(code="single_champion")
    assert tier.authority == "工业和信息化部、中国工业经济联合会"
    assert tier.authority_en == "MIIT with the China Federation of Industrial Economics"
