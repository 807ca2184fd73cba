"""The receiver of the ledger's ``entries_changed`` signal (see ``ledger/signals.py``)."""

from __future__ import annotations

from typing import Any

from ledger.models import LedgerEntry

from .engine import proposals_refresh
from .restage import customers_changed


def on_entries_changed(*, company_id: int, entry_ids: list[int], **_: Any) -> None:
    """What decides the chasing of these entries changed: their customers' live proposals
    are brought in step now, in the same transaction as the change, and the customers are
    marked for the next run (which may have to make them a proposal)."""
    customers = set(
        LedgerEntry.objects.filter(pk__in=entry_ids).values_list("customer_id", flat=True)
    )
    customers_changed(company_id=company_id, customer_ids=customers)
    proposals_refresh(company_id=company_id, customer_ids=customers)
