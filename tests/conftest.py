"""Shared fixtures: two companies, a user of each role in the first, an outsider in the second."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from creditcontrol import roles
from tests.factories import CompanyFactory, CustomerFactory, user_in


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in throttling and DRF throttles count in the cache: start each test afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process in tests even when REDIS_URL is set, so a test sees what they
    did and nothing is left queued in Redis; a test marked ``redis`` runs a real worker
    and keeps the broker."""
    from creditcontrol.celery import app

    if request.node.get_closest_marker("redis"):
        yield
        return
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def company(db):
    return CompanyFactory(code="ACME", name="Acme Trading Ltd", base_currency="GBP")


@pytest.fixture
def other_company(db):
    return CompanyFactory(code="EURO", name="Euro Handel GmbH", base_currency="EUR",
                          time_zone="Europe/Berlin")  # fmt: skip


@pytest.fixture
def controller(company):
    return user_in(company, roles.CONTROLLER, username="carol")


@pytest.fixture
def manager(company):
    return user_in(company, roles.MANAGER, username="mike")


@pytest.fixture
def administrator(company):
    return user_in(company, roles.ADMINISTRATOR, username="ada")


@pytest.fixture
def integrator(company):
    return user_in(company, roles.INTEGRATOR, username="ivan")


@pytest.fixture
def outsider(other_company):
    """A manager of the other company: must never see the first company's data."""
    return user_in(other_company, roles.MANAGER, username="otto")


@pytest.fixture
def customer(company):
    return CustomerFactory(company=company, account_code="ACC001", name="Bolt & Nut Ltd")


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL's own behaviour (locks, COPY)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    from django.conf import settings

    # Hashing demo passwords with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
