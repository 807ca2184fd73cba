"""The customer card's Ledger entries tab, where a controller ticks entries to work on them;
updating the selected entries at once; an entry's dispute; an entry's detail and history."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from creditcontrol import dates
from creditcontrol.dates import format_day
from creditcontrol.roles import role_required
from ledger.models import Application, AuditEvent, EntryDocument, LedgerEntry
from ledger.views import ENTRIES_PER_PAGE, render_card, visible_customer

from .forms import show_service_errors
from .forms_entries import DisputeForm, EntriesUpdateForm
from .models import (
    Communication,
    Dispute,
    EntryNote,
    EntryStatus,
    Promise,
    PromiseEntry,
    PromiseStatus,
    StatusCode,
)
from .promises import dispute_end, dispute_set
from .services import PromiseInput, entries_update
from .todos import not_the_customers


def _with_flags(entries):
    """Each entry's open dispute, status (code and query), open promise and note count,
    as joins and correlated subqueries: a page of entries stays one query."""
    dispute = Dispute.objects.filter(entry=OuterRef("pk"), ended_on__isnull=True)
    promise = PromiseEntry.objects.filter(
        entry=OuterRef("pk"), promise__status=PromiseStatus.OPEN
    ).order_by("promise__promised_on")
    notes = (
        EntryNote.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("*"))
        .values("n")
    )
    return entries.select_related("status__status_code", "status__query_owner").annotate(
        flag_dispute_amount=Subquery(dispute.values("amount")[:1]),
        flag_promise_amount=Subquery(promise.values("promise__amount")[:1]),
        flag_promise_currency=Subquery(promise.values("promise__currency")[:1]),
        flag_promised_on=Subquery(promise.values("promise__promised_on")[:1]),
        flag_note_count=Coalesce(Subquery(notes, output_field=IntegerField()), Value(0)),
    )


def _entry_status(entry: LedgerEntry) -> EntryStatus | None:
    # A reverse one-to-one raises when absent, even when select_related found nothing.
    return getattr(entry, "status", None)


@role_required
def customer_entries(request, pk: int):
    """The Ledger entries tab: open items (or all), days overdue in the company's time
    zone, and totals per currency and in LCY over every entry shown, not just the page;
    each row with its workbench flags and a tick box for working on a selection."""
    customer = visible_customer(request, pk)
    today = customer.company.today()
    show = "all" if request.GET.get("show") == "all" else "open"
    entries = LedgerEntry.objects.filter(customer=customer)
    # ?entry=<id> (from the global search): the page that holds it, the row highlighted.
    target = entries.filter(pk=request.GET["entry"]).first() if (
        request.GET.get("entry", "").isdigit()) else None  # fmt: skip
    if target is not None and not target.is_open:
        show = "all"
    if show == "open":
        entries = entries.open().order_by("due_date", "id")
        before = (
            Q(due_date__lt=target.due_date) | Q(due_date=target.due_date, id__lt=target.pk)
            if target
            else None
        )
    else:
        entries = entries.order_by("-document_date", "-id")
        before = (Q(document_date__gt=target.document_date)
                  | Q(document_date=target.document_date, id__gt=target.pk)) if target else None  # fmt: skip
    page_number = request.GET.get("page")
    if target is not None:
        page_number = entries.filter(before).count() // ENTRIES_PER_PAGE + 1
    page = Paginator(_with_flags(entries), ENTRIES_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    for entry in rows:
        entry.overdue_days = entry.days_overdue(today)
        entry.entry_status = _entry_status(entry)
    page.object_list = rows
    return render_card(
        request,
        customer,
        "entries",
        {
            "page": page,
            "show": show,
            "totals": entries.totals(),
            "today": today,
            "highlight": target.pk if target else None,
            "tab_template": "communications/card/_entries.html",
        },
    )


# --- Update selected entries ----------------------------------------------------------


def _selected_ids(values: Iterable[str]) -> tuple[list[int], str]:
    """Entry ids from ``entries=1,2,3`` or repeated ``entries``; a clear message if not ids."""
    ids: list[int] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                return [], f"“{part}” is not a ledger entry number; nothing was saved."
            ids.append(int(part))
    return sorted(set(ids)), ""


@role_required
@require_http_methods(["GET", "POST"])
def entries_update_view(request, pk: int):
    """Set a status code (with its promise or query) and write a note on every selected
    entry at once, through ``services.entries_update``; refusals come back on the form."""
    customer = visible_customer(request, pk)
    company = customer.company
    data = request.POST if request.method == "POST" else request.GET
    ids, id_problem = _selected_ids(data.getlist("entries"))
    communication = None
    if data.get("communication", "").isdigit():
        communication = Communication.objects.filter(
            customer=customer, pk=int(data["communication"])
        ).first()
    if request.method == "POST":
        form = EntriesUpdateForm(request.POST, company=company)
        if id_problem:
            form.add_error(None, id_problem)
        elif form.is_valid():
            try:
                updated = _apply(request, customer, ids, form.cleaned_data, communication)
            except ValidationError as error:
                show_service_errors(form, error, aliases={})
            else:
                messages.success(request, _summary(updated, form.cleaned_data))
                return redirect("communications:customer-entries", pk=customer.pk)
    else:
        form = EntriesUpdateForm(company=company, initial={"query_target_on": company.today()})
    notices = [id_problem] if id_problem and request.method == "GET" else []
    selected = LedgerEntry.objects.filter(customer=customer, pk__in=ids).order_by("due_date", "id")
    strangers = sorted(set(ids) - set(selected.values_list("pk", flat=True)))
    if strangers and request.method == "GET":
        notices.append(f"{not_the_customers(customer, strangers)}; left out.")
    if not ids and not id_problem and request.method == "GET":
        notices.append("Select at least one entry on the Ledger entries tab.")
    rows = list(_with_flags(selected))
    for entry in rows:
        entry.entry_status = _entry_status(entry)
    return render(
        request,
        "communications/entries_update.html",
        {
            "customer": customer,
            "nav": "customers",
            "form": form,
            "notices": notices,
            "entries": rows,
            "totals": selected.totals(),
            "communication": communication,
            "current_user_id": request.user.pk,
            "today": company.today(),
        },
    )


def _apply(request, customer, ids, cd, communication):
    code: StatusCode | None = cd["status_code"]
    promise = None
    if code is not None and code.is_promised:
        promise = PromiseInput(
            promised_on=cd["promised_on"],
            amount=None if cd["is_full"] else cd["amount"],
            is_full=cd["is_full"],
        )
    queried = code is not None and code.is_queried
    return entries_update(
        user=request.user, customer=customer, entry_ids=ids, status_code=code, promise=promise,
        query_target_on=cd["query_target_on"] if queried else None,
        query_owner=cd["query_owner"] if queried else None,
        note=cd["note"], communication=communication,
    )  # fmt: skip


def _summary(updated: list[LedgerEntry], cd: dict) -> str:
    n = len(updated)
    what = []
    if cd["status_code"] is not None:
        what.append(_("status code %(code)s") % {"code": cd["status_code"].code})
        if cd["status_code"].is_promised:
            what.append(_("a promise to pay"))
    if (cd["note"] or "").strip():
        what.append(_("a note"))
    return ngettext(
        "Updated %(count)d entry: %(what)s.", "Updated %(count)d entries: %(what)s.", n
    ) % {"count": n, "what": _(" and ").join(what)}


# --- Disputes -------------------------------------------------------------------------


def _visible_entry(request, entry_id: int) -> LedgerEntry:
    """The entry, or 404 when the user may not see it."""
    entry = get_object_or_404(
        LedgerEntry.objects.visible_to(request.user).select_related("customer", "company"),
        pk=entry_id,
    )
    dates.activate(entry.company)  # its dates in its company's convention
    return entry


@role_required
@require_http_methods(["GET", "POST"])
def dispute_edit(request, entry_id: int):
    """Open, change or end the dispute on one entry (``dispute_set`` / ``dispute_end``)."""
    entry = _visible_entry(request, entry_id)
    dispute = Dispute.objects.open().filter(entry=entry).select_related("owner").first()
    detail = reverse("communications:entry-detail", args=[entry.pk])
    if request.method == "POST" and "end" in request.POST:
        if dispute is None:
            messages.info(request, _("%(entry)s has no open dispute.") % {"entry": entry})
        else:
            dispute_end(user=request.user, dispute=dispute)
            messages.success(request, _("The dispute on %(entry)s is ended.") % {"entry": entry})
        return redirect(detail)
    if request.method == "POST":
        form = DisputeForm(request.POST, company=entry.company)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                result = dispute_set(user=request.user, entry=entry, amount=cd["amount"],
                                     reason=cd["reason"], owner=cd["owner"])  # fmt: skip
            except ValidationError as error:
                show_service_errors(form, error, aliases={})
            else:
                if result is None or not result.is_open:
                    messages.success(
                        request, _("The dispute on %(entry)s is ended.") % {"entry": entry}
                    )
                else:
                    messages.success(request, _("%(entry)s: %(amount)s %(currency)s in dispute.") % {"entry": entry, "amount": result.amount, "currency": entry.currency})  # fmt: skip
                return redirect(detail)
    elif dispute is not None:
        form = DisputeForm(company=entry.company, initial={
            "amount": dispute.amount, "reason": dispute.reason, "owner": dispute.owner_id,
        })  # fmt: skip
    else:
        form = DisputeForm(company=entry.company, initial={"owner": request.user.pk})
    disputed = dispute.amount if dispute else Decimal("0.00")
    return render(
        request,
        "communications/dispute_form.html",
        {
            "entry": entry,
            "customer": entry.customer,
            "dispute": dispute,
            "form": form,
            "undisputed": entry.remaining - disputed,
            "nav": "customers",
        },
    )


# --- Entry detail and history ---------------------------------------------------------

HISTORY_MODELS = {
    "ledger.ledgerentry": gettext_lazy("Entry"),
    "communications.entrystatus": gettext_lazy("Status"),
    "communications.dispute": gettext_lazy("Dispute"),
    "communications.promise": gettext_lazy("Promise"),
}
HIDDEN_FIELDS = {"company_id", "customer_id", "entry_id", "created_by_id", "updated_by_id"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PEOPLE_FIELDS = {"owner_id", "query_owner_id", "our_contact_id", "completed_by_id"}


# Fields whose models name them only implicitly, in words a translation can reach.
HISTORY_LABELS = {
    "entry_type": gettext_lazy("Entry type"),
    "document_no": gettext_lazy("Document no."),
    "document_date": gettext_lazy("Document date"),
    "due_date": gettext_lazy("Due date"),
    "description": gettext_lazy("Description"),
    "currency": gettext_lazy("Currency"),
    "exchange_rate": gettext_lazy("Exchange rate"),
    "amount": gettext_lazy("Amount"),
    "remaining": gettext_lazy("Remaining"),
    "amount_lcy": gettext_lazy("Amount (LCY)"),
    "remaining_lcy": gettext_lazy("Remaining (LCY)"),
    "expected_payment_date": gettext_lazy("Expected payment date"),
    "exclude_forever": gettext_lazy("Exclude forever"),
    "exclude_until": gettext_lazy("Exclude until"),
    "external_ref": gettext_lazy("External ref."),
    "status_code": gettext_lazy("Status code"),
    "reason": gettext_lazy("Reason"),
    "owner": gettext_lazy("Owner"),
    "opened_on": gettext_lazy("Opened on"),
    "ended_on": gettext_lazy("Ended on"),
    "communication": gettext_lazy("Communication"),
    "status": gettext_lazy("Status"),
    "resolved_on": gettext_lazy("Resolved on"),
}


def _label(model: str, field: str) -> str:
    name = field.removesuffix("_id")
    if name in HISTORY_LABELS:
        return str(HISTORY_LABELS[name])
    try:
        return str(apps.get_model(model)._meta.get_field(field).verbose_name).capitalize()
    except (LookupError, FieldDoesNotExist):
        return field.replace("_", " ").capitalize()


def _history(entry: LedgerEntry, dispute_ids: list[int], promise_ids: list[int]) -> list:
    """The audit events of the entry, its status, disputes and promises, newest first,
    each with its changed fields as (label, before, after)."""
    from django.contrib.auth import get_user_model

    events = list(
        AuditEvent.objects.filter(
            Q(model="ledger.ledgerentry", object_id=entry.pk)
            | Q(model="communications.entrystatus", object_id=entry.pk)
            | Q(model="communications.dispute", object_id__in=dispute_ids)
            | Q(model="communications.promise", object_id__in=promise_ids)
        )
        .select_related("user")
        .order_by("-at", "-id")
    )
    codes = {str(c.pk): c.code for c in StatusCode.objects.all()}
    person_ids = {
        v for e in events for side in (e.before, e.after) for k, v in side.items()
        if k in PEOPLE_FIELDS and v
    }  # fmt: skip
    people = {
        p.pk: p.get_full_name() or p.get_username()
        for p in get_user_model().objects.filter(pk__in=person_ids)
    }

    def shown(key: str, value):
        if value in (None, ""):
            return "—"
        if key == "status_code_id":
            return codes.get(str(value), value)
        if key in PEOPLE_FIELDS:
            return people.get(value, value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return format_day(dt.date.fromisoformat(value))
        return value

    for event in events:
        event.kind = HISTORY_MODELS.get(event.model, event.model)
        keys = [k for k in {**event.before, **event.after} if k not in HIDDEN_FIELDS]
        if event.action == AuditEvent.Action.CREATE:
            keys = [k for k in keys if event.after.get(k) not in (None, "")]
        event.changes = [
            (_label(event.model, k), shown(k, event.before.get(k)), shown(k, event.after.get(k)))
            for k in keys
        ]
    return events


@role_required
def entry_detail(request, entry_id: int):
    """One entry: its fields and remaining amount, applications, status and query,
    disputes, promises, communications, notes, and its history (who, when, before → after)."""
    entry = _visible_entry(request, entry_id)
    status = (
        EntryStatus.objects.filter(entry=entry)
        .select_related("status_code", "query_owner", "updated_by")
        .first()
    )
    disputes = list(entry.disputes.select_related("owner").order_by("-opened_on", "-id"))
    promises = list(
        Promise.objects.filter(lines__entry=entry).distinct().order_by("-promised_on", "-id")
    )
    applications = (
        Application.objects.filter(Q(debit_entry=entry) | Q(credit_entry=entry))
        .select_related("debit_entry", "credit_entry", "created_by")
        .order_by("-applied_on", "-id")
    )
    open_dispute = next((d for d in disputes if d.is_open), None)
    return render(
        request,
        "communications/entry_detail.html",
        {
            "entry": entry,
            "customer": entry.customer,
            "nav": "customers",
            "today": entry.company.today(),
            "status": status,
            "disputes": disputes,
            "open_dispute": open_dispute,
            "undisputed": entry.remaining - (open_dispute.amount if open_dispute else 0),
            "promises": promises,
            "applications": applications,
            "communications": entry.communications.select_related("our_contact", "outcome"),
            "notes": entry.notes.select_related("created_by", "communication"),
            "history": _history(entry, [d.pk for d in disputes], [p.pk for p in promises]),
            "entry_document": EntryDocument.objects.filter(entry=entry).first(),
        },
    )
