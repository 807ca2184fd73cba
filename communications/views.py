"""Pages of communications: the customer card's Communications and Timeline tabs, the
communication form and detail page, call actions, and the user's notifications.

Every page shows dates and times in the customer's company's time zone (the views run
inside ``timezone.override(company.tz)``, so forms read typed times there too). Views
validate a form and call one service; no page issues a query per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from creditcontrol import dates
from creditcontrol.dates import format_day
from creditcontrol.form_tokens import submit_once
from creditcontrol.roles import can_work_customers, role_required
from ledger.models import AuditEvent, LedgerEntry
from ledger.views import render_card, visible_customer

from .filters import CommunicationFilter
from .forms import CallActionForm, CommunicationForm, show_service_errors
from .models import (
    CONTACT_TYPES_BY_TYPE,
    LETTER_CONTACT_TYPES,
    ActionType,
    CallAction,
    Communication,
    Dispute,
    Notification,
    Promise,
    PromiseEntry,
    ToDo,
)
from .services import (
    call_action_record,
    communication_complete,
    communication_create,
    communication_reopen,
    communication_update,
)
from .todos import not_the_customers

COMMUNICATIONS_PER_PAGE = 50
TIMELINE_LIMIT = 200
ZERO = Decimal("0.00")


def _require_worker(user: Any) -> None:
    """Integrators read through the API; only people who work customers write here."""
    if not can_work_customers(user):
        raise PermissionDenied(_("Your role does not allow working on customers."))


def _visible_communication(request, pk: int) -> Communication:
    communication = get_object_or_404(
        Communication.objects.visible_to(request.user).select_related(
            "company", "customer", "customer__company", "customer__controller", "our_contact",
            "contact", "outcome", "completed_by", "created_by",
        ),
        pk=pk,
    )  # fmt: skip
    dates.activate(communication.company)  # its dates in its company's convention
    return communication


def _url_or_none(name: str, *args: Any) -> str | None:
    """Links to pages other helpers build (entry and to-do details) appear once they exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# --- The Communications tab ---------------------------------------------------------


def _communication_rows(queryset):
    entry_links = Communication.entries.through.objects.filter(communication=OuterRef("pk"))
    counted = entry_links.order_by().values("communication").annotate(n=Count("*")).values("n")
    return queryset.select_related("our_contact", "contact", "outcome").annotate(
        entry_count=Coalesce(Subquery(counted), 0)
    )


