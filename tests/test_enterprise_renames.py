"""Renames: the old name is kept as a former name with the date of the change, through one
service (``champions.services.enterprises``) whether staff rename a firm in the admin or a file
does, and a rename register (企业名称, 曾用名, 变更日期) finds its firms by the old name."""

import datetime

import pytest
from django.utils import timezone

from champions.importing import staging
from champions.models import Enterprise, FormerName, ImportRun, YearlyFigures
from champions.services.enterprises import Rename, rename, rename_many
from tests.admin_helpers import admin_url, posted_back
from tests.conftest import make_credit_code
from tests.import_helpers import last_run, run_import, write_csv

pytestmark = pytest.mark.django_db

REGISTER_HEADER = ["企业名称", "曾用名", "变更日期"]


def former_names(firm):
    return sorted(firm.former_names.values_list("name", "until"))


def test_an_admin_rename_with_the_old_name_typed_as_a_former_name_records_it_once(
    admin_client, make_enterprise
):
    firm = make_enterprise(name="温州旧名泵阀有限公司")
    url = admin_url(Enterprise, "change", firm.pk)
    data = posted_back(admin_client.get(url))
    data.update(
        {
            "name": "温州新名泵阀有限公司",
            "former_names-TOTAL_FORMS": "1",
            "former_names-0-name": "温州旧名泵阀 有限公司",
            "former_names-0-until": "",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    assert former_names(firm) == [("温州旧名泵阀有限公司", timezone.localdate())]


def test_the_current_name_is_not_a_former_name(admin_client, make_enterprise):
    firm = make_enterprise(name="温州旧名泵阀有限公司")
    url = admin_url(Enterprise, "change", firm.pk)
    data = posted_back(admin_client.get(url))
    data.update({"former_names-TOTAL_FORMS": "1", "former_names-0-name": firm.name})
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This is the enterprise&#x27;s current name." in response.content.decode()
    assert not FormerName.objects.exists()


def test_admin_rename_keeps_the_former_name_with_todays_date_and_history(
    admin_client, admin_user, make_enterprise
):
    firm = make_enterprise(name="温州旧名泵阀有限公司")
    url = admin_url(Enterprise, "change", firm.pk)
    data = posted_back(admin_client.get(url))
    data.update(name="温州新名泵阀有限公司", main_product="闸阀")
    records = firm.history.count()

    assert admin_client.post(url, data).status_code == 302

    firm.refresh_from_db()
    assert (firm.name, firm.name_key, firm.main_product) == (
        "温州新名泵阀有限公司",
        "温州新名泵阀有限公司",
        "闸阀",
    )
    assert former_names(firm) == [("温州旧名泵阀有限公司", timezone.localdate())]
    # One history record of the firm for the whole form, the name and the product in it.
    assert firm.history.count() == records + 1
    latest = firm.history.first()
    assert (latest.name, latest.main_product, latest.history_user) == (
        "温州新名泵阀有限公司",
        "闸阀",
        admin_user,
    )
    former = FormerName.history.get()
    assert (former.history_type, former.history_user, former.import_run) == ("+", admin_user, None)

    # Saved again without a change of name: nothing more is recorded as a former name.
    data = posted_back(admin_client.get(url))
    data.update(main_product="球阀")
    assert admin_client.post(url, data).status_code == 302
    assert FormerName.objects.count() == 1


def test_import_rename_records_the_date_of_the_file(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州旧有限公司")
    path = write_csv(
        tmp_path / "renamed.csv",
        [
            ["统一社会信用代码", "企业名称", "变更日期"],
            [firm.credit_code, "温州新有限公司", "2021/3/15"],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    firm.refresh_from_db()
    assert firm.name == "温州新有限公司"
    assert former_names(firm) == [("温州旧有限公司", datetime.date(2021, 3, 15))]
    record = FormerName.history.get()
    assert (record.history_type, record.import_run, record.until) == (
        "+",
        last_run(),
        datetime.date(2021, 3, 15),
    )
    assert firm.history.first().import_run == last_run()

    again = run_import("enterprises", path)
    assert again.summary == "created 0, updated 0, unchanged 1, errors 0", again.out


def test_a_rename_without_a_date_keeps_the_former_name_undated(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州旧有限公司")
    path = write_csv(
        tmp_path / "renamed.csv", [["credit_code", "name"], [firm.credit_code, "温州新有限公司"]]
    )
    assert run_import("enterprises", path).code == 0
    assert former_names(firm) == [("温州旧有限公司", None)]


@pytest.mark.parametrize(("encoding", "bom"), [("gbk", False), ("utf-8", True)])
def test_a_rename_register_renames_firms_found_by_their_old_name(
    tmp_path, make_enterprise, encoding, bom
):
    coded = make_enterprise(name="温州甲旧名有限公司")
    uncoded = make_enterprise(name="温州乙旧名（集团）厂", credit_code=None)
    unrelated = make_enterprise(name="温州丙有限公司")
    path = write_csv(
        tmp_path / "register.csv",
        [
            REGISTER_HEADER,
            ["温州甲新名有限公司", "温州甲旧名有限公司", "2021年3月1日"],
            ["温州乙新名有限公司", "温州乙旧名(集团)厂", "2022-06-30"],
        ],
        encoding=encoding,
        bom=bom,
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 2, unchanged 0, errors 0", outcome.out
    for firm in (coded, uncoded, unrelated):
        firm.refresh_from_db()
    assert coded.name == "温州甲新名有限公司"
    assert former_names(coded) == [("温州甲旧名有限公司", datetime.date(2021, 3, 1))]
    assert uncoded.name == "温州乙新名有限公司"
    # The stored spelling of the old name is kept (the file's has other brackets).
    assert former_names(uncoded) == [("温州乙旧名（集团）厂", datetime.date(2022, 6, 30))]
    assert (unrelated.name, former_names(unrelated)) == ("温州丙有限公司", [])
    assert Enterprise.objects.count() == 3

    again = run_import("enterprises", path)
    assert again.summary == "created 0, updated 0, unchanged 2, errors 0", again.out


def test_a_register_dates_a_former_name_known_without_its_date(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州新名有限公司")
    FormerName.objects.create(enterprise=firm, name="温州旧名有限公司")
    path = write_csv(
        tmp_path / "register.csv",
        [
            ["统一社会信用代码", *REGISTER_HEADER],
            [firm.credit_code, "温州新名有限公司", "温州旧名有限公司", "20190701"],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
    assert former_names(firm) == [("温州旧名有限公司", datetime.date(2019, 7, 1))]
    dated = FormerName.history.filter(import_run=last_run()).get()
    assert (dated.history_type, dated.until) == ("~", datetime.date(2019, 7, 1))
    # A date already known is not replaced by another file's.
    path = write_csv(
        tmp_path / "other.csv",
        [REGISTER_HEADER, ["温州新名有限公司", "温州旧名有限公司", "2020-01-01"]],
    )
    assert run_import("enterprises", path).summary.startswith("created 0, updated 0")
    assert former_names(firm) == [("温州旧名有限公司", datetime.date(2019, 7, 1))]


def test_a_register_row_for_an_unknown_firm_creates_it_with_its_former_name(tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [REGISTER_HEADER, ["温州全新有限公司", "温州老厂", "2020-05-05"]],
    )
    outcome = run_import("enterprises", path, "--region", "鹿城区")
    assert outcome.summary == "created 1, updated 0, unchanged 0, errors 0", outcome.out
    firm = Enterprise.objects.get()
    assert (firm.name, former_names(firm)) == (
        "温州全新有限公司",
        [("温州老厂", datetime.date(2020, 5, 5))],
    )


def test_an_old_name_several_firms_had_is_refused_in_the_old_name_column(
    tmp_path, make_enterprise, lucheng
):
    make_enterprise(name="温州同名厂")
    make_enterprise(name="温州同名厂")
    path = write_csv(
        tmp_path / "register.csv",
        [REGISTER_HEADER, ["温州新名有限公司", "温州同名厂", "2020-05-05"]],
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert "line 2, column 曾用名: the name fits several enterprises" in outcome.out
    assert not Enterprise.objects.filter(name="温州新名有限公司").exists()


def test_a_firm_found_in_an_old_list_by_its_former_name_is_not_renamed_back(
    tmp_path, make_enterprise
):
    firm = make_enterprise(name="温州旧名有限公司", founded=1990)
    rename(firm, "温州新名有限公司", on=datetime.date(2021, 1, 1))
    old_lists = [
        [["企业名称", "成立年份"], ["温州旧名有限公司", "1991"]],  # found by the former name
        [
            ["统一社会信用代码", "企业名称", "成立年份"],
            [firm.credit_code, "温州旧名有限公司", "1992"],
        ],
    ]
    for number, rows in enumerate(old_lists):
        outcome = run_import("enterprises", write_csv(tmp_path / f"old{number}.csv", rows))
        assert outcome.summary == "created 0, updated 1, unchanged 0, errors 0", outcome.out
        firm.refresh_from_db()
        assert (firm.name, firm.founded) == ("温州新名有限公司", 1991 + number)
    # Other kinds of files find it by the former name too.
    figures = write_csv(
        tmp_path / "figures.csv", [["企业名称", "年份"], ["温州旧名有限公司", "2019"]]
    )
    assert run_import("figures", figures).code == 0
    assert YearlyFigures.objects.get().enterprise == firm
    assert former_names(firm) == [("温州旧名有限公司", datetime.date(2021, 1, 1))]


def test_an_old_register_does_not_undo_a_later_rename(tmp_path, make_enterprise):
    firm = make_enterprise(name="温州一名有限公司")
    rename(firm, "温州二名有限公司", on=datetime.date(2015, 1, 1))
    rename(firm, "温州三名有限公司", on=datetime.date(2020, 1, 1))
    path = write_csv(
        tmp_path / "register.csv",
        [REGISTER_HEADER, ["温州二名有限公司", "温州一名有限公司", "2015-01-01"]],
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 0, updated 0, unchanged 1, errors 0", outcome.out
    firm.refresh_from_db()
    assert firm.name == "温州三名有限公司"
    assert former_names(firm) == [
        ("温州一名有限公司", datetime.date(2015, 1, 1)),
        ("温州二名有限公司", datetime.date(2020, 1, 1)),
    ]


def test_the_rule_lists_each_key_once_and_ignores_a_change_of_spelling(make_enterprise):
    firm = make_enterprise(name="温州甲（集团）有限公司")
    assert rename(firm, "温州甲(集团)有限公司", on=datetime.date(2020, 1, 1)) is None
    assert former_names(firm) == []
    FormerName.objects.create(enterprise=firm, name="温州乙有限公司")
    firm.name = "温州乙有限公司"
    firm.save()
    # Renamed from a name already listed: the listed one is kept and gets the date it lacked.
    dated = rename(firm, "温州丙有限公司", on=datetime.date(2021, 2, 2))
    assert (dated.name, dated.until) == ("温州乙有限公司", datetime.date(2021, 2, 2))
    assert former_names(firm) == [("温州乙有限公司", datetime.date(2021, 2, 2))]


def state_of(firms):
    """What a rename leaves, without ids: names, former names and the kinds of history."""
    return [
        (
            firm.name,
            firm.name_key,
            former_names(firm),
            list(firm.history.order_by("history_id").values_list("history_type", "name")),
            sorted(
                FormerName.history.filter(enterprise_id=firm.pk).values_list(
                    "history_type", "name", "until"
                )
            ),
        )
        for firm in Enterprise.objects.filter(pk__in=[firm.pk for firm in firms]).order_by("pk")
    ]


def renamed_firms(make_enterprise, prefix, count, start):
    firms = [
        make_enterprise(
            name=f"{prefix}旧名{n:03d}有限公司", credit_code=make_credit_code(start + n)
        )
        for n in range(count)
    ]
    for firm in firms[::3]:  # some already list their old name (spelt otherwise), undated
        FormerName.objects.create(enterprise=firm, name=firm.name.replace("有限公司", " 有限公司"))
    return firms


def new_name(firm):
    return firm.name.replace("旧名", "新名")


def on(n):
    return datetime.date(2020, 1, 1) + datetime.timedelta(days=n) if n % 4 else None


@pytest.fixture
def bulk_from_two_rows(monkeypatch):
    """Every import large enough to take the bulk path (see tests/test_import_bulk.py)."""
    monkeypatch.setattr(staging, "REBUILD_FROM_ROWS", 2)


def test_the_set_based_path_gives_what_the_single_one_gives(
    tmp_path, make_enterprise, bulk_from_two_rows
):
    count = 40
    one_by_one = renamed_firms(make_enterprise, "温州", count, 1000)
    for n, firm in enumerate(one_by_one):
        rename(firm, new_name(firm), on=on(n))
    at_once = renamed_firms(make_enterprise, "瑞安", count, 2000)
    rename_many(
        [Rename(firm.pk, firm.name, new_name(firm), on(n)) for n, firm in enumerate(at_once)]
    )
    by_file = renamed_firms(make_enterprise, "乐清", count, 3000)
    rows = [
        [firm.credit_code, new_name(firm), firm.name, on(n).isoformat() if on(n) else ""]
        for n, firm in enumerate(by_file)
    ]
    # New firms in the same file: enough to take the importer's bulk path for them too.
    rows += [["", f"永嘉新厂{n:03d}", f"永嘉老厂{n:03d}", "2021-01-01"] for n in range(count)]
    path = write_csv(tmp_path / "register.csv", [["统一社会信用代码", *REGISTER_HEADER], *rows])
    # The new firms are placed by --region; the firms found keep theirs.
    outcome = run_import("enterprises", path, "--region", "永嘉县")
    assert outcome.summary == f"created {count}, updated {count}, unchanged 0, errors 0", (
        outcome.out
    )

    def without_prefix(state):
        return [
            tuple(
                repr(part).replace("温州", "").replace("瑞安", "").replace("乐清", "")
                for part in firm
            )
            for firm in state
        ]

    expected = without_prefix(state_of(one_by_one))
    assert without_prefix(state_of(at_once)) == expected
    assert without_prefix(state_of(by_file)) == expected
    # Every change of the file's former names is stamped with its run.
    listed_before = len(by_file[::3])
    changes = FormerName.history.filter(enterprise_id__in=[firm.pk for firm in by_file])
    run = ImportRun.objects.get(pk=last_run().pk)
    assert FormerName.history.filter(import_run=run).count() == (
        changes.count() - listed_before + count
    )
    created = Enterprise.objects.filter(name__startswith="永嘉新厂")
    assert [former_names(firm) for firm in created] == [
        [(f"永嘉老厂{n:03d}", datetime.date(2021, 1, 1))] for n in range(count)
    ]
