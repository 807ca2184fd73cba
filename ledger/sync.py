"""Bulk, idempotent sync with the accounting system (API and CSV import alike).

The accounting system is the system of record for customers, contacts, invoices and
payments: what it sends overwrites ours. In particular a ``remaining`` amount sent
with a ledger entry replaces the one we hold, even when applications made here had
lowered it; leave ``remaining`` out of a row to keep ours.

Every batch is keyed by ``external_ref`` (unique within the company) and goes
through the same steps:

1. Check access (integrators, managers and administrators of the company).
2. Validate every row with a form, so JSON values and CSV strings are read alike. A
   field left out of a row keeps its stored value (or its default on a new record);
   an empty value does the same, except for text fields and optional dates, which it
   clears.
3. Load the stored records of the batch in one query each (by external_ref, by the
   references the rows make, by the keys a duplicate would share).
4. Decide per row, in memory: new, changed or unchanged; collect every error with
   the row's 0-based index. Any error and nothing is written.
5. Write with ``bulk_create``/``bulk_update`` and audit in bulk: a handful of
   statements for the batch, none per row. A row equal to what is stored is not
   written at all, so ``updated_at`` and the audit trail stay as they are.

Two identical batches sent at once may both find a record missing and both insert
it; the loser's IntegrityError rolls back its attempt and the batch is run once
more, when it finds the winner's rows and reports them unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext, gettext_lazy

from .audit import audit_bulk, audit_event, diff, snapshot
from .bulk import BATCH_SIZE, bulk_update
from .credit_limits import credit_limits_check
from .duplicates import account_code_holders, name_key, name_twins
from .entry_documents import entry_document_attach_ref
from .models import (
    CREDIT_TYPES,
    DEBIT_TYPES,
    Application,
    AuditEvent,
    Company,
    Contact,
    Customer,
    EntryDocument,
    LedgerEntry,
)
from .querysets import document_numbers
from .services import (
    CREDIT_CONTROL_FIELDS,
    application_check,
    application_lower,
    entry_prepare,
    followup_level_problems,
    hold_emit,
    require_company,
)
from .signals import announce_changed, announce_paid
from .sync_rows import (
    ApplicationRow,
    Batch,
    ContactRow,
    CustomerRow,
    EntryRow,
    clean_rows,
    error,
    ref_name,
    require_new,
    resolve,
    resolve_controllers,
)

MAX_ROWS = 10_000
RACE_MESSAGE = gettext_lazy(
    "Another change to the same records was saved while this batch ran, and the batch "
    "still clashes with it; nothing was saved. Send the batch again."
)


@dataclass
class SyncResult:
    """What a batch did: counts, the stored ids in batch order, or every bad row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if getattr(obj, name) != value}


