"""Who a reminder goes to, and the placeholders of level texts filled in for one customer.

Level texts carry single-brace placeholders: {customer} {contact} {company} {total}
{overdue} {currency} {date} {entries} {controller}. A placeholder nobody knows, or a
stray brace, is left exactly as typed: a controller's text is never refused or mangled
for a typo in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communications.models import Dispute
from ledger.models import Company, Contact, Customer, LedgerEntry

PLACEHOLDERS = (
    "customer", "contact", "company", "total", "overdue", "currency", "date", "entries",
    "controller",
)  # fmt: skip
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
NO_CONTACT = gettext_lazy("Sir or Madam")
NO_CONTROLLER = gettext_lazy("Credit Control")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def amount_text(amount: Decimal | None) -> str:
    """Two decimals with the active language's separators (1,234.50; 1.234,50 in German)."""
    value = (amount or ZERO).quantize(CENT)
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def money(amount: Decimal | None, currency: str) -> str:
    """``1234.5, "GBP"`` → ``1,234.50 GBP``: two decimals and the currency, never a float."""
    return f"{amount_text(amount)} {currency}"


def _english() -> bool:
    return (translation.get_language() or "en").startswith("en")


def short_date(day: dt.date | None) -> str:
    """A date in a table of a customer's text, in the language's localisation: English
    documents are rendered in en-GB, whose DATE_FORMAT ("5 Mar 2026") cannot be misread as
    American; other languages their short form ("05.03.2026")."""
    if not day:
        return ""
    return formats.date_format(day, "DATE_FORMAT" if _english() else "SHORT_DATE_FORMAT")


def long_date(day: dt.date) -> str:
    """The date a customer's text is written on, in the language's long form ("5 Mar 2026",
    "5. März 2026", "5 mars 2026"): Django's localised DATE_FORMAT, never a hand format."""
    return formats.date_format(day, "DATE_FORMAT")


def credit_contact(customer: Customer) -> Contact | None:
    """The customer's credit-control contact (the one who gets reminders), if any."""
    return customer.contacts.filter(is_credit_contact=True).first()


def reachable(contact: Contact) -> bool:
    """A contact a reminder may go to: active, with an address that has not bounced."""
    return bool(contact.email) and contact.is_active and contact.email_bounced_at is None


def reminder_to(customer: Customer, credit_contacts: Iterable[Contact]) -> list[str]:
    """The To of a reminder from the customer's credit-control contacts (loaded already):
    the reachable ones' addresses, else the customer's own; empty when there is neither.
    The work list's "automatic" badge asks the same question of its prefetched rows."""
    addresses = [c.email for c in credit_contacts if reachable(c)]
    if not addresses and customer.email:
        addresses = [customer.email]
    return addresses


def email_recipients(customer: Customer) -> list[str]:
    """Where a reminder or statement goes: the credit-control contact's address, else the
    customer's own; an empty list when neither is recorded. Inactive contacts and bounced
    addresses are left out until corrected (issue 13)."""
    return reminder_to(customer, customer.contacts.filter(is_credit_contact=True).order_by("id"))


def reminder_addresses(customer: Customer) -> tuple[list[str], list[str]]:
    """A reminder's (To, Cc) in one query (``ContactQuerySet.reminder_recipients``): To as
    ``email_recipients``, Cc the reachable contacts marked "copy on reminders" who are not
    in To already."""
    to_contacts, cc_contacts = Contact.objects.reminder_recipients(customer)
    to = reminder_to(customer, to_contacts)
    taken = {address.lower() for address in to}
    cc: list[str] = []
    for contact in cc_contacts:
        if contact.email.lower() not in taken:
            taken.add(contact.email.lower())
            cc.append(contact.email)
    return to, cc


def ledger_entries(entries: Iterable[Any]) -> list[LedgerEntry]:
    """Ledger entries from entries or from rows that point at one (a proposal's lines)."""
    return [getattr(e, "entry", e) for e in entries]


def totals_by_currency(entries: Iterable[LedgerEntry]) -> dict[str, Decimal]:
    """Remaining amounts summed per currency, in currency order (the entries are loaded
    already: the letter lists every one of them)."""
    sums: dict[str, Decimal] = {}
    for entry in entries:
        sums[entry.currency] = sums.get(entry.currency, ZERO) + entry.remaining
    return {ccy: sums[ccy].quantize(CENT) for ccy in sorted(sums)}


def disputed_amounts(entries: Iterable[LedgerEntry]) -> dict[int, Decimal]:
    """The open disputed part of each entry that has one, in the entry's currency (never
    above its remaining amount), in one query."""
    rows = {e.pk: e for e in entries}
    found = Dispute.objects.filter(entry_id__in=list(rows), ended_on__isnull=True, amount__gt=0)
    return {
        entry_id: min(amount, rows[entry_id].remaining)
        for entry_id, amount in found.values_list("entry_id", "amount")
    }


