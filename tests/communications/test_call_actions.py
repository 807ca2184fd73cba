"""Call actions: recorded on a communication, and what each type does beyond being kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import ActionType, CallAction, Dispute, Notification
from communications.services import call_action_record, communication_create
from creditcontrol import roles
from ledger.models import AuditEvent
from tests.factories import CustomerFactory, EntryFactory, action_type, response, user_in

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def communication(controller, customer):
    return communication_create(user=controller, customer=customer, communication_type="telephone",
                                contact_type="telephone_made", subject="Overdue March invoices")  # fmt: skip


@pytest.fixture
def invoice(customer):
    return EntryFactory(customer=customer, amount=Decimal("300.00"), document_no="INV1001")


def record(user, communication, name, **kwargs):
    return call_action_record(user=user, communication=communication,
                              action_type=action_type(name), **kwargs)  # fmt: skip


@pytest.mark.parametrize("name", ["Call", "Collection action", "Collection follow-up"])
def test_recorded_only_actions_are_kept_with_their_response(controller, communication, name):
    action = record(controller, communication, name, response=response("Agreed to pay"),
                    notes=" Call again Friday ")  # fmt: skip
    assert (action.customer, action.entry, action.response.name, action.notes) == (
        communication.customer, None, "Agreed to pay", "Call again Friday",
    )  # fmt: skip
    assert AuditEvent.objects.filter(model="communications.callaction", action="create").exists()


def test_an_action_for_one_entry_is_linked_to_it(controller, communication, invoice):
    assert record(controller, communication, "Call", entry=invoice).entry == invoice


def test_an_entry_of_another_customer_is_refused(controller, communication, company):
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    with pytest.raises(ValidationError, match="is not a ledger entry of customer ACC001"):
        record(controller, communication, "Call", entry=stranger)
    assert not CallAction.objects.exists()


def test_alert_notifies_every_manager_of_the_company_in_the_app_and_by_email(
    controller, manager, company, other_company, communication, invoice, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    second = user_in(company, roles.MANAGER, username="mary")
    user_in(other_company, roles.MANAGER, username="max")  # another company's manager
    with django_capture_on_commit_callbacks(execute=True):
        action = record(controller, communication, "Alert", entry=invoice,
                        notes="Threatening administration")  # fmt: skip
    notes = Notification.objects.order_by("user_id")
    assert [n.user for n in notes] == [manager, second]
    assert {n.call_action for n in notes} == {action}
    assert "Alert from carol: ACC001 Bolt & Nut Ltd" in notes[0].text
    assert "Threatening administration" in notes[0].text
    assert notes[0].link == f"/customers/{communication.customer_id}/"
    assert sorted(m.to[0] for m in mailoutbox) == ["mary@example.com", "mike@example.com"]
    assert mailoutbox[0].subject.startswith("[ACME] Alert from carol")


def test_alert_email_is_sent_only_once_the_transaction_commits(controller, manager, communication,
                                                               mailoutbox,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record(controller, communication, "Alert")
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_alert_is_refused_when_no_manager_works_on_the_company(controller, communication):
    with pytest.raises(ValidationError, match="No credit manager works on Acme Trading Ltd"):
        record(controller, communication, "Alert")
    assert not CallAction.objects.exists()
    assert not Notification.objects.exists()


def test_exclude_sets_the_customers_exclusion_and_audits_it(controller, communication):
    record(controller, communication, "Exclude from follow-ups", notes="In administration")
    customer = communication.customer
    customer.refresh_from_db()
    assert customer.exclude_from_followups is True
    change = AuditEvent.objects.get(model="ledger.customer", action="update")
    assert (change.before, change.after, change.user) == (
        {"exclude_from_followups": False, "exclude_reason": ""},
        {"exclude_from_followups": True, "exclude_reason": "In administration"}, controller,
    )  # fmt: skip
    record(controller, communication, "Exclude from follow-ups")  # again: nothing more to change
    assert AuditEvent.objects.filter(model="ledger.customer").count() == 1


def test_partial_dispute_creates_then_updates_the_entrys_dispute(controller, communication,
                                                                invoice):  # fmt: skip
    first = record(controller, communication, "Partial dispute", entry=invoice, amount="80.00",
                   notes="Short delivery", response=response("Disputes the amount"))  # fmt: skip
    dispute = Dispute.objects.get()
    assert (first.dispute, dispute.amount, dispute.reason, dispute.communication) == (
        dispute, Decimal("80.00"), "Short delivery", communication,
    )  # fmt: skip
    second = record(controller, communication, "Partial dispute", entry=invoice, amount="120.00")
    assert second.dispute == dispute
    dispute.refresh_from_db()
    assert (dispute.amount, dispute.reason) == (Decimal("120.00"), "Short delivery")
    assert Dispute.objects.count() == 1


def test_partial_dispute_above_the_remaining_amount_writes_nothing(controller, communication,
                                                                  invoice):  # fmt: skip
    with pytest.raises(ValidationError, match=r"more than the 300\.00 GBP"):
        record(controller, communication, "Partial dispute", entry=invoice, amount="300.01",
               notes="Price")  # fmt: skip
    assert not CallAction.objects.exists()
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("name", ["Credit memo request", "Partial dispute"])
@pytest.mark.parametrize(
    ("with_entry", "amount", "field"), [(False, "50.00", "entry"), (True, None, "amount")]
)
def test_credit_memo_request_and_dispute_need_an_entry_and_an_amount(
    controller, communication, invoice, name, with_entry, amount, field
):
    with pytest.raises(ValidationError) as refused:
        record(controller, communication, name, entry=invoice if with_entry else None,
               amount=amount, notes="Price")  # fmt: skip
    assert field in refused.value.message_dict
    assert not CallAction.objects.exists()


def test_credit_memo_request_is_kept_with_its_amount(controller, communication, invoice):
    action = record(controller, communication, "Credit memo request", entry=invoice,
                    amount="45.50", notes="Damaged pallet")  # fmt: skip
    assert (action.amount, action.entry) == (Decimal("45.50"), invoice)
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "more than zero"), ("300.01", "more than the 300.00 GBP")],
)
def test_credit_memo_request_amount_is_above_zero_and_within_the_entry(controller, communication,
                                                                      invoice, amount, message):  # fmt: skip
    with pytest.raises(ValidationError, match=message):
        record(controller, communication, "Credit memo request", entry=invoice, amount=amount)


def test_negative_amounts_are_refused(controller, communication):
    with pytest.raises(ValidationError, match="cannot be below zero"):
        record(controller, communication, "Call", amount="-1")


def test_retired_action_types_and_responses_are_refused(controller, communication):
    ActionType.objects.filter(name="Call").update(is_active=False)
    with pytest.raises(ValidationError, match="is retired"):
        record(controller, communication, "Call")
    answer = response("No response")
    answer.is_active = False
    answer.save()
    with pytest.raises(ValidationError, match="is retired"):
        record(controller, communication, "Collection action", response=answer)


def test_managers_own_action_types_work_like_the_defaults(controller, communication):
    escalate = ActionType.objects.create(name="Escalate to sales", behaviour="record")
    action = call_action_record(user=controller, communication=communication,
                                action_type=escalate)  # fmt: skip
    assert action.action_type == escalate


@pytest.mark.parametrize("who", ["outsider", "integrator"])
def test_outsiders_and_integrators_cannot_record_actions(request, communication, who):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(who), communication, "Call")
