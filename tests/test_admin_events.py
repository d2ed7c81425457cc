"""Title events in the admin: recorded through the service from a title's "add an event" form,
shown as timelines on the title's, the enterprise's and the notice's pages, never typed as a
status."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from champions.groups import DATA_ENTRY, VIEWER
from champions.lifecycle import term_end
from champions.models import (
    Designation,
    DesignationEvent,
    Enterprise,
    EventKind,
    Notice,
    Tier,
)
from champions.services.designations import award, record_designation, record_event, refresh
from tests.admin_helpers import admin_url, make_member, make_sample, opened, posted_back

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def sample(make_enterprise, national_batch):
    """A single champion awarded on 2021-11-20 (its term ended on 2024-11-19) from a notice."""
    return make_sample(make_enterprise, national_batch)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(db):
    return make_member(DATA_ENTRY, "clerk")


def event_url(designation):
    return admin_url(Designation, "event", designation.pk)


def add_event(client, designation, **fields):
    return client.post(event_url(designation), fields, headers=ENGLISH)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The "add an event" form ------------------------------------------------------------------------


def test_the_change_page_offers_the_event_form_to_editors(clerk, sample):
    client = client_of(clerk)
    page = client.get(admin_url(Designation, "change", sample.designation.pk)).content.decode()
    assert f'href="{event_url(sample.designation)}"' in page
    form = client.get(event_url(sample.designation), headers=ENGLISH)
    assert form.status_code == 200
    assert list(form.context["form"].fields) == [
        "kind",
        "happened_on",
        "notice",
        "outcome",
        "valid_until",
        "banned_until",
        "note",
    ]
    assert "Term ended, review not recorded" in form.content.decode()


def test_a_review_result_passes_the_title_and_extends_its_term(clerk, sample):
    designation = sample.designation
    response = add_event(
        client_of(clerk),
        designation,
        kind="review_result",
        happened_on="2024-10-08",
        outcome="passed",
        note="复核通过",
    )
    assert response.status_code == 302
    assert response.url == admin_url(Designation, "change", designation.pk)
    designation.refresh_from_db()
    assert designation.status == "review_passed"
    assert designation.valid_until == term_end(datetime.date(2024, 10, 8), 3)
    assert designation.valid_until == datetime.date(2027, 10, 7)
    assert designation.state_label() == "Passed review"
    event = designation.events.get(kind="review_result")
    assert (event.outcome, event.note, event.recorded_by) == ("passed", "复核通过", clerk)
    assert any("Passed review" in message for message in messages_of(response))


def test_a_revocation_revokes_the_title_and_bans_applying_again(clerk, sample):
    designation = sample.designation
    response = add_event(client_of(clerk), designation, kind="revocation", happened_on="2022-03-01")
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.status == "revoked"
    assert designation.valid_until == datetime.date(2022, 2, 28)
    assert designation.banned_until == datetime.date(2025, 3, 1)
    assert designation.events.get(kind="revocation").recorded_by == clerk


def test_a_revocation_keeps_the_ban_the_list_states(clerk, sample):
    designation = sample.designation
    add_event(
        client_of(clerk),
        designation,
        kind="revocation",
        happened_on="2022-03-01",
        banned_until="2026-06-30",
    )
    designation.refresh_from_db()
    assert (designation.status, designation.banned_until) == ("revoked", datetime.date(2026, 6, 30))


def test_a_refused_event_shows_the_services_message_and_records_nothing(clerk, sample):
    designation = sample.designation
    before = Designation.objects.values().get(pk=designation.pk)
    response = add_event(
        client_of(clerk), designation, kind="award", happened_on="2022-01-05", outcome="passed"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["outcome"] == ["Only a review result has an outcome."]
    assert "Only a review result has an outcome." in response.content.decode()
    assert "Nothing was recorded" in response.content.decode()
    assert designation.events.count() == 1
    assert Designation.objects.values().get(pk=designation.pk) == before


def test_a_review_result_without_its_outcome_is_refused(clerk, sample):
    response = add_event(
        client_of(clerk), sample.designation, kind="review_result", happened_on="2024-10-08"
    )
    assert response.context["form"].errors["outcome"] == ["A review result needs its outcome."]
    assert sample.designation.events.count() == 1


def test_the_same_event_twice_is_refused_above_the_form(clerk, sample):
    client = client_of(clerk)
    fields = {"kind": "review_publicity", "happened_on": "2024-08-01"}
    assert add_event(client, sample.designation, **fields).status_code == 302
    response = add_event(client, sample.designation, **fields)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This event is already recorded on the title."
    ]
    assert sample.designation.events.count() == 2


def test_an_event_from_a_notice_takes_its_date(clerk, sample):
    review = Notice.objects.create(
        title="复核通过名单",
        document="工信厅企业函〔2024〕1号",
        kind=EventKind.REVIEW_RESULT,
        tier=sample.tier,
        published_on=datetime.date(2024, 10, 8),
    )
    response = add_event(
        client_of(clerk),
        sample.designation,
        kind="review_result",
        notice=review.pk,
        outcome="passed",
    )
    assert response.status_code == 302
    event = sample.designation.events.get(kind="review_result")
    assert (event.notice, event.happened_on) == (review, datetime.date(2024, 10, 8))
    sample.designation.refresh_from_db()
    assert sample.designation.document == "工信厅企业函〔2024〕1号"


def test_an_event_from_a_list_of_another_tier_or_kind_is_refused(clerk, sample, hidden_champion):
    other_tier = Notice.objects.create(kind=EventKind.REVOCATION, tier=hidden_champion)
    other_kind = Notice.objects.create(kind=EventKind.PUBLICITY, tier=sample.tier)
    client = client_of(clerk)
    for notice in (other_tier, other_kind):
        response = add_event(
            client,
            sample.designation,
            kind="revocation",
            happened_on="2022-03-01",
            notice=notice.pk,
        )
        assert response.status_code == 200
        assert "notice" in response.context["form"].errors
    assert sample.designation.events.count() == 1


def test_a_viewer_cannot_add_events(sample):
    client = client_of(make_member(VIEWER))
    designation = sample.designation
    page = client.get(admin_url(Designation, "change", designation.pk)).content.decode()
    assert event_url(designation) not in page
    assert client.get(event_url(designation)).status_code == 403
    response = add_event(client, designation, kind="revocation", happened_on="2022-03-01")
    assert response.status_code == 403
    designation.refresh_from_db()
    assert (designation.status, designation.events.count()) == ("final", 1)


# Adding and changing a title -------------------------------------------------------------------


def test_a_title_is_added_with_its_first_event(clerk, make_enterprise, national_batch):
    firm = make_enterprise()
    client = client_of(clerk)
    add_page = client.get(admin_url(Designation, "add"), {"enterprise": firm.pk})
    assert add_page.context["adminform"].form.initial["enterprise"] == str(firm.pk)
    data = {
        "enterprise": firm.pk,
        "tier": national_batch.tier_id,
        "batch": national_batch.pk,
        "year": 2021,
        "product": "",
        "product_class": "",
        "event_kind": "award",
        "event_date": "2021-11-20",
        "event_note": "按公告录入",
    }
    response = client.post(admin_url(Designation, "add"), data)
    assert response.status_code == 302
    designation = Designation.objects.get(enterprise=firm)
    assert (designation.status, designation.held_from, designation.valid_until) == (
        "final",
        datetime.date(2021, 11, 20),
        datetime.date(2024, 11, 19),
    )
    event = designation.events.get()
    assert (event.kind, event.note, event.recorded_by) == ("award", "按公告录入", clerk)
    assert designation.history.get().history_user == clerk


def test_a_title_added_from_its_publicity_list_is_not_held(clerk, make_enterprise, national_batch):
    firm = make_enterprise()
    data = {
        "enterprise": firm.pk,
        "tier": national_batch.tier_id,
        "batch": national_batch.pk,
        "year": 2021,
        "event_kind": "publicity",
        "event_date": "2021-10-10",
    }
    assert client_of(clerk).post(admin_url(Designation, "add"), data).status_code == 302
    designation = Designation.objects.get(enterprise=firm)
    assert (designation.status, designation.held_from) == ("publicized", None)


def test_a_status_cannot_be_posted_through_the_change_form(clerk, sample):
    designation = sample.designation
    url = admin_url(Designation, "change", designation.pk)
    client = client_of(clerk)
    data = {**posted_back(client.get(url)), "status": "revoked", "valid_until": "2030-01-01"}
    assert client.post(url, data).status_code == 302
    designation.refresh_from_db()
    assert (designation.status, designation.valid_until) == ("final", datetime.date(2024, 11, 19))


def test_a_changed_tier_derives_the_standing_again(clerk, sample):
    """A tier without a fixed validity holds until an event ends it."""
    designation = sample.designation
    pool = Tier.objects.get(code="champion_pool")
    url = admin_url(Designation, "change", designation.pk)
    client = client_of(clerk)
    data = {**posted_back(client.get(url)), "tier": pool.pk, "batch": "", **opened(designation)}
    assert client.post(url, data).status_code == 302
    designation.refresh_from_db()
    assert (designation.tier, designation.valid_until) == (pool, None)
    assert designation.is_in_force()


# The lists -------------------------------------------------------------------------------------


def test_the_term_ended_filter_lists_exactly_the_titles_past_term(
    admin_client, make_enterprise, single_champion, hidden_champion
):
    today = timezone.localdate()
    long_ago = today.replace(year=today.year - 5)
    recently = today - datetime.timedelta(days=30)

    def titled(tier, happened_on, *events):
        designation = award(make_enterprise(), tier, year=happened_on.year, happened_on=happened_on)
        for kind, day, outcome in events:
            record_event(designation, kind, happened_on=day, outcome=outcome)
        return designation

    past_term = titled(single_champion, long_ago)
    review_passed_past_term = titled(
        hidden_champion,
        long_ago.replace(year=long_ago.year - 3),
        (EventKind.REVIEW_RESULT, long_ago, "passed"),
    )
    titled(single_champion, recently)  # held
    titled(single_champion, long_ago, (EventKind.REVIEW_RESULT, long_ago, "failed"))  # lapsed
    titled(single_champion, long_ago, (EventKind.REVOCATION, recently, ""))  # revoked
    pool = Tier.objects.get(code="champion_pool")
    titled(pool, long_ago)  # no fixed validity: held
    publicized, _created = record_designation(
        enterprise=make_enterprise(), tier=single_champion, year=long_ago.year
    )
    record_event(publicized, EventKind.PUBLICITY, happened_on=long_ago)

    response = admin_client.get(admin_url(Designation), {"term_ended": "1"}, headers=ENGLISH)
    listed = set(response.context["cl"].result_list)
    assert listed == {past_term, review_passed_past_term}
    assert "Term ended, review not recorded" in response.content.decode()
    everything = admin_client.get(admin_url(Designation)).context["cl"].result_count
    assert everything == 7
    by_status = admin_client.get(admin_url(Designation), {"status__exact": "final"})
    assert set(by_status.context["cl"].result_list) == {
        past_term,
        Designation.objects.get(held_from=recently),
        Designation.objects.get(tier=pool),
    }


def test_the_event_list_is_read_only_and_searched_by_enterprise(admin_client, sample):
    response = admin_client.get(admin_url(DesignationEvent), {"q": "示例泵阀"})
    assert list(response.context["cl"].result_list) == [sample.event]
    assert admin_client.get(admin_url(DesignationEvent, "add")).status_code == 403
    page = admin_client.get(admin_url(DesignationEvent, "change", sample.event.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


# Notices ---------------------------------------------------------------------------------------


def test_notices_are_searched_by_document_or_title_and_filtered(admin_client, sample):
    other = Notice.objects.create(
        title="第五批复核名单",
        document="工信厅企业函〔2020〕5号",
        kind=EventKind.REVIEW_RESULT,
        tier=sample.tier,
    )
    for term, found in (("〔2021〕999号", sample.notice), ("复核名单", other)):
        response = admin_client.get(admin_url(Notice), {"q": term})
        assert list(response.context["cl"].result_list) == [found]
    by_kind = admin_client.get(admin_url(Notice), {"kind__exact": "review_result"})
    assert list(by_kind.context["cl"].result_list) == [other]
    by_tier = admin_client.get(admin_url(Notice), {"tier__code__exact": "hidden_champion"})
    assert list(by_tier.context["cl"].result_list) == []
    by_date = admin_client.get(
        admin_url(Notice),
        {"published_on__gte": "2021-11-01", "published_on__lt": "2021-12-01"},
    )
    assert list(by_date.context["cl"].result_list) == [sample.notice]


def test_a_notice_page_lists_its_events_read_only(admin_client, sample):
    response = admin_client.get(admin_url(Notice, "change", sample.notice.pk))
    events = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is DesignationEvent
    )
    assert not events.has_add_permission and not events.has_change_permission
    assert [form.instance for form in events.formset.initial_forms] == [sample.event]
    page = response.content.decode()
    assert str(sample.designation) in page
    assert f"{admin_url(DesignationEvent)}?notice__id__exact={sample.notice.pk}" in page
    # What the notice announces is fixed once events are recorded from it.
    assert "kind" not in response.context["adminform"].form.fields


def test_a_notice_saved_as_opened_goes_through_and_a_new_document_reaches_its_titles(
    admin_client, sample
):
    url = admin_url(Notice, "change", sample.notice.pk)
    data = {**posted_back(admin_client.get(url)), "document": "工信部联企业函〔2021〕1000号"}
    assert admin_client.post(url, data).status_code == 302
    sample.designation.refresh_from_db()
    assert sample.designation.document == "工信部联企业函〔2021〕1000号"


# The enterprise page ---------------------------------------------------------------------------


def test_the_enterprise_page_shows_each_titles_state_term_and_timeline(admin_client, sample):
    record_event(
        sample.designation, EventKind.REVIEW_PUBLICITY, happened_on=datetime.date(2024, 8, 1)
    )
    response = admin_client.get(
        admin_url(Enterprise, "change", sample.enterprise.pk), headers=ENGLISH
    )
    titles = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is Designation
    )
    assert not titles.has_add_permission
    ((designation, events),) = response.context["title_timelines"]
    assert designation == sample.designation
    assert [event.kind for event in events] == ["award", "review_publicity"]
    page = response.content.decode()
    assert "Term ended, review not recorded" in page
    assert "Titles&#x27; timelines" in page or "Titles' timelines" in page
    assert "Review publicity" in page
    assert admin_url(Notice, "change", sample.notice.pk) in page


# Bounded queries -------------------------------------------------------------------------------

#: The most queries the designation and the enterprise change pages may take, however many
#: events their titles have.
DESIGNATION_PAGE_QUERIES = 12
ENTERPRISE_PAGE_QUERIES = 21


def add_events(designation, count):
    """``count`` review publicity lists on ``designation``, one a day from 2022-01-01."""
    DesignationEvent.objects.bulk_create(
        DesignationEvent(
            designation=designation,
            kind=EventKind.REVIEW_PUBLICITY,
            happened_on=datetime.date(2022, 1, 1) + datetime.timedelta(days=day),
        )
        for day in range(count)
    )
    refresh([designation.pk])


@pytest.mark.parametrize("events", [2, 30])
def test_the_designation_page_costs_bounded_queries(
    admin_client, sample, events, django_assert_max_num_queries
):
    add_events(sample.designation, events - 1)
    url = admin_url(Designation, "change", sample.designation.pk)
    admin_client.get(url)  # the caches of the process (content types) warmed up
    with django_assert_max_num_queries(DESIGNATION_PAGE_QUERIES):
        response = admin_client.get(url)
    timeline = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is DesignationEvent
    )
    assert len(timeline.formset.initial_forms) == events


@pytest.mark.parametrize("events", [2, 30])
def test_the_enterprise_page_costs_bounded_queries(
    admin_client, sample, single_champion_product, events, django_assert_max_num_queries
):
    """The events of every title shown are read in one query."""
    second = award(
        sample.enterprise,
        single_champion_product,
        year=2022,
        product="高压球阀",
        happened_on=datetime.date(2022, 12, 1),
    )
    add_events(sample.designation, events // 2 - 1)
    add_events(second, events - events // 2 - 1)
    url = admin_url(Enterprise, "change", sample.enterprise.pk)
    admin_client.get(url)  # the caches of the process (content types) warmed up
    with django_assert_max_num_queries(ENTERPRISE_PAGE_QUERIES):
        response = admin_client.get(url)
    shown = sum(len(events) for _designation, events in response.context["title_timelines"])
    assert shown == events


@pytest.fixture
def single_champion_product():
    return Tier.objects.get(code="single_champion_product")


def test_an_undated_award_comes_first_in_the_timeline(
    admin_client, make_enterprise, national_batch
):
    designation = award(make_enterprise(), national_batch.tier, batch=national_batch, year=2021)
    record_event(designation, EventKind.PUBLICITY, happened_on=datetime.date(2021, 10, 1))
    response = admin_client.get(admin_url(Designation, "change", designation.pk))
    timeline = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is DesignationEvent
    )
    assert [form.instance.kind for form in timeline.formset.initial_forms] == ["award", "publicity"]


def test_the_notice_of_an_event_is_chosen_by_autocomplete(clerk, sample):
    response = client_of(clerk).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "champions",
            "model_name": "designationevent",
            "field_name": "notice",
            "term": "〔2021〕999",
        },
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(sample.notice.pk)]
