"""The CSV import page: the same sync as the API, with errors shown by line, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ledger.models import AuditEvent, Customer, LedgerEntry
from ledger.views import imports as views_import
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = reverse("ledger:csv-import")

CUSTOMERS_CSV = (
    "external_ref,account_code,name,postcode,credit_limit\n"
    "SAGE-1,BOLT01,Bolt & Nut Ltd,LS1 4AB,5000.00\n"
    "SAGE-2,WIDG01,Widget Co,YO1 1AA,\n"
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, company, text: str | bytes, kind: str = "customers"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"company": company.pk, "kind": kind,
                             "file": SimpleUploadedFile("data.csv", data, "text/csv")})  # fmt: skip


def test_page_lists_only_visible_companies_and_documents_the_columns(
    company, other_company, manager
):
    response = client_for(manager).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert company.name in page and other_company.name not in page
    assert "customer_ref" in page and "allow_duplicate_name" in page  # columns documented
    assert "SAGE-INV-5001" in page  # the example


def test_import_creates_customers_and_shows_a_summary(company, manager):
    response = upload(client_for(manager), company, CUSTOMERS_CSV)
    assert response.status_code == 200
    assert response.context["result"].created == 2
    assert 'data-count="created">2<' in response.content.decode()
    assert Customer.objects.get(external_ref="SAGE-1").credit_limit == Decimal("5000.00")
    assert set(AuditEvent.objects.values_list("source", flat=True)) == {"csv"}


def test_same_file_twice_changes_nothing(company, manager):
    client = client_for(manager)
    upload(client, company, CUSTOMERS_CSV)
    response = upload(client, company, CUSTOMERS_CSV)
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_errors_are_shown_by_line_and_column_and_nothing_is_imported(company, manager):
    text = (
        "external_ref,account_code,name,credit_limit\n"
        "SAGE-1,BOLT01,Bolt,10\n"
        "SAGE-2,WIDG01,Widget,-5\n"
        "\n"  # a blank line still counts in the line numbers
        "SAGE-3,,Gizmo,1\n"
    )
    response = upload(client_for(manager), company, text)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(3, "credit_limit"), (5, "account_code")]
    page = response.content.decode()
    assert "Nothing was imported" in page and "cannot be negative" in page
    assert Customer.objects.count() == 0


def test_entries_import_uses_customer_refs(company, manager):
    CustomerFactory(company=company, external_ref="SAGE-1001")
    text = views_import.EXAMPLES["entries"]
    response = upload(client_for(manager), company, text, kind="entries")
    assert response.status_code == 200, response.context.get("errors")
    assert LedgerEntry.objects.get(external_ref="SAGE-PAY-300").remaining == Decimal("-400.00")


def test_semicolon_separated_file_with_bom_is_read(company, manager):
    text = "\ufeffexternal_ref;account_code;name\nS1;A1;Firm\n"
    response = upload(client_for(manager), company, text)
    assert response.status_code == 200
    assert Customer.objects.get().account_code == "A1"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("external_ref,account_code,name\nS1,A1,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"external_ref,account_code,name\n", "no rows"),
        (b"external_ref,acount_code,name\nS1,A1,N\n", "Unknown column: acount_code"),
        (b"external_ref,name,name\nS1,A,B\n", "twice"),
        (b"external_ref,account_code,name\nS1,A1,N,extra\n", "more cells"),
    ],
)
def test_bad_file_gets_a_clear_message(company, manager, content, words):
    response = upload(client_for(manager), company, content)
    assert response.status_code == 400
    assert words in response.context["file_error"]
    assert words in response.content.decode().replace("&#x27;", "'")
    assert Customer.objects.count() == 0


def test_file_over_the_size_limit_is_refused(company, manager, monkeypatch):
    monkeypatch.setattr(views_import, "MAX_BYTES", 50)
    response = upload(client_for(manager), company, CUSTOMERS_CSV)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert Customer.objects.count() == 0


def test_controller_gets_403_and_anonymous_is_sent_to_log_in(company, controller):
    assert client_for(controller).get(URL).status_code == 403
    assert upload(client_for(controller), company, CUSTOMERS_CSV).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Customer.objects.count() == 0


def test_outsider_cannot_import_into_another_company(company, outsider):
    response = upload(client_for(outsider), company, CUSTOMERS_CSV)
    assert response.status_code == 400
    assert "company" in response.context["form"].errors
    assert Customer.objects.count() == 0