class Plan:
    """What a batch will write: new and changed objects, and their audit events."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.objects: list[models.Model | None] = [None] * len(batch.rows)
        self.new: list[models.Model] = []
        self.changed: dict[int, tuple[models.Model, dict]] = {}  # id(obj) -> (obj, before)
        self.extra_events: list[AuditEvent] = []
        self.paid: set[int] = set()  # debits whose remaining amount went down

    def keep(self, index: int, obj: models.Model) -> None:
        self.objects[index] = obj

    def create(self, index: int, obj: models.Model) -> None:
        self.objects[index] = obj
        self.new.append(obj)

    def change(self, index: int | None, obj: models.Model, before: dict) -> None:
        if index is not None:
            self.objects[index] = obj
        self.changed.setdefault(id(obj), (obj, before))

    def event(self, obj: models.Model, action: str, before=None, after=None) -> AuditEvent:
        return audit_event(user=self.batch.user, obj=obj, action=action, before=before,
                           after=after, source=self.batch.source,
                           company_id=self.batch.company.pk)  # fmt: skip

    def write(self, model: type[models.Model]) -> SyncResult:
        """Step 5: updates first (a renamed key frees it for a new record), then creates."""
        batch = self.batch
        if batch.errors:
            batch.errors.sort(key=lambda e: -1 if e["index"] is None else e["index"])
            return SyncResult(errors=batch.errors)
        events = []
        changed = [obj for obj, _ in self.changed.values()]
        if changed:
            names: set[str] = set()
            for obj, before in self.changed.values():
                old, new = diff(before, snapshot(obj))
                names |= {model._meta.get_field(n).name for n in new}
                if "remaining" in new and model is LedgerEntry:
                    self.paid.add(obj.pk)
                events.append(self.event(obj, AuditEvent.Action.UPDATE, old, new))
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                names.add("updated_at")
                for obj in changed:
                    obj.updated_at = batch.now
            bulk_update(model, changed, sorted(names))
        model.objects.bulk_create(self.new, batch_size=BATCH_SIZE)
        events += [
            self.event(obj, AuditEvent.Action.CREATE, after=snapshot(obj)) for obj in self.new
        ]
        audit_bulk(events + self.extra_events)
        if model is Customer:  # integrators hear of a hold set or lifted by the sync too
            for obj, before in self.changed.values():
                if before.get("on_hold") != obj.on_hold:
                    hold_emit(obj, source=batch.source)
            for obj in self.new:
                if obj.on_hold:
                    hold_emit(obj, source=batch.source)
        announce_paid(company_id=batch.company.pk, entry_ids=self.paid)
        if model is LedgerEntry:
            touched = [o for o, _ in self.changed.values()] + self.new
            # Credits too: a payment or a credit note moves the customer's net balance,
            # which decides whether it is chased at all.
            announce_changed(company_id=batch.company.pk, entry_ids=[o.pk for o in touched])
        moved = {getattr(obj, "customer_id", None) for obj in [*self.new, *changed]}
        if model is not Customer:
            credit_limits_check(company_id=batch.company.pk, customer_ids=moved - {None})
        in_batch_changed = {id(o) for o in self.objects if o is not None} & set(self.changed)
        created = len(self.new)
        updated = len(in_batch_changed)
        return SyncResult(
            created=created, updated=updated, unchanged=len(batch.rows) - created - updated,
            ids=[obj.pk for obj in self.objects],
        )  # fmt: skip


def _run(step, *, user: Any, company: Company, rows: list, source: str) -> SyncResult:
    """Steps 3-5 in a savepoint, re-run once if a concurrent batch won an insert race."""
    if len(rows) > MAX_ROWS:
        return SyncResult(errors=[error(None, "rows", gettext("A batch may hold at most %(max_rows)s rows; this one has %(len)s. Split it.") % {"max_rows": format(MAX_ROWS, ','), "len": format(len(rows), ',')})])  # fmt: skip
    for attempt in range(2):
        try:
            with transaction.atomic():
                return step(Batch(user=user, company=company, rows=rows, source=source))
        except IntegrityError:
            if attempt:
                return SyncResult(errors=[error(None, "", str(RACE_MESSAGE))])
    raise AssertionError("unreachable")  # pragma: no cover


# --- Customers ---------------------------------------------------------------------


@transaction.atomic
def sync_customers(
    *, user: Any, company: Company, rows: list[dict], source: str = "api"
) -> SyncResult:
    """Create or update customers by external_ref; report likely duplicates."""
    require_company(user, company)
    return _run(_customers, user=user, company=company, rows=rows, source=source)


def _customers(batch: Batch) -> SyncResult:
    clean_rows(batch, CustomerRow)
    company, plan = batch.company, Plan(batch)
    rows = batch.valid()
    mine = Customer.objects.filter(company=company)
    stored = {
        c.external_ref: c
        for c in mine.filter(external_ref__in={v["external_ref"] for _, v in rows}).exclude(
            external_ref=""
        )
    }
    resolve_controllers(batch)
    codes = {v["account_code"] for _, v in batch.valid() if "account_code" in v}
    holders = account_code_holders(company, codes)
    new_keys = {name_key(v["name"], v.get("postcode", "")) for _, v in batch.valid()
                if v["external_ref"] not in stored and "name" in v}  # fmt: skip
    twins = name_twins(company, new_keys)
    seen_codes: dict[str, int] = {}
    # Name and postcode each updated customer will have, wherever its row stands.
    seen_names: dict[tuple[str, str], tuple[int, Customer | None]] = {}
    for index, values in batch.valid():
        if (own := stored.get(values["external_ref"])) is not None:
            final = name_key(values.get("name", own.name), values.get("postcode", own.postcode))
            seen_names.setdefault(final, (index, own))
    batch_refs = {v["external_ref"] for _, v in batch.valid()}
    for index, values in batch.valid():
        own = stored.get(values["external_ref"])
        if own is None and not require_new(batch, index, values, CustomerRow):
            continue
        code = values.get("account_code")
        holder = holders.get(code)
        if holder is not None and (own is None or holder.pk != own.pk):
            batch.fail(index, "account_code", gettext("Account code %(code)s already belongs to customer %(name)s (id %(pk)s%(ref_note)s); an account code is unique in the company.") % {"code": code, "name": holder.name, "pk": holder.pk, "ref_note": _ref_note(holder)}, duplicate_of=holder.pk, duplicate_in="database")  # fmt: skip
            continue
        if code is not None and code in seen_codes:
            batch.fail(index, "account_code", gettext("Account code %(code)s is also on row %(value)s of this batch; an account code is unique in the company.") % {"code": code, "value": seen_codes[code]},
                       duplicate_of=seen_codes[code], duplicate_in="batch")  # fmt: skip
            continue
        if code is not None:
            seen_codes[code] = index
        fields = {k: v for k, v in values.items() if k != "allow_duplicate_name"}
        if own is None:
            key = name_key(values["name"], values.get("postcode", ""))
            twin = twins.get(key)
            earlier = seen_names.get(key)
            if not values.get("allow_duplicate_name"):
                if twin is not None and twin.external_ref not in batch_refs:
                    batch.fail(index, "name", gettext("%(name)s at postcode “%(postcode)s” already exists as customer %(account_code)s (id %(pk)s%(ref_note)s). If this really is another customer, send the row again with allow_duplicate_name set to true.") % {"name": twin.name, "postcode": twin.postcode, "account_code": twin.account_code, "pk": twin.pk, "ref_note": _ref_note(twin)},
                               duplicate_of=twin.pk, duplicate_in="database")  # fmt: skip
                    continue
                if earlier is not None:
                    where = ("database", earlier[1].pk) if earlier[1] else ("batch", earlier[0])
                    batch.fail(index, "name", gettext("Row %(value)s of this batch has the same name and postcode. If this really is another customer, send the row again with allow_duplicate_name set to true.") % {"value": earlier[0]},
                               duplicate_of=where[1], duplicate_in=where[0])  # fmt: skip
                    continue
            seen_names.setdefault(key, (index, None))
            plan.create(
                index, Customer(company=company, **{"currency": company.base_currency, **fields})
            )
        else:
            # Credit-control fields are the credit team's once the customer exists: the
            # accounting system's values seed a new customer but never overwrite ours.
            _update(plan, index, own, {k: v for k, v in fields.items()
                                       if k not in CREDIT_CONTROL_FIELDS})  # fmt: skip
    return plan.write(Customer)


def _ref_note(obj: models.Model) -> str:
    ref = getattr(obj, "external_ref", "")
    return f", external_ref “{ref}”" if ref else ", no external_ref"


def _update(plan: Plan, index: int, obj: models.Model, fields: dict[str, Any]) -> None:
    changes = _changes(obj, fields)
    if not changes:
        plan.keep(index, obj)
        return
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    plan.change(index, obj, before)


# --- Contacts ----------------------------------------------------------------------


@transaction.atomic
def sync_contacts(
    *, user: Any, company: Company, rows: list[dict], source: str = "api"
) -> SyncResult:
    """Create or update contacts by external_ref; one credit-control contact per customer."""
    require_company(user, company)
    return _run(_contacts, user=user, company=company, rows=rows, source=source)


def _contacts(batch: Batch) -> SyncResult:
    clean_rows(batch, ContactRow)
    company, plan = batch.company, Plan(batch)
    customers = resolve(batch, Customer.objects.filter(company=company), "customer", "customer")
    refs = {v["external_ref"] for _, v in batch.valid()}
    stored: dict[str, list[Contact]] = {}
    for contact in Contact.objects.filter(customer__company=company, external_ref__in=refs).exclude(
        external_ref=""
    ):
        stored.setdefault(contact.external_ref, []).append(contact)
    targets: dict[int, tuple[Contact | None, int]] = {}  # index -> (stored, final customer id)
    for index, values in batch.valid():
        customer = customers.get(index)
        same_ref = stored.get(values["external_ref"], [])
        mine = [c for c in same_ref if customer is None or c.customer_id == customer.pk]
        own = mine[0] if len(mine) == 1 else (same_ref[0] if len(same_ref) == 1 else None)
        if own is None and len(same_ref) > 1:
            batch.fail(index, "customer_ref", gettext("Several customers have a contact with this "
                       "external_ref; say which with customer_ref."))  # fmt: skip
        elif own is not None or require_new(batch, index, values, ContactRow):
            targets[index] = (own, customer.pk if customer else own.customer_id)
    new_emails = {(targets[i][1], v["email"].lower()) for i, v in batch.valid()
                  if i in targets and targets[i][0] is None and v.get("email")}  # fmt: skip
    twins: dict[tuple[int, str], Contact] = {}
    if new_emails:
        found = Contact.objects.annotate(e=Lower("email")).filter(
            customer_id__in={k[0] for k in new_emails}, e__in={k[1] for k in new_emails}
        )
        for c in found.order_by("id"):
            twins.setdefault((c.customer_id, c.email.lower()), c)
    seen: dict[tuple[int, str], int] = {}
    credit: dict[int, int] = {}  # customer id -> the row naming its credit-control contact
    for index, values in batch.valid():
        if index not in targets:
            continue
        own, customer_id = targets[index]
        key = (customer_id, values.get("email", "").lower())
        if own is None and key[1]:
            twin = twins.get(key)
            if twin is not None:
                batch.fail(index, "email", gettext("%(full_name)s (id %(pk)s%(ref_note)s) already has the email %(email)s at this customer.") % {"full_name": twin.full_name, "pk": twin.pk, "ref_note": _ref_note(twin), "email": twin.email},
                           duplicate_of=twin.pk, duplicate_in="database")  # fmt: skip
                continue
            if key in seen:
                batch.fail(index, "email", gettext("Row %(value)s of this batch has the same email at this customer.") % {"value": seen[key]}, duplicate_of=seen[key], duplicate_in="batch")  # fmt: skip
                continue
            seen[key] = index
        if values.get("is_credit_contact"):
            if customer_id in credit:
                batch.fail(index, "is_credit_contact", gettext("Row %(value)s of this batch already names this customer's credit-control contact; a customer has one.") % {"value": credit[customer_id]})  # fmt: skip
                continue
            credit[customer_id] = index
        fields = {k: v for k, v in values.items() if k not in ("customer", "customer_ref")}
        fields["customer_id"] = customer_id
        if own is None:
            plan.create(index, Contact(**fields))
        else:
            _update(plan, index, own, fields)
    # One credit-control contact per customer: naming a new one demotes the old ones.
    demote = []
    named = {id(plan.objects[i]) for i in credit.values()}
    in_batch = {obj.pk: (i, obj) for i, obj in enumerate(plan.objects) if obj and obj.pk}
    for contact in Contact.objects.filter(customer_id__in=set(credit), is_credit_contact=True):
        index, obj = in_batch.get(contact.pk, (None, contact))
        if id(obj) in named or obj.customer_id not in credit:
            continue  # the named one, or a contact moving to another customer
        demote.append(contact.pk)
        if index is not None:
            _update(plan, index, obj, {"is_credit_contact": False})
        else:
            plan.extra_events.append(plan.event(contact, AuditEvent.Action.UPDATE,
                                                {"is_credit_contact": True},
                                                {"is_credit_contact": False}))  # fmt: skip
    if demote and not batch.errors:
        Contact.objects.filter(pk__in=demote).update(is_credit_contact=False)
    return plan.write(Contact)


# --- Ledger entries ----------------------------------------------------------------

ENTRY_FIELDS = [f.attname for f in LedgerEntry._meta.concrete_fields
                if f.attname not in ("id", "created_at", "updated_at")]  # fmt: skip


@transaction.atomic
def sync_entries(
    *, user: Any, company: Company, rows: list[dict], source: str = "api"
) -> SyncResult:
    """Create or update ledger entries by external_ref; a sent ``remaining`` overwrites ours."""
    require_company(user, company)
    return _run(_entries, user=user, company=company, rows=rows, source=source)


def _entries(batch: Batch) -> SyncResult:
    clean_rows(batch, EntryRow)
    company, plan = batch.company, Plan(batch)
    customers = resolve(batch, Customer.objects.filter(company=company), "customer", "customer")
    refs = {v["external_ref"] for _, v in batch.valid()}
    stored = {
        e.external_ref: e
        for e in LedgerEntry.objects.filter(company=company, external_ref__in=refs).exclude(external_ref="")
        .select_related("customer")
    }  # fmt: skip
    for customer in [*customers.values(), *(e.customer for e in stored.values())]:
        customer.company = company  # entry_prepare reads the base currency from it
    prepared: dict[int, tuple[LedgerEntry | None, LedgerEntry]] = {}
    documents = _document_refs(batch)
    for index, values in batch.valid():
        own, customer = stored.get(values["external_ref"]), customers.get(index)
        if own is None:
            if not require_new(batch, index, values, EntryRow):
                continue
            currency = values.get("currency", customer.currency)
            if currency != company.base_currency and "exchange_rate" not in values:
                batch.fail(index, "exchange_rate", gettext("An entry in %(currency)s needs its exchange rate: %(base_currency)s for one %(currency)s.") % {"currency": currency, "base_currency": company.base_currency})  # fmt: skip
                continue
            entry = LedgerEntry()
        elif customer is not None and customer.pk != own.customer_id:
            batch.fail(index, ref_name("customer") if "customer_ref" in values else "customer",
                       gettext("%(own)s belongs to customer %(account_code)s; an entry cannot move to another customer.") % {"own": own, "account_code": own.customer.account_code})  # fmt: skip
            continue
        else:
            customer, entry = own.customer, copy.copy(own)
        fields = {k: v for k, v in values.items() if k not in ("customer", "customer_ref")}
        entry_prepare(entry, customer, fields)
        problems = _entry_problems(entry, values)
        for name, message in problems:
            batch.fail(index, name, message)
        if not problems:
            prepared[index] = (own, entry)
    numbers = sorted({e.document_no for _, e in prepared.values()})
    types = sorted({e.entry_type for _, e in prepared.values()})
    holders = {
        (e.entry_type, e.document_no): e
        for e in LedgerEntry.objects.filter(
            company=company, entry_type__in=types, document_no__in=document_numbers(numbers)
        )
        .only("id", "entry_type", "document_no", "external_ref")
        .order_by()
    }
    seen: dict[tuple[str, str], int] = {}
    for index, (own, entry) in prepared.items():
        key = (entry.entry_type, entry.document_no)
        holder = holders.get(key)
        if holder is not None and (own is None or holder.pk != own.pk):
            batch.fail(index, "document_no", gettext("%(get_entry_type_display)s %(document_no)s already exists (id %(pk)s%(ref_note)s); a document number is unique per entry type.") % {"get_entry_type_display": entry.get_entry_type_display(), "document_no": entry.document_no, "pk": holder.pk, "ref_note": _ref_note(holder)},
                       duplicate_of=holder.pk, duplicate_in="database")  # fmt: skip
        elif key in seen:
            batch.fail(index, "document_no", gettext("Row %(value)s of this batch has the same entry type and document number.") % {"value": seen[key]}, duplicate_of=seen[key], duplicate_in="batch")  # fmt: skip
        elif own is None:
            seen[key] = index
            plan.create(index, entry)
        else:
            seen[key] = index
            # Equal values keep their stored form (1 and 1.000000), so the audit shows changes only.
            changed = False
            for name in ENTRY_FIELDS:
                if getattr(own, name) == getattr(entry, name):
                    setattr(entry, name, getattr(own, name))
                else:
                    changed = True
            if changed:
                plan.change(index, entry, snapshot(own))
            else:
                plan.keep(index, own)
    result = plan.write(LedgerEntry)
    for index, ref in documents.items():
        entry = plan.objects[index]
        if entry is not None and result.ok:
            entry_document_attach_ref(entry=entry, ref=ref)
    return result


def _document_refs(batch: Batch) -> dict[int, Any]:
    """Each row's ``document_ref`` (an invoice copy uploaded ahead, ``POST /entry-documents/``),
    taken out of the row and checked to be an upload of the company not yet attached to
    another entry."""
    refs = {index: values.pop("document_ref") for index, values in batch.valid()
            if values.get("document_ref")}  # fmt: skip
    if not refs:
        return refs
    known = {
        str(d.ref): d for d in EntryDocument.objects.filter(company=batch.company,
                                                            ref__in=list(refs.values()))
        .select_related("entry")
    }  # fmt: skip
    for index, ref in list(refs.items()):
        doc = known.get(str(ref))
        row_ref = (
            batch.rows[index].get("external_ref") if isinstance(batch.rows[index], dict) else None
        )
        if doc is None:
            batch.fail(
                index, "document_ref", gettext("No uploaded document %(ref)s.") % {"ref": ref}
            )
        elif doc.entry_id is not None and doc.entry.external_ref != row_ref:
            batch.fail(
                index,
                "document_ref",
                gettext("Document %(ref)s belongs to another entry.") % {"ref": ref},
            )
        else:
            continue
        refs.pop(index)
    return refs


def _article(noun: str) -> str:
    return f"{'An' if noun[0] in 'aeiou' else 'A'} {noun}"


def _entry_problems(entry: LedgerEntry, values: dict[str, Any]) -> list[tuple[str, str]]:
    """What the database's check constraints would refuse, said in words."""
    problems = []
    kind = _article(entry.get_entry_type_display().lower())
    amount, remaining = entry.amount, entry.remaining
    if amount == 0:
        problems.append(("amount", gettext("The amount cannot be zero.")))
    elif entry.entry_type in DEBIT_TYPES and amount < 0:
        problems.append(("amount", gettext("%(kind)s has a positive amount: invoices and debit memos are positive, credits negative. Money owed to the customer is a credit note or a payment.") % {"kind": kind}))  # fmt: skip
    elif entry.entry_type in CREDIT_TYPES and amount > 0:
        problems.append(("amount", gettext("%(kind)s is sent as a negative amount: credits are negative, invoices positive.") % {"kind": kind}))  # fmt: skip
    elif not min(amount, 0) <= remaining <= max(amount, 0):
        hint = "" if "remaining" in values else " Send the remaining amount with the new amount."
        problems.append(("remaining" if "remaining" in values else "amount",
                         gettext("The remaining amount %(remaining)s must lie between 0 and the amount %(amount)s: a remaining amount never crosses zero.%(hint)s") % {"remaining": remaining, "amount": amount, "hint": hint}))  # fmt: skip
    if entry.exchange_rate <= 0:
        problems.append(("exchange_rate", gettext("The exchange rate must be more than zero.")))
    problems += entry.out_of_range()
    if entry.due_date < entry.document_date:
        problems.append(("due_date", gettext("The due date %(due_date)s is before the document date %(document_date)s.") % {"due_date": entry.due_date, "document_date": entry.document_date}))  # fmt: skip
    if entry.exclude_forever and entry.exclude_until:
        problems.append(("exclude_until", gettext("An entry is excluded either forever or until a "
                         "date, not both.")))  # fmt: skip
    problems += followup_level_problems(entry)
    return problems


