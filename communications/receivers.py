"""The one receiver of the ledger's ``entries_paid`` signal (see ``ledger/signals.py``)."""

from __future__ import annotations

from typing import Any

from ledger.models import Company

from .promises import promises_settle
from .todos import todos_close_paid


def on_entries_paid(*, company_id: int, entry_ids: list[int], **_: Any) -> None:
    """A payment reached these entries: decide their promises and close paid-up to-dos,
    in the same transaction as the payment."""
    company = Company.objects.get(pk=company_id)
    promises_settle(company=company, as_of=company.today(), entry_ids=entry_ids)
    todos_close_paid(entry_ids=entry_ids)
