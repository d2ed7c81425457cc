"""The permission matrix: for each staff group and each admin model, which actions are allowed.

The expectations are written out below, independently of ``champions.groups``, so a change to the
groups that grants or removes a right fails here until the table is changed too.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import Designation, DesignationEvent, ImportRun, Recommendation, StageMove
from tests.admin_helpers import admin_url, make_member, make_sample

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "champions"),
    key=lambda model: model._meta.model_name,
)
#: Rows written only by services (the workflow, the importer, the title events): nobody adds or
#: edits them by hand (a title's events are recorded through its "add an event" form).
SERVICE_WRITTEN = {StageMove, ImportRun, DesignationEvent}
NO_GROUP = "no group"


def expected(group, model, action):
    if group == NO_GROUP:
        return False
    if action == "view":
        return True
    if action == "delete":
        return False
    if group == DATA_ENTRY:
        return action in ("add", "change") and model not in SERVICE_WRITTEN
    if group == REVIEWER:
        return action == "change" and model is Recommendation
    return False  # Viewer


CASES = [
    (group, model, action)
    for group in (DATA_ENTRY, REVIEWER, VIEWER, NO_GROUP)
    for model in REGISTERED
    for action in ("view", "add", "change", "delete")
]


@pytest.fixture
def sample(make_enterprise, national_batch):
    return make_sample(make_enterprise, national_batch)


def member_of(group):
    if group == NO_GROUP:
        return get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    return make_member(group)


def client_for(group):
    client = Client()
    client.force_login(member_of(group))
    return client


@pytest.mark.parametrize(
    ("group", "model", "action"),
    CASES,
    ids=[f"{g}-{m._meta.model_name}-{a}" for g, m, a in CASES],
)
def test_matrix(sample, group, model, action):
    client = client_for(group)
    obj = sample.terms[model][0]
    allowed = expected(group, model, action)
    if action == "view":
        response = client.get(admin_url(model))
        assert response.status_code == (200 if allowed else 403)
        if allowed:
            assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    elif action == "add":
        assert client.get(admin_url(model, "add")).status_code == (200 if allowed else 403)
    elif action == "change":
        response = client.get(admin_url(model, "change", obj.pk))
        if group == NO_GROUP:
            assert response.status_code == 403
        else:
            # The change page opens for every group that may view; only editors get a save button.
            assert response.status_code == 200
            assert ('name="_save"' in response.content.decode()) is allowed
    else:
        response = client.get(admin_url(model, "delete", obj.pk))
        assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("group", "allowed"),
    [(DATA_ENTRY, False), (REVIEWER, True), (VIEWER, False), (NO_GROUP, False)],
)
def test_matrix_move_a_recommendation(sample, group, allowed):
    client = client_for(group)
    recommendation = sample.recommendation
    response = client.post(
        admin_url(Recommendation, "move", recommendation.pk), {"move-target": "province_passed"}
    )
    recommendation.refresh_from_db()
    assert recommendation.stage == ("province_passed" if allowed else "nominated")
    if not allowed:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("group", "allowed"),
    [(DATA_ENTRY, True), (REVIEWER, False), (VIEWER, False), (NO_GROUP, False)],
)
def test_matrix_add_an_event_to_a_title(sample, group, allowed):
    """Events are recorded through the title's "add an event" form: change_designation."""
    client = client_for(group)
    url = admin_url(Designation, "event", sample.designation.pk)
    assert client.get(url).status_code == (200 if allowed else 403)
    data = {"kind": "revocation", "happened_on": "2022-03-01"}
    assert client.post(url, data).status_code == (302 if allowed else 403)
    assert sample.designation.events.count() == (2 if allowed else 1)


@pytest.mark.parametrize(
    ("group", "allowed"),
    [(DATA_ENTRY, True), (REVIEWER, False), (VIEWER, False), (NO_GROUP, False)],
)
def test_matrix_import(group, allowed):
    assert member_of(group).has_perm("champions.run_import") is allowed
