"""Moving a recommendation in a real browser: a closing move asks first, then is undone.

Chromium is required when ``CHAMPIONS_REQUIRE_BROWSER=1`` (CI sets it): without it these tests
fail. Elsewhere they are skipped when the browser is missing.
"""

import pytest

from champions.groups import REVIEWER
from champions.models import Recommendation
from champions.services.recommendations import advance
from tests.admin_helpers import admin_url, make_member
from tests.browser_helpers import BROWSER_MARKS, PHONE, log_in, scrolls_sideways

pytestmark = BROWSER_MARKS

#: Django admin's colour of deleting (``--delete-button-bg``), which closing moves wear.
DELETE_RED = "rgb(186, 33, 33)"


@pytest.fixture
def submitted(make_enterprise, national_batch):
    recommendation = Recommendation.objects.create(
        enterprise=make_enterprise(), batch=national_batch
    )
    advance(recommendation, "submitted")
    return recommendation


def background(locator):
    return locator.evaluate("element => getComputedStyle(element).backgroundColor")


def test_a_closing_move_asks_for_its_reason_then_is_undone(browser, live_server, submitted):
    reviewer = make_member(REVIEWER)
    change_url = live_server.url + admin_url(Recommendation, "change", submitted.pk)

    def first_click(page):
        log_in(page, live_server, reviewer.username)
        page.goto(change_url)
        forward = page.locator('form.move-forward button[value="publicized"]')
        closing = page.locator('form.move-closing button[value="rejected"]')
        assert forward.is_visible() and closing.is_visible()
        assert background(closing) == DELETE_RED
        assert background(forward) != DELETE_RED
        closing.click()
        page.wait_for_load_state()
        # Only the confirmation page, asking for the reason.
        assert page.locator("body.delete-confirmation").count() == 1
        assert page.locator('textarea[name="move-note"]').get_attribute("required") is not None
        return page.url

    assert browser.run(first_click).endswith(f"/{submitted.pk}/move/")
    submitted.refresh_from_db()
    assert submitted.stage == "submitted"

    def confirm_with_reason(page):
        log_in(page, live_server, reviewer.username)
        page.goto(change_url)
        page.click('form.move-closing button[value="rejected"]')
        page.wait_for_load_state()
        confirmation = page.url
        # Without a reason the browser does not send the form.
        page.click("input.closing-button")
        assert page.url == confirmation
        assert page.locator('textarea[name="move-note"]:invalid').count() == 1
        page.fill('textarea[name="move-note"]', "未入选工信部名单")
        page.click("input.closing-button")
        page.wait_for_url(change_url)
        assert page.locator(".messagelist .success").count() == 1
        # The change form offers the undo of that move now, and no move forward.
        assert page.locator("form.move-forward").count() == 0
        assert page.locator("form.move-undo").is_visible()

    browser.run(confirm_with_reason)
    submitted.refresh_from_db()
    assert (submitted.stage, submitted.ended_at_stage) == ("rejected", "submitted")
    assert submitted.moves.last().note == "未入选工信部名单"

    def undo(page):
        log_in(page, live_server, reviewer.username)
        page.goto(change_url)
        page.fill('textarea[name="undo-note"]', "名单看错了，实为下一批")
        page.click("form.move-undo button")
        page.wait_for_url(change_url)
        assert page.locator(".messagelist .success").count() == 1
        assert page.locator('form.move-closing button[value="rejected"]').is_visible()

    browser.run(undo)
    submitted.refresh_from_db()
    assert (submitted.stage, submitted.ended_at_stage) == ("submitted", "")
    last = submitted.moves.last()
    assert (last.source, last.target, last.note, last.moved_by) == (
        "rejected",
        "submitted",
        "名单看错了，实为下一批",
        reviewer,
    )
    assert last.undoes.target == "rejected"
    assert submitted.moves.count() == 5


def test_the_move_panel_and_the_confirmation_fit_a_phone(browser, live_server, submitted):
    reviewer = make_member(REVIEWER)
    change_url = live_server.url + admin_url(Recommendation, "change", submitted.pk)

    def scenario(page):
        log_in(page, live_server, reviewer.username)
        page.goto(change_url)
        assert page.locator('form.move-closing button[value="withdrawn"]').is_visible()
        assert not scrolls_sideways(page)
        page.click('form.move-closing button[value="withdrawn"]')
        page.wait_for_load_state()
        assert page.locator('textarea[name="move-note"]').is_visible()
        assert not scrolls_sideways(page)

    browser.run(scenario, viewport=PHONE)
