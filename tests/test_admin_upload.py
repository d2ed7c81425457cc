"""Importing in the browser: upload, check (the dry run's report), confirm; in the background
for a large file; refused when the file or what it would change moved since the check."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.importing import background
from champions.models import Designation, Enterprise, ImportRun
from tests.admin_helpers import make_member

pytestmark = pytest.mark.django_db

UPLOAD = "admin:champions_importrun_upload"

LIST = (
    "2024年浙江省隐形冠军企业名单\n"
    "序号,企业名称,所属区县,年度\n"
    "1,示例上传甲有限公司,鹿城区,2024\n"
    "2,示例上传乙有限公司,宁波市,2024\n"
)


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CHAMPIONS_UPLOAD_DIR = tmp_path / "uploads"
    return settings.CHAMPIONS_UPLOAD_DIR


def gbk_file(text=LIST, name="名单.csv"):
    return SimpleUploadedFile(name, text.encode("gbk"), content_type="text/csv")


def check(client, upload, **fields):
    data = {"kind": "designations", "tier": "浙江省隐形冠军企业", "create_missing": "on"}
    data.update(fields)
    return client.post(reverse(UPLOAD), {**data, "file": upload}, follow=True)


@pytest.fixture
def clerk(client):
    user = make_member(DATA_ENTRY)
    client.force_login(user)
    return user


@pytest.mark.parametrize(("group", "allowed"), [(DATA_ENTRY, True), (VIEWER, False), (None, False)])
def test_only_staff_who_may_import_see_the_upload_page(client, group, allowed):
    if group:
        user = make_member(group)
    else:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("nobody", is_staff=True)
    client.force_login(user)
    assert client.get(reverse(UPLOAD)).status_code == (200 if allowed else 403)
    listing = client.get(reverse("admin:champions_importrun_changelist"))
    if listing.status_code == 200:
        assert (reverse(UPLOAD) in listing.content.decode()) is allowed


def test_a_gbk_csv_is_checked_then_confirmed(client, clerk):
    checked = check(client, gbk_file())
    assert checked.status_code == 200
    page = checked.content.decode()
    preview = ImportRun.objects.get()
    assert preview.status == ImportRun.Status.DRY_RUN and preview.user == clerk
    assert "Header: line 2." in page or "表头：第 2 行。" in page
    assert "宁波市" in page  # the other city's row, skipped and counted
    assert "示例上传甲有限公司" in page  # the firm it would create
    assert not Enterprise.objects.exists()
    confirmed = client.post(
        reverse("admin:champions_importrun_confirm", args=[preview.pk]), follow=True
    )
    assert confirmed.status_code == 200
    run = ImportRun.objects.exclude(pk=preview.pk).get()
    assert (run.status, run.confirms, run.created) == (ImportRun.Status.IMPORTED, preview, 2)
    assert list(Designation.objects.values_list("enterprise__name", "tier_id")) == [
        ("示例上传甲有限公司", "hidden_champion")
    ]
    # The run's page links to the records it wrote.
    assert f"?import_run={run.pk}" in confirmed.content.decode()
    again = client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk]))
    assert again.status_code == 302
    assert ImportRun.objects.count() == 2  # confirmed once only


def test_an_xlsx_is_checked_like_a_csv(client, clerk):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    for row, cells in enumerate(
        [["企业名称", "所属区县", "年度"], ["示例表格有限公司", "乐清市", 2024]]
    ):
        sheet.write_row(row, 0, cells)
    book.close()
    upload = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    checked = check(client, upload)
    preview = ImportRun.objects.get()
    assert preview.status == ImportRun.Status.DRY_RUN, preview.report
    assert "示例表格有限公司" in checked.content.decode()


def test_a_refused_check_lists_its_problems_and_cannot_be_confirmed(client, clerk):
    refused = check(client, gbk_file(LIST.replace("鹿城区", "火星区")))
    preview = ImportRun.objects.get()
    assert preview.status == ImportRun.Status.REFUSED
    assert "line 3, column 所属区县" in refused.content.decode()
    response = client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk]))
    assert response.status_code == 302
    assert ImportRun.objects.count() == 1 and not Enterprise.objects.exists()


def test_a_file_changed_since_the_check_is_refused(client, clerk, upload_dir):
    check(client, gbk_file())
    preview = ImportRun.objects.get()
    (upload_dir / preview.upload).write_bytes(LIST.replace("甲", "丙").encode("gbk"))
    client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk]))
    assert ImportRun.objects.count() == 1 and not Enterprise.objects.exists()


def test_data_changed_since_the_check_refuses_the_confirmation(client, clerk, make_enterprise):
    check(client, gbk_file())
    preview = ImportRun.objects.get()
    make_enterprise(name="示例上传甲有限公司")  # somebody added the firm meanwhile
    client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk]))
    run = ImportRun.objects.exclude(pk=preview.pk).get()
    assert run.status == ImportRun.Status.REFUSED
    assert "校验之后数据已有变化" in " ".join(run.report["problems"])  # in the language of the run
    assert not Designation.objects.exists()


# The worker commits and closes its connection as a deployed one does: the test's own data must
# be committed for it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_file_runs_in_the_background(client, clerk, monkeypatch):
    monkeypatch.setattr(background, "BACKGROUND_FROM_LINES", 3)
    checked = check(client, gbk_file())
    preview = ImportRun.objects.get()
    assert preview.status == ImportRun.Status.QUEUED
    assert 'http-equiv="refresh"' in checked.content.decode()  # the page follows it
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    preview.refresh_from_db()
    assert preview.status == ImportRun.Status.DRY_RUN
    page = client.get(reverse("admin:champions_importrun_change", args=[preview.pk]))
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert reverse("admin:champions_importrun_confirm", args=[preview.pk]) in page.content.decode()


def test_a_reviewer_without_import_permission_cannot_confirm(client, clerk):
    check(client, gbk_file())
    preview = ImportRun.objects.get()
    client.force_login(make_member(REVIEWER))
    assert (
        client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk])).status_code
        == 403
    )


def test_the_run_page_links_to_exactly_the_records_it_wrote(client, clerk, make_enterprise):
    make_enterprise(name="示例早已在库有限公司")
    check(client, gbk_file())
    preview = ImportRun.objects.get()
    client.post(reverse("admin:champions_importrun_confirm", args=[preview.pk]))
    run = ImportRun.objects.exclude(pk=preview.pk).get()
    for model, expected in ((Designation, 1), (Enterprise, 1)):
        listing = client.get(
            reverse(f"admin:champions_{model._meta.model_name}_changelist"),
            {"import_run": run.pk},
        )
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == expected
