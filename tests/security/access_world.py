"""One of every kind of record in the first company, for the access matrix."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from communications.models import (
    CallAction,
    Dispute,
    EntryNote,
    EntryStatus,
    Notification,
    Promise,
    ToDo,
)
from followups.models import Document, FollowUpAction, FollowUpRun, MassEmailBatch, OutboxMessage
from followups.plans import plan_for
from ledger.models import Application, AuditEvent, MailList
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    action_type,
    outcome,
    payment,
    proposal_with_lines,
    status_code,
)

MARKER = "Zanzibar Secret Trading"  # the first company's customer: never shown to outsiders


def build_world(company, users: dict) -> dict:
    carol = users["controller"]
    customer = CustomerFactory(company=company, name=MARKER, account_code="SECRET1",
                               controller=carol)  # fmt: skip
    contact = ContactFactory(customer=customer, email="x@secret.example", is_credit_contact=True)
    entry = EntryFactory(customer=customer, amount=Decimal("120.00"))
    cash = payment(customer, "20.00")
    application = Application.objects.create(
        company=company, credit_entry=cash, debit_entry=entry, amount=Decimal("10.00"),
        applied_on=dt.date(2026, 10, 2),
    )  # fmt: skip
    communication = CommunicationFactory(customer=customer, subject=f"About {MARKER}",
                                         our_contact=carol, outcome=outcome())  # fmt: skip
    call_action = CallAction.objects.create(
        company=company, customer=customer, communication=communication,
        action_type=action_type("Call"), created_by=carol,
    )  # fmt: skip
    dispute = Dispute.objects.create(
        company=company, customer=customer, entry=entry, amount=Decimal("5.00"),
        reason="Wrong price", owner=carol, opened_on=dt.date(2026, 11, 1),
    )  # fmt: skip
    promise = Promise.objects.create(
        company=company, customer=customer, currency="GBP", amount=Decimal("50.00"),
        amount_lcy=Decimal("50.00"), promised_on=dt.date(2026, 12, 30), created_by=carol,
    )  # fmt: skip
    todo = ToDo.objects.create(company=company, customer=customer, description="Call back",
                               due_on=dt.date(2026, 12, 1), owner=carol)  # fmt: skip
    EntryStatus.objects.create(entry=entry, company=company, status_code=status_code("COPY"))
    note = EntryNote.objects.create(company=company, entry=entry, text="Note", created_by=carol)
    notification = Notification.objects.create(company=company, user=carol, customer=customer,
                                               text="Alert")  # fmt: skip
    plan = plan_for(company)
    level = plan.levels.order_by("sequence").first()
    proposal = proposal_with_lines(customer, 1, [(entry, None)])
    run = FollowUpRun.objects.create(company=company, run_date=dt.date(2026, 11, 23))
    action = FollowUpAction.objects.create(company=company, customer=customer, channel="email",
                                           on=dt.date(2026, 11, 23), by=carol)  # fmt: skip
    document = Document.objects.create(company=company, customer=customer, kind="statement",
                                       action=action, filename="s.pdf", content=b"%PDF-1.4")  # fmt: skip
    message = OutboxMessage.objects.create(
        company=company, customer=customer, kind="email", key="world-1", to=["x@secret.example"],
        subject=MARKER, body="Body", as_of=dt.date(2026, 11, 23), status="failed",
    )  # fmt: skip
    mail_list = MailList.objects.create(company=company, owner=carol, name="Calls", shared=True)
    mass_email = MassEmailBatch.objects.create(batch=uuid.uuid4(), created_by=carol,
                                               customer_ids=[customer.pk], subject="s", body="b")  # fmt: skip
    audit = AuditEvent.objects.create(company=company, user=carol, action="update",
                                      model="customer", object_id=customer.pk,
                                      object_repr=MARKER)  # fmt: skip
    return {
        "company": company, "customer": customer, "contact": contact, "entry": entry,
        "application": application, "communication": communication, "call_action": call_action,
        "dispute": dispute, "promise": promise, "todo": todo, "entry_note": note,
        "notification": notification, "plan": plan, "level": level, "proposal": proposal,
        "run": run, "history": action, "document": document, "outbox": message,
        "mail_list": mail_list, "audit": audit, "outcome": outcome(),
        "status_code": status_code("COPY"), "mass_email": mass_email,
    }  # fmt: skip
