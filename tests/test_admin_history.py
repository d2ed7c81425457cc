"""History that reads: a recommendation's stage moves, an enterprise's titles' events and its
recommendations' moves, Chinese breadcrumbs on the history and revert pages, and stage moves in
the admin's "recent actions"."""

import datetime
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import RequestFactory
from django.utils import translation

from champions.admin.history import (
    HISTORY_ROWS,
    StageMovesInHistory,
    log_stage_move,
    stage_moves_section,
)
from champions.models import Enterprise, EventKind, ImportRun, Recommendation, StageMove
from champions.services.designations import record_event
from champions.services.recommendations import move
from champions.workflow import Stage
from tests.admin_helpers import admin_url, make_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(make_enterprise, national_batch):
    return make_sample(make_enterprise, national_batch)


def text_of(html):
    """The visible text of ``html``, its white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(page, title):
    """The text of the related-history table titled ``title`` on a history page."""
    for block in re.findall(r'<div class="module related-history".*?</table>', page, re.S):
        if f"<h2>{title}</h2>" in block:
            return text_of(block)
    raise AssertionError(f"no section {title!r}")


def breadcrumbs(page):
    return text_of(re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S)[1])


@pytest.fixture
def recommended(sample, admin_user):
    """The sample firm recommended and moved twice by a person, once more by an import."""
    recommendation = Recommendation.objects.create(
        enterprise=sample.enterprise, batch=sample.batch, product="高压球阀"
    )
    move(recommendation, "nominated", user=admin_user, note="区里推荐")
    move(
        recommendation,
        "province_passed",
        user=admin_user,
        happened_on=datetime.date(2021, 8, 3),
        note="省厅初审通过",
    )
    return recommendation


def test_enterprise_history_lists_its_titles_events_and_recommendations_moves(
    admin_client, admin_user, sample, recommended
):
    record_event(
        sample.designation,
        EventKind.REVIEW_PUBLICITY,
        happened_on=datetime.date(2024, 6, 1),
        note="复核名单",
        recorded_by=admin_user,
    )
    with translation.override("zh-hans"):
        page = admin_client.get(admin_url(Enterprise, "history", sample.enterprise.pk))
    page = page.content.decode()

    events = section(page, "称号事件")
    assert "复核名单" in events and "复核公示" in events
    assert sample.notice.document in events  # the award's list, linked
    assert admin_url(type(sample.notice), "change", sample.notice.pk) in page
    assert admin_url(type(sample.designation), "change", sample.designation.pk) in page
    assert admin_user.username in events

    moves = section(page, "阶段变更")
    assert "区里推荐" in moves and "省厅初审通过" in moves
    assert "高压球阀" in moves  # which recommendation
    assert admin_url(Recommendation, "change", recommended.pk) in page
    # Newest first: the second move's note comes before the first one's.
    assert moves.index("省厅初审通过") < moves.index("区里推荐")
    # The other firm's recommendation is not this firm's history.
    assert "第一次推荐" not in page


def test_enterprise_history_page_costs_fixed_queries(
    admin_client, sample, recommended, django_assert_max_num_queries
):
    for target in ("submitted", "publicized"):
        move(recommended, target)
    with django_assert_max_num_queries(18):
        response = admin_client.get(admin_url(Enterprise, "history", sample.enterprise.pk))
    assert response.status_code == 200


def test_a_long_history_shows_the_latest_rows_and_says_how_many_there_are(recommended):
    StageMove.objects.bulk_create(
        StageMove(recommendation=recommended, source="draft", target="nominated")
        for _ in range(HISTORY_ROWS + 5)
    )
    table = stage_moves_section(StageMove.objects.filter(recommendation=recommended))
    assert len(table.rows) == HISTORY_ROWS
    assert table.total == HISTORY_ROWS + 7 and table.truncated


def recommendation_admin():
    """The recommendation admin with its stage moves in its history: as registered once the
    mixin is wired in, else mixed in here."""
    registered = admin.site._registry[Recommendation]
    if isinstance(registered, StageMovesInHistory):
        return registered
    wired = type("WiredRecommendationAdmin", (StageMovesInHistory, type(registered)), {})
    return wired(Recommendation, admin.site)


def test_recommendation_history_lists_its_stage_moves(admin_user, recommended):
    run = ImportRun.objects.create(
        kind="recommendations", file_name="公示名单.csv", sha256="2" * 64
    )
    move(recommended, "submitted", import_run=run)
    request = RequestFactory().get("/")
    request.user = admin_user
    with translation.override("zh-hans"):
        response = recommendation_admin().history_view(request, str(recommended.pk))
    page = response.content.decode()
    moves = section(page, "阶段变更")
    with translation.override("zh-hans"):
        draft, nominated, passed, submitted = (
            str(Stage(stage).label)
            for stage in ("draft", "nominated", "province_passed", "submitted")
        )
    # from, to, who, when, note; the import run of a file's move
    assert f"{draft} {nominated}" in moves
    assert f"{nominated} {passed} 2021年8月3日" in moves
    assert admin_user.username in moves
    assert "省厅初审通过" in moves
    assert f"{passed} {submitted}" in moves
    assert admin_url(ImportRun, "change", run.pk) in page


def test_history_and_revert_pages_have_chinese_breadcrumbs_and_model_names(admin_client, sample):
    enterprise = sample.enterprise
    version = enterprise.history.earliest()
    history = admin_client.get(admin_url(Enterprise, "history", enterprise.pk))
    revert = admin_client.get(
        admin_url(Enterprise, "simple_history", enterprise.pk, version.history_id)
    )
    assert history["Content-Language"] == revert["Content-Language"] == "zh-hans"
    for response in (history, revert):
        trail = breadcrumbs(response.content.decode())
        assert "制造业冠军企业名录 › 企业 › " + enterprise.name in trail, trail
        assert "historical" not in trail.casefold() and "Champions" not in trail
    # simple-history's own catalogue writes a space before the name; the project's may not.
    assert re.search(r"› 历史 › 还原 ?企业$", breadcrumbs(revert.content.decode()))


def test_a_view_only_revert_page_names_the_model_too(client, sample):
    from tests.admin_helpers import PASSWORD, make_member

    make_member("Viewer")
    client.login(username="viewer", password=PASSWORD)
    version = sample.enterprise.history.earliest()
    page = client.get(
        admin_url(Enterprise, "simple_history", sample.enterprise.pk, version.history_id)
    ).content.decode()
    trail = breadcrumbs(page)
    assert re.search(r"› 查看 ?企业$", trail) and "historical" not in trail.casefold()


def test_a_stage_move_is_logged_for_recent_actions(admin_client, admin_user, sample):
    recommendation = sample.recommendation
    stage_move = move(recommendation, "province_passed", user=admin_user, note="材料齐全")
    entry = log_stage_move(admin_user, stage_move)
    assert entry.action_flag == CHANGE and entry.user == admin_user
    assert entry.get_edited_object() == recommendation
    assert entry.get_admin_url() == admin_url(Recommendation, "change", recommendation.pk)
    assert (
        entry.object_repr
        == f"{recommendation}: Nominated by the city → Passed the provincial screening"
    )
    assert "材料齐全" in entry.get_change_message()
    assert LogEntry.objects.filter(user=admin_user).first() == entry
    index = admin_client.get(admin_url(Recommendation, "changelist").rsplit("/", 3)[0] + "/")
    assert entry.object_repr in unescape(index.content.decode())


def test_a_move_without_a_person_is_not_logged(sample):
    assert log_stage_move(None, sample.stage_move) is None
    assert not LogEntry.objects.exists()


def test_a_move_in_the_admin_is_in_recent_actions_and_the_recommendation_history(
    admin_client, sample
):
    recommendation = sample.recommendation
    admin_client.post(
        admin_url(Recommendation),
        {
            "action": "move_selected",
            "_selected_action": [recommendation.pk],
            "apply": "1",
            "target": "province_passed",
        },
    )
    recommendation.refresh_from_db()
    assert recommendation.stage == "province_passed"
    entry = LogEntry.objects.get(object_id=str(recommendation.pk))
    assert entry.action_flag == CHANGE
    history = admin_client.get(admin_url(Recommendation, "history", recommendation.pk))
    assert str(Stage.PROVINCE_PASSED.label) in text_of(history.content.decode())


def test_a_search_longer_than_any_name_finds_nothing_without_an_error(admin_client, sample):
    response = admin_client.get(admin_url(Enterprise), {"q": "温" * 250})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
