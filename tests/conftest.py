import os

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from champions.models import Batch, Enterprise, Industry, Region, Tier
from champions.validators import credit_code_check_character
from config.settings import cache_from_url
from tests.browser_helpers import browser  # noqa: F401 (the fixture of the browser tests)

#: The Redis database the tests use, emptied before and after each test that uses it. Two test
#: runs at once on one machine need two numbers: ``CHAMPIONS_TEST_REDIS_URL`` chooses another.
TEST_REDIS_URL = os.environ.get("CHAMPIONS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
#: ``DJANGO_CACHE_URL`` for each variant of ``cache_backend``, for a command run in a subprocess.
CACHE_URLS = {"database": "", "redis": TEST_REDIS_URL}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Commands, validators and services speak English in tests, so tests can assert the source
    messages; pages follow the request's language (Chinese by default). The Chinese itself is
    checked in test_translations.py."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def plain_static_files(settings, tmp_path_factory):
    """Static files are found in the apps, without the ``collectstatic`` production runs."""
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp()
    settings.WHITENOISE_USE_FINDERS = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(params=list(CACHE_URLS))
def cache_backend(request, settings):
    """Run the test once with the database cache and once with Redis, as ``DJANGO_CACHE_URL``
    chooses in production; the value is the variant's name (``CACHE_URLS`` has its URL).

    Setting ``CACHES`` sends ``setting_changed``, on which Django closes the cache connections
    and forgets those of every thread, so ``django.core.cache.cache`` uses the new backend at
    once; the settings fixture puts the old one back the same way afterwards. The Redis variant
    is never skipped: a Redis that does not answer fails the test.
    """
    name = request.param
    if name == "redis":
        server = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            server.flushdb()
        except redis.RedisError as error:
            pytest.fail(
                f"Redis does not answer at {TEST_REDIS_URL} ({error}): start it with "
                "`redis-server --daemonize yes --save '' --appendonly no`, or run `make test`, "
                "which starts it."
            )
    settings.CACHES = {"default": cache_from_url(CACHE_URLS[name])}
    if name == "database":
        # The test database has the table when the suite's own settings use the database cache;
        # when DJANGO_CACHE_URL chose Redis for the run, it is made here (a no-op if it exists).
        request.getfixturevalue("db")
        call_command("createcachetable", verbosity=0)
    cache.clear()
    yield name
    if name == "redis":
        server.flushdb()
        server.close()


def make_credit_code(serial):
    """A valid credit code whose 17 first characters come from ``serial``."""
    body = f"91330300{serial:09d}"
    return body + credit_code_check_character(body)


@pytest.fixture
def wenzhou():
    return Region.objects.get(code="330300")


@pytest.fixture
def lucheng():
    return Region.objects.get(code="330302")


@pytest.fixture
def pumps():
    return Industry.objects.get(code="pumps_valves")


@pytest.fixture
def make_enterprise(lucheng):
    counter = iter(range(1, 10**6))

    def make(**fields):
        serial = next(counter)
        fields.setdefault("name", f"测试企业{serial:04d}有限公司")
        fields.setdefault("credit_code", make_credit_code(serial))
        fields.setdefault("region", lucheng)
        return Enterprise.objects.create(**fields)

    return make


@pytest.fixture
def single_champion():
    return Tier.objects.get(code="single_champion")


@pytest.fixture
def hidden_champion():
    return Tier.objects.get(code="hidden_champion")


@pytest.fixture
def national_batch(single_champion):
    return Batch.objects.create(tier=single_champion, number=6, year=2021)


@pytest.fixture
def provincial_batch(hidden_champion):
    return Batch.objects.create(tier=hidden_champion, number=1, year=2021)


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("staff", password="pw-for-tests", is_staff=True)
