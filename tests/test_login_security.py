"""Admin login throttling and staff session expiry."""

import runpy
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = f"/{settings.ADMIN_PATH}login/"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "clerk", password="right-password-123", is_staff=True, is_superuser=True
    )


def attempt(client, password):
    return client.post(LOGIN, {"username": "clerk", "password": password, "next": "/admin/"})


def test_login_works_and_a_few_mistakes_are_forgiven(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with an error
    response = attempt(client, "right-password-123")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    response = attempt(client, "right-password-123")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-hans", ["登录已暂时锁定", "请 15 分钟后再试", "axes_reset_username clerk"]),
        ("en", ["Sign-in locked for a while", "Try again in 15 minutes", "axes_reset_username"]),
    ],
)
def test_the_lockout_page_says_what_happened_in_the_language_of_the_request(
    client, staff, language, texts
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "clerk", "password": "wrong", "next": "/admin/"},
            headers={"accept-language": language},
        )
    response = client.post(
        LOGIN,
        {"username": "clerk", "password": "wrong", "next": "/admin/"},
        headers={"accept-language": language},
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "<html" in page and 'name="viewport"' in page  # a page, not one line of text
    for text in texts:
        assert text in page


def test_staff_sessions_expire(client, staff):
    attempt(client, "right-password-123")
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["max-age"] in ("", 0)  # ends with the browser
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


# --- Behind a reverse proxy -----------------------------------------------------------------
# Every request reaches Django from the proxy, so REMOTE_ADDR is the proxy's for everyone; the
# client is the address the proxy appended to X-Forwarded-For. Without a proxy that header comes
# from the client itself and must change nothing.

PROXY = "127.0.0.1"  # nginx on the same machine, as the README's deployment has it


def settings_for(monkeypatch, **env):
    """config/settings.py evaluated afresh with ``env`` added to the environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


@pytest.fixture
def proxy_count(settings, monkeypatch):
    """Apply the client address settings that ``DJANGO_PROXY_COUNT=n`` gives. django-axes reads
    them on every request (axes.helpers.get_client_ip_address), so overriding them is enough."""

    def apply(count):
        fresh = settings_for(monkeypatch, DJANGO_PROXY_COUNT=str(count))
        for name, value in fresh.items():
            if name.startswith(("AXES_IPWARE_", "IPWARE_")):
                setattr(settings, name, value)

    return apply


def attempt_from(client, password, forwarded_for, remote_addr=PROXY):
    return client.post(
        LOGIN,
        {"username": "clerk", "password": password, "next": "/admin/"},
        headers={"X-Forwarded-For": forwarded_for},
        REMOTE_ADDR=remote_addr,
    )


def test_behind_a_proxy_clients_are_counted_apart(proxy_count, staff):
    proxy_count(1)
    mistaken, colleague = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(mistaken, "wrong", "192.168.1.10")
    assert attempt_from(mistaken, "right-password-123", "192.168.1.10").status_code == 429
    # A colleague behind the same proxy is not locked out by the other's mistakes.
    assert attempt_from(colleague, "right-password-123", "192.168.1.11").status_code == 302
    assert colleague.get("/admin/").status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.168.1.10"]


def test_behind_a_proxy_a_forged_forwarded_for_does_not_escape_the_lock_out(proxy_count, staff):
    """The proxy appends the address it sees to whatever the client sent: the forged part is on
    the left, and only the right-most address counts."""
    proxy_count(1)
    client = Client()
    for forged in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, "wrong", f"10.9.8.{forged}, 192.168.1.10")
    assert attempt_from(client, "right-password-123", "10.9.8.99, 192.168.1.10").status_code == 429
    assert attempt_from(client, "right-password-123", "192.168.1.10").status_code == 429


def test_two_proxies_count_the_address_the_outer_one_saw(proxy_count, staff):
    """A load balancer in front of nginx: the client is the second address from the right."""
    proxy_count(2)
    client = Client()
    for forged in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, "wrong", f"10.9.8.{forged}, 192.168.1.10, 10.0.0.5")
    assert attempt_from(client, "right-password-123", "192.168.1.10, 10.0.0.5").status_code == 429
    assert attempt_from(Client(), "right-password-123", "192.168.1.11, 10.0.0.5").status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(proxy_count, staff):
    proxy_count(0)
    client = Client()
    for forged in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, "wrong", f"198.51.100.{forged}", remote_addr="192.0.2.7")
    response = attempt_from(client, "right-password-123", "198.51.100.99", remote_addr="192.0.2.7")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}
