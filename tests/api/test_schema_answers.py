"""Real answers validated against the generated OpenAPI schema, one by one, for the cases
the fuzzing reaches too rarely to be sure of (issue 12, finding 10): an audit event
recorded by the system (no user) and the answer to DELETE on a dispute."""

from __future__ import annotations

from decimal import Decimal

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from communications.promises import dispute_set
from ledger.models import AuditEvent
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def generated(django_db_blocker):
    """The schema as served, generated once for the module."""
    from creditcontrol.wsgi import application

    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def api_schema(db, generated):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield generated
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def answer(api_schema, user, method: str, path: str, **parameters):
    """Call one operation for real as ``user``; fail if the answer breaks the schema."""
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    case = api_schema[path][method].Case(path_parameters=parameters)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    return response


def test_an_audit_event_without_a_user_matches_the_schema(api_schema, company, manager):
    AuditEvent.objects.create(company=company, user=None, action="update", model="customer",
                              object_id="1", object_repr="ACC001", source="worker")  # fmt: skip
    response = answer(api_schema, manager, "GET", "/api/v1/audit-events/")
    assert [row["user"] for row in response.json()["results"]] == [None]
    one = answer(api_schema, manager, "GET", "/api/v1/audit-events/{id}/",
                 id=AuditEvent.objects.get().pk)  # fmt: skip
    assert one.json()["user"] is None


def test_deleting_a_dispute_answers_as_the_schema_says(api_schema, customer, controller):
    entry = EntryFactory(customer=customer, amount=Decimal("500.00"))
    dispute = dispute_set(user=controller, entry=entry, amount=Decimal("200.00"),
                          reason="Goods damaged")  # fmt: skip
    response = answer(api_schema, controller, "DELETE", "/api/v1/disputes/{id}/", id=dispute.pk)
    assert response.status_code == 204 and response.content == b""
    again = answer(api_schema, controller, "DELETE", "/api/v1/disputes/{id}/", id=dispute.pk)
    assert again.status_code == 204  # ending twice is harmless
    dispute.refresh_from_db()
    assert not dispute.is_open
