"""Two staff saving the same record: the second is told it changed, nothing is overwritten."""

import threading

import pytest
from django.db import connection
from django.test import Client

from champions.groups import DATA_ENTRY
from champions.models import Enterprise
from tests.admin_helpers import admin_url, enterprise_form_data, make_member, opened


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
