"""Claiming one due row of a work queue kept in a table (the outbox, webhook deliveries).

A worker takes the oldest due ``pending`` row and marks it ``sending`` under its name in
one committed step, so two workers never take the same row. PostgreSQL skips rows another
transaction has locked (``SKIP LOCKED``); SQLite, which serialises writers, claims by a
conditional update that only one worker can win.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model


def worker_name() -> str:
    """This process's name on the rows it claims: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_due(model: type[Model], *, worker: str, now: dt.datetime, pending: str,
              sending: str) -> int | None:  # fmt: skip
    """The pk of the row claimed for ``worker`` (``None``: no row is due)."""
    fields: dict[str, Any] = {"status": sending, "claimed_at": now, "claimed_by": worker[:100],
                              "attempts": F("attempts") + 1}  # fmt: skip
    due = model.objects.filter(status=pending, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).only("pk").first()
            if row is None:
                return None
            model.objects.filter(pk=row.pk).update(**fields)
            return row.pk
    for pk in due.values_list("pk", flat=True)[:20]:
        if model.objects.filter(pk=pk, status=pending).update(**fields) == 1:
            return pk
    return None
