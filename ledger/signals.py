"""The ledger's two signals: how the ledger and the workbench tell the apps above them
that entries changed, without importing them (imports run one way).

- ``entries_paid``: open amounts went down (an application, the sync, an edit).
  ``communications`` decides the entries' promises and closes paid-up to-dos.
- ``entries_changed``: something that decides whether or how an entry is chased changed
  (paid, disputed, promised, excluded, an expected payment date, its level). ``followups``
  brings the live proposals of the entries' customers in step at once, so that what the
  work list and the preview show is what would be sent. A payment sends both.

Both are sent inside the transaction that made the change, so what receivers write
commits or rolls back with it. Arguments: ``company_id`` and ``entry_ids`` (receivers
re-read the entries).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

entries_paid = Signal()
entries_changed = Signal()


def announce_paid(*, company_id: int, entry_ids: Iterable[int]) -> None:
    ids = sorted(set(entry_ids))
    if ids:
        entries_paid.send(sender="ledger", company_id=company_id, entry_ids=ids)
        entries_changed.send(sender="ledger", company_id=company_id, entry_ids=ids)


def announce_changed(*, company_id: int, entry_ids: Iterable[int]) -> None:
    ids = sorted(set(entry_ids))
    if ids:
        entries_changed.send(sender="ledger", company_id=company_id, entry_ids=ids)


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
