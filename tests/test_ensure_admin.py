"""``ensure_admin``: the quick start's administrator account and its password."""

import pytest
from django.contrib.auth import get_user_model

from tests.import_helpers import run_command

pytestmark = pytest.mark.django_db


def test_a_generated_password_is_the_last_line_and_works(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    outcome = run_command("ensure_admin")
    assert outcome.code == 0
    last = outcome.lines[-1]
    assert last.startswith("Created administrator “admin”; password: ")
    password = last.rsplit(" ", 1)[1]
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_the_environment_password_is_set_on_a_new_and_on_an_existing_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-password-123")
    created = run_command("ensure_admin")
    assert "with the password in DJANGO_SUPERUSER_PASSWORD" in created.out
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("first-password-123")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-password-456")
    again = run_command("ensure_admin")
    assert "its password is now the one in DJANGO_SUPERUSER_PASSWORD" in again.out
    admin.refresh_from_db()
    assert admin.check_password("second-password-456")


def test_without_the_environment_an_existing_password_is_kept(monkeypatch):
    get_user_model().objects.create_superuser("admin", "", "changed-by-someone-789")
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    outcome = run_command("ensure_admin")
    assert "already exists; its password is unchanged" in outcome.out
    assert get_user_model().objects.get(username="admin").check_password("changed-by-someone-789")


def test_the_messages_are_in_the_language_of_the_run(monkeypatch):
    import io

    from django.core.management import call_command
    from django.utils import translation

    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("ensure_admin", stdout=out)
    assert "已创建管理员“admin”，密码：" in out.getvalue().strip().splitlines()[-1]
