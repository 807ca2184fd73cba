"""Large and hostile bodies on the API (findings 4 and 7): a realistic 10,000-entry batch
is accepted; a body over the limit, deeply nested JSON or an unhandled error answers
JSON with a message, never an HTML page."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from ledger.models import LedgerEntry
from tests.conftest import api_as
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/ledger-entries/sync/"


def entry_rows(n: int) -> list[dict]:
    # Shaped like an accounting system's export: every field given, as the README shows.
    return [
        {"external_ref": f"NW-INV-{i:07d}", "customer_ref": "NW-CUS-00001", "entry_type": "invoice",
         "document_no": f"INV-{i:07d}", "document_date": "2026-10-01", "due_date": "2026-10-31",
         "description": f"Invoice {i:07d} for goods delivered under order PO-{i:07d}",
         "currency": "GBP", "amount": "1234.56", "remaining": "1234.56",
         "expected_payment_date": None, "exclude_forever": False, "exclude_until": None}
        for i in range(n)
    ]  # fmt: skip


def test_a_10000_entry_batch_is_accepted(company, integrator):
    CustomerFactory(company=company, external_ref="NW-CUS-00001")
    body = json.dumps({"company": company.code, "rows": entry_rows(10_000)})
    assert len(body) > 2.5 * 1024 * 1024  # over Django's default limit
    started = time.monotonic()
    response = api_as(integrator).post(ENTRIES, body, content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == 10_000
    assert LedgerEntry.objects.count() == 10_000
    print(f"10,000-entry sync: {time.monotonic() - started:.1f} s")  # noqa: T201


def _anonymous_json_client() -> Client:
    return Client(raise_request_exception=False)


def test_an_over_large_body_answers_json_413_on_every_api_endpoint(settings, integrator):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_as(integrator)
    big = json.dumps({"company": "X", "rows": [{"external_ref": "x" * 50}] * 100})
    for url in (ENTRIES, "/api/v1/customers/", "/api/v1/communications/"):
        response = client.post(url, big, content_type="application/json")
        assert response.status_code == 413, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        message = response.json()["errors"][0]["message"]
        assert "too large" in message


def test_deeply_nested_json_is_a_400_not_a_500(integrator):
    client = api_as(integrator)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_an_unhandled_api_error_answers_json_in_production(settings, integrator, monkeypatch):
    from ledger.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(views.CustomerViewSet, "list", boom)
    client = api_as(integrator)
    client.raise_request_exception = False
    response = client.get("/api/v1/customers/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["message"].startswith("Something went wrong")
    assert "something broke" not in response.content.decode()  # no internals
