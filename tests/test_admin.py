"""The staff admin: every page renders, searches find, lists cost fixed queries, moves obey the
workflow, and history shows who or which import changed what."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)
from django.contrib.messages import get_messages
from django.db import connection
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation

from champions.admin.common import INLINE_ROWS, HistoryAdmin, ReadOnlyAdmin
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    Enterprise,
    Expert,
    FormerName,
    ImportRun,
    Notice,
    Organisation,
    Recommendation,
    Seminar,
    StageMove,
    YearlyFigures,
)
from champions.services.designations import award
from champions.services.recommendations import move
from tests.admin_helpers import (
    admin_url,
    change_by_import,
    enterprise_form_data,
    make_rows,
    make_sample,
    management_form,
    opened,
    posted_back,
)

pytestmark = pytest.mark.django_db

REGISTERED = [model for model in admin.site._registry if model._meta.app_label == "champions"]

#: Tables that grow with the registry: a form may never list them in a select box.
LARGE_TABLES = {
    Enterprise,
    Batch,
    Designation,
    DesignationEvent,
    Notice,
    Recommendation,
    StageMove,
    Expert,
    Organisation,
    Seminar,
    YearlyFigures,
    ImportRun,
}
SEARCHING_WIDGETS = (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)


@pytest.fixture
def sample(make_enterprise, national_batch):
    return make_sample(make_enterprise, national_batch)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_every_model_has_an_admin_and_former_names_are_inline():
    models = {
        model
        for model in apps.get_app_config("champions").get_models()
        if not model._meta.model_name.startswith("historical")
    }
    assert models - set(REGISTERED) == {FormerName}
    inline_models = {inline.model for inline in admin.site._registry[Enterprise].inlines}
    assert inline_models == {FormerName, Designation, Recommendation, YearlyFigures}


def test_every_model_with_history_has_a_history_admin():
    for model in REGISTERED:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, HistoryAdmin) == hasattr(model, "history"), model


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_changelist_with_search_add_and_change_pages_render(admin_client, sample, model):
    obj, term = sample.terms[model]
    assert admin_client.get(admin_url(model)).status_code == 200

    response = admin_client.get(admin_url(model), {"q": term})
    assert response.status_code == 200
    assert obj.pk in [row.pk for row in response.context["cl"].result_list]

    read_only = isinstance(admin.site._registry[model], ReadOnlyAdmin)
    assert admin_client.get(admin_url(model, "add")).status_code == (403 if read_only else 200)
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert str(obj) in response.content.decode()
    if hasattr(model, "history"):
        assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_no_form_lists_a_large_table_in_a_select_box(admin_user, sample):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    searched = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "champions":
            continue
        obj = sample.terms[model][0]
        # Forms as they are rendered: an inline's own foreign key is a hidden field by then.
        forms = [model_admin.get_form(request, obj, change=True)(instance=obj)]
        if model_admin.has_add_permission(request):
            forms.append(model_admin.get_form(request)())
        forms += [
            inline.get_formset(request, obj)(instance=obj).empty_form
            for inline in model_admin.get_inline_instances(request, obj)
        ]
        for form in forms:
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)
                if widget.is_hidden:
                    continue
                if isinstance(field, ModelChoiceField) and field.queryset.model in LARGE_TABLES:
                    assert isinstance(widget, SEARCHING_WIDGETS), (model, name)
                    searched.add((model._meta.model_name, name))
    assert searched == {
        ("enterprise", "batch"),  # the designations inline
        ("designation", "enterprise"),
        ("designation", "batch"),
        ("notice", "batch"),
        ("recommendation", "enterprise"),
        ("recommendation", "batch"),
        ("yearlyfigures", "enterprise"),
        ("seminar", "sponsors"),
        ("seminar", "experts"),
        ("seminar", "participants"),
    }


@pytest.mark.parametrize(
    "full_width_or_half",
    ["温州示例泵阀（集团）有限公司", "温州示例泵阀 ( 集团 ) 有限公司", "瓯海旧名阀门(集团)厂"],
)
def test_enterprise_search_matches_either_bracket_style_and_former_names(
    admin_client, sample, full_width_or_half
):
    for model in (Enterprise, Designation):
        response = admin_client.get(admin_url(model), {"q": full_width_or_half})
        found = response.context["cl"].result_list
        assert [row.pk for row in found] == [sample.terms[model][0].pk]


def test_enterprise_autocomplete_matches_full_width_brackets(admin_client, sample):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "champions",
            "model_name": "designation",
            "field_name": "enterprise",
            "term": "示例泵阀（集团）",
        },
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(sample.enterprise.pk)]


def test_enterprise_list_shows_name_code_region_industry_founded(admin_client, sample):
    response = admin_client.get(admin_url(Enterprise))
    assert response.context["cl"].list_display[1:] == [
        "name",
        "credit_code",
        "region",
        "industry",
        "founded",
    ]
    page = response.content.decode()
    for value in (sample.enterprise.name, sample.enterprise.credit_code, "鹿城区", "1998"):
        assert value in page


@pytest.mark.parametrize("model", [Enterprise, Designation, Recommendation, YearlyFigures])
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, make_enterprise, single_champion, model, django_assert_num_queries
):
    make_rows(5, make_enterprise, single_champion)
    with CaptureQueriesContext(connection) as five_rows:
        assert admin_client.get(admin_url(model)).status_code == 200
    make_rows(45, make_enterprise, single_champion, start=5)
    with django_assert_num_queries(len(five_rows)):
        response = admin_client.get(admin_url(model))
    assert len(response.context["cl"].result_list) == 50


def test_enterprise_page_shows_latest_inline_rows_and_links_to_all(
    admin_client, make_enterprise, single_champion, django_assert_num_queries
):
    enterprise = make_enterprise()
    batches = Batch.objects.bulk_create(
        # ``bulk_create`` skips ``save``, which sets the year the batch is named by.
        Batch(
            tier=single_champion,
            number=number,
            year=1990 + number,
            key_year=Batch.key_year_for(single_champion, 1990 + number),
        )
        for number in range(1, INLINE_ROWS + 11)
    )

    def add_designations(batches):
        Designation.objects.bulk_create(
            Designation(enterprise=enterprise, tier=single_champion, batch=b, year=b.year)
            for b in batches
        )

    add_designations(batches[: INLINE_ROWS + 1])
    with CaptureQueriesContext(connection) as over_the_limit:
        admin_client.get(admin_url(Enterprise, "change", enterprise.pk))
    add_designations(batches[INLINE_ROWS + 1 :])
    with django_assert_num_queries(len(over_the_limit)):
        response = admin_client.get(admin_url(Enterprise, "change", enterprise.pk))

    shown = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is Designation
    )
    years = [form.instance.year for form in shown.formset.initial_forms]
    assert years == sorted((b.year for b in batches), reverse=True)[:INLINE_ROWS]
    link = admin_url(Designation) + f"?enterprise__id__exact={enterprise.pk}"
    assert link in response.content.decode()
    listed = admin_client.get(link).context["cl"]
    assert listed.result_count == INLINE_ROWS + 10


def test_enterprise_inline_edit_saves_designation_and_records_user(
    admin_client, admin_user, make_enterprise, national_batch, lucheng
):
    enterprise = make_enterprise()
    designation = award(enterprise, national_batch.tier, batch=national_batch, year=2021)
    url = admin_url(Enterprise, "change", enterprise.pk)
    data = posted_back(admin_client.get(url))
    data.update(
        {"designations-0-product": "高压阀门"},
        **management_form("former_names", 0, [{"name": "旧名（甲）"}, {"name": "旧名(甲)"}]),
        **management_form("figures", 0, [{"year": 2020, "output_value": "120000"}]),
    )
    response = admin_client.post(url, data, headers={"accept-language": "en"})
    # Two spellings of one former name are refused together, before the database sees them.
    assert response.status_code == 200
    assert "This former name is already listed." in response.content.decode()
    designation.refresh_from_db()
    assert designation.product == ""

    data.update(management_form("former_names", 0, [{"name": "旧名（甲）"}]))
    response = admin_client.post(url, data)
    assert response.status_code == 302
    designation.refresh_from_db()
    assert (designation.product, designation.status) == ("高压阀门", "final")
    assert designation.history.latest().history_user == admin_user
    assert YearlyFigures.objects.get(enterprise=enterprise).output_value == 120000
    assert enterprise.former_names.get().name_key == "旧名(甲)"


def test_enterprise_inline_adds_no_bare_title_but_links_to_the_add_page(
    admin_client, make_enterprise, national_batch
):
    """A title is added with its first event, on its own add page, never as a bare row."""
    enterprise = make_enterprise()
    award(enterprise, national_batch.tier, batch=national_batch, year=2021)
    response = admin_client.get(admin_url(Enterprise, "change", enterprise.pk))
    shown = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is Designation
    )
    assert not shown.has_add_permission
    assert f"{admin_url(Designation, 'add')}?enterprise={enterprise.pk}" in (
        response.content.decode()
    )


def test_stamps_are_shown_read_only(admin_client, sample):
    response = admin_client.get(admin_url(Enterprise, "change", sample.enterprise.pk))
    readonly = response.context["adminform"].readonly_fields
    assert {"created_at", "updated_at"} <= set(readonly)
    assert "created_at" not in response.context["adminform"].form.fields


def test_designation_shows_its_derived_standing_read_only(admin_client, sample):
    """The status, days held and list are the events': shown, never fields of the form."""
    response = admin_client.get(
        admin_url(Designation, "change", sample.designation.pk), headers={"accept-language": "en"}
    )
    form = response.context["adminform"].form
    for name in ("status", "held_from", "valid_until", "banned_until", "document", "source"):
        assert name not in form.fields
    page = response.content.decode()
    # Awarded on 2021-11-20 for three years, with no review recorded since.
    assert sample.designation.valid_until == datetime.date(2024, 11, 19)
    assert sample.designation.status == "final"
    assert "Term ended, review not recorded" in page
    with translation.override("en"):
        assert formats.date_format(datetime.date(2024, 11, 19)) in page
    assert "工信部联企业函〔2021〕999号" in page
    assert "suggested" not in page


