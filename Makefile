# The two commands of the README's quick start, and the steps they are made of.
#   make run    set up everything (SQLite, sample data, an admin account) and serve on :8000
#   make test   set up everything the tests need and run the whole suite
# DATABASE_URL=postgres://root@127.0.0.1:5432/champions make test   runs the suite on PostgreSQL.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test venv deps test-deps browser lint messages

$(PY):
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

deps: venv
	$(PIP) install --quiet --disable-pip-version-check -e .

test-deps: venv
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'

# Debian's chromium drives the browser tests (Playwright's own download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

run: deps
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py ensure_admin
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: test-deps browser
	$(VENV)/bin/pytest

lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*'
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore '.venv/*'
