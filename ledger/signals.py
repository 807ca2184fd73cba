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
