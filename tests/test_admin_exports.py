"""Exports from the admin's lists: ``?_export=csv`` and ``?_export=xlsx`` give the rows the list
shows, filters and search applied; import kinds in ``export_csv``'s columns, other lists in their
own; for whoever may view the model; at a fixed number of queries."""

import csv
import datetime
import io
import zipfile

import pytest
from django.contrib import admin
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import format_html
from python_calamine import CalamineWorkbook

from champions.admin import exports
from champions.exporting import export_csv, headers
from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    EventKind,
    FormerName,
    ImportRun,
    Organisation,
    ProvinceCount,
    Recommendation,
    Region,
    Seminar,
    StageMove,
    Tier,
    YearlyFigures,
)
from champions.services.designations import award, record_event
from champions.services.recommendations import move
from champions.validators import credit_code_check_character
from tests.admin_helpers import admin_url, make_member, make_sample
from tests.import_helpers import export_bytes, run_import

pytestmark = pytest.mark.django_db

REGISTERED = [model for model in admin.site._registry if model._meta.app_label == "champions"]
FORMULA_NAME = '=HYPERLINK("http://example.com","点我")有限公司'


def download(client, model, file_format="csv", language=None, **params):
    """The response to an export of ``model``'s list and its whole body."""
    response = client.get(
        admin_url(model),
        {**params, "_export": file_format},
        headers={"accept-language": language} if language else None,
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def csv_rows(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def exported(client, model, **params):
    """The CSV rows (header first) of the export of ``model``'s list with ``params``."""
    response, body = download(client, model, **params)
    assert response.status_code == 200, body[:500]
    return csv_rows(body)


def workbook_rows(data, sheet=None):
    """The rows of a sheet of the .xlsx ``data``, as python-calamine reads them."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python()


def as_csv_text(value):
    """What the CSV cell of an .xlsx cell's ``value`` reads: numbers without ``.0``, ISO dates."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def assert_same_rows(sheet_rows, csv_rows):
    """The rows of a sheet read as the CSV file's: numbers equal, the rest the same text."""
    assert len(sheet_rows) == len(csv_rows)
    for sheet_row, csv_row in zip(sheet_rows, csv_rows, strict=True):
        assert len(sheet_row) == len(csv_row)
        for value, text in zip(sheet_row, csv_row, strict=True):
            if isinstance(value, float):
                assert value == float(text), (sheet_row, csv_row)
            else:
                assert as_csv_text(value) == text, (sheet_row, csv_row)


def shown(client, model, **params):
    """The rows the list page itself shows with ``params``."""
    response = client.get(admin_url(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def digit_credit_code():
    """A valid credit code of 18 digits, which a spreadsheet would turn into a number."""
    for serial in range(900, 2000):
        body = f"91330300{serial:09d}"
        check = credit_code_check_character(body)
        if check.isdigit():
            return body + check
    raise AssertionError("no all-digit credit code found")


@pytest.fixture
def sample(make_enterprise, national_batch):
    return make_sample(make_enterprise, national_batch)


# Every list ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_every_list_exports_its_searched_rows_as_csv_and_xlsx(admin_client, sample, model):
    obj, term = sample.terms[model]
    model_admin = admin.site._registry[model]
    rows = shown(admin_client, model, q=term)
    assert obj in rows
    page = admin_client.get(admin_url(model), {"q": term}).content.decode()
    assert 'data-export="csv"' in page and 'data-export="xlsx"' in page
    header, *lines = exported(admin_client, model, q=term)
    kind = exports.KIND_OF_MODEL.get(model)
    if kind:
        assert header == headers(kind)
    else:
        assert len(header) == len(model_admin.get_list_display(None))
    # One line per row shown (each sample title has one event).
    assert len(lines) == len(rows)

    response, body = download(admin_client, model, "xlsx", q=term)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert_same_rows(workbook_rows(body), [header, *lines])


def test_kinds_are_the_lists_of_their_models():
    lists = {
        Enterprise: "enterprises",
        Designation: "designations",
        Recommendation: "recommendations",
        YearlyFigures: "figures",
        Seminar: "seminars",
        ProvinceCount: "province",
    }
    assert lists == exports.KIND_OF_MODEL


# Filters and search ----------------------------------------------------------------------------


def test_designations_filtered_by_tier_are_exactly_the_titles_shown(
    admin_client, make_enterprise, national_batch, provincial_batch
):
    single, hidden = national_batch.tier, provincial_batch.tier
    on = datetime.date(2021, 11, 20)
    for _ in range(3):
        award(make_enterprise(), single, batch=national_batch, year=2021, happened_on=on)
        award(make_enterprise(), hidden, batch=provincial_batch, year=2021, happened_on=on)
    reviewed = Designation.objects.filter(tier=single).first()
    record_event(
        reviewed,
        EventKind.REVIEW_RESULT,
        happened_on=datetime.date(2024, 11, 1),
        outcome=DesignationEvent.Outcome.PASSED,
    )
    params = {"tier__code__exact": single.code}
    titles = shown(admin_client, Designation, **params)
    assert len(titles) == 3 and {title.tier for title in titles} == {single}

    header, *lines = exported(admin_client, Designation, **params)
    assert header == headers("designations")
    # One line per event: the reviewed title twice.
    names = [line[1] for line in lines]
    assert sorted(names) == sorted(
        [title.enterprise.name for title in titles] + [reviewed.enterprise.name]
    )
    assert {line[2] for line in lines} == {single.code}
    # The file export_csv writes for those titles, byte for byte.
    stream = io.StringIO(newline="")
    export_csv("designations", stream, queryset=Designation.objects.filter(tier=single))
    assert download(admin_client, Designation, **params)[1] == stream.getvalue().encode()


def test_enterprises_searched_by_name_are_exactly_the_firms_shown(admin_client, make_enterprise):
    wanted = make_enterprise(name="温州导出阀门（集团）有限公司")
    FormerName.objects.create(enterprise=wanted, name="瓯海导出阀门厂")
    other = make_enterprise(name="乐清导出电气有限公司")
    make_enterprise(name="温州别的企业有限公司")
    for term, firms in (
        ("导出阀门(集团)", [wanted]),
        ("瓯海导出", [wanted]),
        ("导出", [other, wanted]),
    ):
        assert sorted(shown(admin_client, Enterprise, q=term), key=str) == sorted(firms, key=str)
        header, *lines = exported(admin_client, Enterprise, q=term)
        assert [line[1] for line in lines] == sorted(firm.name for firm in firms)
        assert lines[-1][2] == "瓯海导出阀门厂"  # the former names column of the kind


def test_a_list_of_no_kind_exports_its_columns_filtered_and_searched(
    admin_client, single_champion, hidden_champion
):
    announced = datetime.date(2021, 11, 20)
    kept = Batch.objects.create(tier=single_champion, number=6, year=2021, announced_on=announced)
    Batch.objects.create(tier=single_champion, number=7, year=2022)
    Batch.objects.create(tier=hidden_champion, number=1, year=2021)
    params = {"tier__code__exact": single_champion.code, "q": "2021"}
    assert shown(admin_client, Batch, **params) == [kept]

    response, body = download(admin_client, Batch, language="en", **params)
    header, *lines = csv_rows(body)
    model_admin = admin.site._registry[Batch]
    assert len(header) == len(model_admin.list_display) and header[0] == "Batch"
    assert lines == [[str(kept), str(single_champion), "6", "2021", "", "2021-11-20"]]


def test_moments_are_local_time_and_choices_their_labels(admin_client):
    run = ImportRun.objects.create(
        kind="enterprises",
        file_name="名单.csv",
        sha256="0" * 64,
        started_at=datetime.datetime(2024, 5, 1, 2, 30, 15, 123456, tzinfo=datetime.UTC),
    )
    header, line = exported(admin_client, ImportRun, q="名单")
    started = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S")
    assert line[header.index("开始时间")] == started == "2024-05-01 10:30:15"
    assert line[header.index("状态")] == run.get_status_display() != run.status
    _header, row = workbook_rows(download(admin_client, ImportRun, "xlsx", q="名单")[1])
    assert row[header.index("开始时间")] == datetime.datetime(2024, 5, 1, 10, 30, 15)


def test_a_columns_value_is_what_the_list_shows_as_text(sample, hidden_champion):
    designations = admin.site._registry[Designation]
    held = award(sample.enterprise, hidden_champion, year=2024, happened_on=timezone.localdate())
    ended = sample.designation  # awarded in 2021 for three years
    with translation.override("zh-hans"):
        # An icon in the list.
        assert designations.shown_value(held, "in_force") == "是"
        assert designations.shown_value(ended, "in_force") == "否"
        assert designations.shown_value(held, "tier") == hidden_champion.name
        assert designations.shown_value(held, "product") is None  # "-" in the list
    with translation.override("en"):
        assert designations.shown_value(held, "in_force") == "yes"
    assert exports.plain(format_html("<b>{}</b> &amp; {}", "甲", "乙")) == "甲 & 乙"


def test_an_unfiltered_enterprises_list_gives_the_bytes_of_export_csv(
    admin_client, make_enterprise, pumps, tmp_path
):
    firm = make_enterprise(name=FORMULA_NAME, industry=pumps, main_product="-负极材料")
    FormerName.objects.create(enterprise=firm, name="=温州旧名")
    make_enterprise(name='温州"引号", 逗号有限公司', credit_code=None, founded=2010)
    make_enterprise(name="+86 温州电话有限公司")
    response, body = download(admin_client, Enterprise)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body == export_bytes("enterprises", tmp_path)


def test_links_carry_the_lists_query_string_without_its_page(admin_client, sample):
    params = {"tier__code__exact": sample.tier.code, "q": "示例泵阀", "o": "2", "p": "1"}
    response = admin_client.get(admin_url(Designation), params)
    links = response.context["export_links"]
    assert [link["format"] for link in links] == ["csv", "xlsx"]
    page = response.content.decode()
    for link in links:
        assert "p=1" not in link["url"] and f"_export={link['format']}" in link["url"]
        assert f'href="{link["url"].replace("&", "&amp;")}"' in page
        followed = admin_client.get(admin_url(Designation) + link["url"])
        assert followed.status_code == 200
    header, *lines = csv_rows(
        b"".join(admin_client.get(admin_url(Designation) + links[0]["url"]).streaming_content)
    )
    assert [line[1] for line in lines] == [sample.enterprise.name]


def test_no_links_in_a_popup(admin_client, sample):
    response = admin_client.get(admin_url(Enterprise), {"_popup": "1"})
    assert response.status_code == 200
    assert response.context["export_links"] == []
    assert "_export=" not in response.content.decode()


# The cells -------------------------------------------------------------------------------------


def test_formula_cells_are_escaped_in_both_formats(admin_client, make_enterprise):
    make_enterprise(name=FORMULA_NAME)
    Organisation.objects.create(name="=1+2", name_en="@SUM(A1)")
    header, line = exported(admin_client, Enterprise)
    assert line[1] == "'" + FORMULA_NAME
    header, line = exported(admin_client, Organisation)
    assert line == ["'=1+2", "'@SUM(A1)"]

    body = download(admin_client, Organisation, "xlsx")[1]
    assert workbook_rows(body)[1] == ["'=1+2", "'@SUM(A1)"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cell at all


def test_xlsx_has_the_csv_rows_a_bold_frozen_header_and_codes_as_text(
    admin_client, make_enterprise, pumps
):
    code = digit_credit_code()
    firm = make_enterprise(
        name="温州数字代码有限公司", credit_code=code, industry=pumps, founded=1998
    )
    make_enterprise(name=FORMULA_NAME, credit_code=None)
    YearlyFigures.objects.create(enterprise=firm, year=2023, output_value="1234.50", employees=88)
    response, body = download(admin_client, Enterprise, "xlsx")
    assert isinstance(response, FileResponse)
    assert body.startswith(b"PK")
    rows = workbook_rows(body)
    assert_same_rows(rows, exported(admin_client, Enterprise))
    firm_row = next(row for row in rows if row[1] == firm.name)
    assert firm_row[0] == code and isinstance(firm_row[0], str)
    assert firm_row[6] == 1998  # a number stays a number

    header, figures = workbook_rows(download(admin_client, YearlyFigures, "xlsx")[1])
    assert figures[0] == code and figures[header.index("output_value (10k yuan)")] == 1234.5
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    assert "<b/>" in styles


def test_an_xlsx_export_imports_back_unchanged(admin_client, make_enterprise, pumps, tmp_path):
    firm = make_enterprise(name=FORMULA_NAME, credit_code=digit_credit_code(), industry=pumps)
    FormerName.objects.create(enterprise=firm, name="'=温州旧名")
    make_enterprise(name="温州乙有限公司", main_product="-负极材料", founded=1998)
    YearlyFigures.objects.create(enterprise=firm, year=2023, output_value="1234.50")
    for model, kind, rows in ((Enterprise, "enterprises", 2), (YearlyFigures, "figures", 1)):
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(download(admin_client, model, "xlsx")[1])
        outcome = run_import(kind, str(path))
        assert outcome.code == 0, outcome.err
        assert outcome.summary == f"created 0, updated 0, unchanged {rows}, errors 0"


def test_a_long_export_goes_on_in_another_sheet_under_the_same_header(
    admin_client, make_enterprise, monkeypatch
):
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)  # the header and two rows a sheet
    firms = sorted(make_enterprise().name for _ in range(5))
    body = download(admin_client, Enterprise, "xlsx")[1]
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    assert book.sheet_names == ["企业", "企业 (2)", "企业 (3)"]
    sheets = [workbook_rows(body, name) for name in book.sheet_names]
    assert all(sheet[0] == headers("enterprises") for sheet in sheets)
    assert [row[1] for sheet in sheets for row in sheet[1:]] == firms


def test_an_empty_list_exports_its_header(admin_client):
    assert exported(admin_client, Enterprise) == [headers("enterprises")]
    assert workbook_rows(download(admin_client, Seminar, "xlsx")[1]) == [headers("seminars")]


# The response ----------------------------------------------------------------------------------


def test_file_names_are_the_lists_name_and_the_date(admin_client):
    day = timezone.localdate().strftime("%Y%m%d")
    response, _body = download(admin_client, Enterprise)
    assert response["Content-Disposition"] == (
        f'attachment; filename="enterprise-{day}.csv"; '
        f"filename*=UTF-8''%E4%BC%81%E4%B8%9A-{day}.csv"
    )
    response, _body = download(admin_client, StageMove, "xlsx", language="en")
    assert response["Content-Disposition"] == f'attachment; filename="stage-moves-{day}.xlsx"'


def test_unknown_format_bad_filter_and_post(admin_client):
    response, body = download(admin_client, Enterprise, "pdf")
    assert response.status_code == 400 and b"pdf" in body
    assert response["Content-Type"].startswith("text/plain")
    response, _body = download(admin_client, Enterprise, "csv", no_such_field="1")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    response = admin_client.post(admin_url(Enterprise) + "?_export=csv")
    assert response.status_code == 405


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("group", [VIEWER, DATA_ENTRY, REVIEWER])
@pytest.mark.parametrize("model", [Enterprise, Designation, Tier, ImportRun, StageMove])
def test_every_staff_group_may_export(client, sample, group, model):
    client.force_login(make_member(group))
    response = client.get(admin_url(model))
    assert [link["format"] for link in response.context["export_links"]] == ["csv", "xlsx"]
    for file_format in ("csv", "xlsx"):
        response, body = download(client, model, file_format)
        assert response.status_code == 200
        assert body[:3] in (b"\xef\xbb\xbf", b"PK\x03")


@pytest.mark.parametrize("model", [Enterprise, Designation, Region])
def test_staff_without_a_group_get_403_and_others_the_login(client, sample, staff_user, model):
    client.force_login(staff_user)
    for file_format in ("csv", "xlsx"):
        response, body = download(client, model, file_format)
        assert response.status_code == 403
        assert sample.enterprise.name.encode() not in body
    response, _body = download(Client(), model)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_view_permission_of_one_model_exports_that_model_only(client, sample, staff_user):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="view_tier"))
    client.force_login(staff_user)
    assert download(client, Tier)[0].status_code == 200
    assert download(client, Enterprise)[0].status_code == 403


# Queries ---------------------------------------------------------------------------------------


def make_registry_rows(count, make_enterprise, tier, start=0):
    """``count`` firms, each with a former name, an awarded title in a batch of its own, a
    recommendation moved once, figures, a seminar and a province count."""
    regions = list(Region.objects.filter(parent_id="330300"))
    for number in range(start + 1, start + count + 1):
        firm = make_enterprise(region=regions[number % len(regions)])
        FormerName.objects.create(enterprise=firm, name=f"旧名{number}")
        batch = Batch.objects.create(tier=tier, number=number, year=2000 + number % 25)
        award(firm, tier, batch=batch, year=batch.year, happened_on=datetime.date(2020, 1, 1))
        YearlyFigures.objects.create(enterprise=firm, year=2020, output_value=number)
        move(Recommendation.objects.create(enterprise=firm, batch=batch), "nominated")
        seminar = Seminar.objects.create(title=f"座谈会{number}", held_on=datetime.date(2021, 1, 1))
        seminar.participants.add(firm)
        seminar.sponsors.add(Organisation.objects.create(name=f"单位{number}"))
        ProvinceCount.objects.create(
            region_id="330300", tier=tier, year=1950 + number, count=number
        )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "model",
    [
        Enterprise,
        Designation,
        Recommendation,
        YearlyFigures,
        Seminar,
        ProvinceCount,
        Batch,
        DesignationEvent,
        StageMove,
    ],
    ids=lambda model: model._meta.model_name,
)
def test_export_queries_do_not_grow_with_rows(
    admin_client,
    make_enterprise,
    single_champion,
    model,
    file_format,
    django_assert_max_num_queries,
):
    make_registry_rows(3, make_enterprise, single_champion)
    with CaptureQueriesContext(connection) as three_rows:
        response, body = download(admin_client, model, file_format)
    assert response.status_code == 200
    make_registry_rows(30, make_enterprise, single_champion, start=3)
    with django_assert_max_num_queries(len(three_rows)):
        response, body = download(admin_client, model, file_format)
    if file_format == "csv":
        assert len(csv_rows(body)) == 1 + 33
    else:
        assert len(workbook_rows(body)) == 1 + 33
