"""factory_boy factories for the whole suite. Users get a role and a company with ``for_company``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from creditcontrol import roles
from ledger.models import Company, Contact, Customer, EntryType, LedgerEntry
from ledger.services import to_lcy


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    code = factory.Sequence(lambda n: f"CO{n}")
    name = factory.Sequence(lambda n: f"Company {n} Ltd")
    base_currency = "GBP"
    time_zone = "Europe/London"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test flushes the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            for company in extracted:
                company.members.add(self)


def user_in(company: Company, role: str = roles.CONTROLLER, **kwargs) -> User:
    """A user holding ``role`` in ``company``."""
    return UserFactory(role=role, companies=[company], **kwargs)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.SubFactory(CompanyFactory)
    account_code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Customer {n} plc")
    city = "Leeds"
    postcode = factory.Sequence(lambda n: f"LS{n % 30} {n % 9}AB")
    currency = factory.LazyAttribute(lambda c: c.company.base_currency)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    first_name = "Jane"
    last_name = factory.Sequence(lambda n: f"Smith{n}")
    email = factory.LazyAttribute(lambda c: f"{c.last_name.lower()}@customer.example")


class EntryFactory(factory.django.DjangoModelFactory):
    """An open invoice by default; pass ``entry_type`` and a negative amount for credits."""

    class Meta:
        model = LedgerEntry

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda e: e.customer.company)
    entry_type = EntryType.INVOICE
    document_no = factory.Sequence(lambda n: f"DOC{n:06d}")
    document_date = dt.date(2026, 10, 1)
    due_date = factory.LazyAttribute(lambda e: e.document_date + dt.timedelta(days=30))
    currency = factory.LazyAttribute(lambda e: e.customer.currency)
    exchange_rate = Decimal(1)
    amount = Decimal("100.00")
    remaining = factory.LazyAttribute(lambda e: e.amount)
    amount_lcy = factory.LazyAttribute(lambda e: to_lcy(e.amount, e.exchange_rate))
    remaining_lcy = factory.LazyAttribute(lambda e: to_lcy(e.remaining, e.exchange_rate))


def payment(customer: Customer, amount: str | Decimal, **kwargs) -> LedgerEntry:
    """An unapplied payment of ``amount`` (given positive, stored negative)."""
    value = -Decimal(amount)
    return EntryFactory(
        customer=customer, entry_type=EntryType.PAYMENT, amount=value,
        due_date=kwargs.pop("document_date", dt.date(2026, 10, 1)),
        document_date=dt.date(2026, 10, 1), **kwargs,
    )  # fmt: skip


# --- the workbench (communications app) ----------------------------------------------


def _default(model_name: str, **lookup):
    """A row of the default lists; a transactional test flushes what the data migration made,
    so the lists are made again (as the migration does) when they are missing."""
    from importlib import import_module

    from django.apps import apps

    model = apps.get_model("communications", model_name)
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        import_module("communications.migrations.0002_default_lists").create_defaults(apps, None)
        return model.objects.get(**lookup)


def outcome(name: str = "Left a message"):
    """One of the default outcomes the data migration creates."""
    return _default("Outcome", name=name)


def status_code(code: str):
    """One of the default status codes (PROM, QRY, POD, COPY, HOLD)."""
    return _default("StatusCode", code=code)


def action_type(name: str):
    """One of the default call action types ("Alert", "Partial dispute", ...)."""
    return _default("ActionType", name=name)


def response(name: str = "Agreed to pay"):
    return _default("CustomerResponse", name=name)


class CommunicationFactory(factory.django.DjangoModelFactory):
    """A live telephone call, written directly (tests of the services go through them)."""

    class Meta:
        model = "communications.Communication"

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda c: c.customer.company)
    communication_type = "telephone"
    contact_type = "telephone_made"
    subject = factory.Sequence(lambda n: f"Call about the account {n}")
    our_contact = factory.SubFactory(UserFactory)
    balance_lcy = Decimal("0.00")


class ToDoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communications.ToDo"

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda t: t.customer.company)
    description = factory.Sequence(lambda n: f"Chase remittance {n}")
    due_on = dt.date(2026, 3, 12)
    owner = factory.SubFactory(UserFactory)


# --- follow-up proposals (followups app) ----------------------------------------------


def proposal_with_lines(customer, level_sequence: int, lines, *, run_date=dt.date(2026, 11, 23),
                        **fields):  # fmt: skip
    """An open proposal of ``customer`` at its plan's level ``level_sequence`` (the plan is
    made with the default levels), listing ``lines``: ``(entry, level or None)`` pairs."""
    from followups.models import Proposal, ProposalEntry
    from followups.plans import plan_for

    level = plan_for(customer.company).levels.get(sequence=level_sequence)
    proposal = Proposal.objects.create(
        company=customer.company, customer=customer, level=level, run_date=run_date,
        total_lcy=sum((e.remaining_lcy for e, _ in lines), Decimal("0.00")),
        entry_count=len(lines), email_subject=level.email_subject, email_body=level.email_body,
        letter_text=level.letter_text, **fields,
    )  # fmt: skip
    ProposalEntry.objects.bulk_create(
        ProposalEntry(proposal=proposal, entry=e, level=lvl, remaining_lcy=e.remaining_lcy)
        for e, lvl in lines
    )  # fmt: skip
    return proposal