def designation_add_data(sample, **changes):
    return {
        "enterprise": sample.enterprise.pk,
        "tier": sample.tier.pk,
        "batch": sample.batch.pk,
        "year": 2021,
        "product": "",
        "product_class": "",
        "event_kind": "award",
        "event_date": "2021-11-20",
        "event_note": "",
        **changes,
    }


def test_designation_batch_must_belong_to_its_tier(admin_client, sample, provincial_batch):
    data = designation_add_data(sample, batch=provincial_batch.pk)
    response = admin_client.post(admin_url(Designation, "add"), data)
    assert response.status_code == 200
    assert "batch" in response.context["adminform"].form.errors
    assert Designation.objects.count() == 1


def test_designation_added_twice_is_refused_on_the_form(admin_client, sample):
    response = admin_client.post(
        admin_url(Designation, "add"),
        designation_add_data(sample),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "This title is already recorded" in response.content.decode()
    assert Designation.objects.count() == 1
    assert DesignationEvent.objects.count() == 1


# The recommendation workflow ------------------------------------------------------------------


def move_url(recommendation):
    return admin_url(Recommendation, "move", recommendation.pk)


def press(client, recommendation, target, note="", happened_on=""):
    """Press a stage button on the recommendation's change form."""
    data = {"move-target": target, "move-note": note, "move-happened_on": happened_on}
    return client.post(move_url(recommendation), data, headers={"accept-language": "en"})


def test_change_form_offers_a_button_per_allowed_stage(admin_client, sample):
    response = admin_client.get(admin_url(Recommendation, "change", sample.recommendation.pk))
    assert [stage.value for stage in response.context["move_targets"]] == [
        "province_passed",
        "rejected",
        "withdrawn",
    ]
    page = response.content.decode()
    assert f'action="{move_url(sample.recommendation)}"' in page
    assert 'name="move-target" value="province_passed"' in page
    # The recorded moves are listed read-only on the same page.
    assert "第一次推荐" in page
    assert 'name="moves-0-note"' not in page


def test_button_moves_one_step_and_records_the_user(admin_client, admin_user, sample):
    recommendation = sample.recommendation
    response = press(
        admin_client, recommendation, "province_passed", note="省里通过", happened_on="2021-05-20"
    )
    assert response.status_code == 302
    assert response.url == admin_url(Recommendation, "change", recommendation.pk)
    recommendation.refresh_from_db()
    assert recommendation.stage == "province_passed"
    last = recommendation.moves.last()
    assert (last.source, last.target, last.moved_by, last.note, last.happened_on) == (
        "nominated",
        "province_passed",
        admin_user,
        "省里通过",
        datetime.date(2021, 5, 20),
    )


def test_unknown_stage_or_bad_date_is_refused_with_its_field_named(admin_client, sample):
    recommendation = sample.recommendation
    data = {"move-target": "nowhere", "move-happened_on": "2021-13-40"}
    response = admin_client.post(move_url(recommendation), data, headers={"accept-language": "en"})
    shown = messages_of(response)
    assert len(shown) == 2
    assert shown[0].startswith("Move to: ") and "nowhere" in shown[0]
    assert shown[1].startswith("Date: ")
    recommendation.refresh_from_db()
    assert recommendation.stage == "nominated"
    assert recommendation.moves.count() == 1


def test_illegal_button_shows_the_service_message_and_changes_nothing(admin_client, sample):
    recommendation = sample.recommendation
    response = press(admin_client, recommendation, "approved")
    assert response.status_code == 302
    shown = messages_of(response)
    assert len(shown) == 2
    assert "cannot move to" in shown[0] and str(recommendation) in shown[0]
    recommendation.refresh_from_db()
    assert recommendation.stage == "nominated"
    assert recommendation.moves.count() == 1
    assert not Designation.objects.filter(enterprise=recommendation.enterprise).exists()


def test_move_url_takes_only_csrf_protected_posts(admin_user, sample):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(move_url(sample.recommendation)).status_code == 405
    assert press(client, sample.recommendation, "province_passed").status_code == 403
    sample.recommendation.refresh_from_db()
    assert sample.recommendation.stage == "nominated"


def test_approval_through_the_admin_creates_exactly_one_designation(admin_client, sample):
    recommendation = sample.recommendation
    for target in ("province_passed", "submitted", "publicized"):
        move(recommendation, target)
    before = Designation.objects.count()
    notice = {
        "move-confirmed": "1",
        "move-document": "工信部企业函〔2024〕1号",
        "move-source": "https://www.miit.gov.cn/",
        "move-announced_on": "2024-07-01",
    }
    # Approval asks for the notice first: the first press only shows the page asking for it.
    press(admin_client, recommendation, "approved")
    assert Designation.objects.count() == before
    for _press in range(2):  # a second press is refused
        admin_client.post(
            move_url(recommendation),
            {"move-target": "approved", **notice},
            headers={"accept-language": "en"},
        )
    recommendation.refresh_from_db()
    assert recommendation.stage == "approved"
    assert Designation.objects.count() == before + 1
    assert recommendation.designation.enterprise == recommendation.enterprise
    response = admin_client.get(admin_url(Recommendation, "change", recommendation.pk))
    assert response.context["move_targets"] == []


def test_stage_cannot_be_posted_through_the_change_form(admin_client, sample):
    recommendation = sample.recommendation
    data = {
        "note": "改了备注",
        "stage": "approved",
        **management_form("moves", 1, []),
        **opened(recommendation),
    }
    response = admin_client.post(admin_url(Recommendation, "change", recommendation.pk), data)
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.stage, recommendation.note) == ("nominated", "改了备注")
    # Once filed, the enterprise and batch are shown but cannot be changed.
    readonly = admin_client.get(admin_url(Recommendation, "change", recommendation.pk))
    assert "enterprise" not in readonly.context["adminform"].form.fields


