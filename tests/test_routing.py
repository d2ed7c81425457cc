"""Public reads go to the read replica when one is configured; staff work and writes never do."""

import pytest
from django.conf import settings
from django.test import RequestFactory

from champions import routing
from champions.models import Enterprise


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(routing, "replica_configured", lambda: True)


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
