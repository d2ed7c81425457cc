"""Moves that cannot go wrong by one click: closing moves confirmed with a reason, the last move
undone with a note, the bulk page offering only the moves every selected recommendation may make,
approval recording the notice of the award; and seminars' lists in their history."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from champions.groups import DATA_ENTRY, REVIEWER
from champions.lifecycle import term_end
from champions.models import (
    Batch,
    Designation,
    DesignationEvent,
    EventKind,
    Expert,
    Notice,
    Organisation,
    Recommendation,
    Seminar,
    StageMove,
)
from champions.services.designations import award, record_event
from champions.services.recommendations import (
    AwardNotice,
    IllegalMove,
    advance,
    move,
    undo_last_move,
)
from tests.admin_helpers import admin_url, make_member

pytestmark = pytest.mark.django_db

DOCUMENT = "工信部联企业函〔2024〕321号"
SOURCE = "https://www.miit.gov.cn/zwgk/zcwj/art/2024/art_321.html"


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def press(client, recommendation, target, **fields):
    """Press a stage button on the change form (``fields`` without their ``move-`` prefix)."""
    data = {"move-target": target, **{f"move-{name}": value for name, value in fields.items()}}
    return client.post(
        admin_url(Recommendation, "move", recommendation.pk),
        data,
        headers={"accept-language": "en"},
    )


def confirm(client, recommendation, target, **fields):
    """Post the confirmation page of a move, as its button does."""
    return press(client, recommendation, target, confirmed="1", **fields)


def undo_by_admin(client, recommendation, note, move_id=None):
    last = recommendation.moves.order_by("-moved_at", "-id").first()
    data = {"undo-move": move_id or last.pk, "undo-note": note}
    return client.post(
        admin_url(Recommendation, "undo", recommendation.pk),
        data,
        headers={"accept-language": "en"},
    )


def action(client, recommendations, **fields):
    data = {
        "action": "move_selected",
        "_selected_action": [r.pk for r in recommendations],
        **fields,
    }
    return client.post(admin_url(Recommendation), data, headers={"accept-language": "en"})


@pytest.fixture
def reviewer():
    return make_member(REVIEWER)


@pytest.fixture
def clerk():
    return make_member(DATA_ENTRY)


@pytest.fixture
def at(make_enterprise, national_batch, provincial_batch):
    """A recommendation moved (and recorded) up to ``stage``."""

    def make(stage, batch=None):
        recommendation = Recommendation.objects.create(
            enterprise=make_enterprise(), batch=batch or national_batch
        )
        if stage != "draft":
            advance(recommendation, stage)
        recommendation.refresh_from_db()
        return recommendation

    return make


def stage_of(recommendation):
    recommendation.refresh_from_db()
    return recommendation.stage


# Closing moves -------------------------------------------------------------------------------


def test_change_form_shows_closing_moves_apart_from_forward_ones(reviewer, at):
    recommendation = at("nominated")
    response = client_of(reviewer).get(admin_url(Recommendation, "change", recommendation.pk))
    assert [s.value for s in response.context["forward_targets"]] == ["province_passed"]
    assert [s.value for s in response.context["closing_targets"]] == ["rejected", "withdrawn"]
    page = response.content.decode()
    forward = page[page.index('class="move-forward"') : page.index('class="move-closing"')]
    closing = page[page.index('class="move-closing"') : page.index('class="move-undo"')]
    assert 'value="province_passed"' in forward and 'value="rejected"' not in forward
    assert 'value="rejected" class="button move-button closing-button"' in closing
    assert 'value="withdrawn" class="button move-button closing-button"' in closing
    assert 'value="province_passed"' not in closing


def test_a_closing_button_only_shows_the_confirmation_page(reviewer, at):
    recommendation = at("submitted")
    moves = StageMove.objects.count()
    response = press(client_of(reviewer), recommendation, "rejected", note="初步意见")
    assert response.status_code == 200
    assert response.templates[0].name == "admin/champions/recommendation/confirm_move.html"
    assert "delete-confirmation" in response.content.decode()
    form = response.context["form"]
    assert form.fields["note"].required
    assert form["note"].value() == "初步意见"  # carried over, to be confirmed
    assert (stage_of(recommendation), StageMove.objects.count()) == ("submitted", moves)


def test_a_closing_move_without_a_reason_is_refused(reviewer, at):
    recommendation = at("submitted")
    moves = StageMove.objects.count()
    response = confirm(client_of(reviewer), recommendation, "rejected", note="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert (stage_of(recommendation), StageMove.objects.count()) == ("submitted", moves)


def test_a_closing_move_with_its_reason_is_recorded(reviewer, at):
    recommendation = at("submitted")
    response = confirm(
        client_of(reviewer),
        recommendation,
        "rejected",
        note="未通过工信部评审",
        happened_on="2024-03-01",
    )
    assert response.status_code == 302
    assert response.url == admin_url(Recommendation, "change", recommendation.pk)
    recommendation.refresh_from_db()
    assert (recommendation.stage, recommendation.ended_at_stage) == ("rejected", "submitted")
    last = recommendation.moves.last()
    assert (last.source, last.target, last.note, last.moved_by, last.happened_on) == (
        "submitted",
        "rejected",
        "未通过工信部评审",
        reviewer,
        datetime.date(2024, 3, 1),
    )


def test_a_forward_move_needs_no_confirmation(reviewer, at):
    recommendation = at("nominated")
    response = press(client_of(reviewer), recommendation, "province_passed")
    assert response.status_code == 302
    assert stage_of(recommendation) == "province_passed"


def test_a_closing_move_not_allowed_is_refused_without_a_confirmation(reviewer, at):
    recommendation = at("draft")
    response = press(client_of(reviewer), recommendation, "rejected")
    assert response.status_code == 302
    assert any("cannot move to" in message for message in messages_of(response))
    assert stage_of(recommendation) == "draft"


# Undo ----------------------------------------------------------------------------------------


def test_undo_is_recorded_as_a_move_of_its_own(reviewer, at):
    recommendation = at("publicized")
    move(recommendation, "withdrawn", user=reviewer, note="企业主动撤回")
    withdrawn = recommendation.moves.last()
    before = list(StageMove.objects.values_list("id", "source", "target", "note"))

    undo = undo_last_move(recommendation, reviewer, "误操作，企业未撤回")

    assert (undo.source, undo.target, undo.undoes, undo.moved_by, undo.note) == (
        "withdrawn",
        "publicized",
        withdrawn,
        reviewer,
        "误操作，企业未撤回",
    )
    assert undo.is_undo and withdrawn.undone_by == undo
    recommendation.refresh_from_db()
    assert (recommendation.stage, recommendation.ended_at_stage) == ("publicized", "")
    # History is never deleted: every earlier move is still there, unchanged.
    after = list(StageMove.objects.values_list("id", "source", "target", "note"))
    assert after[: len(before)] == before and len(after) == len(before) + 1
    # The recommendation moves on as before.
    assert move(recommendation, "approved").target == "approved"


def test_undo_needs_a_note(reviewer, at):
    recommendation = at("nominated")
    with pytest.raises(ValidationError) as refusal:
        undo_last_move(recommendation, reviewer, " ")
    assert "note" in refusal.value.message_dict
    assert stage_of(recommendation) == "nominated"


def test_only_movers_may_undo(clerk, reviewer, at):
    recommendation = at("nominated")
    with pytest.raises(PermissionDenied):
        undo_last_move(recommendation, clerk, "不该推荐")
    with pytest.raises(PermissionDenied):
        undo_last_move(recommendation, None, "不该推荐")
    # Through the admin: Data entry is refused, a Reviewer undoes.
    assert undo_by_admin(client_of(clerk), recommendation, "不该推荐").status_code == 403
    assert stage_of(recommendation) == "nominated"
    response = undo_by_admin(client_of(reviewer), recommendation, "不该推荐")
    assert response.status_code == 302
    assert stage_of(recommendation) == "draft"
    assert recommendation.moves.last().undoes.target == "nominated"
    assert any("Undid the move" in message for message in messages_of(response))


def test_a_move_is_undone_once_and_an_undo_is_not_undone(reviewer, at):
    recommendation = at("province_passed")
    undo_last_move(recommendation, reviewer, "省里尚未通过")
    with pytest.raises(IllegalMove) as twice:
        undo_last_move(recommendation, reviewer, "再撤销一次")
    assert twice.value.code == "undo_of_undo"
    assert stage_of(recommendation) == "nominated"
    assert recommendation.moves.count() == 3


def test_only_the_last_move_can_be_undone(reviewer, at):
    recommendation = at("province_passed")
    first, second = recommendation.moves.order_by("id")
    with pytest.raises(IllegalMove) as refusal:
        undo_last_move(recommendation, reviewer, "撤销第一步", expected=first)
    assert refusal.value.code == "not_last_move"
    assert stage_of(recommendation) == "province_passed"
    # A page showing the older move as the last undoes nothing either.
    response = undo_by_admin(client_of(reviewer), recommendation, "过时的页面", move_id=first.pk)
    assert response.status_code == 302
    assert any("not its last one" in message for message in messages_of(response))
    assert stage_of(recommendation) == "province_passed"
    assert undo_last_move(recommendation, reviewer, "撤销第二步", expected=second).undoes == second


def test_nothing_to_undo(reviewer, at):
    recommendation = at("draft")
    with pytest.raises(IllegalMove) as refusal:
        undo_last_move(recommendation, reviewer, "没有可撤销的")
    assert refusal.value.code == "nothing_to_undo"


def test_the_change_form_offers_undo_of_the_last_move_only_to_movers(clerk, reviewer, at):
    recommendation = at("nominated")
    move(recommendation, "rejected", note="不符合条件")
    page = client_of(reviewer).get(admin_url(Recommendation, "change", recommendation.pk))
    assert page.context["undo_form"]["move"].value() == recommendation.moves.last().pk
    assert 'name="undo-note"' in page.content.decode()
    assert page.context["move_targets"] == []
    viewed = client_of(clerk).get(admin_url(Recommendation, "change", recommendation.pk))
    assert "undo_form" not in viewed.context
    assert 'name="undo-note"' not in viewed.content.decode()
    # After the undo, its own undo is not offered.
    undo_last_move(recommendation, reviewer, "误判")
    again = client_of(reviewer).get(admin_url(Recommendation, "change", recommendation.pk))
    assert again.context["undo_form"] is None
    assert (
        "本身就是撤回" in again.context["undo_refusal"]
    )  # "is itself an undo", in the page's language


def test_the_database_holds_undos_to_their_rule(reviewer, at):
    recommendation = at("province_passed")
    last = recommendation.moves.last()  # nominated → province_passed
    wrong_way = {"recommendation": recommendation, "undoes": last, "note": "错误的撤销"}
    # An undo goes back exactly where the undone move came from, in one row or the other.
    for source, target in [("province_passed", "draft"), ("nominated", "province_passed")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            StageMove.objects.create(source=source, target=target, **wrong_way)
    # An undo has its note.
    with pytest.raises(IntegrityError), transaction.atomic():
        StageMove.objects.create(
            recommendation=recommendation, source="province_passed", target="nominated", undoes=last
        )
    undo = StageMove.objects.create(source="province_passed", target="nominated", **wrong_way)
    # A move is undone once.
    with pytest.raises(IntegrityError), transaction.atomic():
        StageMove.objects.create(source="province_passed", target="nominated", **wrong_way)
    # The undone move cannot be changed to mismatch its undo.
    with pytest.raises(IntegrityError), transaction.atomic():
        StageMove.objects.filter(pk=last.pk).update(target="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        StageMove.objects.filter(pk=undo.pk).update(target="draft")
    # Only an approval names an award.
    event = award(recommendation.enterprise, recommendation.batch.tier, year=2021).events.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        StageMove.objects.filter(pk=last.pk).update(award=event)


# The bulk page -------------------------------------------------------------------------------


def offered(response):
    """The stages offered as radio buttons on the bulk page, and those checked."""
    page = response.content.decode()
    radios = [chunk.split(">", 1)[0] for chunk in page.split('<input type="radio"')[1:]]
    values = [radio.split('value="', 1)[1].split('"', 1)[0] for radio in radios]
    return values, [v for v, r in zip(values, radios, strict=True) if "checked" in r]


@pytest.mark.parametrize(
    ("stages", "forward", "closing"),
    [
        (["nominated", "nominated"], ["province_passed"], ["rejected", "withdrawn"]),
        (["nominated", "province_passed"], [], ["rejected", "withdrawn"]),
        (["draft", "nominated"], [], ["withdrawn"]),
        (["publicized"], ["approved"], ["rejected", "withdrawn"]),
    ],
)
def test_the_bulk_page_offers_the_moves_every_selected_may_make_and_chooses_none(
    reviewer, at, stages, forward, closing
):
    chosen = [at(stage) for stage in stages]
    response = action(client_of(reviewer), chosen)
    assert response.status_code == 200
    assert [s.value for s in response.context["forward_targets"]] == forward
    assert [s.value for s in response.context["closing_targets"]] == closing
    values, checked = offered(response)
    assert values == forward + closing
    assert checked == []


def test_the_bulk_page_intersects_across_levels(reviewer, at, provincial_batch):
    national = at("province_passed")
    provincial = at("province_passed", batch=provincial_batch)
    response = action(client_of(reviewer), [national])
    assert [s.value for s in response.context["forward_targets"]] == ["submitted"]
    both = action(client_of(reviewer), [national, provincial])
    assert offered(both) == (["rejected", "withdrawn"], [])


def test_the_bulk_page_with_no_move_in_common_offers_none(reviewer, at):
    response = action(client_of(reviewer), [at("nominated"), at("approved")])
    assert offered(response) == ([], [])
    assert "no move in common" in response.content.decode()
    assert 'value="Move"' not in response.content.decode()


def test_the_bulk_page_asks_for_a_stage(reviewer, at):
    chosen = [at("nominated")]
    response = action(client_of(reviewer), chosen, apply="1")
    assert response.status_code == 200
    assert response.context["form"].errors["target"]
    assert stage_of(chosen[0]) == "nominated"


def test_a_bulk_closing_move_is_confirmed_with_its_reason(reviewer, at):
    chosen = [at("nominated"), at("province_passed")]
    client = client_of(reviewer)
    asked = action(client, chosen, apply="1", target="withdrawn", note="")
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/champions/recommendation/confirm_move.html"
    page = asked.content.decode()
    for recommendation in chosen:
        assert f'name="_selected_action" value="{recommendation.pk}"' in page
    assert [stage_of(r) for r in chosen] == ["nominated", "province_passed"]

    refused = action(client, chosen, apply="1", target="withdrawn", confirmed="1", note="")
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    assert [stage_of(r) for r in chosen] == ["nominated", "province_passed"]

    done = action(client, chosen, apply="1", target="withdrawn", confirmed="1", note="企业放弃申报")
    assert done.status_code == 302
    for recommendation, reached in zip(chosen, ["nominated", "province_passed"], strict=True):
        recommendation.refresh_from_db()
        assert (recommendation.stage, recommendation.ended_at_stage) == ("withdrawn", reached)
        assert recommendation.moves.last().note == "企业放弃申报"


# Approval and its notice ---------------------------------------------------------------------


def announced():
    """An announcement of some days ago: the term it starts is running today."""
    return timezone.localdate() - datetime.timedelta(days=40)


def test_approval_asks_for_the_notice_and_records_the_award_from_it(reviewer, at, client):
    recommendation = at("publicized")
    reviewer_client = client_of(reviewer)
    asked = press(reviewer_client, recommendation, "approved")
    assert asked.status_code == 200
    form = asked.context["form"]
    assert [f.name for f in form.fact_fields] == ["document", "source", "announced_on"]
    assert all(form.fields[name].required for name in ("document", "source", "announced_on"))
    assert stage_of(recommendation) == "publicized"

    refused = confirm(reviewer_client, recommendation, "approved", document=DOCUMENT)
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"source", "announced_on"}
    assert stage_of(recommendation) == "publicized"
    assert not Designation.objects.exists()

    day = announced()
    done = confirm(
        reviewer_client,
        recommendation,
        "approved",
        document=DOCUMENT,
        source=SOURCE,
        announced_on=day.isoformat(),
    )
    assert done.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.stage == "approved"
    designation = recommendation.designation
    assert (designation.document, designation.source) == (DOCUMENT, SOURCE)
    assert (designation.held_from, designation.valid_until) == (day, term_end(day, 3))
    assert designation.valid_until > timezone.localdate()
    assert designation.status == Designation.Status.FINAL
    event = designation.events.get()
    assert (event.kind, event.happened_on, event.recorded_by) == ("award", day, reviewer)
    assert (event.notice.document, event.notice.source, event.notice.published_on) == (
        DOCUMENT,
        SOURCE,
        day,
    )
    assert event.notice.batch == recommendation.batch and event.notice.kind == EventKind.AWARD
    assert recommendation.moves.last().award == event

    # The public firm page shows the document number and the source.
    public = client.get(f"/enterprises/{recommendation.enterprise_id}/")
    assert public.status_code == 200
    page = public.content.decode()
    assert DOCUMENT in page
    assert f'<a href="{SOURCE}" rel="external noopener">{SOURCE}</a>' in page


def test_approval_takes_the_notice_the_batch_records(reviewer, at, national_batch):
    day = announced()
    Batch.objects.filter(pk=national_batch.pk).update(
        announced_on=day, document=DOCUMENT, source=SOURCE
    )
    recommendation = at("publicized")
    asked = press(client_of(reviewer), recommendation, "approved")
    assert asked.status_code == 200
    assert asked.context["form"].fact_fields == []
    assert DOCUMENT in asked.content.decode()
    done = confirm(client_of(reviewer), recommendation, "approved")
    assert done.status_code == 302
    designation = Designation.objects.get(enterprise=recommendation.enterprise)
    assert (designation.document, designation.source, designation.held_from) == (
        DOCUMENT,
        SOURCE,
        day,
    )
    # A second approval in the batch finds the same notice.
    other = at("publicized")
    move(other, "approved", user=reviewer)
    assert Notice.objects.filter(batch=national_batch).count() == 1


def test_approval_suggests_the_batch_award_list_and_fills_only_what_it_lacks(
    reviewer, at, national_batch
):
    day = announced()
    Batch.objects.filter(pk=national_batch.pk).update(announced_on=day)
    Notice.objects.create(
        kind=EventKind.AWARD, tier=national_batch.tier, batch=national_batch, document=DOCUMENT
    )
    recommendation = at("publicized")
    form = press(client_of(reviewer), recommendation, "approved").context["form"]
    assert [f.name for f in form.fact_fields] == ["document", "source"]
    assert form["document"].value() == DOCUMENT
    confirm(client_of(reviewer), recommendation, "approved", document=DOCUMENT, source=SOURCE)
    designation = Designation.objects.get(enterprise=recommendation.enterprise)
    assert (designation.document, designation.source, designation.held_from) == (
        DOCUMENT,
        SOURCE,
        day,
    )


def test_bulk_approval_records_one_notice_for_the_batch(reviewer, at):
    chosen = [at("publicized"), at("publicized")]
    client = client_of(reviewer)
    asked = action(client, chosen, apply="1", target="approved")
    assert asked.templates[0].name == "admin/champions/recommendation/confirm_move.html"
    assert not Designation.objects.exists()
    day = announced()
    done = action(
        client,
        chosen,
        apply="1",
        target="approved",
        confirmed="1",
        document=DOCUMENT,
        source=SOURCE,
        announced_on=day.isoformat(),
    )
    assert done.status_code == 302
    for recommendation in chosen:
        recommendation.refresh_from_db()
        assert recommendation.stage == "approved"
        designation = recommendation.designation
        assert (designation.document, designation.source, designation.held_from) == (
            DOCUMENT,
            SOURCE,
            day,
        )
    assert Notice.objects.count() == 1


def test_bulk_approval_across_batches_without_their_notices_is_refused(
    reviewer, at, provincial_batch
):
    chosen = [at("publicized"), at("publicized", batch=provincial_batch)]
    response = action(
        client_of(reviewer),
        chosen,
        apply="1",
        target="approved",
        confirmed="1",
        document=DOCUMENT,
        source=SOURCE,
        announced_on=announced().isoformat(),
    )
    assert response.status_code == 200
    assert "one of them at a time" in " ".join(response.context["form"].non_field_errors())
    assert [stage_of(r) for r in chosen] == ["publicized", "publicized"]


def test_the_service_takes_the_notice_facts_too(at, reviewer):
    recommendation = at("publicized")
    day = announced()
    move(
        recommendation,
        "approved",
        user=reviewer,
        notice=AwardNotice(document=DOCUMENT, source=SOURCE, announced_on=day),
    )
    designation = Designation.objects.get()
    assert (designation.document, designation.source, designation.held_from) == (
        DOCUMENT,
        SOURCE,
        day,
    )


# Undoing an approval ---------------------------------------------------------------------------


def approve(recommendation, user):
    return move(
        recommendation,
        "approved",
        user=user,
        notice=AwardNotice(document=DOCUMENT, source=SOURCE, announced_on=announced()),
    )


def test_undoing_an_approval_takes_back_the_award_it_recorded(reviewer, at, client):
    recommendation = at("publicized")
    approval = approve(recommendation, reviewer)
    designation = Designation.objects.get()
    assert client.get(f"/enterprises/{recommendation.enterprise_id}/").status_code == 200

    undo = undo_last_move(recommendation, reviewer, "认定名单录错了企业")

    assert (undo.source, undo.target, undo.undoes) == ("approved", "publicized", approval)
    recommendation.refresh_from_db()
    assert (recommendation.stage, recommendation.designation) == ("publicized", None)
    # The title was made by the approval and had nothing else: gone, but kept in its history.
    assert not Designation.objects.exists() and not DesignationEvent.objects.exists()
    assert designation.history.latest().history_type == "-"
    assert StageMove.objects.filter(pk=approval.pk).exists()
    assert client.get(f"/enterprises/{recommendation.enterprise_id}/").status_code == 404
    # The notice is a published list: kept, and found again by the next approval.
    assert Notice.objects.count() == 1
    approve(recommendation, reviewer)
    assert Designation.objects.get().status == Designation.Status.FINAL
    assert Notice.objects.count() == 1


def test_undoing_an_approval_keeps_the_title_s_earlier_events(reviewer, at, national_batch):
    recommendation = at("publicized")
    listed = award(recommendation.enterprise, national_batch.tier, batch=national_batch, year=2021)
    listed.events.all().delete()
    record_event(listed, EventKind.PUBLICITY, happened_on=announced() - datetime.timedelta(days=20))
    approve(recommendation, reviewer)
    listed.refresh_from_db()
    assert (listed.status, listed.document) == (Designation.Status.FINAL, DOCUMENT)
    undo_last_move(recommendation, reviewer, "尚未正式认定")
    listed.refresh_from_db()
    assert (listed.status, listed.document, listed.source, listed.held_from) == (
        Designation.Status.PUBLICIZED,
        "",
        "",
        None,
    )
    assert list(listed.events.values_list("kind", flat=True)) == ["publicity"]


def test_an_approval_whose_title_changed_since_is_not_undone(reviewer, at):
    recommendation = at("publicized")
    approve(recommendation, reviewer)
    designation = Designation.objects.get()
    record_event(designation, EventKind.REVIEW_PUBLICITY, happened_on=timezone.localdate())
    with pytest.raises(IllegalMove) as refusal:
        undo_last_move(recommendation, reviewer, "撤销认定")
    assert refusal.value.code == "title_changed_since"
    assert stage_of(recommendation) == "approved"
    assert designation.events.count() == 2


def test_an_approval_that_found_the_award_recorded_is_not_undone(reviewer, at, national_batch):
    recommendation = at("publicized")
    award(
        recommendation.enterprise,
        national_batch.tier,
        batch=national_batch,
        year=2021,
        happened_on=announced(),
    )
    approval = approve(recommendation, reviewer)
    assert approval.award is None
    with pytest.raises(IllegalMove) as refusal:
        undo_last_move(recommendation, reviewer, "撤销认定")
    assert refusal.value.code == "award_not_recorded_by_approval"
    assert Designation.objects.get().events.count() == 1


# Seminars' lists in their history -------------------------------------------------------------


def test_seminar_list_changes_are_in_its_history(admin_client, make_enterprise):
    seminar = Seminar.objects.create(title="单项冠军培育座谈会", held_on=datetime.date(2024, 7, 12))
    sponsor = Organisation.objects.create(name="中国工业经济联合会")
    other = Organisation.objects.create(name="温州市经济和信息化局")
    expert = Expert.objects.create(name="张示例", affiliation="某大学教授")
    firm = make_enterprise(name="温州示例阀门有限公司")
    seminar.sponsors.add(sponsor)
    seminar.experts.add(expert)
    seminar.participants.add(firm)
    seminar.sponsors.set([other])

    latest = seminar.history.latest()
    assert [row.organisation for row in latest.sponsors.all()] == [other]
    assert [row.expert for row in latest.experts.all()] == [expert]
    assert [row.enterprise for row in latest.participants.all()] == [firm]
    response = admin_client.get(admin_url(Seminar, "history", seminar.pk))
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    # ``set`` removes, then adds: two changes.
    assert f"[{sponsor}] &rarr; []" in page
    assert f"[] &rarr; [{other}]" in page
    assert f"[] &rarr; [{expert}]" in page
    assert f"[] &rarr; [{firm}]" in page


def test_seminar_lists_set_by_key_or_from_the_other_side_are_recorded(make_enterprise):
    seminar = Seminar.objects.create(title="研讨会", held_on=datetime.date(2024, 5, 1))
    sponsor = Organisation.objects.create(name="浙江省经济和信息化厅")
    # The importer sets the lists of seminars it knows by their key only.
    Seminar(pk=seminar.pk).sponsors.set([sponsor])
    latest = seminar.history.latest()
    assert (latest.title, [r.organisation for r in latest.sponsors.all()]) == ("研讨会", [sponsor])
    firm = make_enterprise()
    firm.seminars.add(seminar)
    assert [r.enterprise for r in seminar.history.latest().participants.all()] == [firm]
    firm.seminars.clear()
    assert list(seminar.history.latest().participants.all()) == []


def test_the_migration_records_the_current_lists_on_the_latest_version():
    migration = importlib.import_module(
        "champions.migrations.0011_stage_move_undo_and_seminar_lists"
    )
    seminar = Seminar.objects.create(title="旧座谈会", held_on=datetime.date(2021, 7, 12))
    sponsor = Organisation.objects.create(name="中国工业经济联合会")
    seminar.sponsors.add(sponsor)
    history = apps.get_model("champions", "HistoricalSeminar_sponsors")
    history.objects.all().delete()  # as before the migration
    migration.record_current_lists(apps, None)
    latest = seminar.history.latest()
    assert [row.organisation for row in latest.sponsors.all()] == [sponsor]
    assert history.objects.count() == 1
