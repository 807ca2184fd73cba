"""The one duplicate check for customers, used by the sync, the CSV import and the form
that adds a customer by hand.

Two customers of a company are the same when they share the account code (the database
refuses that anyway) or, likely the same, when they share name and postcode (ignoring
case and surrounding spaces): a person may confirm that it really is another customer.
Each lookup is one query for a whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Lower, Trim

from .models import Company, Customer

NameKey = tuple[str, str]


def name_key(name: str, postcode: str) -> NameKey:
    return name.strip().lower(), postcode.strip().lower()


def account_code_holders(company: Company, codes: Iterable[str]) -> dict[str, Customer]:
    """The customers of ``company`` holding these account codes, by code."""
    found = Customer.objects.filter(company=company, account_code__in=set(codes))
    return {c.account_code: c for c in found}


def name_twins(company: Company, keys: Iterable[NameKey]) -> dict[NameKey, Customer]:
    """The first (oldest) customer of ``company`` with each name and postcode, by key."""
    keys = set(keys)
    if not keys:
        return {}
    found = (
        Customer.objects.filter(company=company)
        .annotate(n=Lower(Trim("name")), p=Lower(Trim("postcode")))
        .filter(n__in={k[0] for k in keys}, p__in={k[1] for k in keys})
        .order_by("id")
    )
    twins: dict[NameKey, Customer] = {}
    for c in found:
        key = name_key(c.name, c.postcode)
        if key in keys:
            twins.setdefault(key, c)
    return twins


@dataclass
class Duplicates:
    """What one new customer would clash with."""

    same_code: Customer | None = None
    same_name: Customer | None = None


def customer_duplicates(
    *, company: Company, account_code: str, name: str, postcode: str = "",
    exclude_pk: int | None = None,
) -> Duplicates:  # fmt: skip
    """The customers a new (or changed) customer would duplicate."""
    holder = account_code_holders(company, [account_code]).get(account_code)
    key = name_key(name, postcode)
    twin = name_twins(company, [key]).get(key)
    if exclude_pk is not None:
        holder = None if holder is not None and holder.pk == exclude_pk else holder
        twin = None if twin is not None and twin.pk == exclude_pk else twin
    return Duplicates(same_code=holder, same_name=twin)
