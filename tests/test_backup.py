"""``backup`` and ``restore`` round-trip the whole registry, history and accounts included."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from champions.models import Designation, Organisation, Recommendation, Seminar, YearlyFigures
from champions.services.recommendations import advance

# flush needs real transactions; serialized_rollback puts the reference data back afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def snapshot():
    """Every row of every registry table (history tables included), plus accounts and groups.

    Accounts are restored by user name and may get new ids, so references to them (who made a
    change) are compared by user name.
    """
    User = get_user_model()
    usernames = dict(User.objects.values_list("pk", "username"))
    tables = {}
    for model in apps.get_app_config("champions").get_models():
        fields = model._meta.concrete_fields
        to_user = [getattr(f.remote_field, "model", None) is User for f in fields]
        tables[model._meta.label] = sorted(
            tuple(
                str(usernames.get(value) if is_user else value)
                for value, is_user in zip(row, to_user, strict=True)
            )
            for row in model.objects.values_list(*[f.attname for f in fields])
        )
    users = sorted(
        (u.username, u.password, u.is_staff, tuple(sorted(g.name for g in u.groups.all())))
        for u in User.objects.all()
    )
    return tables, users


def test_round_trip(tmp_path, make_enterprise, national_batch, staff_user, pumps):
    staff_user.groups.add(Group.objects.get(name="Reviewer"))
    firm = make_enterprise(name="温州回环阀门有限公司", industry=pumps, founded=1999)
    firm.name = "温州回环阀门（集团）有限公司"
    firm.save()  # a second historical record
    rec = Recommendation.objects.create(enterprise=firm, batch=national_batch)
    advance(rec, "approved", user=staff_user, note="全部通过")
    YearlyFigures.objects.create(enterprise=firm, year=2020, output_value=123456.78)
    seminar = Seminar.objects.create(title="研讨会", held_on=datetime.date(2021, 7, 12))
    seminar.sponsors.add(Organisation.objects.create(name="温州市人民政府"))
    seminar.participants.add(firm)
    before = snapshot()
    assert len(before[0]["champions.HistoricalEnterprise"]) == 2
    assert Designation.objects.count() == 1

    backup = tmp_path / "registry.json.gz"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="already holds enterprises"):
        call_command("restore", str(backup))

    call_command("flush", "--no-input", verbosity=0)
    assert snapshot() != before
    call_command("restore", str(backup))
    assert snapshot() == before


def test_reference_data_is_back_after_the_flush():
    """The flush above must not leave later tests without the seeded reference data."""
    from champions.models import Region, Tier

    assert Region.objects.filter(code="330300").exists()
    assert Tier.objects.count() == 12
