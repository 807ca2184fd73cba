"""The receiver of the ledger's ``entries_changed`` signal (see ``ledger/signals.py``)."""

from __future__ import annotations

from typing import Any

from ledger.models import LedgerEntry

from .engine import proposals_refresh


def on_entries_changed(*, company_id: int, entry_ids: list[int], **_: Any) -> None:
    """What decides the chasing of these entries changed: their customers' live proposals
    are brought in step now, in the same transaction as the change."""
    customers = LedgerEntry.objects.filter(pk__in=entry_ids).values_list("customer_id", flat=True)
    proposals_refresh(company_id=company_id, customer_ids=set(customers))
