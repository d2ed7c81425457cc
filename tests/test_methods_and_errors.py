"""Only GET and HEAD reach the public pages; the JSON endpoints answer every error as JSON."""

import pytest
from django.db import OperationalError
from django.test import Client

from champions import views
from tests.test_pages import body, build_registry

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/enterprises/",
    "/enterprises/?format=csv",
    "/enterprises/?format=json",
    "/breakdowns/regions/",
    "/breakdowns/industries/?format=json",
    "/breakdowns/batches/",
    "/breakdowns/province/",
    "/breakdowns/targets/",
    "/seminars/",
    "/api/summary.json",
]
JSON = [url for url in PUBLIC if "json" in url]


@pytest.fixture
def registry():
    return build_registry()


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_a_405_naming_get_and_head_never_the_page(registry, method):
    # The client checks CSRF as a browser's request is checked: a 405, not a 403.
    client = Client(enforce_csrf_checks=True)
    firm = f"/enterprises/{registry['alpha'].pk}/"
    for url in [*PUBLIC, firm]:
        page = client.get(url)  # now cached
        assert page.status_code == 200, url
        response = client.generic(method, url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert response["Allow"] == "GET, HEAD"
        assert len(response.content) < 200  # an empty body, or a line of JSON
        if url in JSON:
            assert response["Content-Type"] == "application/json"
            assert response.json()["error"] == "method_not_allowed"


def test_head_is_answered(client, registry):
    for url in PUBLIC:
        assert client.head(url).status_code == 200, url


def test_unknown_api_address_is_a_json_404(client, registry):
    for url in ["/api/nothing-here", "/api/summary.xml", "/api/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == "not_found"
    # A firm's page has no JSON twin: its 404 is a page, like the firm's page.
    for url in ["/no-such-page/", "/enterprises/999999/?format=json"]:
        page = client.get(url)
        assert page.status_code == 404 and "<html" in body(page)


def test_bad_parameters_of_json_twins_are_json_400s(client, registry):
    response = client.get("/breakdowns/regions/", {"format": "json", "year": "abc"})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]
    response = client.get("/api/summary.json", {"year": "abc"})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]


def broken(*args, **kwargs):
    raise ZeroDivisionError("a bug")


def unreachable(*args, **kwargs):
    raise OperationalError("connection refused")


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [(broken, 500, "server_error"), (unreachable, 503, "unavailable")],
)
def test_json_endpoints_answer_500_and_503_as_json(registry, monkeypatch, failure, status, code):
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(views.summaries, "summary", failure)
    monkeypatch.setattr(views.summaries, "make_scope", failure)
    for url in ["/api/summary.json", "/breakdowns/batches/?format=json"]:
        monkeypatch.setattr(views.summaries, "funnels", failure)
        response = client.get(url)
        assert response.status_code == status, url
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert data["error"] == code and data["message"]
        assert "ZeroDivisionError" not in body(response) and "refused" not in body(response)
        assert (response.get("Retry-After") == "60") == (status == 503)
    page = client.get("/breakdowns/batches/")
    assert page.status_code == status
    assert "<html" in body(page)
