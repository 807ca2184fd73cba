"""The self-service page: no login, the link's token is the key; works without JavaScript.

Every answer is in the customer's language. An unknown, expired or revoked token gets the
same "not valid" page (404), whatever it was; too many requests from an address get 429.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from communications.links import link_find
from communications.models import Dispute, PromiseEntry, PromiseStatus
from followups.documents import statement_pdf
from followups.languages import in_language
from ledger.entry_documents import entry_document_bytes
from ledger.models import EntryDocument, LedgerEntry

from . import ratelimit, services
from .forms import DisputeForm, PromiseForm
from .models import PortalSettings

ZERO = Decimal("0.00")


def _guard(view):
    """Rate limit, find the link (or the one "not valid" page), switch to its language."""

    def wrapped(request, token: str, *args, **kwargs):
        if not ratelimit.allowed(request):
            return render(request, "portal/invalid.html", {"too_many": True}, status=429)
        link = link_find(token)
        if link is None:
            return render(request, "portal/invalid.html", {}, status=404)
        with in_language(link.customer):
            response = view(request, link, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        # same-origin (not no-referrer): the forms need their Origin for the CSRF check,
        # and no other site learns the link from a Referer.
        response["Referrer-Policy"] = "same-origin"
        return response

    wrapped.__name__ = view.__name__
    return never_cache(wrapped)


def pay_url(template: str, *, amount: Decimal, currency: str, reference: str) -> str:
    if not template:
        return ""
    values = {"amount": f"{amount:.2f}", "currency": currency, "reference": reference}
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", quote(value, safe=""))
    return out


def _context(link, dispute_form=None, promise_form=None, error=""):
    customer = link.customer
    company = customer.company
    today = company.today()
    items = list(services.open_items(customer))
    disputed = set(Dispute.objects.filter(customer=customer, ended_on__isnull=True)
                   .values_list("entry_id", flat=True))  # fmt: skip
    promised = set(PromiseEntry.objects.filter(promise__customer=customer,
                                               promise__status=PromiseStatus.OPEN)
                   .values_list("entry_id", flat=True))  # fmt: skip
    with_copy = set(EntryDocument.objects.filter(entry__in=items).values_list("entry_id",
                                                                                flat=True))  # fmt: skip
    totals: dict[str, dict[str, Decimal]] = {}
    for e in items:
        e.days_overdue = (today - e.due_date).days if e.is_debit and e.due_date < today else 0
        e.is_disputed, e.is_promised, e.has_copy = (
            e.pk in disputed,
            e.pk in promised,
            e.pk in with_copy,
        )
        t = totals.setdefault(e.currency, {"total": ZERO, "overdue": ZERO})
        t["total"] += e.remaining
        if e.days_overdue:
            t["overdue"] += e.remaining
    settings_row = PortalSettings.objects.filter(company=company).first()
    main = totals.get(customer.currency) or next(
        iter(totals.values()), {"total": ZERO, "overdue": ZERO}
    )
    due_now = main["overdue"] or main["total"]
    reference = customer.payment_reference
    choices = [(e.pk, e.document_no) for e in items if e.is_debit and not e.is_promised]
    return {
        "link": link, "customer": customer, "company": company, "today": today,
        "items": items, "totals": totals, "reference": reference,
        "bank_details": settings_row.bank_details if settings_row else "",
        "pay_url": pay_url(settings_row.pay_url_template if settings_row else "",
                           amount=due_now, currency=customer.currency, reference=reference)
        if due_now > 0 else "",
        "dispute_form": dispute_form or DisputeForm(),
        "promise_form": promise_form or PromiseForm(entry_choices=choices),
        "promise_choices": choices, "error": error,
    }  # fmt: skip


@_guard
@require_http_methods(["GET", "HEAD"])
def page(request, link):
    services.portal_visit(link=link)
    ctx = _context(link)
    ctx["done"] = request.GET.get("done", "")
    return render(request, "portal/page.html", ctx)


def _refused(request, link, error, **forms):
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    ctx = _context(link, error=" ".join(messages), **forms)
    return render(request, "portal/page.html", ctx, status=400)


@_guard
@require_POST
def dispute(request, link):
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return _refused(request, link, translation.gettext("Please tell us why you query this "
                                                           "invoice."), dispute_form=form)  # fmt: skip
    try:
        services.portal_dispute(link=link, entry_id=form.cleaned_data["entry"],
                                reason=form.cleaned_data["reason"])  # fmt: skip
    except ValidationError as error:
        return _refused(request, link, error, dispute_form=form)
    return redirect(f"{request.path.rsplit('/dispute/', 1)[0]}/?done=dispute")


@_guard
@require_POST
def promise(request, link):
    items = services.open_items(link.customer)
    form = PromiseForm(request.POST, entry_choices=[(e.pk, e.document_no) for e in items])
    if not form.is_valid():
        return _refused(request, link, translation.gettext("Choose the invoices and the date "
                                                           "you will pay by."), promise_form=form)  # fmt: skip
    try:
        services.portal_promise(link=link, entry_ids=form.cleaned_data["entries"],
                                promised_on=form.cleaned_data["promised_on"])  # fmt: skip
    except ValidationError as error:
        return _refused(request, link, error, promise_form=form)
    return redirect(f"{request.path.rsplit('/promise/', 1)[0]}/?done=promise")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@_guard
@require_http_methods(["GET"])
def statement(request, link):
    customer = link.customer
    as_of = customer.company.today()
    data = statement_pdf(customer=customer, as_of=as_of)
    services.portal_download(link=link, what="statement")
    return _pdf(data, f"statement-{customer.account_code}-{as_of:%Y-%m-%d}.pdf")


@_guard
@require_http_methods(["GET"])
def copy(request, link, entry_id: int):
    entry = LedgerEntry.objects.filter(customer=link.customer, pk=entry_id).first()
    doc = EntryDocument.objects.filter(entry=entry).first() if entry else None
    if doc is None:
        raise Http404
    data = entry_document_bytes(doc)
    services.portal_download(link=link, what="copy", entry=entry)
    return _pdf(data, f"{entry.document_no}.pdf".replace("/", "-").replace('"', ""))
