"""Public reads go to the read replica when one is configured; staff work and writes never do."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.utils import load_backend
from django.test import RequestFactory

from champions import routing
from champions.models import Enterprise
from tests.test_pages import PAGES, body, build_registry


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    monkeypatch.setattr(routing, "replica_usable", lambda: True)


def decision_during(method, path):
    """What the router decides for a read and a write while ``path`` is being served."""
    seen = {}

    def view(request):
        router = routing.ReplicaRouter()
        seen["read"] = router.db_for_read(Enterprise)
        seen["write"] = router.db_for_write(Enterprise)
        return None

    middleware = routing.PublicReadsFromReplicaMiddleware(view)
    middleware(getattr(RequestFactory(), method)(path))
    return seen


def test_public_pages_read_from_the_replica(replica):
    assert decision_during("get", "/") == {"read": "replica", "write": "default"}
    assert decision_during("head", "/enterprises/") == {"read": "replica", "write": "default"}


def test_admin_and_posts_use_the_primary(replica):
    admin = "/" + settings.ADMIN_PATH + "champions/enterprise/"
    assert decision_during("get", admin) == {"read": None, "write": "default"}
    assert decision_during("post", "/i18n/setlang/") == {"read": None, "write": "default"}


def test_outside_a_request_and_without_a_replica_nothing_changes():
    router = routing.ReplicaRouter()
    assert router.db_for_read(Enterprise) is None
    assert decision_during("get", "/") == {"read": None, "write": "default"}  # none configured


def test_the_replica_is_never_migrated():
    router = routing.ReplicaRouter()
    assert router.allow_migrate("replica", "champions") is False
    assert router.allow_migrate("default", "champions") is True


# --- Sessions and accounts, and a replica that is down ------------------------------------------


def test_sessions_accounts_and_login_throttling_always_read_the_primary(replica):
    from axes.models import AccessAttempt
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session

    seen = {}

    def view(request):
        router = routing.ReplicaRouter()
        for model in (Session, User, Group, AccessAttempt, LogEntry, ContentType, Enterprise):
            seen[model.__name__] = router.db_for_read(model)

    routing.PublicReadsFromReplicaMiddleware(view)(RequestFactory().get("/"))
    assert seen.pop("Enterprise") == "replica"
    assert set(seen.values()) == {"default"}, seen


@pytest.fixture
def down_replica(monkeypatch):
    """A replica configured whose database cannot be opened (a folder that does not exist).

    Its connection is made here rather than named in the settings: the test case allows only
    the connections of the databases it uses among those the settings name."""
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    monkeypatch.setattr(routing, "_down_until", 0.0)
    replica = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent-folder/replica.db"}
    replica = connections.configure_settings({"default": replica})["default"]
    connections[routing.REPLICA] = load_backend(replica["ENGINE"]).DatabaseWrapper(
        replica, routing.REPLICA
    )
    yield
    connections[routing.REPLICA].close()
    del connections[routing.REPLICA]


def without_token(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_with_the_replica_down_pages_are_served_from_the_primary(client, down_replica, monkeypatch):
    registry = build_registry()
    firm = f"/enterprises/{registry['alpha'].pk}/"
    urls = [*PAGES, firm, "/enterprises/?format=csv", "/api/summary.json"]
    monkeypatch.setattr(routing, "replica_configured", lambda: False)
    expected = {url: without_token(body(client.get(url))) for url in urls}
    cache.clear()
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert without_token(body(response)) == expected[url], url
    assert routing.replica_usable() is False  # left alone for RETRY_SECONDS


@pytest.mark.django_db
def test_a_replica_failing_during_a_page_is_left_and_the_page_served_again(
    client, down_replica, monkeypatch
):
    build_registry()
    # The replica answered at the request's first read, then fails.
    monkeypatch.setattr(routing, "replica_usable", lambda: True)
    response = client.get("/breakdowns/regions/")
    assert response.status_code == 200
    assert "瑞安市" in body(response)
    assert routing._down_until > 0


@pytest.mark.django_db
def test_healthz_reports_the_replica(client, down_replica):
    response = client.get("/healthz")
    assert response.status_code == 200  # the site still serves, from the primary
    assert response.json() == {"status": "degraded", "database": "ok", "replica": "down"}


@pytest.mark.django_db
def test_healthz_with_a_replica_that_answers(client, monkeypatch):
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    monkeypatch.setattr(routing, "replica_answers", lambda: True)
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "replica": "ok"}
