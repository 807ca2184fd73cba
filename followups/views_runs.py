"""The engine's runs (with "Run now") and the outbox of emails and letters (managers:
resend, mark sent or cancel the messages that need a person)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from creditcontrol.roles import can_work_customers, is_manager, role_required
from creditcontrol.templatetags.ui import day
from ledger.models import Company

from . import engine
from . import outbox as outbox_services
from .filters import FollowUpRunFilter, OutboxMessageFilter
from .forms import OUTBOX_SHOW
from .models import FollowUpRun, OutboxMessage

RUNS_SHOWN = 50
OUTBOX_PER_PAGE = 50
NEEDS_ATTENTION = (OutboxMessage.Status.REVIEW, OutboxMessage.Status.FAILED)
VERB_LABELS = {"resend": gettext_lazy("Resend"), "mark-sent": gettext_lazy("Mark sent"),
               "cancel": gettext_lazy("Cancel")}  # fmt: skip
# What a manager may decide for a message in each status (``followups.outbox`` checks too).
VERBS_BY_STATUS = {
    OutboxMessage.Status.REVIEW: ("resend", "mark-sent", "cancel"),
    OutboxMessage.Status.FAILED: ("resend", "mark-sent", "cancel"),
    OutboxMessage.Status.PENDING: ("cancel",),
    OutboxMessage.Status.CANCELLED: ("resend",),
}
OUTBOX_VERBS = {
    "resend": (outbox_services.outbox_resend, gettext_lazy("will be sent again")),
    "mark-sent": (outbox_services.outbox_mark_sent, gettext_lazy("marked as sent")),
    "cancel": (outbox_services.outbox_cancel, gettext_lazy("cancelled")),
}


def _chosen_company(raw: str | None, companies: list[Company]) -> Company | None:
    """The company picked by id among ``companies``; None for none picked; 404 for another."""
    if not raw:
        return None
    for company in companies:
        if str(company.pk) == raw:
            return company
    raise Http404("No such company.")


def _run_message(request, run: FollowUpRun) -> None:
    run.refresh_from_db()
    head = _("%(company)s run for %(day)s") % {"company": run.company.code,
                                                "day": day(run.run_date)}  # fmt: skip
    if run.status == FollowUpRun.Status.DONE:
        messages.success(
            request,
            _(
                "%(head)s finished: %(run_proposals_created)s proposals created, %(run_proposals_refreshed)s refreshed, %(run_proposals_withdrawn)s no longer due; %(run_proposals_open)s open now."
            )
            % {
                "head": head,
                "run_proposals_created": run.proposals_created,
                "run_proposals_refreshed": run.proposals_refreshed,
                "run_proposals_withdrawn": run.proposals_withdrawn,
                "run_proposals_open": run.proposals_open,
            },
        )
    elif run.status == FollowUpRun.Status.FAILED:
        messages.error(
            request,
            _("%(head)s failed: %(run_error_or_see_the_log)s")
            % {"head": head, "run_error_or_see_the_log": run.error or _("see the log")},
        )
    else:
        messages.info(request, _('%(head)s is %(run_get_status_display_l)s; this page shows it when it has finished.') % {'head': head, 'run_get_status_display_l': run.get_status_display().lower()})  # fmt: skip


def _duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


@role_required
@require_http_methods(["GET", "POST"])
def runs(request):
    """Recent runs of the user's companies (or one of them), newest first; POST runs the
    engine now for a company (controllers and managers)."""
    may_run = can_work_customers(request.user)
    companies = list(Company.objects.visible_to(request.user).order_by("code"))
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("Your role does not allow running the follow-up engine."))
        company = _chosen_company(request.POST.get("company"), companies)
        if company is None:
            raise Http404("No such company.")
        try:
            run = engine.run_start(user=request.user, company=company,
                                   trigger=FollowUpRun.Trigger.WEB)  # fmt: skip
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            _run_message(request, run)
        return redirect(f"{reverse('followups:runs')}?company={company.pk}")
    company = _chosen_company(request.GET.get("company"), companies)
    queryset = FollowUpRun.objects.filter(company__in=companies).select_related(
        "company", "started_by"
    )
    data = {"company": company.pk} if company else {}
    filterset = FollowUpRunFilter(data, queryset=queryset, request=request)
    shown = list(filterset.qs.order_by("-started_at", "-id")[:RUNS_SHOWN])
    for run in shown:
        run.duration_text = _duration(run.duration_ms)
    return render(
        request,
        "followups/runs.html",
        {
            "nav": "settings",
            "runs": shown,
            "companies": companies,
            "company": company,
            "may_run": may_run,
            "runs_shown": RUNS_SHOWN,
        },
    )


def _require_manager(user: Any) -> None:
    if not is_manager(user):
        raise PermissionDenied(_("Only a credit manager or an administrator may see the outbox."))


@role_required
def outbox(request):
    """Messages by status: *needs attention* (failed, or left half-sent by a stopped worker)
    by default; filters by company and kind."""
    _require_manager(request.user)
    companies = list(Company.objects.visible_to(request.user).order_by("code"))
    company = _chosen_company(request.GET.get("company"), companies)
    show = request.GET.get("show") or "attention"
    if show not in dict(OUTBOX_SHOW):
        show = "attention"
    data: dict[str, Any] = {}
    if show == "attention":
        data["status"] = list(NEEDS_ATTENTION)
    elif show != "all":
        data["status"] = [show]
    if company:
        data["company"] = company.pk
    kind = request.GET.get("kind", "")
    if kind in OutboxMessage.Kind.values:
        data["kind"] = kind
    queryset = OutboxMessage.objects.filter(company__in=companies).select_related(
        "customer", "company", "level"
    )
    filterset = OutboxMessageFilter(_querydict(data), queryset=queryset, request=request)
    page = Paginator(filterset.qs.order_by("-created_at", "-id"), OUTBOX_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for message in page.object_list:
        message.verbs = [(v, VERB_LABELS[v]) for v in VERBS_BY_STATUS.get(message.status, ())]
    attention = OutboxMessage.objects.filter(
        company__in=companies, status__in=NEEDS_ATTENTION
    ).count()
    return render(
        request,
        "followups/outbox.html",
        {
            "nav": "settings",
            "page": page,
            "show": show,
            "tabs": OUTBOX_SHOW,
            "companies": companies,
            "company": company,
            "kind": kind,
            "kinds": OutboxMessage.Kind.choices,
            "attention_count": attention,
            "next_url": request.get_full_path(),
        },
    )


def _querydict(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


@role_required
@require_POST
def outbox_act(request, pk: int, verb: str):
    """Resend, mark sent or cancel one message (managers)."""
    _require_manager(request.user)
    if verb not in OUTBOX_VERBS:
        raise Http404("No such action.")
    companies = Company.objects.visible_to(request.user).values("pk")
    message = get_object_or_404(
        OutboxMessage.objects.select_related("customer").filter(company__in=companies), pk=pk
    )
    service, done = OUTBOX_VERBS[verb]
    try:
        service(user=request.user, message=message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        what = f"{message.get_kind_display()} to {message.customer.name}"
        messages.success(request, _("%(what)s: %(done)s.") % {"what": what, "done": done})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("followups:outbox")
    return redirect(target)
