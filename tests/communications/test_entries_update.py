"""Updating the selected entries at once: status code, promise or query, and a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import EntryNote, EntryStatus, Promise, StatusCode
from communications.services import PromiseInput, communication_create, entries_update
from ledger.models import AuditEvent
from tests.factories import CustomerFactory, EntryFactory, status_code

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def entries(customer):
    return [EntryFactory(customer=customer, amount=Decimal("100.00")),
            EntryFactory(customer=customer, amount=Decimal("60.00"))]  # fmt: skip


def update(user, customer, entries, **kwargs):
    return entries_update(user=user, customer=customer, entry_ids=[e.pk for e in entries], **kwargs)


def statuses(entries):
    return {s.entry_id: s for s in EntryStatus.objects.filter(entry__in=entries)}


def test_status_code_is_set_on_every_selected_entry(controller, customer, entries):
    update(controller, customer, entries, status_code=status_code("COPY"))
    found = statuses(entries)
    assert {s.status_code.code for s in found.values()} == {"COPY"}
    assert set(found) == {e.pk for e in entries}
    assert {s.updated_by for s in found.values()} == {controller}
    assert AuditEvent.objects.filter(model="communications.entrystatus").count() == 2


def test_a_promised_code_records_one_promise_over_the_selection(controller, customer, entries):
    update(controller, customer, entries, status_code=status_code("PROM"),
           promise=PromiseInput(promised_on=dt.date(2026, 3, 17), is_full=True))  # fmt: skip
    p = Promise.objects.get()
    assert (p.amount, p.is_full, set(p.entries.all())) == (Decimal("160.00"), True, set(entries))
    assert {s.status_code.code for s in statuses(entries).values()} == {"PROM"}


def test_a_promised_code_with_a_partial_amount(controller, customer, entries):
    update(controller, customer, entries, status_code=status_code("PROM"),
           promise=PromiseInput(promised_on=dt.date(2026, 3, 17), amount=Decimal("40.00")))  # fmt: skip
    assert Promise.objects.get().amount == Decimal("40.00")


@pytest.mark.parametrize(
    ("promise", "field", "message"),
    [
        (None, "promised_on", "PROM needs a promised date."),
        (PromiseInput(promised_on=dt.date(2026, 3, 17), amount=Decimal("0")), "amount",
         "must be more than zero"),
        (PromiseInput(promised_on=dt.date(2026, 3, 17), amount=Decimal("160.01")), "amount",
         "more than the 160.00 GBP still open"),
        (PromiseInput(promised_on=dt.date(2026, 3, 9), is_full=True), "promised_on",
         "cannot be before 10 Mar 2026"),
    ],
)  # fmt: skip
def test_a_promised_code_refuses_a_bad_promise_and_writes_nothing(controller, customer, entries,
                                                                  promise, field, message):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        update(controller, customer, entries, status_code=status_code("PROM"), promise=promise,
               note="Promised on the phone")  # fmt: skip
    assert message in refused.value.message_dict[field][0]
    assert not EntryStatus.objects.exists()
    assert not EntryNote.objects.exists()
    assert not Promise.objects.exists()


def test_a_queried_code_defaults_target_to_today_and_owner_to_the_user(controller, customer,
                                                                       entries):  # fmt: skip
    update(controller, customer, entries, status_code=status_code("QRY"))
    assert {(s.query_target_on, s.query_owner) for s in statuses(entries).values()} == {
        (TODAY, controller)
    }


def test_the_default_target_is_today_in_the_companys_time_zone(controller, company):
    company.time_zone = "Pacific/Auckland"  # already 11 March there
    company.save()
    customer = CustomerFactory(company=company)
    entry = EntryFactory(customer=customer)
    update(controller, customer, [entry], status_code=status_code("QRY"))
    assert statuses([entry])[entry.pk].query_target_on == dt.date(2026, 3, 10)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        update(controller, customer, [entry], status_code=status_code("QRY"))
    assert statuses([entry])[entry.pk].query_target_on == dt.date(2026, 3, 11)


def test_a_queried_code_whose_owner_is_not_defaulted_needs_one(controller, manager, customer,
                                                               entries):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        update(controller, customer, entries, status_code=status_code("POD"))
    assert refused.value.message_dict == {"query_owner": ["Choose a person."]}
    update(controller, customer, entries, status_code=status_code("POD"), query_owner=manager,
           query_target_on=dt.date(2026, 3, 20))  # fmt: skip
    assert {(s.query_target_on, s.query_owner) for s in statuses(entries).values()} == {
        (dt.date(2026, 3, 20), manager)
    }


@pytest.mark.parametrize(
    ("target", "message"),
    [(dt.date(2026, 3, 9), "cannot be before 10 Mar 2026"),
     (dt.date(2027, 3, 12), "cannot be after 11 Mar 2027")],
)  # fmt: skip
def test_a_resolution_target_out_of_range_is_refused(controller, customer, entries, target,
                                                     message):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        update(controller, customer, entries, status_code=status_code("QRY"),
               query_target_on=target)  # fmt: skip
    assert message in refused.value.message_dict["query_target_on"][0]


def test_a_query_owner_outside_the_company_is_refused(controller, outsider, customer, entries):
    with pytest.raises(ValidationError, match="otto does not work on"):
        update(controller, customer, entries, status_code=status_code("QRY"), query_owner=outsider)


def test_another_code_clears_the_query(controller, customer, entries):
    update(controller, customer, entries, status_code=status_code("QRY"))
    update(controller, customer, entries, status_code=status_code("HOLD"))
    assert {(s.status_code.code, s.query_target_on, s.query_owner)
            for s in statuses(entries).values()} == {("HOLD", None, None)}  # fmt: skip
    change = AuditEvent.objects.filter(model="communications.entrystatus").order_by("pk").last()
    assert change.after["query_target_on"] is None


def test_a_note_is_added_to_each_entry_and_never_overwrites(controller, customer, entries):
    c = communication_create(user=controller, customer=customer, communication_type="telephone",
                             contact_type="telephone_made", subject="Call")  # fmt: skip
    update(controller, customer, entries, note="Sent copy invoices", communication=c)
    update(controller, customer, entries[:1], note="  Customer confirmed receipt  ")
    notes = EntryNote.objects.filter(entry=entries[0]).order_by("pk")
    assert [n.text for n in notes] == ["Sent copy invoices", "Customer confirmed receipt"]
    assert notes[0].communication == c
    assert EntryNote.objects.filter(entry=entries[1]).count() == 1
    assert not EntryStatus.objects.exists()


def test_nothing_to_do_is_refused(controller, customer, entries):
    with pytest.raises(ValidationError, match="Choose a status code or write a note"):
        update(controller, customer, entries, note="   ")
    with pytest.raises(ValidationError, match="Select at least one entry"):
        update(controller, customer, [], note="Hello")


def test_a_retired_code_is_refused(controller, customer, entries):
    StatusCode.objects.filter(code="COPY").update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        update(controller, customer, entries, status_code=status_code("COPY"))
    assert refused.value.message_dict == {"status_code": ["The status code COPY is retired."]}


@pytest.mark.parametrize("whose", ["another customer", "another company"])
def test_an_entry_of_another_customer_or_company_is_refused_with_nothing_written(
    controller, customer, company, other_company, entries, whose
):
    owner = company if whose == "another customer" else other_company
    stranger = EntryFactory(customer=CustomerFactory(company=owner))
    with pytest.raises(ValidationError, match=f"Entry {stranger.pk} is not a ledger entry"):
        update(controller, customer, [*entries, stranger], status_code=status_code("COPY"),
               note="Copies sent")  # fmt: skip
    assert not EntryStatus.objects.exists()
    assert not EntryNote.objects.exists()


def test_the_same_code_again_writes_no_audit_event(controller, customer, entries):
    update(controller, customer, entries, status_code=status_code("COPY"))
    events = AuditEvent.objects.count()
    update(controller, customer, entries, status_code=status_code("COPY"))
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["outsider", "integrator"])
def test_outsiders_and_integrators_cannot_update_entries(request, customer, entries, who):
    with pytest.raises(PermissionDenied):
        update(request.getfixturevalue(who), customer, entries, note="Mine")