def test_history_of_a_recommendation_cannot_be_reverted(admin_client, sample):
    recommendation = sample.recommendation
    version = recommendation.history.earliest()
    url = admin_url(Recommendation, "simple_history", recommendation.pk, version.history_id)
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"note": "x"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.stage == "nominated"


def action(client, recommendations, **fields):
    data = {
        "action": "move_selected",
        "_selected_action": [r.pk for r in recommendations],
        **fields,
    }
    return client.post(admin_url(Recommendation), data, headers={"accept-language": "en"})


def test_action_asks_for_the_stage_then_moves_every_selected(
    admin_client, admin_user, sample, make_enterprise
):
    second = Recommendation.objects.create(enterprise=make_enterprise(), batch=sample.batch)
    move(second, "nominated")
    chosen = [sample.recommendation, second]

    asked = action(admin_client, chosen)
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/champions/recommendation/move_selected.html"
    assert Recommendation.objects.filter(stage="nominated").count() == 2

    done = action(admin_client, chosen, apply="1", target="province_passed", note="批量")
    assert done.status_code == 302
    for recommendation in chosen:
        recommendation.refresh_from_db()
        assert recommendation.stage == "province_passed"
        assert recommendation.moves.last().moved_by == admin_user


def test_action_moves_none_when_any_selected_cannot_move(admin_client, sample, make_enterprise):
    draft = Recommendation.objects.create(enterprise=make_enterprise(), batch=sample.batch)
    response = action(
        admin_client, [sample.recommendation, draft], apply="1", target="province_passed"
    )
    assert response.status_code == 302
    shown = messages_of(response)
    assert any(str(draft) in message and "cannot move to" in message for message in shown)
    sample.recommendation.refresh_from_db()
    assert sample.recommendation.stage == "nominated"
    assert StageMove.objects.count() == 1


