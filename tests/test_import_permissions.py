"""``import_csv --user``: the user must hold the permissions the admin asks for the same work."""

import pytest
from django.contrib.auth import get_user_model

from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import Designation, Recommendation, StageMove
from tests.import_helpers import in_groups, run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db


def user(name, *groups, **fields):
    return in_groups(get_user_model().objects.create_user(name, **fields), *groups)


def recommendations_file(tmp_path, firm, stage):
    return write_csv(
        tmp_path / "moves.csv",
        [
            ["credit_code", "tier", "batch", "year", "stage"],
            [firm.credit_code, "single_champion", "6", "2021", stage],
        ],
    )


def test_a_viewer_may_not_import(tmp_path, make_enterprise):
    user("viewer", VIEWER)
    firm = make_enterprise()
    before = snapshot()
    outcome = run_import(
        "recommendations", recommendations_file(tmp_path, firm, "approved"), "--user", "viewer"
    )
    assert outcome.code == 2
    assert "viewer may not import files" in outcome.err
    assert snapshot() == before
    assert not Designation.objects.exists()


def test_an_inactive_user_may_not_import(tmp_path, make_enterprise):
    user("gone", DATA_ENTRY, is_active=False)
    path = recommendations_file(tmp_path, make_enterprise(), "draft")
    assert run_import("recommendations", path, "--user", "gone").code == 2
    assert not Recommendation.objects.exists()


def test_stage_moves_need_the_move_permission(tmp_path, make_enterprise):
    user("clerk", DATA_ENTRY)
    firm = make_enterprise()
    before = snapshot()
    outcome = run_import(
        "recommendations", recommendations_file(tmp_path, firm, "approved"), "--user", "clerk"
    )
    assert outcome.code == 2
    assert "clerk may not move recommendations between stages, and line 2 moves one" in (
        outcome.err
    )
    assert snapshot() == before
    assert not (Designation.objects.exists() or StageMove.objects.exists())


def test_a_clerk_may_file_drafts_and_a_reviewer_who_imports_may_move(tmp_path, make_enterprise):
    user("clerk", DATA_ENTRY)
    reviewer = user("lead", DATA_ENTRY, REVIEWER)
    firm = make_enterprise()
    drafts = run_import(
        "recommendations", recommendations_file(tmp_path, firm, "draft"), "--user", "clerk"
    )
    assert drafts.summary == "created 1, updated 0, unchanged 0, errors 0", drafts.err
    moved = run_import(
        "recommendations", recommendations_file(tmp_path, firm, "approved"), "--user", "lead"
    )
    assert moved.summary == "created 0, updated 1, unchanged 0, errors 0", moved.err
    assert Designation.objects.get().enterprise == firm
    assert set(StageMove.objects.values_list("moved_by", flat=True)) == {reviewer.pk}


def test_without_user_the_run_is_the_commands(tmp_path, make_enterprise):
    path = recommendations_file(tmp_path, make_enterprise(), "approved")
    assert run_import("recommendations", path).code == 0
    assert StageMove.objects.filter(moved_by=None).count() == 5
