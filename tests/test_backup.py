"""``backup`` and ``restore`` round-trip the whole registry, history and accounts included.

The restore writes in bulk: its statements depend on the models in the backup, not on its rows,
and it is all or nothing.
"""

import datetime
import gzip
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from champions.backup import read_backup
from champions.cache import data_version
from champions.models import (
    Designation,
    Enterprise,
    Expert,
    FormerName,
    ImportRun,
    Organisation,
    Recommendation,
    Region,
    Seminar,
    YearlyFigures,
)
from champions.services.recommendations import advance

# flush needs real transactions; serialized_rollback puts the reference data back afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: What restoring a model costs on average: its write (one statement for all its rows), its
#: foreign-key check (SQLite) or sequence reset (PostgreSQL), and for some models a look-up of
#: natural keys or the replacement of a many-to-many relation (a delete and an insert).
STATEMENTS_PER_MODEL = 4
#: And once per restore: the transaction, the refusal check, the page cache's data version.
STATEMENTS_PER_RESTORE = 10


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
    tables["seminar relations"] = sorted(
        (seminar.title, *(sorted(str(o) for o in getattr(seminar, name).all()) for name in m2m))
        for seminar in Seminar.objects.all()
        for m2m in [("sponsors", "experts", "participants")]
    )
    users = sorted(
        (u.username, u.password, u.is_staff, tuple(sorted(g.name for g in u.groups.all())))
        for u in User.objects.all()
    )
    groups = sorted(
        (g.name, tuple(sorted(g.permissions.values_list("codename", flat=True))))
        for g in Group.objects.all()
    )
    return tables, users, groups


def test_round_trip(tmp_path, make_enterprise, national_batch, staff_user, pumps):
    staff_user.groups.add(Group.objects.get(name="Reviewer"))
    viewer = get_user_model().objects.create_user("viewer", password="pw-for-tests")
    viewer.groups.add(*Group.objects.filter(name__in=["Viewer", "Data entry"]))
    firm = make_enterprise(name="温州回环阀门有限公司", industry=pumps, founded=1999)
    firm.name = "温州回环阀门（集团）有限公司"
    firm._history_user = viewer
    firm.save()  # a second historical record, by an account known by name in the backup
    rec = Recommendation.objects.create(enterprise=firm, batch=national_batch)
    advance(rec, "approved", user=staff_user, note="全部通过")
    YearlyFigures.objects.create(enterprise=firm, year=2020, output_value=123456.78)
    ImportRun.objects.create(kind="enterprises", file_name="名单.csv", sha256="0" * 64, user=viewer)
    seminar = Seminar.objects.create(title="研讨会", held_on=datetime.date(2021, 7, 12))
    seminar.sponsors.add(Organisation.objects.create(name="温州市人民政府"))
    seminar.experts.add(Expert.objects.create(name="专家"))
    seminar.participants.add(firm)
    before = snapshot()
    assert len(before[0]["champions.HistoricalEnterprise"]) == 2
    assert Designation.objects.count() == 1

    backup = tmp_path / "registry.json.gz"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="already holds enterprises"):
        call_command("restore", str(backup))

    call_command("flush", "--no-input", verbosity=0)
    # As in a freshly migrated database: reference data and groups that the backup replaces.
    Region.objects.create(code="330000", name="旧名", level="province")
    Group.objects.get(name="Viewer").permissions.add(Permission.objects.get(codename="add_tier"))
    assert snapshot() != before
    version = data_version()
    call_command("restore", str(backup))
    assert snapshot() == before
    assert data_version() != version, "the cached pages are stale"
    # The sequences follow the restored ids: new rows (and their history) get fresh ones.
    assert make_enterprise().pk > firm.pk


def populate(make_enterprise, batch, size):
    """``size`` enterprises with a history, a title, figures and a former name; a seminar they
    attend; an account in a group, who ran an import. Called again, it adds as much again."""
    user = get_user_model().objects.create_user(f"officer-{Enterprise.objects.count()}")
    user.groups.add(Group.objects.get(name="Data entry"))
    ImportRun.objects.create(kind="enterprises", file_name="名单.csv", sha256="0" * 64, user=user)
    seminar = Seminar.objects.create(
        title=f"研讨会{Seminar.objects.count()}", held_on=datetime.date(2021, 7, 12)
    )
    seminar.sponsors.add(Organisation.objects.create(name=f"主办方{seminar.title}"))
    seminar.experts.add(Expert.objects.create(name=f"专家{seminar.title}"))
    for _ in range(size):
        firm = make_enterprise()
        firm._history_user = user
        firm.save()
        FormerName.objects.create(enterprise=firm, name=f"{firm.name}（旧）")
        Designation.objects.create(enterprise=firm, tier=batch.tier, batch=batch, year=batch.year)
        YearlyFigures.objects.create(enterprise=firm, year=2020, output_value=1000)
        seminar.participants.add(firm)


def restore_statements(tmp_path, django_assert_max_num_queries):
    """Back up, empty the database, and restore: the statements of the restore."""
    backup = tmp_path / "registry.json.gz"
    call_command("backup", str(backup))
    models = {record["model"] for record in read_backup(backup)}
    call_command("flush", "--no-input", verbosity=0)
    bound = STATEMENTS_PER_MODEL * len(models) + STATEMENTS_PER_RESTORE
    with django_assert_max_num_queries(bound) as queries:
        call_command("restore", str(backup))
    return len(queries)


def test_restore_statements_do_not_grow_with_rows(
    tmp_path, make_enterprise, national_batch, django_assert_max_num_queries
):
    populate(make_enterprise, national_batch, 2)
    small = restore_statements(tmp_path, django_assert_max_num_queries)
    populate(make_enterprise, national_batch, 40)
    assert Enterprise.objects.count() == 42
    assert restore_statements(tmp_path, django_assert_max_num_queries) == small
    assert Enterprise.objects.count() == 42


def damage_value(records):
    """A date that is not one, in the last model of the backup."""
    records[-1]["fields"]["held_on"] = "2021-13-45"


def damage_reference(records):
    """An enterprise in a region no table holds: found when the foreign keys are checked."""
    next(r for r in records if r["model"] == "champions.enterprise")["fields"]["region"] = "999999"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (damage_value, r"damaged at champions\.seminar"),
        (damage_reference, "could not be restored; the database is unchanged"),
        (None, "is not a backup"),
    ],
    ids=["bad value", "dangling reference", "truncated file"],
)
def test_restore_is_all_or_nothing(tmp_path, make_enterprise, national_batch, damage, message):
    populate(make_enterprise, national_batch, 3)
    backup = tmp_path / "registry.json.gz"
    call_command("backup", str(backup))
    damaged = tmp_path / "damaged.json.gz"
    if damage is None:
        damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    else:
        records = read_backup(backup)
        assert records[-1]["model"] == "champions.seminar"
        damage(records)
        with gzip.open(damaged, "wt") as handle:
            json.dump(records, handle)
    call_command("flush", "--no-input", verbosity=0)
    empty = snapshot()

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(damaged))
    assert snapshot() == empty
    call_command("restore", str(backup))
    assert Enterprise.objects.count() == 3


def test_reference_data_is_back_after_the_flush():
    """The flush above must not leave later tests without the seeded reference data."""
    from champions.models import Tier
    from champions.reference import read_reference

    assert Region.objects.filter(code="330300").exists()
    assert Tier.objects.count() == len(list(read_reference("tiers")))
