"""Loaded by pytest before Django is set up (``-p tests.environment`` in pyproject.toml).

The settings refuse to start without a secret key unless debug is on; the test suite runs with a
throwaway key instead of turning debug on, so that it sees the production settings.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-secret-key-not-for-any-deployment")
# The test client and the live server speak plain HTTP; HTTPS settings are tested on their own.
os.environ.setdefault("DJANGO_HTTPS", "0")
# The suite chooses its caches itself (the ``cache_backend`` fixture runs a test with each): a
# DJANGO_CACHE_URL exported in the shell would point other tests, and their cache.clear(), at
# that Redis.
os.environ.pop("DJANGO_CACHE_URL", None)
