"""The API fuzzed against its own OpenAPI schema (schemathesis), as an integrator and as a
controller, on PostgreSQL: no request, however odd, answers 500, and every answer matches
the schema (a documented status code's body and content type are as described).

Bounded: a few examples per operation and per role, without shrinking, so it fits CI.
Write operations run against one company's small ledger in the test's transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.factories import ContactFactory, CustomerFactory, EntryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXAMPLES = 6
# Not status_code_conformance: the generic answers (401, 404 for a bad cursor, 413, 429)
# are described once in the README rather than on each of 150 operations.
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from creditcontrol.wsgi import application

    # As Django's test client does: a request must not close the test's connection (and
    # with it the transaction that is rolled back after the test).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ledger(company):
    for n in range(3):
        customer = CustomerFactory(company=company, external_ref=f"C{n}")
        ContactFactory(customer=customer, email=f"c{n}@example.com", is_credit_contact=True)
        EntryFactory(customer=customer, external_ref=f"I{n}")


def _token(user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))  # fmt: skip


def fuzz(api_schema, user) -> list[str]:
    """Every operation of the schema with a few generated requests; the failures, named."""
    headers = _token(user)
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            # A savepoint per request: on PostgreSQL a failed statement would otherwise
            # abort the test's transaction and every later request with it.
            with transaction.atomic():
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, at once
            failures.append(f"{operation.label}: {str(exc).strip()[:800]}")
    return failures


def test_the_api_as_an_integrator(api_schema, ledger, integrator):
    failures = fuzz(api_schema, integrator)
    assert not failures, "\n\n".join(failures)


def test_the_api_as_a_controller(api_schema, ledger, controller):
    failures = fuzz(api_schema, controller)
    assert not failures, "\n\n".join(failures)
