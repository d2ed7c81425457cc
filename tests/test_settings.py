"""Settings come from the environment, and production refuses to start without a secret key."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


def setting_in(env, expression):
    """``expression`` on the settings module ``s``, imported in a fresh interpreter with ``env``
    for the DJANGO_ variables (and a throwaway secret key); return (exit code, output)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import config.settings as s, json; print(json.dumps({expression}))",
        ],
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_cache_is_the_database_table_unless_a_redis_url_is_set():
    code, output = setting_in({}, "s.CACHES")
    assert code == 0, output
    assert json.loads(output)["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert json.loads(output)["default"]["LOCATION"] == "champions_cache"
    for url in ("redis://127.0.0.1:6379/1", "rediss://:secret@cache.internal:6380/2", "redis://h"):
        code, output = setting_in({"DJANGO_CACHE_URL": url}, "s.CACHES")
        assert code == 0, output
        assert json.loads(output) == {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memcached://user:secret@127.0.0.1:11211", "the one set starts with 'memcached:'"),
        ("127.0.0.1:6379", "the one set has no scheme"),
        ("redis://cache.internal:port/0", "DJANGO_CACHE_URL has a port that is not a number"),
        ("redis://cache.internal:6379/zero", "a database number as its path"),
        ("redis:///0", "must name a host"),
    ],
)
def test_any_other_cache_url_refuses_to_start_and_says_why(url, message):
    code, output = setting_in({"DJANGO_CACHE_URL": url}, "s.CACHES")
    assert code != 0
    assert "ImproperlyConfigured" in output and message in output, output
    assert "secret" not in output  # a password in the URL is not repeated


def test_manage_py_names_a_wrong_cache_url():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**clean, "DJANGO_DEBUG": "1", "DJANGO_CACHE_URL": "memcached://127.0.0.1:11211"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "manage.py: DJANGO_CACHE_URL must be a redis://host:port/db" in result.stderr


def test_the_proxy_count_decides_whether_x_forwarded_for_is_read():
    expression = "[s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT]"
    assert json.loads(setting_in({}, expression)[1]) == [["REMOTE_ADDR"], None]
    assert json.loads(setting_in({"DJANGO_PROXY_COUNT": "0"}, expression)[1]) == [
        ["REMOTE_ADDR"],
        None,
    ]
    # django-ipware counts the proxies listed in the header: all but the last one.
    assert json.loads(setting_in({"DJANGO_PROXY_COUNT": "2"}, expression)[1]) == [
        ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        1,
    ]
    code, output = setting_in({"DJANGO_PROXY_COUNT": "-1"}, expression)
    assert code != 0 and "DJANGO_PROXY_COUNT must be 0" in output


#: How the settings and the commands read a variable: os.environ.get("X", ...), os.environ["X"],
#: env_bool("X", ...), env_list("X", ...).
ENV_READ = re.compile(
    r"""(?:os\.environ\.get\(|os\.environ\[|env_bool\(|env_list\()\s*["']([A-Z0-9_]+)["']"""
)


def readme_settings_table():
    """The variables the README's settings table lists, from its first column."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])}


def test_the_readme_lists_every_variable_the_settings_and_commands_read():
    sources = [ROOT / "config" / "settings.py", *sorted((ROOT / "champions").rglob("*.py"))]
    read = {name for path in sources for name in ENV_READ.findall(path.read_text("utf-8"))}
    # The scan itself works: it finds what the settings are known to read.
    assert {"DATABASE_URL", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DJANGO_CACHE_URL"} <= read
    assert "DJANGO_SUPERUSER_PASSWORD" in read
    missing = read - readme_settings_table()
    assert not missing, f"README.md's settings table lacks {sorted(missing)}"
