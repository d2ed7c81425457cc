# The two commands of the README's quick start, and the steps they are made of.
#   make run    set up everything (SQLite, sample data, an admin account) and serve on :8000
#   make test   set up everything the tests need (packages, Redis) and run the whole suite
# DATABASE_URL=postgres://root@127.0.0.1:5432/champions make test   runs the suite on PostgreSQL.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test venv deps test-deps system-packages redis lint messages

$(PY):
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

deps: venv
	$(PIP) install --quiet --disable-pip-version-check -e .

test-deps: venv
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'

# Debian packages the tests use: chromium drives the browser tests (Playwright's own browser
# download cannot work offline), a CJK font lets it lay out Chinese pages as a visitor sees them,
# gettext checks that the translation catalogue matches the sources, and redis-server is the
# cache the tests run against besides the database's (DJANGO_CACHE_URL).
SYSTEM_PACKAGES := chromium fonts-wqy-microhei gettext redis-server
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# A Redis for the tests: started unless one answers already, without saving anything to disk.
redis: system-packages
	@[ "$$(redis-cli ping 2>/dev/null)" = PONG ] || { \
		echo "Starting redis-server"; \
		redis-server --daemonize yes --save '' --appendonly no >/dev/null; \
		for _ in $$(seq 50); do [ "$$(redis-cli ping 2>/dev/null)" = PONG ] && break; sleep 0.2; done; \
		[ "$$(redis-cli ping 2>/dev/null)" = PONG ] || { echo "redis-server does not answer" >&2; exit 1; }; \
	}

run: deps
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py ensure_admin
	# The worker of background imports beside the server, stopped with it.
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker' EXIT; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: test-deps system-packages redis
	$(VENV)/bin/pytest

lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*'
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore '.venv/*'
