"""Production settings: Django's deployment check is clean, and security headers are sent."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_https_settings_redirect_and_mark_cookies_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz")
    assert response.status_code == 200  # the health check stays reachable over plain HTTP
    response = client.get("/api/summary.json")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get("/api/summary.json", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure["X-Content-Type-Options"] == "nosniff"
    # Behind the proxy, X-Forwarded-Proto says the request came over HTTPS.
    proxied = client.get("/api/summary.json", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
