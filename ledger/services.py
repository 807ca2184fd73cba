"""Writes to the ledger: one named function per business action, access checked first.

Every function is keyword-only, atomic, and leaves an audit event. Views, API
viewsets, the CSV import and the sync all call these (or ``ledger.sync`` for
batches), never ``Model.save()`` directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creditcontrol.roles import (
    ADMINISTRATOR,
    INTEGRATOR,
    MANAGER,
    can_edit_ledger,
    can_work_customers,
    is_manager,
    roles_of,
)
from events.models import EventKind
from events.services import event_emit

from .audit import audit_record, diff, snapshot
from .credit_limits import credit_limits_check
from .customer_bulk import assignable_controllers
from .models import (
    CREDIT_TYPES,
    DEBIT_TYPES,
    Application,
    AuditEvent,
    Company,
    Contact,
    Customer,
    LedgerEntry,
)
from .signals import announce_changed, announce_hold, announce_paid

CENT = Decimal("0.01")


def to_lcy(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """An amount in the company's base currency, rounded half-up to the cent."""
    # Enough precision for any product of two columns: one too large for the base currency
    # is refused by LedgerEntry.out_of_range() with a message, not by an arithmetic error.
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(amount) * Decimal(exchange_rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def require_company(user: Any, company: Company, *, check=can_edit_ledger) -> None:
    """Refuse unless ``user`` belongs to ``company`` and passes ``check``."""
    if not Company.objects.visible_to(user).filter(pk=company.pk).exists():
        raise PermissionDenied(_("You do not have access to this company."))
    if not check(user):
        raise PermissionDenied(_("Your role does not allow this change."))


# Master data: the accounting system's on a customer it syncs (one with an external_ref).
MASTER_FIELDS = {
    "account_code", "name", "address_line1", "address_line2", "city", "county", "postcode",
    "country", "email", "phone", "currency", "payment_terms_days", "tax_number", "external_ref",
}  # fmt: skip
# Credit-control fields: ours whatever the source; the sync never overwrites them.
CREDIT_CONTROL_FIELDS = {
    "controller", "controller_id", "credit_limit", "on_hold", "hold_reason",
    "exclude_from_followups", "exclude_reason", "exclude_until", "debtor_rating", "language",
    "notes",
}  # fmt: skip
CUSTOMER_FIELDS = MASTER_FIELDS | CREDIT_CONTROL_FIELDS
SYNC_OWNED_MESSAGE = gettext_lazy(
    "The accounting system owns this field for a customer it sends (external reference "
    "%(ref)s); change it there."
)


def _apply_fields(obj: Any, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    for name, value in fields.items():
        setattr(obj, name, value)


def _validate(obj: Any) -> None:
    # full_clean checks the unique and check constraints too, with readable messages.
    obj.full_clean()


@transaction.atomic
def customer_create(*, user: Any, company: Company, source: str = "web", **fields: Any) -> Customer:
    require_company(user, company)
    customer = Customer(company=company)
    fields.setdefault("currency", company.base_currency)
    _apply_fields(customer, fields, CUSTOMER_FIELDS)
    _validate(customer)
    customer.save()
    audit_record(user=user, obj=customer, action=AuditEvent.Action.CREATE,
                 after=snapshot(customer), source=source)  # fmt: skip
    return customer


# What a credit controller may change on a customer; the rest is a manager's.
CONTROLLER_CUSTOMER_FIELDS = {"debtor_rating", "notes"}


def customer_edit_check(*, user: Any, customer: Customer, fields: dict[str, Any]) -> None:
    """Refuse what ``user`` may not change on ``customer``: the one place for the rules the
    edit page, the API and the services share.

    1. Credit controllers change rating and notes only; managers and administrators all
       of ours; integrators (the accounting system) only the master data.
    2. On a customer the sync owns (it has an external_ref) the master data is refused
       to everyone but an integrator, so no local edit is ever overwritten silently.
    Only fields whose value changes count: sending back what is stored is no change.
    """
    changed = {
        name for name, value in fields.items()
        if name not in CUSTOMER_FIELDS or getattr(customer, name, None) != value
    }  # fmt: skip
    roles = roles_of(user)
    integrator_only = INTEGRATOR in roles and not roles & {MANAGER, ADMINISTRATOR}
    if not can_edit_ledger(user) and changed - CONTROLLER_CUSTOMER_FIELDS:
        raise PermissionDenied(
            _(
                "A credit controller may change only the rating and the notes of a customer "
                "(and its contacts)."
            )
        )
    if integrator_only and changed & CREDIT_CONTROL_FIELDS:
        raise PermissionDenied(
            "Credit-control fields ("
            + ", ".join(sorted(changed & CREDIT_CONTROL_FIELDS))
            + ") are changed by the credit team, not by an integration."
        )
    controller = fields.get("controller", fields.get("controller_id"))
    if ({"controller", "controller_id"} & changed) and controller is not None:
        pk = getattr(controller, "pk", controller)
        if not assignable_controllers([customer.company_id]).filter(pk=pk).exists():
            raise ValidationError({"controller": _("This person is not a credit controller of the "
                                                 "customer's company.")})  # fmt: skip
    if customer.external_ref and not integrator_only:
        owned = sorted(changed & MASTER_FIELDS)
        if owned:
            message = SYNC_OWNED_MESSAGE % {"ref": customer.external_ref}
            raise ValidationError({name: message for name in owned})


@transaction.atomic
def customer_update(
    *, user: Any, customer: Customer, source: str = "web", **fields: Any
) -> Customer:
    """Change a customer within the rules of ``customer_edit_check``, audited before/after.

    Putting on hold or releasing records who and when; a changed credit limit is
    checked against the balance at once (``credit_limits``)."""
    require_company(user, customer.company, check=can_work_customers_or_sync)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    customer_edit_check(user=user, customer=customer, fields=fields)
    before = snapshot(customer)
    _apply_fields(customer, fields, CUSTOMER_FIELDS)
    if customer.on_hold != before["on_hold"]:
        customer.hold_changed_at = timezone.now()
        customer.hold_changed_by = user if getattr(user, "pk", None) else None
        if not customer.on_hold and "hold_reason" not in fields:
            customer.hold_reason = ""
    if not customer.exclude_from_followups:
        customer.exclude_reason, customer.exclude_until = "", None
    _validate(customer)
    customer.save()
    old, new = diff(before, snapshot(customer))
    audit_record(user=user, obj=customer, action=AuditEvent.Action.UPDATE,
                 before=old, after=new, source=source)  # fmt: skip
    if "credit_limit" in new:
        _limits(customer.company_id, [customer.pk])
    if "on_hold" in new:
        hold_emit(customer, source=source)
        announce_hold(customer=customer)
    return customer


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customer is %(what)s.") % {"what": what}})
    return reason


@transaction.atomic
def customer_hold(*, user: Any, customer: Customer, reason: str, source: str = "web") -> Customer:
    """Put a customer on hold (an order system reading the API stops taking orders)."""
    require_company(user, customer.company, check=is_manager)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.on_hold:
        raise ValidationError({"on_hold": _("The customer is on hold already.")})
    return customer_update(user=user, customer=customer, source=source, on_hold=True,
                           hold_reason=_reason(reason, "put on hold"))  # fmt: skip


@transaction.atomic
def customer_release(
    *, user: Any, customer: Customer, reason: str, source: str = "web"
) -> Customer:
    """Release a customer from hold; the reason replaces the hold's."""
    require_company(user, customer.company, check=is_manager)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if not customer.on_hold:
        raise ValidationError({"on_hold": _("The customer is not on hold.")})
    return customer_update(user=user, customer=customer, source=source, on_hold=False,
                           hold_reason=_reason(reason, "released"))  # fmt: skip


@transaction.atomic
def customer_exclude(
    *,
    user: Any,
    customer: Customer,
    reason: str,
    until: dt.date | None = None,
    source: str = "web",
    by_call_action: bool = False,
) -> Customer:
    """Exclude a customer from follow-ups, with a reason and optionally until a date.

    A manager's decision on the edit page; a controller may do it only through the
    *Exclude from dunning* call action that a manager set up (``by_call_action``)."""
    check = can_work_customers if by_call_action else is_manager
    require_company(user, customer.company, check=check)
    if until is not None and until <= customer.company.today():
        raise ValidationError({"exclude_until": _("The date must be after today.")})
    return _set_exclusion(user, customer, source, excluded=True,
                          reason=_reason(reason, "excluded")[:300], until=until)  # fmt: skip


@transaction.atomic
def customer_include(
    *, user: Any, customer: Customer, source: str = "web", by_call_action: bool = False
) -> Customer:
    """Include a customer in follow-ups again (undoes ``customer_exclude``)."""
    check = can_work_customers if by_call_action else is_manager
    require_company(user, customer.company, check=check)
    return _set_exclusion(user, customer, source, excluded=False, reason="", until=None)


def _set_exclusion(user: Any, customer: Customer, source: str, *, excluded: bool, reason: str,
                   until: dt.date | None) -> Customer:  # fmt: skip
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer)
    customer.exclude_from_followups, customer.exclude_reason = excluded, reason
    customer.exclude_until = until
    customer.save(update_fields=["exclude_from_followups", "exclude_reason", "exclude_until",
                                 "updated_at"])  # fmt: skip
    old, new = diff(before, snapshot(customer))
    audit_record(user=user, obj=customer, action=AuditEvent.Action.UPDATE,
                 before=old, after=new, source=source)  # fmt: skip
    # The customer's open proposal follows at once (withdrawn while excluded).
    announce_changed(company_id=customer.company_id,
                     entry_ids=customer.entries.open().values_list("pk", flat=True))  # fmt: skip
    return customer


def hold_emit(customer: Customer, *, source: str) -> None:
    """Tell integrators that the customer was put on hold or released (call it wherever the
    hold flag changes, in the transaction of the change)."""
    kind = EventKind.CUSTOMER_HOLD if customer.on_hold else EventKind.CUSTOMER_RELEASED
    event_emit(kind=kind, company_id=customer.company_id, customer_id=customer.pk,
               customer={"id": customer.pk, "account_code": customer.account_code,
                         "external_ref": customer.external_ref}, source=source)  # fmt: skip


@transaction.atomic
def customer_delete(*, user: Any, customer: Customer, source: str = "web") -> None:
    """Delete a customer that has no ledger entries; one with entries is refused."""
    require_company(user, customer.company)
    if customer.entries.exists():
        raise ValidationError(
            _("Customer %(account_code)s has ledger entries and cannot be deleted.")
            % {"account_code": customer.account_code}
        )
    audit_record(user=user, obj=customer, action=AuditEvent.Action.DELETE,
                 before=snapshot(customer), source=source)  # fmt: skip
    customer.delete()


CONTACT_FIELDS = {
    "first_name", "last_name", "position", "phone", "mobile", "email", "notes",
    "is_credit_contact", "receives_statements", "is_billing", "copy_on_reminders",
    "is_active", "email_bounced_at", "external_ref",
}  # fmt: skip


def _make_sole_credit_contact(contact: Contact) -> None:
    """One credit-control contact per customer: naming a new one demotes the old."""
    if contact.is_credit_contact:
        Contact.objects.filter(customer_id=contact.customer_id, is_credit_contact=True).exclude(
            pk=contact.pk
        ).update(is_credit_contact=False)


@transaction.atomic
def contact_create(*, user: Any, customer: Customer, source: str = "web", **fields: Any) -> Contact:
    require_company(user, customer.company, check=can_work_customers_or_sync)
    contact = Contact(customer=customer)
    _apply_fields(contact, fields, CONTACT_FIELDS)
    _validate_contact(contact)
    _make_sole_credit_contact(contact)
    contact.save()
    audit_record(user=user, obj=contact, action=AuditEvent.Action.CREATE,
                 after=snapshot(contact), source=source)  # fmt: skip
    return contact


@transaction.atomic
def contact_update(*, user: Any, contact: Contact, source: str = "web", **fields: Any) -> Contact:
    """Change a contact. Correcting the email of a bounced address clears the bounce."""
    require_company(user, contact.customer.company, check=can_work_customers_or_sync)
    before = snapshot(contact)
    _apply_fields(contact, fields, CONTACT_FIELDS)
    if (contact.email_bounced_at and "email_bounced_at" not in fields
            and contact.email.lower() != (before["email"] or "").lower()):  # fmt: skip
        contact.email_bounced_at = None
    _validate_contact(contact)
    _make_sole_credit_contact(contact)
    contact.save()
    old, new = diff(before, snapshot(contact))
    audit_record(user=user, obj=contact, action=AuditEvent.Action.UPDATE,
                 before=old, after=new, source=source)  # fmt: skip
    return contact


def contact_history(contact: Contact) -> list[str]:
    """What refers to the contact (communications, messages, ...), by name, found through
    the model's reverse relations so the ledger need not import the apps that hold them."""
    found = []
    for relation in contact._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            related = relation.related_model._default_manager.filter(
                **{relation.field.name: contact}
            )
            if related.exists():
                found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


@transaction.atomic
def contact_delete(*, user: Any, contact: Contact, source: str = "web") -> None:
    """Delete a contact nothing refers to; one with history is refused (make it inactive)."""
    require_company(user, contact.customer.company, check=can_work_customers_or_sync)
    history = contact_history(contact)
    if history:
        raise ValidationError(
            _(
                "%(full_name)s appears in the customer's history (%(join)s) and cannot be deleted; make the contact inactive instead."
            )
            % {"full_name": contact.full_name, "join": ", ".join(history)}
        )
    audit_record(user=user, obj=contact, action=AuditEvent.Action.DELETE,
                 before=snapshot(contact), source=source)  # fmt: skip
    contact.delete()


def can_work_customers_or_sync(user: Any) -> bool:
    return can_work_customers(user) or can_edit_ledger(user)


def _validate_contact(contact: Contact) -> None:
    # The one-credit-contact constraint is kept by demoting the old contact, so
    # full_clean must not report it as a clash before the demotion happens.
    contact.full_clean(validate_constraints=False)
    if contact.external_ref and (
        Contact.objects.filter(customer_id=contact.customer_id, external_ref=contact.external_ref)
        .exclude(pk=contact.pk)
        .exists()
    ):
        raise ValidationError({"external_ref": _("Another contact of this customer has it.")})


ENTRY_FIELDS = {
    "entry_type", "document_no", "document_date", "due_date", "description", "currency",
    "exchange_rate", "amount", "remaining", "expected_payment_date", "exclude_forever",
    "exclude_until", "external_ref", "followup_level", "followup_level_on",
}  # fmt: skip


def entry_prepare(entry: LedgerEntry, customer: Customer, fields: dict[str, Any]) -> LedgerEntry:
    """Fill an entry from ``fields`` and derive what is derived; no database write.

    Defaults: the customer's currency, remaining = amount on a new entry, due date =
    document date plus the customer's terms for invoices (the document date for
    everything else). The LCY amounts follow from the exchange rate.
    """
    is_new = entry.pk is None
    _apply_fields(entry, fields, ENTRY_FIELDS)
    if fields.get("followup_level") == 0:
        entry.followup_level_on = None  # no level, no date: chasing starts afresh
    entry.customer = customer
    entry.company_id = customer.company_id
    if is_new:
        if not entry.currency:
            entry.currency = customer.currency
        if entry.remaining is None:
            entry.remaining = entry.amount
        if entry.due_date is None and entry.document_date is not None:
            days = customer.payment_terms_days if entry.entry_type in DEBIT_TYPES else 0
            try:
                entry.due_date = entry.document_date + dt.timedelta(days=days)
            except OverflowError:  # near 9999-12-31: out_of_range() names the document date
                entry.due_date = entry.document_date
    if entry.currency == customer.company.base_currency and "exchange_rate" not in fields:
        entry.exchange_rate = Decimal(1)
    elif is_new and "exchange_rate" not in fields:
        raise ValidationError(
            {"exchange_rate": _("An entry in %(currency)s needs the exchange rate to %(base_currency)s.") % {"currency": entry.currency, "base_currency": customer.company.base_currency}}
        )  # fmt: skip
    if entry.amount is not None and entry.exchange_rate:
        entry.amount_lcy = to_lcy(entry.amount, entry.exchange_rate)
        if entry.remaining is not None:
            entry.remaining_lcy = to_lcy(entry.remaining, entry.exchange_rate)
    return entry


def followup_level_problems(entry: LedgerEntry) -> list[tuple[str, str]]:
    """What is wrong with an entry's last follow-up level and its date, by field (the sync
    and the API import them at go-live)."""
    level, on = entry.followup_level or 0, entry.followup_level_on
    if level and on is None:
        return [("followup_level_on",
                 _("Give the date follow-up level %(level)s was executed for the entry.")
                 % {"level": level})]  # fmt: skip
    if not level and on is not None:
        return [("followup_level_on", "A date goes with a level: send followup_level above 0, "
                 "or no date.")]  # fmt: skip
    if on is None:
        return []
    today = entry.customer.company.today()
    if on > today:
        return [("followup_level_on", f"{on} is after today ({today}): a level executed "
                 "cannot be in the future.")]  # fmt: skip
    if entry.document_date and on < entry.document_date:
        return [("followup_level_on", f"{on} is before the entry's document date "
                 f"{entry.document_date}.")]  # fmt: skip
    return []


def _validate_entry(entry: LedgerEntry) -> None:
    problems = followup_level_problems(entry)
    if problems:
        raise ValidationError(dict(problems))
    _validate(entry)


@transaction.atomic
def entry_create(
    *, user: Any, customer: Customer, source: str = "web", **fields: Any
) -> LedgerEntry:
    require_company(user, customer.company)
    entry = entry_prepare(LedgerEntry(), customer, fields)
    _validate_entry(entry)
    entry.save()
    audit_record(user=user, obj=entry, action=AuditEvent.Action.CREATE,
                 after=snapshot(entry), source=source)  # fmt: skip
    announce_changed(company_id=entry.company_id, entry_ids=[entry.pk])
    _limits(entry.company_id, [entry.customer_id])
    return entry


@transaction.atomic
def entry_update(
    *, user: Any, entry: LedgerEntry, source: str = "web", **fields: Any
) -> LedgerEntry:
    require_company(user, entry.company)
    entry = (
        LedgerEntry.objects.select_for_update().select_related("customer__company").get(pk=entry.pk)
    )
    before = snapshot(entry)
    entry_prepare(entry, entry.customer, fields)
    _validate_entry(entry)
    entry.save()
    old, new = diff(before, snapshot(entry))
    audit_record(user=user, obj=entry, action=AuditEvent.Action.UPDATE,
                 before=old, after=new, source=source)  # fmt: skip
    if "remaining" in new and entry.is_debit:
        announce_paid(company_id=entry.company_id, entry_ids=[entry.pk])
    elif new:  # a credit too: it moves the net balance, which decides chasing
        announce_changed(company_id=entry.company_id, entry_ids=[entry.pk])
    _limits(entry.company_id, [entry.customer_id])
    return entry


def _limits(company_id: int, customer_ids: list[int]) -> None:
    credit_limits_check(company_id=company_id, customer_ids=customer_ids)


def application_check(
    *, credit: LedgerEntry, debit: LedgerEntry, amount: Decimal
) -> dict[str, str]:
    """Why an application may not be made, by field; empty when it may."""
    errors: dict[str, str] = {}
    if credit.entry_type not in CREDIT_TYPES:
        errors["credit_entry"] = _("Only a payment or a credit note can be applied.")
    if debit.entry_type not in DEBIT_TYPES:
        errors["debit_entry"] = _(
            "A payment or credit note can only be applied to an invoice or debit memo."
        )
    if credit.customer_id != debit.customer_id:
        errors["debit_entry"] = _("Both entries must belong to the same customer.")
    if credit.currency != debit.currency:
        errors["debit_entry"] = _(
            "The entries are in different currencies (%(currency)s and %(currency2)s)."
        ) % {"currency": credit.currency, "currency2": debit.currency}
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount applied must be more than zero.")
    elif not errors:
        if amount > debit.remaining:
            errors["amount"] = _(
                "%(amount)s is more than the %(remaining)s %(currency)s still open on %(document_no)s."
            ) % {
                "amount": amount,
                "remaining": debit.remaining,
                "currency": debit.currency,
                "document_no": debit.document_no,
            }
        elif amount > -credit.remaining:
            errors["amount"] = _(
                "%(amount)s is more than the %(unapplied)s %(currency)s still unapplied on %(document_no)s."
            ) % {
                "amount": amount,
                "unapplied": -credit.remaining,
                "currency": credit.currency,
                "document_no": credit.document_no,
            }
    return errors


def application_lower(
    *, credit: LedgerEntry, debit: LedgerEntry, amount: Decimal
) -> list[tuple[LedgerEntry, dict[str, str], dict[str, str]]]:
    """Lower both remaining amounts (and their LCY copies) in memory, once checked by
    ``application_check``; returns (entry, before, after) for the audit trail."""
    changes = []
    for entry, change in ((debit, -amount), (credit, amount)):
        before = {"remaining": str(entry.remaining), "remaining_lcy": str(entry.remaining_lcy)}
        entry.remaining += change
        entry.remaining_lcy = to_lcy(entry.remaining, entry.exchange_rate)
        after = {"remaining": str(entry.remaining), "remaining_lcy": str(entry.remaining_lcy)}
        changes.append((entry, before, after))
    return changes


def application_write(
    *, credit: LedgerEntry, debit: LedgerEntry, amount: Decimal, **fields: Any
) -> tuple[Application, list[tuple[LedgerEntry, dict[str, str], dict[str, str]]]]:
    """Lower both remaining amounts and record the application (caller holds the locks)."""
    audits = application_lower(credit=credit, debit=debit, amount=amount)
    for entry, _before, _after in audits:
        entry.save(update_fields=["remaining", "remaining_lcy", "updated_at"])
    application = Application.objects.create(
        company_id=debit.company_id, credit_entry=credit, debit_entry=debit, amount=amount, **fields
    )
    return application, audits


@transaction.atomic
def application_apply(
    *,
    user: Any,
    credit_entry: LedgerEntry,
    debit_entry: LedgerEntry,
    amount: Decimal,
    applied_on: dt.date | None = None,
    external_ref: str = "",
    source: str = "web",
) -> Application:
    """Apply a payment or credit note to an invoice: both remaining amounts drop together.

    1. Check access, then lock both entries (in id order, so two applications on the
       same pair cannot deadlock) and re-read their remaining amounts.
    2. Refuse, by field, anything that would cross zero or mix customers/currencies.
    3. Write both entries and the application in this one transaction; the database's
       check constraints stand behind step 2.
    """
    require_company(user, debit_entry.company)
    ids = sorted([credit_entry.pk, debit_entry.pk])
    locked = {
        e.pk: e for e in LedgerEntry.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    credit, debit = locked[credit_entry.pk], locked[debit_entry.pk]
    amount = Decimal(amount)
    errors = application_check(credit=credit, debit=debit, amount=amount)
    if errors:
        raise ValidationError(errors)
    application, changes = application_write(
        credit=credit, debit=debit, amount=amount,
        applied_on=applied_on or debit.company.today(), external_ref=external_ref,
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    for entry, before, after in changes:
        audit_record(user=user, obj=entry, action=AuditEvent.Action.UPDATE,
                     before=before, after=after, source=source)  # fmt: skip
    audit_record(user=user, obj=application, action=AuditEvent.Action.CREATE,
                 after=snapshot(application), source=source)  # fmt: skip
    announce_paid(company_id=debit.company_id, entry_ids=[debit.pk])
    _limits(debit.company_id, [debit.customer_id])
    return application