# Change history -------------------------------------------------------------------------------


def test_history_shows_old_and_new_values_and_who(
    admin_client, admin_user, make_enterprise, lucheng
):
    enterprise = make_enterprise(name="温州旧名泵阀(集团)有限公司")
    data = enterprise_form_data("温州新名泵阀有限公司", lucheng, enterprise.credit_code)
    data.update(opened(enterprise))
    response = admin_client.post(admin_url(Enterprise, "change", enterprise.pk), data)
    assert response.status_code == 302
    page = admin_client.get(admin_url(Enterprise, "history", enterprise.pk)).content.decode()
    assert "温州旧名泵阀(集团)有限公司 &rarr; 温州新名泵阀有限公司" in " ".join(page.split())
    assert admin_user.username in page


def test_history_tells_an_import_from_a_person(admin_client, sample):
    run = change_by_import(sample.enterprise, main_product="低压阀门")
    response = admin_client.get(admin_url(Enterprise, "history", sample.enterprise.pk))
    page = " ".join(response.content.decode().split())
    assert admin_url(ImportRun, "change", run.pk) in page
    assert "高压阀门 &rarr; 低压阀门" in page
    latest = sample.enterprise.history.first()
    assert latest.import_run == run


def test_history_page_costs_fixed_queries(admin_client, sample, django_assert_max_num_queries):
    for year in range(2000, 2030):
        change_by_import(sample.enterprise, founded=year)
    with django_assert_max_num_queries(15):
        response = admin_client.get(admin_url(Enterprise, "history", sample.enterprise.pk))
    assert response.status_code == 200


# Language ---------------------------------------------------------------------------------------


def test_admin_speaks_chinese_by_default_and_english_on_request(admin_client):
    chinese = admin_client.get(reverse("admin:index"))
    assert chinese["Content-Language"] == "zh-hans"
    assert "注销" in chinese.content.decode()  # Django's own "Log out"
    english = admin_client.get(reverse("admin:index"), headers={"accept-language": "en"})
    assert english["Content-Language"] == "en"
    assert f'action="{reverse("set_language")}"' in english.content.decode()