@role_required
def customer_communications(request, pk: int):
    """The customer's communications, newest first: live, completed or all."""
    customer = visible_customer(request, pk)
    filterset = CommunicationFilter(
        request.GET or None, queryset=Communication.objects.filter(customer=customer)
    )
    rows = _communication_rows(filterset.qs if filterset.is_valid() else filterset.queryset)
    page = Paginator(rows.order_by("-occurred_at", "-id"), COMMUNICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    live = request.GET.get("live", "")
    with timezone.override(customer.company.tz):
        return render_card(request, customer, "communications", {
            "tab_template": "communications/card/_communications.html",
            "page": page, "live": live if live in ("true", "false") else "",
            "can_work": can_work_customers(request.user),
        })  # fmt: skip


@role_required
@require_POST
def communication_complete_toggle(request, pk: int):
    """Complete a live communication, or reopen a completed one (twice is harmless: the
    services do nothing to a communication already in the wanted state)."""
    c = _visible_communication(request, pk)
    _require_worker(request.user)
    wanted = request.POST.get("complete")
    if wanted is None:
        wanted = "1" if c.is_live else "0"
    if wanted in ("1", "true", "on"):
        communication_complete(user=request.user, communication=c)
    else:
        communication_reopen(user=request.user, communication=c)
    if request.htmx:
        row = _communication_rows(Communication.objects.filter(pk=c.pk)).get()
        with timezone.override(c.company.tz):
            return render(request, "communications/comm_row.html", {
                "c": row, "customer": c.customer, "can_work": True, "refresh_count": True,
            })  # fmt: skip
    return redirect(_safe_next(request, reverse("communications:communication-detail",
                                                args=[c.pk])))  # fmt: skip


# --- The communication form ---------------------------------------------------------


def _entry_ids(values: list[str]) -> list[int]:
    # An id longer than any database's integer names no entry (and would overflow SQLite).
    ids = {int(part) for value in values for part in value.split(",")
           if part.strip().isdigit() and len(part.strip()) <= 18}  # fmt: skip
    return sorted(ids)


def _selection(customer, offered: list[int], ticked: list[int]) -> dict[str, Any]:
    """The entries offered on the form (``?entries=1,2,3``) and the summed remaining
    amounts of the ticked ones, per currency and in LCY. Ids of other customers are
    listed for the page to refuse."""
    entries = list(
        LedgerEntry.objects.filter(customer=customer, pk__in=offered).order_by("due_date", "id")
    )
    strangers = sorted(set(offered) - {e.pk for e in entries})
    per_currency: dict[str, Decimal] = defaultdict(lambda: ZERO)
    remaining_lcy = ZERO
    for e in entries:
        if e.pk in ticked:
            per_currency[e.currency] += e.remaining
            remaining_lcy += e.remaining_lcy
    return {
        "entries": entries, "strangers": strangers, "ticked": set(ticked),
        "per_currency": sorted(per_currency.items()), "remaining_lcy": remaining_lcy,
    }  # fmt: skip


def _form_context(customer, form, **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer, "form": form, "nav": "customers",
        "contact_types_by_type": {str(k): [str(t) for t in v]
                                  for k, v in CONTACT_TYPES_BY_TYPE.items()},
        "letter_contact_types": [str(t) for t in LETTER_CONTACT_TYPES],
        "lcy": customer.company.base_currency, **extra,
    }  # fmt: skip


def _default_promise_scope(customer) -> dict[str, Any]:
    """With no entries selected, a promise covers every open invoice in the customer's
    currency: the form says how much that is."""
    open_debits = LedgerEntry.objects.filter(customer=customer, currency=customer.currency)
    total = open_debits.debits().open().aggregate(t=Sum("remaining"))["t"] or ZERO
    return {"currency": customer.currency, "remaining": total}


@role_required
def communication_create_view(request, pk: int):
    """A new communication on the customer, over the entries ticked on the entries tab."""
    customer = visible_customer(request, pk)
    _require_worker(request.user)
    offered = _entry_ids(request.GET.getlist("entries"))
    ticked = _entry_ids(request.POST.getlist("entries")) if request.method == "POST" else offered
    offered = sorted(set(offered) | set(ticked))
    selection = _selection(customer, offered, ticked)
    with timezone.override(customer.company.tz):
        if request.method == "POST":
            form = CommunicationForm(request.POST, customer=customer, user=request.user,
                                     entry_ids=offered)  # fmt: skip
            if form.is_valid():

                def make() -> str:
                    c = communication_create(
                        user=request.user, customer=customer,
                        entry_ids=form.cleaned_data["entries"], promise=form.promise_input(),
                        **form.service_fields(),
                    )  # fmt: skip
                    return reverse("communications:communication-detail", args=[c.pk])

                try:
                    return submit_once(request, form.cleaned_data.get("form_token"), make,
                                       fallback=reverse("communications:customer-communications",
                                                        args=[customer.pk]))  # fmt: skip
                except ValidationError as error:
                    show_service_errors(form, error)
        else:
            form = CommunicationForm(customer=customer, user=request.user, entry_ids=offered,
                                     initial=_initial(request, customer, selection))  # fmt: skip
            if selection["strangers"]:
                # An unbound form has no errors to add to: say it as a message.
                messages.warning(request, _("%(not_the_customers)s; left out.") % {"not_the_customers": not_the_customers(customer, selection['strangers'])})  # fmt: skip
        return render(request, "communications/communication_form.html", _form_context(
            customer, form, selection=selection,
            default_scope=None if selection["entries"] else _default_promise_scope(customer),
        ))  # fmt: skip


def _initial(request, customer, selection) -> dict[str, Any]:
    credit_contact = next((c for c in customer.contacts.all() if c.is_credit_contact), None)
    initial = {
        "communication_type": "telephone", "contact_type": "telephone_made",
        "occurred_at": timezone.now().replace(second=0, microsecond=0),
        "our_contact": request.user.pk, "contact": credit_contact.pk if credit_contact else None,
        "entries": [e.pk for e in selection["entries"]],
    }  # fmt: skip
    if selection["entries"]:
        docs = ", ".join(e.document_no for e in selection["entries"][:5])
        more = len(selection["entries"]) - 5
        if more > 0:
            initial["subject"] = _("About %(documents)s and %(more)s more") % {
                "documents": docs,
                "more": more,
            }
        else:
            initial["subject"] = _("About %(documents)s") % {"documents": docs}
    return initial


@role_required
def communication_edit(request, pk: int):
    """Amend a communication; its recorded balance and entries stay as they were."""
    c = _visible_communication(request, pk)
    _require_worker(request.user)
    customer = c.customer
    has_promise = c.promises.exists()
    with timezone.override(c.company.tz):
        if request.method == "POST":
            form = CommunicationForm(request.POST, customer=customer, user=request.user,
                                     communication=c)  # fmt: skip
            if form.is_valid():
                try:
                    _amend(request.user, c, form)
                except ValidationError as error:
                    show_service_errors(form, error)
                else:
                    return redirect("communications:communication-detail", c.pk)
        else:
            form = CommunicationForm(customer=customer, user=request.user, communication=c,
                                     initial=_instance_initial(c))  # fmt: skip
        return render(request, "communications/communication_form.html", _form_context(
            customer, form, communication=c, has_promise=has_promise,
            linked_entries=list(c.entries.order_by("due_date", "id")),
        ))  # fmt: skip


@transaction.atomic
def _amend(user, c: Communication, form: CommunicationForm) -> None:
    """Amend; an outcome newly asking for a promise records it (on the communication's
    entries), and only then does the box complete the communication."""
    communication_update(user=user, communication=c, promise=form.promise_input(),
                         complete=bool(form.cleaned_data.get("complete")),
                         **form.service_fields())  # fmt: skip


def _instance_initial(c: Communication) -> dict[str, Any]:
    names = ("communication_type", "subject", "occurred_at", "contact_type", "letter_style",
             "location", "contact_name", "contact_phone", "contact_email", "follow_up_on",
             "follow_up_time", "notes")  # fmt: skip
    initial = {name: getattr(c, name) for name in names}
    initial.update(our_contact=c.our_contact_id, contact=c.contact_id, outcome=c.outcome_id,
                   complete=not c.is_live)  # fmt: skip
    return initial


# --- The communication's details and its call actions -------------------------------


@role_required
def communication_detail(request, pk: int):
    c = _visible_communication(request, pk)
    form = CallActionForm(communication=c) if can_work_customers(request.user) else None
    return _render_detail(request, c, form)


def _render_detail(request, c: Communication, form, status: int = 200):
    entries = list(
        c.entries.select_related("status__status_code")
        .annotate(open_disputes=Count("disputes", filter=Q(disputes__ended_on__isnull=True)))
        .order_by("due_date", "id")
    )
    for e in entries:
        e.detail_url = _url_or_none("communications:entry-detail", e.pk)
    todos = list(c.todos.select_related("owner").order_by("status", "due_on", "id"))
    for t in todos:
        t.detail_url = _url_or_none("communications:todo-detail", t.pk)
    with timezone.override(c.company.tz):
        return render(request, "communications/communication_detail.html", {
            "c": c, "customer": c.customer, "nav": "customers", "entries": entries,
            "promises": list(c.promises.order_by("promised_on", "id")),
            "todos": todos,
            "actions": list(c.call_actions.select_related(
                "action_type", "response", "entry", "created_by", "dispute").order_by("-created_at")),
            "form": form, "can_work": can_work_customers(request.user),
            "behaviours": ActionType.Behaviour,
            "lcy": c.company.base_currency,
        }, status=status)  # fmt: skip


@role_required
def call_action_create(request, pk: int):
    """Record a call action on the communication (the form sits on its detail page too)."""
    c = _visible_communication(request, pk)
    _require_worker(request.user)
    if request.method == "POST":
        form = CallActionForm(request.POST, communication=c)
        if form.is_valid():
            d = form.cleaned_data

            def make() -> str:
                action = call_action_record(
                    user=request.user, communication=c, action_type=d["action_type"],
                    entry=d["entry"], response=d["response"], amount=d["amount"],
                    notes=d["notes"],
                )  # fmt: skip
                return (reverse("communications:communication-detail", args=[c.pk])
                        + f"#action-{action.pk}")  # fmt: skip

            try:
                return submit_once(request, d.get("form_token"), make, fallback=reverse(
                    "communications:communication-detail", args=[c.pk]))  # fmt: skip
            except ValidationError as error:
                show_service_errors(form, error, aliases={"reason": "notes"})
    else:
        form = CallActionForm(communication=c, initial={"entry": request.GET.get("entry")})
    with timezone.override(c.company.tz):
        return render(request, "communications/call_action_form.html", {
            "c": c, "customer": c.customer, "form": form, "nav": "customers",
        })  # fmt: skip


# --- The Timeline tab ---------------------------------------------------------------

TIMELINE_KINDS = (
    ("communication", gettext_lazy("Communications")),
    ("promise", gettext_lazy("Promises")),
    ("dispute", gettext_lazy("Disputes")),
    ("action", gettext_lazy("Call actions")),
    ("todo", gettext_lazy("To-dos")),
    ("account", gettext_lazy("Account")),
)

# Changes to the customer's record that the timeline shows (from the audit trail).
ACCOUNT_FIELDS = ("on_hold", "exclude_from_followups", "credit_limit", "controller_id")


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def timeline_items(customer, kinds: set[str]) -> list[dict[str, Any]]:
    """Every communication, call action, promise, dispute and to-do of the customer, newest
    first. Each kind is one query of its latest ``TIMELINE_LIMIT`` rows; merged, the first
    ``TIMELINE_LIMIT`` are exact."""
    items: list[dict[str, Any]] = []
    n = TIMELINE_LIMIT
    if "communication" in kinds:
        for c in (Communication.objects.filter(customer=customer)
                  .select_related("our_contact", "outcome").order_by("-occurred_at", "-id")[:n]):  # fmt: skip
            state = "live" if c.is_live else "complete"
            summary = c.subject + (f" — {c.outcome}" if c.outcome_id else "")
            if c.follow_up_on:
                summary += " · " + _("follow up %(day)s") % {"day": format_day(c.follow_up_on)}
            items.append(_item(c.occurred_at, "communication", c.get_contact_type_display(),
                               summary, _who(c.our_contact), state,
                               reverse("communications:communication-detail", args=[c.pk])))  # fmt: skip
    if "action" in kinds:
        for a in (CallAction.objects.filter(customer=customer)
                  .select_related("action_type", "response", "entry", "created_by")
                  .order_by("-created_at", "-id")[:n]):  # fmt: skip
            parts = [str(a.action_type)]
            if a.entry_id:
                parts.append(_("on %(entry)s") % {"entry": a.entry})
            if a.amount is not None:
                parts.append(f"{a.amount:,.2f}")
            if a.response_id:
                parts.append(f"— {a.response}")
            items.append(_item(a.created_at, "action", _("Call action"), " ".join(parts),
                               _who(a.created_by), "",
                               reverse("communications:communication-detail",
                                       args=[a.communication_id]) + f"#action-{a.pk}"))  # fmt: skip
    if "promise" in kinds:
        first_entry = PromiseEntry.objects.filter(promise=OuterRef("pk")).order_by("entry_id")
        for p in (Promise.objects.filter(customer=customer).select_related("created_by")
                  .annotate(first_entry=Subquery(first_entry.values("entry_id")[:1]),
                            entry_count=Count("lines"))
                  .order_by("-created_at", "-id")[:n]):  # fmt: skip
            summary = ngettext(
                "%(amount)s %(currency)s (%(what)s, %(count)d entry) by %(day)s",
                "%(amount)s %(currency)s (%(what)s, %(count)d entries) by %(day)s",
                p.entry_count,
            ) % {
                "amount": f"{p.amount:,.2f}", "currency": p.currency,
                "what": _("full amount") if p.is_full else _("part"),
                "count": p.entry_count, "day": format_day(p.promised_on),
            }  # fmt: skip
            if p.communication_id:
                link = reverse("communications:communication-detail", args=[p.communication_id])
            else:
                link = _url_or_none("communications:entry-detail", p.first_entry)
            items.append(_item(p.created_at, "promise", _("Promise"), summary, _who(p.created_by),
                               p.status, link))  # fmt: skip
    if "dispute" in kinds:
        for d in (Dispute.objects.filter(customer=customer)
                  .select_related("entry", "owner").order_by("-created_at", "-id")[:n]):  # fmt: skip
            if d.is_open:
                summary = _("%(amount)s %(currency)s of %(entry)s: %(reason)s") % {
                    "amount": f"{d.amount:,.2f}", "currency": d.entry.currency,
                    "entry": d.entry, "reason": d.reason,
                }  # fmt: skip
            else:
                summary = _("%(entry)s (ended %(day)s): %(reason)s") % {
                    "entry": d.entry, "day": format_day(d.ended_on), "reason": d.reason,
                }  # fmt: skip
            items.append(_item(d.created_at, "dispute", _("Dispute"), summary, _who(d.owner),
                               "open" if d.is_open else "ended",
                               _url_or_none("communications:entry-detail", d.entry_id)))  # fmt: skip
    if "todo" in kinds:
        for t in (ToDo.objects.filter(customer=customer).select_related("owner")
                  .order_by("-created_at", "-id")[:n]):  # fmt: skip
            items.append(_item(t.created_at, "todo", _("To-do"),
                               t.description + " · " + _("due %(day)s") % {"day": format_day(t.due_on)},
                               _who(t.owner),
                               t.status, _url_or_none("communications:todo-detail", t.pk)))  # fmt: skip
    if "account" in kinds:
        items += _account_items(customer, n)
    # At the same moment, what followed from a thing (a promise's to-do) comes above it.
    rank = {key: n for n, (key, _label) in enumerate(TIMELINE_KINDS)}
    items.sort(key=lambda item: (item["at"], rank[item["kind"]]), reverse=True)
    return items[:n]


def _account_items(customer, n: int) -> list[dict[str, Any]]:
    """Holds and releases, exclusions and inclusions, limit and controller changes: the
    customer's audit events that touch them (one query)."""
    changed = Q(pk__in=[])
    for name in ACCOUNT_FIELDS:
        changed |= Q(after__has_key=name)
    events = (AuditEvent.objects.filter(model="ledger.customer", object_id=customer.pk,
                                        action=AuditEvent.Action.UPDATE)
              .filter(changed).select_related("user").order_by("-at", "-id")[:n])  # fmt: skip
    items = []
    for e in events:
        after, parts = e.after, []
        if "on_hold" in after:
            why = after.get("hold_reason")
            parts.append((_("Put on hold") if after["on_hold"] else _("Released from hold"))
                         + (f": {why}" if why else ""))  # fmt: skip
        if "exclude_from_followups" in after:
            if after["exclude_from_followups"]:
                until = after.get("exclude_until")
                parts.append(_("Excluded from follow-ups")
                             + (" " + _("until %(day)s") % {"day": format_day(dt.date.fromisoformat(until))}
                                if until else "")
                             + (f": {after['exclude_reason']}" if after.get("exclude_reason") else ""))  # fmt: skip
            else:
                parts.append(_("Included in follow-ups again"))
        if "credit_limit" in after:
            parts.append(_("Credit limit %(before)s → %(after)s") % {
                "before": e.before.get("credit_limit"), "after": after["credit_limit"]})  # fmt: skip
        if "controller_id" in after:
            parts.append(_("Controller changed"))
        items.append(_item(e.at, "account", _("Account"), "; ".join(parts), _who(e.user), "",
                           reverse("ledger:customer-card", args=[customer.pk])))  # fmt: skip
    return items


def _item(at: dt.datetime, kind: str, label: str, summary: str, who: str, state: str,
          link: str | None) -> dict[str, Any]:  # fmt: skip
    return {"at": at, "kind": kind, "label": label, "summary": summary, "who": who,
            "state": state, "link": link}  # fmt: skip


@role_required
def customer_timeline(request, pk: int):
    customer = visible_customer(request, pk)
    kind = request.GET.get("kind", "")
    kinds = {kind} if kind in dict(TIMELINE_KINDS) else set(dict(TIMELINE_KINDS))
    items = timeline_items(customer, kinds)
    with timezone.override(customer.company.tz):
        return render_card(request, customer, "timeline", {
            "tab_template": "communications/card/_timeline.html", "items": items,
            "kind": kind if len(kinds) == 1 else "", "kinds": TIMELINE_KINDS,
            "truncated": len(items) >= TIMELINE_LIMIT, "limit": TIMELINE_LIMIT,
        })  # fmt: skip


# --- Notifications ------------------------------------------------------------------

NOTIFICATIONS_SHOWN = 200


@role_required
def notifications(request):
    """The user's notifications: unread first, then the latest read ones."""
    mine = Notification.objects.for_user(request.user).select_related("customer", "company")
    return render(request, "communications/notifications.html", {
        "nav": "", "unread": list(mine.unread()[:NOTIFICATIONS_SHOWN]),
        "read": list(mine.filter(read_at__isnull=False)[:NOTIFICATIONS_SHOWN]),
    })  # fmt: skip


@role_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications read (someone else's is not found)."""
    note = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    if request.htmx:
        return HttpResponse("")
    return redirect(_safe_next(request, reverse("communications:notifications")))


@role_required
@require_POST
def notifications_read_all(request):
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    return redirect("communications:notifications")