def owed_by_currency(entries: Iterable[LedgerEntry],
                     disputed: dict[int, Decimal]) -> dict[str, Decimal]:  # fmt: skip
    """What the entries still owe per currency, less their disputed parts: the amount a
    reminder asks for (the proposal's total, in the entries' own currencies)."""
    sums: dict[str, Decimal] = {}
    for entry in entries:
        owed = entry.remaining - disputed.get(entry.pk, ZERO)
        sums[entry.currency] = sums.get(entry.currency, ZERO) + owed
    return {ccy: sums[ccy].quantize(CENT) for ccy in sorted(sums)}


def money_list(sums: dict[str, Decimal], fallback_currency: str) -> str:
    """``{"GBP": 10, "USD": 5}`` → ``10.00 GBP and 5.00 USD``; zero in ``fallback_currency``."""
    if not sums:
        return money(ZERO, fallback_currency)
    parts = [money(amount, ccy) for ccy, amount in sums.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + _(" and ") + parts[-1]


ENTRY_COLUMNS = (
    gettext_lazy("Document"), gettext_lazy("Date"), gettext_lazy("Due date"),
    gettext_lazy("Currency"), gettext_lazy("Remaining"),
)  # fmt: skip


def entries_text(entries: Iterable[Any], company: Company | None = None,
                 disputed: dict[int, Decimal] | None = None) -> str:  # fmt: skip
    """The entries as a plain-text table for an email: document number, date, due date,
    currency and remaining amount, with what is asked for per currency underneath (less
    any disputed part, which is said)."""
    rows = ledger_entries(entries)
    disputed = disputed_amounts(rows) if disputed is None else disputed
    if not rows:
        return _("(no open items)")
    table = [tuple(str(c) for c in ENTRY_COLUMNS)] + [
        (e.document_no, short_date(e.document_date), short_date(e.due_date), e.currency,
         amount_text(e.remaining))
        for e in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(ENTRY_COLUMNS))]
    right = {4}  # amounts line up on the decimal point

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]  # fmt: skip
        return "  ".join(cells).rstrip()

    out = [line(table[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in table[1:]]
    for ccy, amount in owed_by_currency(rows, disputed).items():
        out.append(
            _("Total %(currency)s: %(amount)s") % {"currency": ccy, "amount": amount_text(amount)}
        )
    in_dispute: dict[str, Decimal] = {}
    for e in rows:
        if e.pk in disputed:
            in_dispute[e.currency] = in_dispute.get(e.currency, ZERO) + disputed[e.pk]
    for ccy, amount in sorted(in_dispute.items()):
        out.append(_("(In dispute, not asked for: %(amount)s %(currency)s)")
                   % {"amount": amount_text(amount), "currency": ccy})  # fmt: skip
    return "\n".join(out)


def values(
    *,
    customer: Customer,
    entries: Iterable[Any],
    as_of: dt.date,
    contact: Contact | None = None,
    controller: Any = None,
) -> dict[str, str]:
    """Every placeholder's value for this customer, these entries and this date.

    {total} is what the listed entries still owe (net of any credits among them and of
    their disputed parts: what the reminder asks for), {overdue}
    what their invoices and debit memos owe past the due date on ``as_of`` (per currency
    when they are in several)."""
    rows = ledger_entries(entries)
    disputed = disputed_amounts(rows)
    company = customer.company
    contact = contact or credit_contact(customer)
    controller = controller or customer.controller
    # Credits are never "overdue": unapplied cash lowers the total, not the arrears.
    overdue = [e for e in rows if e.due_date < as_of and e.is_debit]
    return {
        "customer": customer.name,
        "contact": (contact.full_name if contact else "") or str(NO_CONTACT),
        "company": company.name,
        "total": money_list(owed_by_currency(rows, disputed), customer.currency),
        "overdue": money_list(owed_by_currency(overdue, disputed), customer.currency),
        "currency": customer.currency,
        "date": long_date(as_of),
        "entries": entries_text(rows, company, disputed),
        "controller": (
            (controller.get_full_name() or controller.get_username())
            if controller
            else str(NO_CONTROLLER)
        ),
    }


def substitute(text: str, known: dict[str, str]) -> str:
    """Replace ``{name}`` for each known name; anything else stays as typed."""
    return PLACEHOLDER_RE.sub(lambda m: known.get(m.group(1), m.group(0)), text or "")


def fill(
    text: str,
    *,
    customer: Customer,
    entries: Iterable[Any],
    as_of: dt.date,
    contact: Contact | None = None,
    controller: Any = None,
) -> str:
    """The text with its placeholders filled in for the customer on ``as_of``."""
    if not text or "{" not in text:
        return text or ""
    known = values(
        customer=customer, entries=entries, as_of=as_of, contact=contact, controller=controller
    )
    return substitute(text, known)
