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


# Two more, for the customer record (issue 13), sent by ``ledger.services`` and
# ``ledger.credit_limits`` inside the writing transaction: the workbench raises the
# controller's over-limit to-do from ``credit_limit_crossed``; webhooks may listen to both.
# ``customer_hold_changed``: ``customer`` (on_hold, hold_reason, hold_changed_by already set).
# ``credit_limit_crossed``: ``company_id``, ``customer_ids`` (just went over their limit).
customer_hold_changed = Signal()
credit_limit_crossed = Signal()


def announce_hold(*, customer) -> None:
    customer_hold_changed.send(sender="ledger", customer=customer)


def announce_over_limit(*, company_id: int, customer_ids: Iterable[int]) -> None:
    ids = sorted(set(customer_ids))
    if ids:
        credit_limit_crossed.send(sender="ledger", company_id=company_id, customer_ids=ids)
