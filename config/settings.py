"""Settings for the champions registry, read from the environment.

Environment variables (the README's settings table has them all, with their defaults):
- ``DATABASE_URL``: unset means an SQLite file beside ``manage.py``; ``postgres://…`` uses psycopg.
- ``DATABASE_REPLICA_URL``: a read replica for the public pages (champions/routing.py).
- ``DJANGO_CONN_MAX_AGE``: seconds a database connection is kept (default 60).
- ``SQLITE_TEST_NAME``: the file of the test suite's SQLite database (default in memory).
- ``DJANGO_SECRET_KEY``: required unless ``DJANGO_DEBUG`` is on.
- ``DJANGO_DEBUG``: ``1``/``true``/``yes``/``on`` turns debug on; off by default.
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names.
- ``DJANGO_HTTPS``: on by default when debug is off: HTTPS redirect, secure cookies, HSTS.
- ``DJANGO_HSTS_SECONDS``: HSTS max-age (default a year with HTTPS, else 0).
- ``DJANGO_CSRF_TRUSTED_ORIGINS``: comma-separated origins (``https://registry.example.org``).
- ``DJANGO_ADMIN_PATH``: where the admin lives (default ``admin/``).
- ``DJANGO_SESSION_HOURS``: how long a staff session lasts without activity (default 8).
- ``DJANGO_LOGIN_FAILURE_LIMIT``: failed logins before a user name and address are locked out
  (default 5).
- ``DJANGO_PROXY_COUNT``: reverse proxies in front that append to ``X-Forwarded-For`` (default
  0: the header is ignored).
- ``DJANGO_CACHE_URL``: ``redis://host:port/db`` (or ``rediss://``) for Redis; unset, the
  database cache table.
- ``DJANGO_STATIC_ROOT``: where ``collectstatic`` writes (default ``staticfiles/``).
- ``DJANGO_UPLOAD_DIR``: where files uploaded for import in the admin are kept (default
  ``uploads/``).
- ``CHAMPIONS_CITY_CODE``: the city the public pages are about (default 330300, Wenzhou).
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for a local development server."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "champions.apps.ChampionsAdminConfig",  # django.contrib.admin, with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    # Background imports: the backport of Django 6's tasks, with the queue in the database.
    "django_tasks",
    "django_tasks_db",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "champions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that every response carries the policy, static files too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "champions.routing.PublicReadsFromReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "champions.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A read replica of the primary, for the public pages; see champions/routing.py.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer is given up on quickly: the pages then read from the
        # primary (champions/routing.py).
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
DATABASE_ROUTERS = ["champions.routing.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Transactions that write take the lock up front, so two writers queue instead of failing
    # half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# JSON fixtures and backups keep full-precision timestamps; see champions/serializers.py.
SERIALIZATION_MODULES = {"json": "champions.serializers"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

#: Files uploaded for import in the admin, kept for their confirmation and as the record.
CHAMPIONS_UPLOAD_DIR = Path(os.environ.get("DJANGO_UPLOAD_DIR") or BASE_DIR / "uploads")

# Background work (large imports from the admin) through django-tasks, queued in the database:
# `manage.py db_worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content hashes in their names, served by WhiteNoise with far-future
    # cache headers; `collectstatic` builds them.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Security. Behind a TLS-terminating proxy that sets X-Forwarded-Proto, as a deployment should be.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response, public pages and admin alike: scripts,
# styles, images and fonts from this site only, no inline script or style (the templates keep
# theirs in static files), no plugins, no framing, forms posting to this site only. A template
# that must keep an inline script gives it ``nonce="{{ request.csp_nonce }}"``; the nonce is in
# the header only on responses that use it, so the cached public pages, which never do, stay
# the same for everyone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(float(os.environ.get("DJANGO_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle session ends

# Admin login throttling (django-axes): five failures for one user name from one address lock
# that pair out for a quarter of an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "champions.auth.lockout_page"
# The client's address, found by django-ipware. Behind DJANGO_PROXY_COUNT reverse proxies, each
# appending the address it got the request from to X-Forwarded-For (nginx's
# $proxy_add_x_forwarded_for), the client is the count-th address from the right of that header:
# what a client sends itself stays on the left and is never used. django-ipware counts the
# proxies listed in the header, which leaves out the last one (its address is REMOTE_ADDR), and
# with IPWARE_STRICT off it takes that position even when a client has put more addresses in
# front, instead of falling back to the proxy's address that every staff member shares. Without
# a proxy the header is ignored: any client can send it.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be 0 (no proxy) or more.")
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = False

LOGIN_URL = "admin:login"


# The public pages' cache and the data version that every write replaces (champions/cache.py).
# Every process (web workers, import commands) must share it: by default a table of the database
# (created after migrate), which needs nothing else; with many web machines, Redis.
def cache_from_url(url):
    """``CACHES["default"]`` for ``DJANGO_CACHE_URL``: the database cache table when it is empty,
    Django's Redis backend for a ``redis://host:port/db`` or ``rediss://`` (TLS) URL."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "champions_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        # The URL itself is not repeated: it may hold a password.
        found = f"starts with {parts.scheme + ':'!r}" if parts.scheme else "has no scheme"
        raise ImproperlyConfigured(
            "DJANGO_CACHE_URL must be a redis://host:port/db or rediss://host:port/db URL, or "
            f"unset for the database cache; the one set {found}."
        )
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise ImproperlyConfigured("DJANGO_CACHE_URL has a port that is not a number.") from None
    if not parts.hostname or not re.fullmatch(r"/?[0-9]*", parts.path):
        raise ImproperlyConfigured(
            "DJANGO_CACHE_URL must name a host, and a database number as its path: "
            "redis://host:port/db."
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


CACHES = {"default": cache_from_url(os.environ.get("DJANGO_CACHE_URL", "").strip())}

# The city whose registry this is: the public pages and the province comparison are about it.
CHAMPIONS_CITY_CODE = os.environ.get("CHAMPIONS_CITY_CODE", "330300")

CHAMPIONS_VERBOSE_NAME = _("Champions registry")
