"""Faults: the database unreachable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for url in URLS:
    response = client.get(url)
    answers[url] = [response.status_code, response.content.decode()]
login = client.post("/admin/login/", {"username": "someone", "password": "secret"})
answers["login"] = [login.status_code, login.content.decode()]
print(json.dumps(answers))
"""

URLS = ["/", "/enterprises/", "/enterprises/?format=json", "/api/summary.json", "/healthz"]


@pytest.fixture(scope="session")
def production_environment(tmp_path_factory):
    """The environment of a production process, with its static files collected."""
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECRET_KEY": "production-like-key-" + "x" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return env


@pytest.mark.parametrize(
    "database_url",
    ["postgres://root@127.0.0.1:9/nowhere", "sqlite:////nonexistent-folder/registry.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_pages_answer_503_without_internals_when_the_database_is_down(
    production_environment, database_url
):
    env = {**production_environment, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", f"URLS = {URLS!r}\n{PROBE}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for url, (status, body) in answers.items():
        assert status == 503, (url, status, body[:300])
        for internal in ("Traceback", "OperationalError", "psycopg", "sqlite", "127.0.0.1"):
            assert internal not in body, (url, internal)
    assert json.loads(answers["/healthz"][1]) == {
        "status": "unavailable",
        "database": "unreachable",
    }
    # The JSON endpoint answers JSON, the pages a page.
    assert json.loads(answers["/api/summary.json"][1])["error"] == "unavailable"
    assert json.loads(answers["/enterprises/?format=json"][1])["error"] == "unavailable"
    assert "暂时无法访问" in answers["/"][1]


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