# --- Applications --------------------------------------------------------------------


@transaction.atomic
def sync_applications(
    *, user: Any, company: Company, rows: list[dict], source: str = "api"
) -> SyncResult:
    """Record applications by external_ref; a recorded one is never changed.

    1. Lock every entry the batch names, in id order (two batches cannot deadlock).
    2. Check each new application against the entries' remaining amounts as the
       earlier rows of the batch leave them, so none crosses zero.
    3. Lower both remaining amounts (and their LCY copies) and record the
       applications, in bulk, in this one transaction.
    """
    require_company(user, company)
    return _run(_applications, user=user, company=company, rows=rows, source=source)


def _applications(batch: Batch) -> SyncResult:
    clean_rows(batch, ApplicationRow)
    company, plan = batch.company, Plan(batch)
    refs = {v["external_ref"] for _, v in batch.valid()}
    stored = {
        a.external_ref: a
        for a in Application.objects.filter(company=company, external_ref__in=refs).exclude(
            external_ref=""
        )
    }
    entries = LedgerEntry.objects.filter(company=company)
    named = Q(pk__in=[])
    for id_field in ("credit_entry", "debit_entry"):
        ref_field = ref_name(id_field)
        named |= Q(external_ref__in={v[ref_field] for _, v in batch.valid() if ref_field in v})
        named |= Q(pk__in={v[id_field] for _, v in batch.valid() if id_field in v})
    # One statement locks every entry named, in id order as application_apply does, so a
    # batch and a single application cannot deadlock; the reads below see the locked rows.
    list(entries.select_for_update().filter(named).order_by("pk").values_list("pk"))
    credits = resolve(batch, entries, "credit_entry", "ledger entry")
    debits = resolve(batch, entries, "debit_entry", "ledger entry")
    # One object per entry, so the running remaining amounts are shared between rows.
    by_id = {e.pk: e for e in [*credits.values(), *debits.values()]}
    touched: dict[int, LedgerEntry] = {}
    today = company.today()
    for index, values in batch.valid():
        own = stored.get(values["external_ref"])
        if index not in credits or index not in debits or (own is None and "amount" not in values):
            require_new(batch, index, values, ApplicationRow)
            continue
        credit, debit = by_id[credits[index].pk], by_id[debits[index].pk]
        if own is not None:
            sent = (credit.pk, debit.pk, values.get("amount", own.amount),
                    values.get("applied_on", own.applied_on))  # fmt: skip
            if sent != (own.credit_entry_id, own.debit_entry_id, own.amount, own.applied_on):
                batch.fail(index, "external_ref", gettext("Application %(external_ref)s was recorded on %(applied_on)s for %(amount)s; an application cannot be changed. Reverse it in the accounting system and send the new one under another external_ref.") % {"external_ref": own.external_ref, "applied_on": own.applied_on, "amount": own.amount})  # fmt: skip
            else:
                plan.keep(index, own)
            continue
        amount = values.get("amount")
        problems = application_check(credit=credit, debit=debit, amount=amount)
        for name, message in problems.items():
            shown = ref_name(name) if ref_name(name) in values else name
            if touched.keys() & {credit.pk, debit.pk}:
                message = message.rstrip(".") + " after the earlier rows of this batch."
            batch.fail(index, shown, message)
        if problems:
            continue
        for entry, before, after in application_lower(credit=credit, debit=debit, amount=amount):
            plan.extra_events.append(plan.event(entry, AuditEvent.Action.UPDATE, before, after))
            touched[entry.pk] = entry
        plan.create(index, Application(
            company=company, credit_entry=credit, debit_entry=debit, amount=amount,
            applied_on=values.get("applied_on", today), external_ref=values["external_ref"],
            created_by=batch.user if getattr(batch.user, "pk", None) else None,
        ))  # fmt: skip
    if batch.errors:
        return plan.write(Application)
    for entry in touched.values():
        entry.updated_at = batch.now
    plan.paid.update(e.pk for e in touched.values() if e.is_debit)
    bulk_update(LedgerEntry, list(touched.values()), ["remaining", "remaining_lcy", "updated_at"])
    return plan.write(Application)
