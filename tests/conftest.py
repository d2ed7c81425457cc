import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from champions.models import Batch, Enterprise, Industry, Region, Tier
from champions.validators import credit_code_check_character


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
