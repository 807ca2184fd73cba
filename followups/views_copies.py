"""Sending invoice copies of the entries ticked on the customer's entries tab."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from creditcontrol.roles import role_required
from ledger.views import visible_customer

from .copies import copies_send, with_documents
from .placeholders import email_recipients


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@role_required
@require_http_methods(["GET", "POST"])
def copies_send_view(request, pk: int):
    """GET: the ticked entries with a document, and where they go; POST: send them once."""
    customer = visible_customer(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    ids = _ids(data.getlist("entries"))
    if request.method == "POST":
        try:
            copies_send(user=request.user, customer=customer, entry_ids=ids,
                        key=request.POST.get("key") or uuid.uuid4().hex,
                        to=request.POST.get("to") or None)  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The invoice copies will be emailed to the customer."))
        return redirect(reverse("communications:customer-entries", args=[customer.pk]))
    return render(request, "followups/copies_send.html", {
        "customer": customer, "docs": with_documents(customer, ids), "ticked": len(ids),
        "to": ", ".join(email_recipients(customer)), "key": uuid.uuid4().hex, "nav": "customers",
    })  # fmt: skip
