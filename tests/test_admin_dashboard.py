"""The admin's index: the dashboard of work above the models grouped by task.

Every number on it is a link; following it shows a list of exactly that many records. Titles are
made through the services (``award``, ``record_event``, ``move``), never with a typed status.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from champions.admin.dashboard import BATCH_ROWS, OPEN_STAGES
from champions.admin.designations import months_later
from champions.groups import DATA_ENTRY, REVIEWER, VIEWER
from champions.models import (
    Batch,
    Designation,
    EventKind,
    ImportRun,
    Notice,
    Recommendation,
)
from champions.services.designations import award, record_event
from champions.services.recommendations import move
from tests.admin_helpers import admin_url, make_member, make_rows

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
#: A number of the dashboard: ``<a class="dash-count" href="…" data-count="N">N</a>``.
NUMBER = re.compile(
    r'<a class="dash-count" href="(?P<url>[^"]+)" data-count="(?P<count>\d+)">(?P<text>[^<]*)</a>'
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def days(n):
    return timezone.localdate() + datetime.timedelta(n)


def recommend(enterprise, batch, *stages):
    recommendation = Recommendation.objects.create(enterprise=enterprise, batch=batch)
    for stage in stages:
        move(recommendation, stage)
    return recommendation


FUNNEL_TO = {
    "draft": (),
    "nominated": ("nominated",),
    "province_passed": ("nominated", "province_passed"),
    "submitted": ("nominated", "province_passed", "submitted"),
    "publicized": ("nominated", "province_passed", "submitted", "publicized"),
    "approved": ("nominated", "province_passed", "submitted", "publicized", "approved"),
    "rejected": ("nominated", "rejected"),
    "withdrawn": ("withdrawn",),
}


@pytest.fixture
def registry(make_enterprise, single_champion, hidden_champion):
    return build_registry(make_enterprise, single_champion, hidden_champion)


def build_registry(make_enterprise, single_champion, hidden_champion):
    """Titles on each side of each boundary, batches with deadlines near and far, open and
    closed recommendations, import runs and notices: 18 numbers on the dashboard."""
    firm = make_enterprise
    rows = {}
    # Titles: the term as the list states it, so each one's last day is exact.
    rows["ends_today"] = award(
        firm(), single_champion, year=2022, happened_on=days(-900), valid_until=days(0)
    )
    rows["ends_in_six_months"] = award(
        firm(),
        single_champion,
        year=2022,
        happened_on=days(-900),
        valid_until=months_later(days(0), 6),
    )
    rows["ends_later"] = award(
        firm(),
        single_champion,
        year=2022,
        happened_on=days(-900),
        valid_until=months_later(days(0), 6) + datetime.timedelta(1),
    )
    rows["ended"] = award(
        firm(), single_champion, year=2021, happened_on=days(-1200), valid_until=days(-1)
    )
    reviewed = award(
        firm(), hidden_champion, year=2020, happened_on=days(-1500), valid_until=days(-400)
    )
    record_event(reviewed, EventKind.REVIEW_RESULT, happened_on=days(-380), outcome="failed")
    rows["reviewed"] = reviewed  # ended, and its review recorded: not counted
    rows["not_yet_held"] = award(firm(), single_champion, year=2026, happened_on=days(10))

    # Batches: deadlines near (today, in 30 days), far (31 days) and past.
    near = Batch.objects.create(
        tier=single_champion, number=8, year=2025, recommendation_deadline=days(0)
    )
    near_last_day = Batch.objects.create(
        tier=hidden_champion, number=2, year=2025, recommendation_deadline=days(30)
    )
    far = Batch.objects.create(
        tier=single_champion, number=9, year=2026, recommendation_deadline=days(31)
    )
    past = Batch.objects.create(
        tier=hidden_champion, number=1, year=2025, recommendation_deadline=days(-1)
    )
    rows.update(near=near, near_last_day=near_last_day, far=far, past=past)
    for stage in ("draft", "nominated", "nominated", "province_passed", "approved", "rejected"):
        recommend(firm(), near, *FUNNEL_TO[stage])
    for stage in ("submitted", "publicized", "withdrawn"):
        recommend(firm(), far, *FUNNEL_TO[stage])
    recommend(firm(), past, "nominated", "province_passed")

    rows["runs"] = [
        ImportRun.objects.create(
            kind="designations",
            file_name=f"名单{n}.csv",
            sha256=f"{n}" * 64,
            status=ImportRun.Status.REFUSED if n == 6 else ImportRun.Status.IMPORTED,
            created=10 * n,
            updated=n,
            errors=3 if n == 6 else 0,
        )
        for n in range(1, 8)
    ]
    notice = Notice.objects.create(
        title="第八批示例名单",
        document="工信部企业函〔2025〕1号",
        published_on=days(-5),
        kind=EventKind.AWARD,
        tier=single_champion,
        batch=near,
    )
    for _ in range(3):
        award(firm(), single_champion, batch=near, year=2025, happened_on=days(-5), notice=notice)
    rows["notice"] = notice
    rows["undated_notice"] = Notice.objects.create(
        title="无日期名单", kind=EventKind.AWARD, tier=single_champion
    )
    return rows


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def numbers(response):
    """Every number of the dashboard: ``[(url, count)]``, the text being the count."""
    html = response.content.decode()
    found = [match.groupdict() for match in NUMBER.finditer(html)]
    for number in found:
        assert number["text"].replace(",", "") == number["count"]
    return [(number["url"].replace("&amp;", "&"), int(number["count"])) for number in found]


# The numbers ------------------------------------------------------------------------------------


def test_titles_to_review(admin_client, registry):
    titles = admin_client.get(INDEX).context["dashboard"]["titles"]
    # Held today, last day today … today + 6 months; not the one a day later, nor one not held.
    assert titles["ending"].count == 2
    assert titles["ended"].count == 1  # the lapsed one has its review recorded


def test_deadlines_near_are_today_to_30_days_on(admin_client, registry):
    deadlines = admin_client.get(INDEX).context["dashboard"]["deadlines"]
    assert deadlines["figure"].count == 2
    assert [row["batch"] for row in deadlines["rows"]] == [
        registry["near"],
        registry["near_last_day"],
    ]
    assert [row["days_left"] for row in deadlines["rows"]] == [0, 30]
    # Every recommendation of the batch, whatever its stage.
    assert [row["recommendations"].count for row in deadlines["rows"]] == [6, 0]


def test_recommendations_in_progress_per_batch_and_stage(admin_client, registry):
    board = admin_client.get(INDEX).context["dashboard"]["recommendations"]
    assert [stage.value for stage in board["stages"]] == [
        "draft",
        "nominated",
        "province_passed",
        "submitted",
        "publicized",
    ]
    by_batch = {
        row["batch"]: [cell["figure"].count if cell["figure"] else 0 for cell in row["cells"]]
        for row in board["rows"]
    }
    # Approved, rejected and withdrawn ones are closed: not in progress.
    assert by_batch == {
        registry["far"]: [0, 0, 0, 1, 1],
        registry["near"]: [1, 2, 1, 0, 0],
        registry["past"]: [0, 0, 1, 0, 0],
    }
    # Latest deadline first.
    assert list(by_batch) == [registry["far"], registry["near"], registry["past"]]
    assert [total["figure"].count for total in board["totals"]] == [1, 2, 2, 1, 1]
    assert board["batch_count"] == 3


def test_latest_imports_and_notices(admin_client, registry):
    board = admin_client.get(INDEX).context["dashboard"]
    assert [row["run"] for row in board["imports"]["rows"]] == registry["runs"][::-1][:5]
    html = admin_client.get(INDEX).content.decode()
    assert "名单6.csv" in html and "名单2.csv" not in html
    assert html.count('class="num dash-errors"') == 1
    notices = board["notices"]["rows"]
    # By date, the latest first; a notice without a date last.
    assert [row["notice"] for row in notices] == [registry["notice"], registry["undated_notice"]]
    assert [row["events"].count for row in notices] == [3, 0]


def test_every_number_opens_a_list_of_that_many_records(admin_client, registry):
    found = numbers(admin_client.get(INDEX))
    # 3 tiles, 2 deadline rows, 6 non-zero cells and 5 totals, 2 notices.
    assert len(found) == 3 + 2 + 6 + 5 + 2
    for url, count in found:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        changelist = response.context["cl"]
        assert changelist.result_count == count, url
        # The filter is shown as chosen, not only applied.
        assert changelist.has_filters and changelist.get_filters_params(), url


def test_the_term_and_deadline_filters_are_offered_on_their_lists(admin_client, registry):
    html = admin_client.get(admin_url(Designation), {"term_ends": "soon"}).content.decode()
    assert 'href="?term_ends=soon"' in html
    listed = admin_client.get(admin_url(Designation), {"term_ends": "soon"}).context["cl"]
    assert set(listed.result_list) == {registry["ends_today"], registry["ends_in_six_months"]}
    listed = admin_client.get(admin_url(Batch), {"deadline": "near"}).context["cl"]
    assert set(listed.result_list) == {registry["near"], registry["near_last_day"]}


@pytest.mark.parametrize(
    ("day", "later"),
    [
        (datetime.date(2025, 1, 15), datetime.date(2025, 7, 15)),
        (datetime.date(2025, 8, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2027, 8, 31), datetime.date(2028, 2, 29)),
        (datetime.date(2025, 12, 31), datetime.date(2026, 6, 30)),
        (datetime.date(2025, 7, 1), datetime.date(2026, 1, 1)),
    ],
)
def test_six_months_later(day, later):
    assert months_later(day, 6) == later


def test_no_batch_beyond_the_table_is_counted_in_it(admin_client, make_enterprise, single_champion):
    make_rows(BATCH_ROWS + 2, make_enterprise, single_champion)
    board = admin_client.get(INDEX).context["dashboard"]["recommendations"]
    assert len(board["rows"]) == BATCH_ROWS
    assert board["batch_count"] == BATCH_ROWS + 2
    assert board["totals"][OPEN_STAGES.index("nominated")]["figure"].count == BATCH_ROWS + 2
    assert "12" in admin_client.get(INDEX).content.decode()


# Who sees what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("group", [VIEWER, REVIEWER, DATA_ENTRY])
def test_each_staff_group_sees_every_number(registry, group):
    client = client_of(make_member(group))
    response = client.get(INDEX)
    assert all(response.context["dashboard"].values())
    found = numbers(response)
    assert len(found) == 18
    url, count = found[0]
    assert client.get(url).context["cl"].result_count == count


def test_staff_without_any_permission_see_no_number(registry):
    nobody = get_user_model().objects.create_user("nobody", password="pw", is_staff=True)
    response = client_of(nobody).get(INDEX)
    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert response.context["app_list"] == []
    html = response.content.decode()
    assert 'class="dash-count"' not in html and 'id="registry-dashboard"' not in html


def test_a_number_of_a_model_is_shown_only_to_who_may_view_it(registry):
    """View permission on titles only: their two numbers, nothing of batches, recommendations,
    imports or notices."""
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_designation"))
    response = client_of(clerk).get(INDEX)
    board = response.context["dashboard"]
    assert board["titles"] is not None
    assert [name for name, section in board.items() if section is not None] == ["titles"]
    assert [count for _url, count in numbers(response)] == [2, 1]


def test_batches_without_recommendations_show_deadlines_without_their_counts(registry):
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_batch"))
    board = client_of(clerk).get(INDEX).context["dashboard"]
    assert board["deadlines"]["figure"].count == 2
    assert [row["recommendations"] for row in board["deadlines"]["rows"]] == [None, None]


# The models by task -----------------------------------------------------------------------------

ENGLISH_GROUPS = [
    (
        "Daily work",
        [
            "Enterprises",
            "Designations",
            "Recommendations",
            "Notices",
            "Seminars",
            "Organisations",
            "Experts",
            "Yearly figures",
            "Figures years",
        ],
    ),
    (
        "Reference data",
        [
            "Tiers",
            "Rule versions",
            "Conditions",
            "Batches",
            "Regions",
            "Industries",
            "Targets",
            "Disclosure rules",
            "Province comparison counts",
        ],
    ),
    (
        "Records",
        [
            "Import runs",
            "Stage moves",
            "Title events",
            "Access attempts",
            "Access failures",
            "Access logs",
        ],
    ),
    ("Accounts", ["Users", "Groups"]),
]


#: The apps whose models the issue places; another app's (a queue's results) may join a group.
PLACED = {"champions", "axes", "auth"}


def shown_groups(client, language):
    app_list = client.get(INDEX, headers={"accept-language": language}).context["app_list"]
    return [
        (
            str(app["name"]),
            [str(m["name"]) for m in app["models"] if m["model"]._meta.app_label in PLACED],
        )
        for app in app_list
    ]


def test_models_are_grouped_by_task_in_order(admin_client):
    groups = shown_groups(admin_client, "en")
    # A model registered later, and named in no group, comes after the groups under its app.
    assert groups[: len(ENGLISH_GROUPS)] == ENGLISH_GROUPS
    assert [models for _name, models in groups[len(ENGLISH_GROUPS) :] if models] == []


def test_groups_and_models_are_named_in_chinese(admin_client):
    groups = shown_groups(admin_client, "zh-hans")[: len(ENGLISH_GROUPS)]
    assert [len(models) for _name, models in groups] == [
        len(models) for _name, models in ENGLISH_GROUPS
    ]
    labels = [name for name, _models in groups] + [m for _name, models in groups for m in models]
    assert [label for label in labels if not CHINESE.search(label)] == []
    assert groups[0][1][0] == "企业"
    assert groups[3][1] == ["用户", "组"]  # Django's own


def test_each_group_has_its_anchor_on_the_index(admin_client):
    html = admin_client.get(INDEX).content.decode()
    for anchor in ("daily-work", "reference-data", "records", "accounts"):
        assert f'<section id="group-{anchor}">' in html
        assert f'href="{INDEX}#group-{anchor}"' in html


def test_an_apps_own_page_still_lists_its_models(admin_client):
    response = admin_client.get(reverse("admin:app_list", args=["champions"]))
    assert [app["app_label"] for app in response.context["app_list"]] == ["champions"]


def test_the_dashboard_is_in_chinese_with_full_width_punctuation(admin_client, registry):
    html = admin_client.get(INDEX, headers={"accept-language": "zh-hans"}).content.decode()
    board = html[html.index('<div id="registry-dashboard">') : html.index('<section id="group-')]
    text = re.sub(r"<[^>]+>|\{[^}]*\}", " ", board)
    words = re.findall(r"[A-Za-z]{3,}", text)
    # Latin words left are the data's: file names, document numbers, none of the labels.
    assert {word for word in words if word not in {"csv"}} == set()
    assert not re.search(r"[\u4e00-\u9fff][,:;()?!]", text)


def test_the_dashboard_is_in_english_on_request(admin_client, registry):
    html = admin_client.get(INDEX, headers={"accept-language": "en"}).content.decode()
    for text in ("Recommendations in progress", "Latest imports", "Latest notices", "All batches"):
        assert text in html


# The staff groups under their names -------------------------------------------------------------


def test_the_groups_list_shows_the_staff_groups_in_chinese(admin_client):
    response = admin_client.get(admin_url(Group), headers={"accept-language": "zh-hans"})
    html = response.content.decode()
    shown = re.findall(r'<th class="field-shown_as"><a [^>]*>([^<]+)</a>', html)
    assert len(shown) == 3
    assert all(CHINESE.search(name) for name in shown)
    english = admin_client.get(admin_url(Group), headers={"accept-language": "en"})
    assert sorted(
        re.findall(r'<th class="field-shown_as"><a [^>]*>([^<]+)</a>', english.content.decode())
    ) == [
        DATA_ENTRY,
        REVIEWER,
        VIEWER,
    ]


def test_a_users_page_offers_the_staff_groups_in_chinese(admin_client):
    member = make_member(VIEWER)
    url = reverse("admin:auth_user_change", args=[member.pk])
    response = admin_client.get(url, headers={"accept-language": "zh-hans"})
    field = response.context["adminform"].form.fields["groups"]
    labels = [str(label) for _value, label in field.choices]
    assert len(labels) == 3 and all(CHINESE.search(label) for label in labels)
    assert "selected>" in response.content.decode()  # the user's group, chosen as before
    with translation.override("zh-hans"):
        users = admin_client.get(reverse("admin:auth_user_changelist"))
    group_filter = next(
        spec for spec in users.context["cl"].filter_specs if spec.field_path == "groups"
    )
    assert all(CHINESE.search(str(label)) for _pk, label in group_filter.lookup_choices)


def test_a_group_an_administrator_adds_is_shown_by_its_own_name(admin_client):
    Group.objects.create(name="Auditors")
    html = admin_client.get(admin_url(Group), headers={"accept-language": "zh-hans"})
    assert ">Auditors</a>" in html.content.decode()


# Queries ----------------------------------------------------------------------------------------

#: The index as a Viewer sees it, every section shown: the session and the user (2), their
#: permissions (2), the dashboard (9: recommendations 3, titles 2, deadlines 1, imports 1,
#: notices 1), Django's recent actions (1), and the session saved again (3).
INDEX_QUERIES = 17


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_index_costs_the_same_queries_whatever_the_size(
    make_enterprise, single_champion, django_assert_max_num_queries, rows
):
    make_rows(rows, make_enterprise, single_champion)
    for n in range(3):
        ImportRun.objects.create(kind="figures", file_name=f"{n}.csv", sha256=f"{n}" * 64)
        Notice.objects.create(title=f"名单{n}", kind=EventKind.AWARD, tier=single_champion)
    Batch.objects.filter(number__lte=12).update(recommendation_deadline=days(5))
    client = client_of(make_member(VIEWER))
    client.get(INDEX)  # the first request of a session writes it
    with django_assert_max_num_queries(INDEX_QUERIES):
        response = client.get(INDEX)
    board = response.context["dashboard"]
    assert all(board.values())
    assert board["recommendations"]["batch_count"] == rows
    assert board["deadlines"]["figure"].count == min(rows, 12)
    # 3 tiles, 10 deadlines, 10 batches of one stage each, 5 totals, 3 notices.
    assert len(numbers(response)) == 3 + 10 + 10 + 5 + 3
