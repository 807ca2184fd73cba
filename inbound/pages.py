"""The unmatched-mail pages: the list (waiting, or discarded), one message with its text
and attachments, and assigning it to a customer or discarding it (``inbound/triage.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditcontrol.roles import can_work_customers, role_required
from ledger.models import Customer

from .models import InboundMessage
from .triage import customers_to_offer, inbound_assign, inbound_discard


def _visible(request):
    if not can_work_customers(request.user):
        raise PermissionDenied(_("Only credit controllers and managers handle unmatched mail."))
    return InboundMessage.objects.visible_to(request.user)


@role_required
def unmatched_list(request):
    discarded = request.GET.get("show") == "discarded"
    rows = _visible(request).filter(kind=InboundMessage.Kind.UNMATCHED)
    rows = (rows.filter(discarded_at__isnull=not discarded).select_related("company", "handled_by")
            .annotate(attachment_count=Count("attachments")))  # fmt: skip
    page = Paginator(rows.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "inbound/unmatched_list.html",
                  {"page": page, "discarded": discarded, "nav": "unmatched"})  # fmt: skip


@role_required
def unmatched_detail(request, pk: int):
    message = get_object_or_404(
        _visible(request).select_related("company", "handled_by", "customer"), pk=pk
    )
    query = request.GET.get("q", "")[:100]
    offered = (
        customers_to_offer(request.user, message, query) if message.kind == "unmatched" else []
    )
    return render(request, "inbound/unmatched_detail.html", {
        "message": message, "attachments": message.attachments.order_by("pk"),
        "offered": offered, "q": query, "nav": "unmatched",
    })  # fmt: skip


@role_required
@require_POST
def unmatched_assign(request, pk: int):
    message = get_object_or_404(_visible(request), pk=pk)
    customer_id = request.POST.get("customer", "")
    customer = (
        Customer.objects.visible_to(request.user).filter(pk=customer_id).first()
        if customer_id.isdigit() else None
    )  # fmt: skip
    if customer is None:
        messages.error(request, _("Choose the customer this message is from."))
        return redirect("inbound:unmatched-detail", pk=message.pk)
    try:
        inbound_assign(user=request.user, message=message, customer=customer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inbound:unmatched-detail", pk=message.pk)
    messages.success(request, _("The message is recorded on %(customer)s as an email received.")
                     % {"customer": customer.name})  # fmt: skip
    return redirect("inbound:unmatched")


@role_required
@require_POST
def unmatched_discard(request, pk: int):
    message = get_object_or_404(_visible(request), pk=pk)
    try:
        inbound_discard(user=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inbound:unmatched-detail", pk=message.pk)
    messages.success(request, _("Message discarded; it stays under “Discarded”."))
    return redirect("inbound:unmatched")
