"""Demo data of the workbench: communications, promises, disputes, status codes, call actions
and to-dos on the demo companies that ``ledger.demo`` builds.

Used by ``manage.py seed_demo`` after the ledger. Written through the services (so every
rule holds and the audit trail is there to see), on about a third of the customers, from a
seeded random generator: the same data on every run for the same today. It makes sure the
controller ``carol`` opens a work list with to-dos due today and a broken promise.

Two shortcuts, both because a demo must not look like a rule was broken:
- A promise broken *yesterday* cannot be recorded with a date in the past, so it is
  recorded for today, moved back a day, and decided by ``promises_settle`` as the daily
  check would have done.
- The alert call action is written without its email: seeding must not mail anybody.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from ledger.demo import COMPANIES, SEED
from ledger.models import Company, Contact, Customer, LedgerEntry

from .models import (
    CONTACT_TYPES_BY_TYPE,
    ActionType,
    CallAction,
    Communication,
    CustomerResponse,
    LetterStyle,
    Notification,
    Outcome,
    Promise,
    StatusCode,
    ToDo,
)
from .promises import promises_settle
from .services import PromiseInput, call_action_record, communication_create, entries_update
from .todos import todo_create

CENT = Decimal("0.01")

WORDS = {
    "GB": {
        "subjects": {
            "telephone": ("Overdue invoices", "Chasing the monthly statement", "Remittance query",
                          "Payment date for open items", "Account on stop?"),
            "correspondence": ("Statement of account", "Copy invoices requested",
                               "Reminder: overdue balance", "Remittance advice"),
            "meeting": ("Account review", "Quarterly account meeting", "Payment plan discussion"),
        },
        "locations": ("Their offices", "Our Leeds office", "Video call"),
        "notes": ("Spoke to accounts payable; invoices are in the next payment run.",
                  "Left a voicemail, will try again.", "Buyer is on holiday until Monday.",
                  "Asked for copies of the open invoices.", "Cash flow is tight this month."),
        "reasons": ("Goods damaged in transit", "Short delivery", "Price differs from the quote",
                    "Invoice sent to the wrong branch"),
        "manual": ("Send a statement", "Ask for the remittance advice", "Call the finance director"),
    },
    "DE": {
        "subjects": {
            "telephone": ("Offene Rechnungen", "Zahlungstermin", "Rückfrage zur Zahlung",
                          "Kontoausgleich"),
            "correspondence": ("Kontoauszug", "Rechnungskopien angefordert", "Zahlungserinnerung"),
            "meeting": ("Kontobesprechung", "Ratenzahlung besprechen"),
        },
        "locations": ("Beim Kunden", "Büro Köln", "Videokonferenz"),
        "notes": ("Buchhaltung zahlt mit dem nächsten Zahlungslauf.", "Nicht erreicht, Rückruf.",
                  "Rechnungskopien erbeten.", "Liquidität im Moment knapp."),
        "reasons": ("Transportschaden", "Fehlmenge", "Preis weicht vom Angebot ab"),
        "manual": ("Kontoauszug senden", "Zahlungsavis anfordern", "Geschäftsführung anrufen"),
    },
}  # fmt: skip
TELEPHONE_OUTCOMES = ("Left a message", "No answer", "Will call back", "Query raised",
                      "Remittance received")  # fmt: skip
OTHER_OUTCOMES = ("Will call back", "Query raised", "Remittance received", "Refused to pay")


class _Workbench:
    """One company's workbench demo, built through the services."""

    def __init__(self, company: Company, rng: random.Random, users: dict[str, User]) -> None:
        self.company, self.rng, self.users = company, rng, users
        self.today = company.today()
        self.words = WORDS["DE" if company.base_currency == "EUR" else "GB"]
        self.outcomes = {o.name: o for o in Outcome.objects.all()}
        self.codes = {s.code: s for s in StatusCode.objects.all()}
        self.actions = {a.name: a for a in ActionType.objects.all()}
        self.responses = list(CustomerResponse.objects.all())
        self.contacts: dict[int, list[Contact]] = defaultdict(list)
        for contact in Contact.objects.filter(customer__company=company).order_by("pk"):
            self.contacts[contact.customer_id].append(contact)
        self.open_debits: dict[int, list[LedgerEntry]] = defaultdict(list)
        entries = LedgerEntry.objects.filter(company=company).debits().open()
        for entry in entries.order_by("due_date", "pk"):
            self.open_debits[entry.customer_id].append(entry)
        self.counts: dict[str, int] = defaultdict(int)
        self.done: list[Communication] = []
        balances = (LedgerEntry.objects.filter(company=company).open().values("customer")
                    .annotate(total=Sum("remaining_lcy")).values_list("customer", "total"))  # fmt: skip
        self.balances = {pk: Decimal(total).quantize(CENT) for pk, total in balances}

    def worker(self, customer: Customer) -> User:
        return customer.controller or self.users["carol"]

    def at(self, days_ago: int) -> dt.datetime:
        """A business hour ``days_ago`` days back, in the company's time zone."""
        day = self.today - dt.timedelta(days=days_ago)
        hour, minute = self.rng.randint(9, 16), self.rng.choice((0, 10, 15, 30, 45))
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.company.tz)

    def communicate(self, customer: Customer, days_ago: int, *,
                    completed: dt.timedelta | None = None, **extra: Any) -> Communication:  # fmt: skip
        rng = self.rng
        kind = rng.choices(("telephone", "correspondence", "meeting"), (65, 25, 10))[0]
        contact_type = rng.choice(CONTACT_TYPES_BY_TYPE[kind])
        fields: dict[str, Any] = {
            "communication_type": kind, "contact_type": contact_type,
            "subject": rng.choice(self.words["subjects"][kind]),
            "occurred_at": self.at(days_ago), "notes": rng.choice(self.words["notes"]),
            "outcome": self.outcomes[rng.choice(
                TELEPHONE_OUTCOMES if kind == "telephone" else OTHER_OUTCOMES)],
        }  # fmt: skip
        if contact_type in ("letter_sent", "letter_received"):
            fields["letter_style"] = rng.choice(LetterStyle.values)
        if kind == "meeting":
            fields["location"] = rng.choice(self.words["locations"])
        people = self.contacts.get(customer.pk)
        if people:
            fields["contact"] = rng.choice(people)
        fields.update(extra)
        self.counts["communications"] += 1
        if completed is not None:
            # Dealt with long ago: nothing follows from it, so it is written in bulk.
            worker = self.worker(customer)
            c = Communication(company=self.company, customer=customer, our_contact=worker,
                              balance_lcy=self.balances.get(customer.pk, Decimal("0.00")),
                              completed_at=fields["occurred_at"] + completed,
                              completed_by=worker, created_by=worker, source="demo", **fields)  # fmt: skip
            self.done.append(c)
            return c
        return communication_create(user=self.worker(customer), customer=customer,
                                    source="demo", **fields)  # fmt: skip

    def promise(self, customer: Customer, *, days_ahead: int, via_status: bool = False,
                days_ago: int | None = None) -> Promise | None:  # fmt: skip
        """A promise over the customer's oldest open items in its currency, from a call."""
        entries = [e for e in self.open_debits[customer.pk] if e.currency == customer.currency]
        entries = entries[: self.rng.randint(1, 2)]
        if not entries:
            return None
        for entry in entries:
            self.open_debits[customer.pk].remove(entry)
        remaining = sum((e.remaining for e in entries), Decimal(0))
        full = self.rng.random() < 0.6
        promise = PromiseInput(
            promised_on=self.today + dt.timedelta(days=days_ahead), is_full=full,
            amount=None if full else max(CENT, (remaining * Decimal("0.5")).quantize(CENT)),
        )  # fmt: skip
        ids = [e.pk for e in entries]
        if via_status:
            c = self.communicate(customer, 0, outcome=self.outcomes["Will call back"])
            entries_update(user=self.worker(customer), customer=customer, entry_ids=ids,
                           status_code=self.codes["PROM"], promise=promise, communication=c,
                           note="Promised on the phone.", source="demo")  # fmt: skip
        else:
            days_ago = self.rng.randint(0, 3) if days_ago is None else days_ago
            c = self.communicate(customer, days_ago, entry_ids=ids,
                                 outcome=self.outcomes["Payment promised"], promise=promise)  # fmt: skip
        self.counts["promises"] += 1
        made = c.promises.get()
        # Made during the call, not when the demo was built: the timeline orders by it.
        Promise.objects.filter(pk=made.pk).update(created_at=c.occurred_at)
        ToDo.objects.filter(promise=made).update(created_at=c.occurred_at)
        return made

    def broken_yesterday(self, customer: Customer) -> None:
        promise = self.promise(customer, days_ahead=0, days_ago=self.rng.randint(3, 8))
        if promise is None:
            return
        yesterday = self.today - dt.timedelta(days=1)
        Promise.objects.filter(pk=promise.pk).update(promised_on=yesterday)
        ToDo.objects.filter(promise=promise).update(due_on=yesterday)

    def dispute(self, customer: Customer) -> None:
        entries = self.open_debits[customer.pk]
        if not entries:
            return
        entry = entries.pop()
        c = self.communicate(customer, self.rng.randint(1, 10), entry_ids=[entry.pk])
        share = Decimal(str(self.rng.choice((0.25, 0.5, 1))))
        call_action_record(
            user=self.worker(customer), communication=c, action_type=self.actions["Partial dispute"],
            entry=entry, amount=max(CENT, (entry.remaining * share).quantize(CENT)),
            notes=self.rng.choice(self.words["reasons"]),
            response=self._response("Disputes the amount"), source="demo",
        )  # fmt: skip
        self.counts["disputes"] += 1

    def _response(self, name: str | None = None) -> CustomerResponse:
        if name:
            return next(r for r in self.responses if r.name == name)
        return self.rng.choice(self.responses)

    def statuses(self, customer: Customer) -> None:
        entries = self.open_debits[customer.pk][:2]
        if not entries:
            return
        code = self.rng.choice(("QRY", "POD", "COPY", "HOLD"))
        owner = self.users["mike"] if code == "POD" else None
        entries_update(user=self.worker(customer), customer=customer,
                       entry_ids=[e.pk for e in entries], status_code=self.codes[code],
                       query_owner=owner, note=self.rng.choice(self.words["notes"]),
                       query_target_on=self.today + dt.timedelta(days=self.rng.randint(0, 10)),
                       source="demo")  # fmt: skip
        self.counts["statuses"] += len(entries)

    def credit_memo(self, customer: Customer) -> None:
        entries = self.open_debits[customer.pk]
        if not entries:
            return
        entry = entries[0]
        c = self.communicate(customer, self.rng.randint(1, 5), entry_ids=[entry.pk])
        call_action_record(
            user=self.worker(customer), communication=c,
            action_type=self.actions["Credit memo request"], entry=entry,
            amount=(entry.remaining * Decimal("0.1")).quantize(CENT) or CENT,
            notes=self.rng.choice(self.words["reasons"]), source="demo",
        )  # fmt: skip

    def call_action(self, customer: Customer) -> None:
        c = self.communicate(customer, self.rng.randint(1, 4))
        name = self.rng.choice(("Call", "Collection action", "Collection follow-up"))
        call_action_record(user=self.worker(customer), communication=c,
                           action_type=self.actions[name], response=self._response(),
                           notes=self.rng.choice(self.words["notes"]), source="demo")  # fmt: skip

    def alert(self, customer: Customer) -> None:
        c = self.communicate(customer, 1)
        action = CallAction.objects.create(
            company=self.company, customer=customer, communication=c,
            action_type=self.actions["Alert"], response=self._response("Refused to pay"),
            notes="Customer threatens to stop trading with us; please call them.",
            created_by=self.worker(customer),
        )  # fmt: skip
        Notification.objects.create(
            company=self.company, user=self.users["mike"], customer=customer, call_action=action,
            text=f"Alert from {self.worker(customer).username}: {customer}. {action.notes}",
            link=reverse("ledger:customer-card", args=[customer.pk]),
        )  # fmt: skip

    def build(self) -> dict[str, Any]:
        """1. Pick a third of the customers with something open, carol's first.
        2. Give each one to three communications: the older ones completed, the latest
           with a follow-up in the next days now and then.
        3. Spread promises (due today, ahead, broken yesterday), disputes, status codes,
           call actions and a manual to-do over them; decide yesterday's promises."""
        rng, carol = self.rng, self.users["carol"]
        customers = [
            c for c in Customer.objects.filter(company=self.company, exclude_from_followups=False)
            .select_related("controller", "company").order_by("pk")
            if self.open_debits.get(c.pk)
        ]  # fmt: skip
        worked = sorted(rng.sample(customers, len(customers) // 3), key=lambda c: c.pk)
        worked.sort(key=lambda c: c.controller != carol)  # stable: carol's first
        for n, customer in enumerate(worked):
            for _ in range(rng.choice((0, 1, 1, 2))):
                self.communicate(customer, rng.randint(12, 45),
                                 completed=dt.timedelta(days=rng.randint(1, 5)))  # fmt: skip
            if n % 4 == 2:
                days_ahead = 0 if n < 6 else rng.randint(1, 7)
                self.communicate(customer, rng.randint(0, 6),
                                 follow_up_on=self.today + dt.timedelta(days=days_ahead))  # fmt: skip
            elif rng.random() < 0.7:
                self.communicate(customer, rng.randint(0, 6), completed=dt.timedelta(hours=1))
            role = n % 6
            if role == 0 and n < 12:
                self.broken_yesterday(customer)
            elif role == 0 and n < 40:
                self.promise(customer, days_ahead=3)
            elif role == 1:
                self.promise(customer, days_ahead=0 if n < 12 else rng.randint(1, 14),
                             via_status=n % 12 == 7)  # fmt: skip
            elif role == 2 and n < 30:
                self.call_action(customer)
            elif role == 3:
                self.dispute(customer)
            elif role == 4:
                self.statuses(customer)
            elif role == 5 and n < 24:
                todo_create(user=self.worker(customer), customer=customer, due_on=self.today,
                            description=rng.choice(self.words["manual"]), source="demo")  # fmt: skip
        Communication.objects.bulk_create(self.done)
        # The credit memo request goes to the last worked customer with an open debit left
        # (disputes and status codes above may have used up another's), on any date.
        self.credit_memo(next(c for c in [*reversed(worked), *customers] if self.open_debits[c.pk]))
        self.alert(worked[-2])
        settled = promises_settle(company=self.company, as_of=self.today)
        return {**self.counts, "broken": settled["broken"],
                "todos": ToDo.objects.filter(company=self.company, status="open").count()}  # fmt: skip


@transaction.atomic
def demo_create() -> list[dict[str, Any]]:
    """Build the workbench demo on each demo company (``ledger.demo`` built them first).

    Returns what it made, per company, in the order of ``ledger.demo.COMPANIES``."""
    users = {u.username: u for u in User.objects.filter(username__in=("carol", "colin", "mike"))}
    summary = []
    for offset, spec in enumerate(COMPANIES):
        company = Company.objects.get(code=spec.code)
        built = _Workbench(company, random.Random(SEED + 100 + offset), users).build()
        summary.append({"company": company, **built})
    return summary
