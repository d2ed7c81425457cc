"""Each staff group can do what its name says in the admin, and nothing more."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import Designation, Enterprise, Recommendation, StageMove
from tests.admin_helpers import (
    admin_url,
    enterprise_form_data,
    make_member,
    make_sample,
    opened,
    posted_back,
)

pytestmark = pytest.mark.django_db

REGISTERED = [model for model in admin.site._registry if model._meta.app_label == "champions"]


@pytest.fixture
def sample(make_enterprise, national_batch):
    return make_sample(make_enterprise, national_batch)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def press(client, recommendation, target):
    """Press a stage button on the recommendation's change form."""
    url = admin_url(Recommendation, "move", recommendation.pk)
    return client.post(url, {"move-target": target})


def move_by_action(client, recommendation, target):
    """The bulk move, confirmed with a reason (what a closing move asks for)."""
    data = {
        "action": "move_selected",
        "_selected_action": [recommendation.pk],
        "apply": "1",
        "target": target,
        "confirmed": "1",
        "note": "不再符合条件",
    }
    return client.post(admin_url(Recommendation), data)


def designation_form_data(sample, **changes):
    """The add form of a title: the title, and its first event."""
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


def delete(client, obj):
    return client.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"})


def test_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {DATA_ENTRY, REVIEWER, VIEWER}


class TestDataEntry:
    @pytest.fixture
    def client(self, db):
        return client_of(make_member(DATA_ENTRY))

    def test_adds_and_changes_enterprises(self, client, lucheng):
        response = client.post(
            admin_url(Enterprise, "add"), enterprise_form_data("新录企业", lucheng)
        )
        assert response.status_code == 302
        enterprise = Enterprise.objects.get(name="新录企业")
        data = {**enterprise_form_data("新录企业（改名）", lucheng), **opened(enterprise)}
        response = client.post(admin_url(Enterprise, "change", enterprise.pk), data)
        assert response.status_code == 302
        enterprise.refresh_from_db()
        assert enterprise.name == "新录企业（改名）"

    def test_adds_and_changes_designations(self, client, sample):
        sample.designation.delete()
        response = client.post(admin_url(Designation, "add"), designation_form_data(sample))
        assert response.status_code == 302
        designation = Designation.objects.get()
        assert designation.status == "final"
        url = admin_url(Designation, "change", designation.pk)
        data = {
            **posted_back(client.get(url)),
            "product_class": "3443",
            **opened(designation),
        }
        assert client.post(url, data).status_code == 302
        # The status changes with an event, through the title's "add an event" form.
        review = {"kind": "review_result", "happened_on": "2024-10-08", "outcome": "passed"}
        response = client.post(admin_url(Designation, "event", designation.pk), review)
        assert response.status_code == 302
        designation.refresh_from_db()
        assert (designation.product_class, designation.status) == ("3443", "review_passed")

    def test_cannot_delete(self, client, sample):
        for obj in (sample.enterprise, sample.designation, sample.recommendation):
            assert client.get(admin_url(type(obj), "delete", obj.pk)).status_code == 403
            assert delete(client, obj).status_code == 403
        assert Designation.objects.filter(pk=sample.designation.pk).exists()

    def test_cannot_move_a_recommendation(self, client, sample):
        recommendation = sample.recommendation
        page = client.get(admin_url(Recommendation, "change", recommendation.pk))
        assert page.status_code == 200
        assert "move_targets" not in page.context
        listing = client.get(admin_url(Recommendation))
        offered = listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
        assert "move_selected" not in offered
        assert press(client, recommendation, "province_passed").status_code == 403
        move_by_action(client, recommendation, "province_passed")
        recommendation.refresh_from_db()
        assert recommendation.stage == "nominated"
        assert StageMove.objects.count() == 1


class TestReviewer:
    @pytest.fixture
    def user(self, db):
        return make_member(REVIEWER)

    def test_moves_with_the_button_and_is_recorded(self, user, sample):
        recommendation = sample.recommendation
        response = press(client_of(user), recommendation, "province_passed")
        assert response.status_code == 302
        recommendation.refresh_from_db()
        assert recommendation.stage == "province_passed"
        assert recommendation.moves.last().moved_by == user

    def test_moves_with_the_action_and_is_recorded(self, user, sample):
        recommendation = sample.recommendation
        move_by_action(client_of(user), recommendation, "rejected")
        recommendation.refresh_from_db()
        assert (recommendation.stage, recommendation.ended_at_stage) == ("rejected", "nominated")
        assert recommendation.moves.last().moved_by == user

    def test_cannot_add_or_change_an_enterprise(self, user, sample, lucheng):
        client = client_of(user)
        assert client.get(admin_url(Enterprise, "add")).status_code == 403
        data = enterprise_form_data("评审员新增企业", lucheng)
        assert client.post(admin_url(Enterprise, "add"), data).status_code == 403
        url = admin_url(Enterprise, "change", sample.enterprise.pk)
        assert client.post(url, enterprise_form_data("改名", lucheng)).status_code == 403
        assert not Enterprise.objects.filter(name__in=["评审员新增企业", "改名"]).exists()


class TestViewer:
    @pytest.fixture
    def client(self, db):
        return client_of(make_member(VIEWER))

    @pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
    def test_reads_every_list_and_record_without_a_form(self, client, sample, model):
        obj = sample.terms[model][0]
        assert client.get(admin_url(model)).status_code == 200
        response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200
        assert response.context["adminform"].form.fields == {}
        assert 'name="_save"' not in response.content.decode()

    def test_cannot_add_change_delete_or_move(self, client, sample, lucheng):
        enterprise = sample.enterprise
        assert client.get(admin_url(Enterprise, "add")).status_code == 403
        data = enterprise_form_data("看客企业", lucheng)
        assert client.post(admin_url(Enterprise, "add"), data).status_code == 403
        url = admin_url(Enterprise, "change", enterprise.pk)
        assert client.post(url, data).status_code == 403
        assert delete(client, enterprise).status_code == 403
        assert press(client, sample.recommendation, "province_passed").status_code == 403
        enterprise.refresh_from_db()
        assert enterprise.name == "温州示例泵阀(集团)有限公司"
        assert not Enterprise.objects.filter(name="看客企业").exists()

    def test_sees_history_but_cannot_revert(self, client, sample):
        enterprise = sample.enterprise
        version = enterprise.history.earliest()
        assert client.get(admin_url(Enterprise, "history", enterprise.pk)).status_code == 200
        url = admin_url(Enterprise, "simple_history", enterprise.pk, version.history_id)
        assert client.get(url).status_code == 200
        assert client.post(url, {"name": "回滚"}).status_code == 403
        enterprise.refresh_from_db()
        assert enterprise.name == "温州示例泵阀(集团)有限公司"


def test_staff_in_no_group_sees_nothing(sample):
    nobody = get_user_model().objects.create_user("nobody", password="pw", is_staff=True)
    client = client_of(nobody)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["app_list"] == []
    for model in REGISTERED:
        assert client.get(admin_url(model)).status_code == 403, model


def test_anonymous_users_are_sent_to_the_login_page(sample):
    client = Client()
    login = reverse("admin:login")
    for model in REGISTERED:
        url = admin_url(model)
        response = client.get(url)
        assert (response.status_code, response.url) == (302, f"{login}?next={url}")
    response = press(client, sample.recommendation, "province_passed")
    assert response.status_code == 302
    assert response.url.startswith(login)
    sample.recommendation.refresh_from_db()
    assert sample.recommendation.stage == "nominated"
