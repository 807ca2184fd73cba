"""The header's global search: customers by name, account code or external reference;
contacts by name, email or phone; ledger entries by document number.

Each kind is one query of at most ``LIMIT`` rows from what the user may see. On
PostgreSQL trigram indexes narrow first (``customer_search_trgm`` from migration 0003,
the contact, document-number and external-reference indexes from 0005), the same way
the customer list searches; SQLite scans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .customer_columns import _like_pattern
from .models import Contact, Customer, LedgerEntry

LIMIT = 8
# Matches read before ordering: a common three letters match thousands of rows, and an
# ORDER BY ... LIMIT over a trigram match tempts the planner into walking the sort index
# row by row (a second at 100,000 customers when nothing matches). Unordered, it takes
# the trigram index; the few candidates are then ordered.
CANDIDATES = 200
MIN_LENGTH = 3  # trigram indexes need three characters; two would scan 1,000,000 entries
# Qualified: the visibility filter joins the customer, which has an email and phone too
# (the planner matches the index of migration 0005 whether or not columns are qualified).
CONTACT_BLOB_SQL = (
    "("
    + " || ' ' || ".join(
        f'"ledger_contact".{name}'
        for name in ("first_name", "last_name", "email", "phone", "mobile")
    )
    + ")"
)


@dataclass
class SearchResults:
    """What one search found, by kind; each list holds at most ``LIMIT`` rows."""

    text: str
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.customers or self.contacts or self.entries)


def _narrow(queryset: Any, sql: str, text: str) -> Any:
    """On PostgreSQL, ``sql ILIKE %text%`` so a trigram index on ``sql`` can narrow."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    return queryset.filter(
        RawSQL(f"{sql} ILIKE %s", [_like_pattern(text)], output_field=BooleanField())
    )


def global_search(*, user: Any, text: str, limit: int = LIMIT) -> SearchResults:
    """Up to ``limit`` customers, contacts and entries matching ``text`` for ``user``."""
    text = " ".join(text.split())[:100]
    found = SearchResults(text=text)
    if len(text) < MIN_LENGTH:
        return found
    customers = Customer.objects.visible_to(user)
    by_text = customers.search(text, keys=["account_code", "name"])
    by_ref = _narrow(customers, '"ledger_customer"."external_ref"', text).filter(
        external_ref__icontains=text
    )
    found.customers = _first(by_text | by_ref, ("name", "pk"), limit, "company")
    contacts = _narrow(Contact.objects.visible_to(user), CONTACT_BLOB_SQL, text).filter(
        Q(first_name__icontains=text) | Q(last_name__icontains=text)
        | Q(email__icontains=text) | Q(phone__icontains=text) | Q(mobile__icontains=text)
        | _full_name_q(text)
    )  # fmt: skip
    found.contacts = _first(contacts, ("last_name", "first_name", "pk"), limit, "customer")
    entries = _narrow(
        LedgerEntry.objects.visible_to(user), '"ledger_ledgerentry"."document_no"', text
    )
    found.entries = _first(entries.filter(document_no__icontains=text),
                           ("-document_date", "-pk"), limit, "customer")  # fmt: skip
    return found


def _first(matches: Any, order: tuple[str, ...], limit: int, related: str) -> list[Any]:
    """The first ``limit`` of ``matches`` in ``order``, from at most ``CANDIDATES``
    matches read without an order (two short queries; see CANDIDATES)."""
    ids = list(matches.order_by().values_list("pk", flat=True)[:CANDIDATES])
    if not ids:
        return []
    model = matches.model
    return list(model.objects.filter(pk__in=ids).select_related(related).order_by(*order)[:limit])


def _full_name_q(text: str) -> Q:
    """ "Jane Smith" finds first name Jane and last name Smith."""
    first, _, last = text.partition(" ")
    if not last:
        return Q(pk__in=[])
    return Q(first_name__icontains=first, last_name__icontains=last)
