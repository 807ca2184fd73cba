"""Which database a read goes to when a replica is configured, and that nothing changes
without one (creditcontrol/db_router.py states the rules)."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from creditcontrol import db_router
from creditcontrol.db_router import (
    REPLICA,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    mark_wrote,
    read_database,
)
from tests.factories import CommunicationFactory, CustomerFactory

# Without the test's wrapping transaction: inside a transaction on the primary every read
# stays there (rule 4), which is not what most of these tests look at.
pytestmark = pytest.mark.django_db(transaction=True)

REPLICA_CONFIGURED = "replica" in connections.databases


@pytest.fixture
def with_replica(settings):
    """A replica in the settings (the decisions only: no connection is opened)."""
    if REPLICA not in settings.DATABASES:
        settings.DATABASES = {**settings.DATABASES, REPLICA: dict(settings.DATABASES["default"])}
    return settings


def decide(path: str, *, method: str = "GET", user=None, streaming: bool = False):
    """Run a request through the middleware; the view notes where a read would go."""
    seen: list[str] = []

    def view(request):
        seen.append(read_database("ledger"))
        if streaming:
            return StreamingHttpResponse(_reads(seen))
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method.lower())(path)
    request.user = user
    response = ReplicaReadsMiddleware(view)(request)
    if streaming:
        b"".join(response.streaming_content)
    return seen


def _reads(seen):
    for _ in range(2):
        seen.append(read_database("ledger"))
        yield b"row\n"


def test_without_a_replica_every_read_goes_to_the_primary(client, manager):
    if REPLICA_CONFIGURED:
        pytest.skip("a replica is configured in this run")
    assert decide("/reports/chase-debt/", user=manager) == [DEFAULT_DB_ALIAS]
    client.force_login(manager)
    assert client.get(reverse("reports:chase-debt")).status_code == 200
    assert client.get(reverse("reports:chase-debt-csv")).status_code == 200


def test_report_reads_go_to_the_replica_and_other_pages_to_the_primary(with_replica, manager):
    assert decide("/reports/aged-receivables/", user=manager) == [REPLICA]
    assert decide("/api/v1/reports/chase-debt/", user=manager) == [REPLICA]
    assert decide("/customers/", user=manager) == [DEFAULT_DB_ALIAS]
    assert decide("/", user=manager) == [DEFAULT_DB_ALIAS]
    assert decide("/api/v1/customers/", user=manager) == [DEFAULT_DB_ALIAS]
    # A POST to a report URL (none exists today) is not a read.
    assert decide("/reports/chase-debt/", method="POST", user=manager) == [DEFAULT_DB_ALIAS]
    # Outside any request (the engine's worker, a command): the primary.
    assert read_database("ledger") == DEFAULT_DB_ALIAS


def test_a_streamed_csv_is_read_from_the_replica_to_its_last_row(with_replica, manager):
    assert decide("/reports/chase-debt/csv/", user=manager, streaming=True) == [REPLICA] * 3


def test_who_just_wrote_reads_the_primary_until_the_mark_expires(with_replica, manager):
    from django.core.cache import cache

    decide("/communications/1/complete/", method="POST", user=manager)  # a write that succeeded
    assert decide("/reports/chase-debt/", user=manager) == [DEFAULT_DB_ALIAS]
    cache.clear()  # REPLICA_STICKY_SECONDS later
    assert decide("/reports/chase-debt/", user=manager) == [REPLICA]
    mark_wrote(manager)
    assert decide("/reports/chase-debt/", user=manager) == [DEFAULT_DB_ALIAS]


def test_a_refused_write_does_not_pin_reads_to_the_primary(with_replica, manager):
    def refused(request):
        return HttpResponse(status=400)

    request = RequestFactory().post("/api/v1/promises/")
    request.user = manager
    ReplicaReadsMiddleware(refused)(request)
    assert decide("/reports/chase-debt/", user=manager) == [REPLICA]


def test_sessions_users_and_transactions_stay_on_the_primary(with_replica, manager):
    scope = db_router._ReplicaReads(RequestFactory().get("/reports/"))
    scope._primary = False
    token = db_router._scope.set(scope)
    try:
        assert read_database("reports") == REPLICA
        for app in ("sessions", "auth", "authtoken", "axes"):
            assert read_database(app) == DEFAULT_DB_ALIAS, app
        with transaction.atomic():
            assert read_database("ledger") == DEFAULT_DB_ALIAS
    finally:
        db_router._scope.reset(token)


def test_writes_and_migrations_go_to_the_primary_only():
    router = ReplicaRouter()
    from ledger.models import Customer

    assert router.db_for_write(Customer) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "ledger") is True
    assert router.allow_migrate(REPLICA, "ledger") is False


@pytest.mark.skipif(not REPLICA_CONFIGURED, reason="set REPLICA_DATABASE_URL to run it")
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_chase_debt_page_reads_from_the_replica_connection(client, manager, company):
    """With a real second connection (the replica's settings; in tests it mirrors the
    primary's database): the report's queries run on it, the card's do not."""
    customer = CustomerFactory(company=company, name="Replica Reads Ltd")
    CommunicationFactory(customer=customer)
    client.force_login(manager)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = client.get(reverse("reports:chase-debt"))
    assert page.status_code == 200 and "Replica Reads Ltd" in page.content.decode()
    assert any("communications_communication" in q["sql"] for q in on_replica.captured_queries)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(reverse("ledger:customer-card", args=[customer.pk])).status_code == 200
    assert on_replica.captured_queries == []
