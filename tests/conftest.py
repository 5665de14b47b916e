"""Shared fixtures.

Tests run on whatever ``DATABASE_URL`` names: SQLite by default, PostgreSQL in
CI. Tests that need a real server say so with :func:`require_postgres` or the
``redis_url``/``redis_server`` fixtures; they are skipped on a bare machine but
fail in CI (``CI`` set), where every service must be there.
"""

from __future__ import annotations

import io
import os

import pytest
from rest_framework.test import APIClient

from tests.factories import PersonFactory
from tests.services import NEEDS_POSTGRES, free_port, redis_reachable, start_redis


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        # CI's SQLite run (CI_ENGINE=sqlite) is the zero-setup path: only there may a test that
        # needs PostgreSQL be skipped.
        if os.environ.get("CI_ENGINE") == "sqlite" and NEEDS_POSTGRES in str(report.longrepr):
            return
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every service must be available: {report.longrepr}"


@pytest.fixture(autouse=True, scope="session")
def _media_in_a_temporary_folder(tmp_path_factory):
    """Uploaded and demo images go to a folder of the run, never to ``var/media``."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords():
    """Factories and the demo hash a password per person; the production hasher takes most of a
    second for each on purpose, and would dominate the run."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with no rate-limit count and no feed version remembered."""
    from django.core.cache import cache

    from feeds import store

    cache.clear()
    store.clear()


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in French, the default language: a request in English leaves its
    language active in the thread, and an earlier test's request would otherwise carry over."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``manage.py load_demo`` run once for the tests of a module, which all read it: the load
    stays in a transaction around theirs (each still rolls back what it changes, as under
    Django's ``TestCase.setUpTestData``), rolled back after the module's last test."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def login():
    """``login(person)`` → an API client authenticated with that person's token."""

    def make(person) -> APIClient:
        from rest_framework.authtoken.models import Token

        client = APIClient()
        token, _ = Token.objects.get_or_create(user=person)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def redis_url() -> str:
    """The shared Redis (``REDIS_URL``, default 127.0.0.1:6379)."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_reachable(url):
        pytest.skip(f"Redis is not reachable at {url}")
    return url


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on a free port, for tests that stop it."""
    server = start_redis(tmp_path, free_port())
    if server is None:
        pytest.skip("redis-server is not installed")
    yield server
    server.stop()
