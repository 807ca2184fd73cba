"""The inbound endpoint: an inbound-mail service posts one raw MIME message.

``POST /api/v1/inbound/email/`` with ``Authorization: Bearer <INBOUND_SECRET>`` and the
message as the body (any content type; ``message/rfc822`` by convention). 201 with what it
became; 200 when the same Message-ID was taken before; 401 without the secret; 404 when no
secret is configured (the endpoint is off).
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from creditcontrol.roles import role_required
from ledger.entry_documents import max_bytes
from ledger.views import visible_customer

from .models import InboundAttachment, InboundMessage
from .services import inbound_take


@csrf_exempt
@require_POST
def inbound_email(request):
    secret = settings.INBOUND_SECRET
    if not secret:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"detail": "Authentication credentials were not provided."},
                            status=401)  # fmt: skip
    raw = request.body
    if not raw or len(raw) > 5 * max_bytes():
        return JsonResponse({"detail": "Send one raw MIME message as the body."}, status=400)
    message, new = inbound_take(raw, source="api")
    return JsonResponse(
        {"id": message.pk, "message_id": message.message_id, "kind": message.kind,
         "customer": message.customer_id, "matched_by": message.matched_by,
         "communication": message.communication_id, "new": new},
        status=201 if new else 200,
    )  # fmt: skip


@role_required
def attachment(request, pk: int):
    """An attachment of a customer's email, for those who may see the customer (or, not yet
    matched, the message)."""
    from django.http import FileResponse

    a = get_object_or_404(InboundAttachment.objects.select_related("message"), pk=pk)
    if a.message.customer_id is None:  # unmatched: for those who may handle it
        get_object_or_404(InboundMessage.objects.visible_to(request.user), pk=a.message_id)
    else:
        visible_customer(request, a.message.customer_id)
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=a.filename,
                        content_type=a.content_type or "application/octet-stream")  # fmt: skip
