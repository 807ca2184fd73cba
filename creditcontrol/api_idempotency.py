"""Creates a client may retry, made idempotent by the ``Idempotency-Key`` header.

The ledger's applications carry the key in their own ``external_ref`` column; the
workbench's records have no such column, so the key is kept where every create already
leaves a trace: the record's *create* audit event (``after.idempotency_key``), written
in the same transaction as the record. A retry with the same key, by the same user, on
the same resource, within a day, answers with the first record (200, header
``Idempotent-Replayed: true``) and writes nothing; the same key with a different body is
refused. On PostgreSQL an advisory lock per key serialises two retries sent at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ledger.audit import audit_event
from ledger.models import AuditEvent

HEADER = "Idempotency-Key"
WINDOW = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description=(
        "Any unique string (a UUID) chosen by the client. Retrying with the same key within "
        "24 hours returns the record the first call created (status 200) and writes nothing."
    ),
)


def _fingerprint(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _lock(user_id: Any, label: str, key: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself.
    digest = hashlib.blake2b(f"{user_id}:{label}:{key}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _refuse(message: str) -> Response:
    return Response({"errors": [{"field": HEADER, "message": message}]},
                    status=status.HTTP_400_BAD_REQUEST)  # fmt: skip


def idempotent_create(
    request: Request,
    *,
    model: type[Model],
    create: Callable[[], Model],
    represent: Callable[[Model], Any],
    replay_queryset: Any,
) -> Response:
    """Run ``create`` once per ``Idempotency-Key``; answer with ``represent(record)``.

    ``replay_queryset`` is where a replayed record is looked up (the caller's visible
    records), so a key never reveals a record the caller may no longer see.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return Response(represent(create()), status=status.HTTP_201_CREATED)
    if len(key) > MAX_KEY_LENGTH:
        return _refuse(f"An {HEADER} has at most {MAX_KEY_LENGTH} characters.")
    label = model._meta.label_lower
    fingerprint = _fingerprint(request.data)
    with transaction.atomic():
        _lock(request.user.pk, label, key)
        earlier = (
            AuditEvent.objects.filter(
                model=label,
                action=AuditEvent.Action.CREATE,
                user_id=request.user.pk,
                at__gte=timezone.now() - WINDOW,
                after__idempotency_key=key,
            )
            .order_by("-id")
            .first()
        )
        if earlier is not None:
            if earlier.after.get("idempotency_request") != fingerprint:
                return _refuse(
                    _(
                        "This %(header)s was already used for a different request; use a new "
                        "key for a new request."
                    )
                    % {"header": HEADER}
                )
            record = replay_queryset.filter(pk=earlier.object_id).first()
            if record is None:
                return _refuse(
                    _("The record first created with this %(header)s is gone.") % {"header": HEADER}
                )
            response = Response(represent(record), status=status.HTTP_200_OK)
            response["Idempotent-Replayed"] = "true"
            return response
        record = create()
        _stamp(request, record, label, key, fingerprint)
    return Response(represent(record), status=status.HTTP_201_CREATED)


def _stamp(request: Request, record: Model, label: str, key: str, fingerprint: str) -> None:
    """Note the key on the record's create event (or on a new one if a service wrote none)."""
    stamp = {"idempotency_key": key, "idempotency_request": fingerprint}
    event = (
        AuditEvent.objects.filter(model=label, object_id=record.pk, action=AuditEvent.Action.CREATE)
        .order_by("-id")
        .first()
    )
    if event is None:
        event = audit_event(user=request.user, obj=record, action=AuditEvent.Action.CREATE,
                            after={}, source="api")  # fmt: skip
    event.after = {**event.after, **stamp}
    if event.user_id is None:
        event.user_id = request.user.pk
    event.save()
