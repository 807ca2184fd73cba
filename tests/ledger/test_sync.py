"""Customer and contact sync: idempotent, all or nothing, duplicates reported rather than created."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ledger import sync
from ledger.models import AuditEvent, Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def customer_rows(n: int = 3) -> list[dict]:
    return [
        {"external_ref": f"EXT{i}", "account_code": f"A{i:03d}", "name": f"Firm {i} Ltd",
         "postcode": f"LS{i} 1AA", "credit_limit": "1000", "payment_terms_days": 14}
        for i in range(n)
    ]  # fmt: skip


def test_new_customers_are_created_with_defaults_and_audited(company, integrator):
    result = sync.sync_customers(user=integrator, company=company, rows=customer_rows(2))
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    stored = Customer.objects.get(pk=result.ids[0])
    assert stored.external_ref == "EXT0"
    assert stored.currency == "GBP"  # the company's base currency
    assert stored.credit_limit == Decimal("1000.00")
    events = AuditEvent.objects.filter(model="ledger.customer", action="create")
    assert events.count() == 2
    assert {e.source for e in events} == {"api"}
    assert events.first().user == integrator


def test_same_batch_twice_changes_nothing(company, integrator):
    rows = customer_rows(3)
    sync.sync_customers(user=integrator, company=company, rows=rows)
    stamps = dict(Customer.objects.values_list("id", "updated_at"))
    events = AuditEvent.objects.count()

    again = sync.sync_customers(user=integrator, company=company, rows=rows)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(Customer.objects.values_list("id", "updated_at")) == stamps
    assert AuditEvent.objects.count() == events
    assert again.ids == list(stamps)


def test_json_values_and_csv_strings_are_read_alike(company, integrator):
    sync.sync_customers(user=integrator, company=company, rows=[
        {"external_ref": "X", "account_code": "A1", "name": "N", "credit_limit": 250.5,
         "on_hold": True, "payment_terms_days": 45}])  # fmt: skip
    again = sync.sync_customers(user=integrator, company=company, rows=[
        {"external_ref": "X", "account_code": "A1", "name": "N", "credit_limit": "250.50",
         "on_hold": "yes", "payment_terms_days": "45"}])  # fmt: skip
    assert again.unchanged == 1


def test_changed_row_updates_only_that_customer_and_audits_the_difference(company, integrator):
    rows = customer_rows(2)
    sync.sync_customers(user=integrator, company=company, rows=rows)
    untouched = Customer.objects.get(external_ref="EXT1").updated_at
    # Payment terms are master data (the accounting system's); the credit limit, once the
    # customer exists, is ours and not the sync's (test_sync_never_overwrites_credit_control_fields).
    rows[0]["payment_terms_days"] = 60

    result = sync.sync_customers(user=integrator, company=company, rows=rows, source="csv")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Customer.objects.get(external_ref="EXT0").payment_terms_days == 60
    assert Customer.objects.get(external_ref="EXT1").updated_at == untouched
    event = AuditEvent.objects.get(action="update")
    assert (event.before, event.after, event.source) == (
        {"payment_terms_days": 14},
        {"payment_terms_days": 60},
        "csv",
    )


def test_one_bad_row_writes_nothing_and_every_bad_row_is_named(company, integrator):
    rows = customer_rows(5)
    rows[1]["credit_limit"] = "-5"
    rows[3]["debtor_rating"] = "excellent"
    rows[4].pop("external_ref")

    result = sync.sync_customers(user=integrator, company=company, rows=rows)

    assert not result.ok and result.ids == []
    assert [(e["index"], e["field"]) for e in result.errors] == [
        (1, "credit_limit"), (3, "debtor_rating"), (4, "external_ref")]  # fmt: skip
    assert "cannot be negative" in result.errors[0]["message"]
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_unknown_field_and_non_object_rows_are_errors(company, integrator):
    rows = [{"external_ref": "X", "account_code": "A", "name": "N", "colour": "red"}, "oops"]
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(0, "colour"), (1, "")]


def test_same_external_ref_twice_in_a_batch_is_an_error(company, integrator):
    rows = customer_rows(2)
    rows[1]["external_ref"] = "EXT0"
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "external_ref")]
    assert Customer.objects.count() == 0


def test_new_customer_needs_code_and_name_but_an_update_does_not(company, integrator):
    sync.sync_customers(user=integrator, company=company, rows=customer_rows(1))
    result = sync.sync_customers(user=integrator, company=company, rows=[
        {"external_ref": "EXT0", "city": "York"}, {"external_ref": "NEW", "city": "York"}])  # fmt: skip
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "account_code"), (1, "name")]
    ok = sync.sync_customers(user=integrator, company=company,
                             rows=[{"external_ref": "EXT0", "city": "York"}])  # fmt: skip
    assert ok.updated == 1
    stored = Customer.objects.get(external_ref="EXT0")
    assert (stored.city, stored.name) == ("York", "Firm 0 Ltd")


def test_account_code_of_another_customer_is_reported_as_duplicate(company, integrator):
    existing = CustomerFactory(company=company, account_code="A000", external_ref="")
    result = sync.sync_customers(user=integrator, company=company, rows=customer_rows(2))
    assert result.errors == [{
        "index": 0, "field": "account_code", "duplicate_of": existing.pk, "duplicate_in": "database",
        "message": result.errors[0]["message"]}]  # fmt: skip
    assert "A000" in result.errors[0]["message"]
    assert Customer.objects.count() == 1


def test_account_code_clash_is_refused_even_with_allow_duplicate_name(company, integrator):
    CustomerFactory(company=company, account_code="A000")
    rows = customer_rows(1)
    rows[0]["allow_duplicate_name"] = True
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [e["field"] for e in result.errors] == ["account_code"]


def test_account_code_twice_in_a_batch_names_the_earlier_row(company, integrator):
    rows = customer_rows(3)
    rows[2]["account_code"] = "A000"
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["duplicate_of"], e["duplicate_in"]) for e in result.errors] == [
        (2, 0, "batch")]  # fmt: skip


def test_same_name_and_postcode_is_a_duplicate_ignoring_case_and_spaces(company, integrator):
    existing = CustomerFactory(company=company, name="Bolt & Nut Ltd", postcode="LS1 4AB")
    rows = [{"external_ref": "NEW", "account_code": "B2", "name": "  bolt & nut LTD ",
             "postcode": "ls1 4ab "}]  # fmt: skip
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["field"], e["duplicate_of"]) for e in result.errors] == [("name", existing.pk)]
    assert "allow_duplicate_name" in result.errors[0]["message"]

    rows[0]["allow_duplicate_name"] = "true"
    accepted = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert accepted.created == 1


def test_same_name_and_postcode_within_the_batch_is_a_duplicate(company, integrator):
    rows = customer_rows(2)
    rows[1].update(name="FIRM 0 LTD", postcode="ls0 1aa")
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"], e["duplicate_of"], e["duplicate_in"])
            for e in result.errors] == [(1, "name", 0, "batch")]  # fmt: skip
    rows[1]["allow_duplicate_name"] = True
    assert sync.sync_customers(user=integrator, company=company, rows=rows).created == 2


def test_same_name_elsewhere_or_in_another_company_is_not_a_duplicate(
    company, other_company, integrator
):
    CustomerFactory(company=company, name="Firm 0 Ltd", postcode="YO1 1AA")
    CustomerFactory(company=other_company, name="Firm 1 Ltd", postcode="LS1 1AA")
    result = sync.sync_customers(user=integrator, company=company, rows=customer_rows(2))
    assert result.ok and result.created == 2


def test_updating_a_customer_is_not_a_duplicate_of_itself(company, integrator):
    sync.sync_customers(user=integrator, company=company, rows=customer_rows(2))
    rows = customer_rows(2)
    rows[0]["city"] = "Leeds"
    assert sync.sync_customers(user=integrator, company=company, rows=rows).updated == 1


def test_controller_is_given_by_username_and_must_belong_to_the_company(
    company, integrator, controller, outsider
):
    rows = customer_rows(2)
    rows[0]["controller"] = "carol"
    rows[1]["controller"] = str(outsider.pk)
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "controller")]
    rows[1]["controller"] = controller.pk
    assert sync.sync_customers(user=integrator, company=company, rows=rows).ok
    assert set(Customer.objects.values_list("controller", flat=True)) == {controller.pk}


@pytest.mark.parametrize("who", ["controller", "outsider"])
def test_controller_and_outsider_may_not_sync(company, request, who):
    with pytest.raises(PermissionDenied):
        sync.sync_customers(user=request.getfixturevalue(who), company=company,
                            rows=customer_rows(1))  # fmt: skip
    assert Customer.objects.count() == 0


def test_manager_may_sync(company, manager):
    assert sync.sync_customers(user=manager, company=company, rows=customer_rows(1)).created == 1


# --- Contacts ---------------------------------------------------------------------------


def contact_rows(customer) -> list[dict]:
    return [
        {"external_ref": "P1", "customer_ref": customer.external_ref, "first_name": "Ann",
         "last_name": "Lee", "email": "ann@x.example", "is_credit_contact": True},
        {"external_ref": "P2", "customer": customer.pk, "last_name": "Roe", "email": "r@x.example"},
    ]  # fmt: skip


@pytest.fixture
def synced_customer(company):
    return CustomerFactory(company=company, external_ref="CUST-1")


def test_contacts_sync_by_customer_ref_or_id_and_are_idempotent(
    company, integrator, synced_customer
):
    rows = contact_rows(synced_customer)
    first = sync.sync_contacts(user=integrator, company=company, rows=rows)
    assert (first.created, first.ok) == (2, True)
    assert set(synced_customer.contacts.values_list("external_ref", flat=True)) == {"P1", "P2"}
    events = AuditEvent.objects.count()
    again = sync.sync_contacts(user=integrator, company=company, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == events


def test_unknown_customer_ref_is_an_error(company, integrator, synced_customer):
    rows = contact_rows(synced_customer)
    rows[1] = {"external_ref": "P2", "customer_ref": "NOPE", "last_name": "Roe"}
    result = sync.sync_contacts(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "customer_ref")]
    assert "NOPE" in result.errors[0]["message"]
    assert Contact.objects.count() == 0


def test_customer_of_another_company_cannot_be_named(company, other_company, integrator):
    foreign = CustomerFactory(company=other_company, external_ref="F1")
    result = sync.sync_contacts(user=integrator, company=company, rows=[
        {"external_ref": "P", "customer": foreign.pk, "last_name": "X"}])  # fmt: skip
    assert [e["field"] for e in result.errors] == ["customer"]


def test_contact_with_same_email_at_the_customer_is_a_duplicate(
    company, integrator, synced_customer
):
    existing = ContactFactory(customer=synced_customer, email="Ann@X.example", external_ref="")
    result = sync.sync_contacts(user=integrator, company=company,
                                rows=contact_rows(synced_customer))  # fmt: skip
    assert [(e["index"], e["field"], e["duplicate_of"]) for e in result.errors] == [
        (0, "email", existing.pk)]  # fmt: skip


def test_naming_a_credit_contact_demotes_the_old_one(company, integrator, synced_customer):
    old = ContactFactory(customer=synced_customer, is_credit_contact=True)
    result = sync.sync_contacts(user=integrator, company=company,
                                rows=contact_rows(synced_customer))  # fmt: skip
    assert result.ok
    old.refresh_from_db()
    assert not old.is_credit_contact
    assert Contact.objects.get(external_ref="P1").is_credit_contact
    assert AuditEvent.objects.filter(object_id=old.pk, model="ledger.contact",
                                     after={"is_credit_contact": False}).exists()  # fmt: skip


def test_two_credit_contacts_for_one_customer_in_a_batch_is_an_error(
    company, integrator, synced_customer
):
    rows = contact_rows(synced_customer)
    rows[1]["is_credit_contact"] = "yes"
    result = sync.sync_contacts(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "is_credit_contact")]
