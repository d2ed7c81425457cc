"""Admin login throttling and staff session expiry."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

LOGIN = f"/{settings.ADMIN_PATH}login/"


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


def test_staff_sessions_expire(client, staff):
    attempt(client, "right-password-123")
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["max-age"] in ("", 0)  # ends with the browser
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
