"""The customer card's History tab, the statement (print or send by email) and the stored
documents of the follow-up history.

Dates and times show in the customer's company's time zone. Every page starts from what
the user may see: another company's customer or document is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcontrol.roles import can_work_customers, role_required
from ledger.models import Company
from ledger.views import render_card, visible_customer

from .documents import statement_pdf
from .models import Document, FollowUpAction, FollowUpActionEntry
from .placeholders import email_recipients
from .statements import statement_send

ACTIONS_PER_PAGE = 25


def _pdf_response(content: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # A statement is personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@role_required
def customer_history(request, pk: int):
    """Every follow-up action on the customer, newest first: when, who, level, channel,
    entries, amount and the documents it produced."""
    customer = visible_customer(request, pk)
    actions = (
        FollowUpAction.objects.filter(customer=customer)
        .select_related("by", "communication")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=FollowUpActionEntry.objects.select_related("entry")
                .only(
                    "id",
                    "action_id",
                    "level",
                    "remaining_lcy",
                    "entry__id",
                    "entry__document_no",
                    "entry__entry_type",
                )
                .order_by("entry__due_date", "entry__id"),
            ),
            # The PDF bytes stay in the database until someone opens the document.
            Prefetch("documents", queryset=Document.objects.defer("content").order_by("id")),
        )
        .order_by("-at", "-id")
    )
    page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    with timezone.override(customer.company.tz):
        return render_card(request, customer, "history", {
            "tab_template": "followups/card/_history.html",
            "page": page,
            "can_work": can_work_customers(request.user),
        })  # fmt: skip


@role_required
def customer_statement_pdf(request, pk: int):
    """The customer's statement as of today (company time zone), printed now."""
    customer = visible_customer(request, pk)
    as_of = customer.company.today()
    content = statement_pdf(customer=customer, as_of=as_of)
    filename = f"statement-{customer.account_code}-{as_of:%Y-%m-%d}.pdf"
    return _pdf_response(content, filename, download=request.GET.get("inline") != "1")


@role_required
def customer_statement_send(request, pk: int):
    """Send the statement by email: the recipients prefilled, then a confirmation."""
    customer = visible_customer(request, pk)
    if not can_work_customers(request.user):
        raise PermissionDenied(_("Your role does not allow sending statements."))
    suggested = email_recipients(customer)
    to = ", ".join(suggested)
    errors: list[str] = []
    if request.method == "POST":
        to = request.POST.get("to", "").strip()
        try:
            message = statement_send(user=request.user, customer=customer, to=to or None)
        except ValidationError as exc:
            errors = [m for msgs in exc.message_dict.values() for m in msgs]
        else:
            messages.success(
                request,
                _(
                    "Statement queued for %(join_message_to)s: it goes out by email with the PDF attached."
                )
                % {"join_message_to": ", ".join(message.to)},
            )
            return redirect(reverse("followups:customer-history", args=[customer.pk]))
    return render(request, "followups/statement_send.html", {
        "customer": customer, "to": to, "suggested": suggested, "errors": errors,
        "as_of": customer.company.today(), "nav": "customers",
    }, status=400 if errors else 200)  # fmt: skip


@role_required
def document_download(request, pk: int):
    """A stored document (a statement or letter as it was sent), to people who may see
    its customer."""
    document = get_object_or_404(
        Document.objects.filter(company__in=Company.objects.visible_to(request.user)), pk=pk
    )
    return _pdf_response(document.content, document.filename, download=False)
