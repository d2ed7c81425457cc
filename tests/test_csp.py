"""Content-Security-Policy on every response: the public pages (cached or not), their twins,
errors, the health check and the admin. No inline script or style is allowed, so no template
may have one (the browser tests check the pages in chromium with the policy on)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_pages import LISTS, PAGES, build_registry

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture
def registry():
    return build_registry()


def policy(response):
    header = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return directives


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    return directives


def test_every_public_response_carries_the_policy(client, registry):
    firm = f"/enterprises/{registry['alpha'].pk}/"
    urls = [*PAGES, firm, "/api/summary.json", "/healthz", "/no-such-page/"]
    urls += [f"{url}?format={twin}" for url in LISTS for twin in ("csv", "json")]
    for _ in range(2):  # computed, then from the cache
        for url in urls:
            directives = assert_strict(client.get(url))
            # The cached pages are the same for everyone: they use no nonce.
            assert "nonce-" not in directives.get("script-src", ""), url
    assert_strict(client.post("/"))
    assert_strict(client.get("/static/champions/site.css"))


def test_the_admin_carries_the_policy(admin_client):
    admin = "/" + settings.ADMIN_PATH
    for url in [admin, admin + "champions/enterprise/", admin + "champions/enterprise/add/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)
    assert_strict(admin_client.get(admin + "login/"))


def test_no_template_has_an_inline_script_or_style():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"")
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert not found
