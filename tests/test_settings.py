"""Settings come from the environment, and production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_in(env):
    """Import the settings in a fresh interpreter with exactly ``env``; return (code, output)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    script = (
        "import config.settings as s, json;"
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'],"
        " str(s.DATABASES['default']['NAME']), s.ALLOWED_HOSTS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    code, output = settings_in({})
    assert code != 0
    assert "DJANGO_SECRET_KEY is not set" in output


def test_debug_allows_a_development_key_and_sqlite_by_default():
    code, output = settings_in({"DJANGO_DEBUG": "1"})
    assert code == 0, output
    assert '[true, "django.db.backends.sqlite3"' in output
    assert str(ROOT / "db.sqlite3") in output


def test_database_url_and_hosts_from_the_environment():
    code, output = settings_in(
        {
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://root@127.0.0.1:5432/registry",
            "DJANGO_ALLOWED_HOSTS": "champions.example.org, www.example.org",
        }
    )
    assert code == 0, output
    assert '[false, "django.db.backends.postgresql", "registry", ' in output
    assert '["champions.example.org", "www.example.org"]' in output
    code, output = settings_in({"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert '"/tmp/x.sqlite3"' in output


def test_admin_path_from_the_environment():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    script = (
        "import django; django.setup(); from django.urls import reverse;"
        "print(reverse('admin:index'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_DEBUG": "1",
            "DJANGO_ADMIN_PATH": "/backoffice/",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "/backoffice/", result.stderr


def test_manage_py_says_why_it_refuses_to_start():
    """Without a key, a command names the missing setting instead of Django's later
    "Models aren't loaded yet"."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "manage.py: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "AppRegistryNotReady" not in result.stderr
