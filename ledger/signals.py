"""The one signal of the ledger: ``entries_paid``, how the ledger tells the workbench
that open amounts went down, without importing it (imports run one way).

Sent inside the transaction that lowered the remaining amounts (an application, the
sync, an edit), so what receivers write (a promise kept, a to-do closed) commits or
rolls back with it. Arguments: ``company_id`` and ``entry_ids`` (debits whose remaining
amount changed; receivers re-read them).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

entries_paid = Signal()


def announce_paid(*, company_id: int, entry_ids: Iterable[int]) -> None:
    ids = sorted(set(entry_ids))
    if ids:
        entries_paid.send(sender="ledger", company_id=company_id, entry_ids=ids)
