"""Two staff saving the same records: the second is told they changed, nothing is overwritten.

The records are the one a change page edits and every row of its inlines.
"""

import re
import threading

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from champions.admin.common import RegistryInline
from champions.groups import DATA_ENTRY
from champions.models import Enterprise, FormerName, YearlyFigures
from champions.services.designations import award
from tests.admin_helpers import (
    admin_url,
    enterprise_form_data,
    make_member,
    make_sample,
    opened,
    posted_back,
)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_second_save_is_refused_and_names_who_changed_it(make_enterprise, lucheng):
    firm = make_enterprise(name="温州并发阀门有限公司")
    alice, bob = make_member(DATA_ENTRY, "alice"), make_member(DATA_ENTRY, "bob")
    url = admin_url(Enterprise, "change", firm.pk)
    # Both open the form; each page carries the record's stamp as it was then.
    alice_form = client_of(alice).get(url).context["adminform"].form
    bob_client = client_of(bob)
    bob_form = bob_client.get(url).context["adminform"].form
    token = alice_form.initial["edit_token"]
    assert token == bob_form.initial["edit_token"] == opened(firm)["edit_token"]

    alice_data = {
        **enterprise_form_data("温州并发阀门（甲）有限公司", lucheng, firm.credit_code),
        "edit_token": token,
    }
    assert client_of(alice).post(url, alice_data).status_code == 302

    bob_data = {
        **enterprise_form_data("温州并发阀门（乙）有限公司", lucheng, firm.credit_code),
        "edit_token": token,
    }
    response = bob_client.post(url, bob_data, headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "alice" in page and "after you opened it" in page
    firm.refresh_from_db()
    assert firm.name == "温州并发阀门（甲）有限公司"

    # Opened again, Bob's change goes through.
    bob_data.update(opened(firm))
    assert bob_client.post(url, bob_data).status_code == 302
    firm.refresh_from_db()
    assert firm.name == "温州并发阀门（乙）有限公司"


@pytest.mark.django_db
def test_a_post_without_the_token_is_refused(make_enterprise, lucheng):
    firm = make_enterprise()
    client = client_of(make_member(DATA_ENTRY))
    data = enterprise_form_data("无凭据改名", lucheng, firm.credit_code)
    response = client.post(admin_url(Enterprise, "change", firm.pk), data)
    assert response.status_code == 200
    firm.refresh_from_db()
    assert firm.name != "无凭据改名"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_saves_cannot_both_win(make_enterprise, lucheng):
    """Both posts start together from the same opened form; the row lock makes them queue."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection; CI runs this on PostgreSQL")
    firm = make_enterprise(name="温州同时保存有限公司")
    url = admin_url(Enterprise, "change", firm.pk)
    token = opened(firm)["edit_token"]
    users = [make_member(DATA_ENTRY, f"clerk{i}") for i in range(2)]
    start = threading.Barrier(2)
    statuses = {}

    def save(index):
        client = client_of(users[index])
        data = {
            **enterprise_form_data(f"同时保存{index}", lucheng, firm.credit_code),
            "edit_token": token,
        }
        start.wait()
        statuses[index] = client.post(url, data).status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 302]
    winner = next(i for i, status in statuses.items() if status == 302)
    firm.refresh_from_db()
    assert firm.name == f"同时保存{winner}"


# The rows shown inline ---------------------------------------------------------------------------


@pytest.fixture
def firm(make_enterprise, national_batch):
    """An enterprise with a row in each of its editable inlines."""
    firm = make_enterprise(name="温州行内阀门有限公司")
    FormerName.objects.create(enterprise=firm, name="温州旧名阀门厂")
    award(firm, national_batch.tier, batch=national_batch, year=2021)
    YearlyFigures.objects.create(enterprise=firm, year=2020, output_value=100000)
    return firm


@pytest.fixture
def alice(db):
    return client_of(make_member(DATA_ENTRY, "alice"))


@pytest.fixture
def bob(db):
    return make_member(DATA_ENTRY, "bob")


def open_page(client, obj):
    """The change page of ``obj``: its address and what saving it as opened would post."""
    url = admin_url(type(obj), "change", obj.pk)
    return url, posted_back(client.get(url))


def change_as(user, obj, **changes):
    """``obj`` changed through the ORM, recorded in its history as ``user``'s change."""
    for field, value in changes.items():
        setattr(obj, field, value)
    obj._history_user = user
    obj.save()


def save_refused(client, url, data):
    """Posts ``data`` in English and returns the page's text, checking the save was refused."""
    response = client.post(url, data, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Nothing on this page was saved" in response.content.decode()
    return response.content.decode()


def shown_time(moment):
    with translation.override("en"):
        return formats.localize(timezone.localtime(moment))


def test_a_figure_changed_meanwhile_refuses_the_whole_page(alice, bob, firm):
    url, alice_data = open_page(alice, firm)
    figures = firm.figures.get()
    figures_url, bob_data = open_page(client_of(bob), figures)
    bob_data["output_value"] = "120000"
    assert client_of(bob).post(figures_url, bob_data).status_code == 302

    # Alice only renames the firm; her page still holds the figure as she opened it.
    page = save_refused(alice, url, {**alice_data, "name": "温州行内阀门（改）有限公司"})
    figures.refresh_from_db()
    assert figures.output_value == 120000
    changed = f"Yearly figures “{figures}”: changed by bob at {shown_time(figures.updated_at)}"
    assert f"{changed}, after you opened this page." in page
    firm.refresh_from_db()
    assert firm.name == "温州行内阀门有限公司"


def test_a_designation_changed_meanwhile_refuses_the_whole_page(alice, bob, firm):
    url, alice_data = open_page(alice, firm)
    designation = firm.designations.get()
    change_as(bob, designation, product="高压阀门")
    page = save_refused(alice, url, {**alice_data, "designations-0-product": "低压阀门"})
    designation.refresh_from_db()
    assert (designation.product, designation.status) == ("高压阀门", "final")
    assert f"Designation “{designation}”: changed by bob" in page


def test_a_former_name_deleted_meanwhile_refuses_the_whole_page(alice, bob, firm):
    url, alice_data = open_page(alice, firm)
    former_name = firm.former_names.get()
    former_name._history_user = bob
    former_name.delete()
    page = save_refused(alice, url, {**alice_data, "figures-0-output_value": "130000"})
    assert not firm.former_names.exists()
    assert firm.figures.get().output_value == 100000
    assert "Former name “温州旧名阀门厂”: deleted by bob" in page


def test_a_former_name_is_guarded_by_its_values(alice, firm):
    """Former names have no stamp: a change the history does not see is still caught."""
    url, alice_data = open_page(alice, firm)
    FormerName.objects.filter(enterprise=firm).update(name="温州另一旧名厂")
    page = save_refused(alice, url, alice_data)
    assert "Former name “温州另一旧名厂”: changed by an import or a script" in page


def test_a_page_unchanged_since_opened_saves_and_leaves_untouched_rows_alone(alice, firm):
    url, data = open_page(alice, firm)
    data.update({"name": "温州行内阀门（新）有限公司", "figures-0-output_value": "140000"})
    assert alice.post(url, data).status_code == 302
    firm.refresh_from_db()
    assert firm.name == "温州行内阀门（新）有限公司"
    assert firm.figures.get().output_value == 140000
    # The tokens posted back are no change: the rows Alice left alone are not saved again.
    assert firm.designations.get().history.count() == 1
    # (The rename keeps the old name as a second former name.)
    assert firm.former_names.get(name="温州旧名阀门厂").history.count() == 1


def test_checking_the_rows_costs_one_query_per_inline_model(alice, bob, firm):
    for year in (2021, 2022):
        YearlyFigures.objects.create(enterprise=firm, year=year, output_value=year)
        FormerName.objects.create(enterprise=firm, name=f"温州旧名{year}厂")
    url, data = open_page(alice, firm)
    for figures in firm.figures.all():
        change_as(bob, figures, employees=10)

    with CaptureQueriesContext(connection) as queries:
        page = save_refused(alice, url, data)
    assert page.count("changed by bob") == 3

    def reading(table):
        """The queries reading rows of ``table`` by a list of keys: the guard's."""
        pattern = re.compile(rf'FROM "champions_{table}" .* IN \(')
        return [query for query in queries if pattern.search(query["sql"])]

    for table in ("formername", "designation", "yearlyfigures"):
        assert len(reading(table)) == 1, table
    # Naming the changed figures reads their latest history in one more query.
    assert len(reading("historicalyearlyfigures")) == 1
    assert not reading("historicalformername")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_figure_saved_from_both_pages_at_once_cannot_be_saved_twice(firm):
    """The enterprise page and the figure's own page post together; the row lock makes them
    queue, and the later one sees the earlier one's change."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection; CI runs this on PostgreSQL")
    figures = firm.figures.get()
    clients = [client_of(make_member(DATA_ENTRY, f"clerk{i}")) for i in range(2)]
    firm_url, firm_data = open_page(clients[0], firm)
    figures_url, figures_data = open_page(clients[1], figures)
    posts = [
        (firm_url, {**firm_data, "figures-0-output_value": "100"}),
        (figures_url, {**figures_data, "output_value": "101"}),
    ]
    start = threading.Barrier(2)
    statuses = {}

    def save(index):
        start.wait()
        statuses[index] = clients[index].post(*posts[index]).status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 302]
    winner = next(i for i, status in statuses.items() if status == 302)
    figures.refresh_from_db()
    assert figures.output_value == 100 + winner


@pytest.mark.django_db
def test_every_change_page_saved_as_opened_goes_through(
    admin_client, make_enterprise, national_batch
):
    """Whatever its fields, inlines or fieldsets, each page carries the tokens it is checked
    against."""
    sample = make_sample(make_enterprise, national_batch)
    for model, (obj, _term) in sample.terms.items():
        url = admin_url(model, "change", obj.pk)
        opened_page = admin_client.get(url)
        if 'name="_save"' not in opened_page.content.decode():
            continue  # records only services write
        response = admin_client.post(url, posted_back(opened_page))
        assert response.status_code == 302, model


def test_every_inline_is_a_registry_inline():
    """So the rows of every editable inline carry the guard."""
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            assert issubclass(inline, RegistryInline), inline
