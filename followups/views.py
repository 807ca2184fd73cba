"""The proposals on the work list: the list itself (rendered by the home page), the
per-proposal actions (execute, skip, postpone, letter PDF), the entries panel (exclude,
expected payment date, debtor rating), "Execute selected" and the edit-text page.

Views only parse and call the services of ``followups.execution`` and
``followups.entry_actions``; htmx gets the changed row or panel back, with the message.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcontrol.roles import can_work_customers, credit_controllers, is_manager, role_required
from creditcontrol.templatetags.ui import day as day_text
from ledger.models import Company, Contact, Customer, DebtorRating, LedgerEntry

from . import documents, entry_actions, execution, languages
from .filters import ProposalFilter
from .forms import (
    EXCLUDE_PERIODS,
    ExcludeForm,
    ExpectedDateForm,
    PostponeForm,
    ProposalTextsForm,
    RatingForm,
)
from .models import Proposal, ProposalEntry, ProposalStatus
from .placeholders import credit_contact, email_recipients, fill, reminder_to

PROPOSALS_PER_PAGE = 50


def _require_worker(user: Any) -> None:
    if not can_work_customers(user):
        raise PermissionDenied(_("Your role does not allow working on customers."))


def _proposals(user: Any) -> Any:
    """Every proposal of the user's companies, with what a work-list row shows."""
    companies = Company.objects.visible_to(user).values("pk")
    contacts = Contact.objects.filter(is_credit_contact=True).order_by("id")
    return (
        Proposal.objects.filter(company__in=companies)
        .select_related("customer", "customer__controller", "company", "level")
        .prefetch_related(Prefetch("customer__contacts", contacts, to_attr="credit_contacts"))
    )


def _decorate(proposals: list[Proposal], user: Any) -> list[Proposal]:
    for proposal in proposals:
        contacts = getattr(proposal.customer, "credit_contacts", [])
        proposal.contact = contacts[0] if contacts else None
        proposal.is_mine = proposal.customer.controller_id == user.pk
        level = proposal.level
        proposal.manual_only = level.manual_action and not (level.send_email or level.send_letter)
        # "automatic" only where the worker will send it: an open proposal of an automatic
        # level, with an address the worker's execution would use when the level emails
        # (the same rule, ``reminder_to``, over the contacts loaded for the row). Not asked
        # here: whether the company has anybody the worker can act under (the customer's
        # controller, else a credit manager); a company with neither is refused by the worker.
        proposal.will_auto = (
            level.execute_automatically
            and proposal.status == ProposalStatus.OPEN
            and (not level.send_email or bool(reminder_to(proposal.customer, contacts)))
        )
        proposal.is_due = proposal.status == ProposalStatus.OPEN or (
            proposal.status == ProposalStatus.POSTPONED
            and proposal.postponed_until <= proposal.company.today()
        )
    return proposals


def _due_proposals(user: Any, params: Any, todays: dict[int, dt.date]) -> tuple[Any, Any]:
    """The work list's filter form and its proposals due now, in the list's order, for the
    query ``params`` (the page's URL): what the list shows and what its count counts."""
    mine = params.get("mine") in ("1", "true")
    # The work list's filters live in the URL, so a filtered list can be bookmarked.
    data = {key: params.get(key, "") for key in WORKLIST_FILTERS}
    data.update({"show": "live", "mine": "true" if mine else ""})
    filterset = ProposalFilter(data, queryset=_proposals(user), request=SimpleNamespace(user=user))
    # ``show=due`` would look each company's today up again: the caller knows them.
    not_yet = Q(pk__in=[])
    for company_id, day in todays.items():
        not_yet |= Q(company_id=company_id, postponed_until__gt=day)
    # "Mine" through a subquery on the customers, not a join: at 100,000 proposals the
    # join made the sort read every customer row (1.5 s); a hashed subquery does not.
    mine_customers = Customer.objects.filter(controller_id=user.pk).values("pk")
    mine_first = Case(
        When(customer_id__in=mine_customers, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ordered = (
        filterset.qs.exclude(Q(status=ProposalStatus.POSTPONED) & not_yet)
        .annotate(mine_first=mine_first)
        .order_by("mine_first", "-total_lcy", "id")
    )
    return filterset, ordered


def worklist_proposals(request, todays: dict[int, dt.date]) -> dict[str, Any]:
    """The work list's proposals section: the proposals due now (open, or postponed to a day
    that has come, in each company's time zone: ``todays``), the user's customers first,
    then by total; ``mine=1`` keeps only the user's customers. A first page that is not
    full costs three queries (ids, rows, contacts); a fuller list adds a count."""
    mine = request.GET.get("mine") in ("1", "true")
    filterset, ordered = _due_proposals(request.user, request.GET, todays)
    data = filterset.data
    # The page's ids first, from the proposals alone, then its rows with what they show:
    # sorting after the joins made PostgreSQL join every proposal (1.5 s at 84,000). The
    # ids are a top-N sort (a heap of 50); the count is a query of its own, made only when
    # the page is full. A count in the same query (``COUNT(*) OVER ()``) made PostgreSQL
    # sort every matching proposal in full, several megabytes to disk: 373 ms against
    # 163 + 105 ms at the bench's 84,000 proposals (EXPLAIN ANALYZE, load average 10); at
    # 50,000 proposals under load, 360-480 ms against 110 + 80 ms.
    paginator = Paginator(ordered.values_list("pk", flat=True), PROPOSALS_PER_PAGE)
    if request.GET.get("page") in (None, "", "1"):
        ids = list(ordered.values_list("pk", flat=True)[:PROPOSALS_PER_PAGE])
        paginator.count = ordered.count() if len(ids) == PROPOSALS_PER_PAGE else len(ids)
        page = paginator.get_page(1)
    else:
        page = paginator.get_page(request.GET.get("page"))
        ids = list(page.object_list)
    by_id = {p.pk: p for p in _proposals(request.user).filter(pk__in=ids)} if ids else {}
    page.object_list = _decorate([by_id[pk] for pk in ids if pk in by_id], request.user)
    return {
        "proposals_page": page,
        "proposals": page.object_list,
        "mine": mine,
        "may_work": can_work_customers(request.user),
        "worklist_filters": filterset.form,
        # Choices of the filter bar: a company choice only for people in several companies.
        "filter_companies": (
            list(Company.objects.filter(pk__in=list(todays)).order_by("code"))
            if len(todays) > 1
            else []
        ),
        # Whose proposals: controllers have "My customers"; managers choose a controller.
        "filter_controllers": credit_controllers(list(todays)).only(
            "id", "username", "first_name", "last_name"
        )
        if is_manager(request.user)
        else [],
        "query": request.GET.urlencode(),
        "filtered": any(data[key] for key in WORKLIST_FILTERS),
        "compact": request.GET.get("density") == "compact",
    }


WORKLIST_FILTERS = ("company", "level", "channel", "controller", "min_total", "on_hold",
                    "automatic")  # fmt: skip


def _visible_proposal(request, pk: int) -> Proposal:
    """The proposal, or 404 when the user may not see it (never 403: that would leak it)."""
    return get_object_or_404(_proposals(request.user), pk=pk)


def _row(request, pk: int, *, note: str = "") -> HttpResponse:
    """The proposal's row, re-read, with the messages swapped into the page's flash area."""
    proposal = _decorate([_visible_proposal(request, pk)], request.user)[0]
    context = {"p": proposal, "may_work": True, "row_note": note, "oob_messages": True,
               "due_count": _due_count(request)}  # fmt: skip
    return render(request, "followups/_proposal_row.html", context)


def _due_count(request) -> int | None:
    """The work list's "due" count after a row's action, counted again under the filters
    of the page the row is on (htmx names it), and swapped into the heading."""
    current = request.headers.get("HX-Current-URL")
    if not current:
        return None
    todays = Company.objects.visible_to(request.user).todays()
    params = QueryDict(urlsplit(current).query)
    return _due_proposals(request.user, params, todays)[1].count()


def _back(request) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    return redirect(target)


def _done(request, pk: int, note: str = "") -> HttpResponse:
    return _row(request, pk, note=note) if request.htmx else _back(request)


def _refused(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _executed_message(proposal: Proposal) -> str:
    level = proposal.level
    if level.manual_action and not (level.send_email or level.send_letter):
        return f"{proposal.customer.name}: manual action done ({level.name})."
    return f"{proposal.customer.name}: {level.name} executed ({', '.join(level.channels)})."


@role_required
@require_POST
def proposal_execute_view(request, pk: int):
    """Execute one proposal as the level says (send, print, to-do): the row shows the result."""
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    try:
        execution.proposal_execute(user=request.user, proposal=proposal, source="web")
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _executed_message(proposal))
    response = _done(request, pk)
    if request.htmx and proposal.level.manual_action:
        response["HX-Trigger"] = "todos-changed"  # its to-do joins "To-dos due"
    return response


@role_required
@require_POST
def proposal_skip_view(request, pk: int):
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    try:
        execution.proposal_skip(user=request.user, proposal=proposal,
                                note=request.POST.get("note", "")[:500])  # fmt: skip
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(proposal_customer_name)s: proposal skipped.")
            % {"proposal_customer_name": proposal.customer.name},
        )
    return _done(request, pk)


@role_required
@require_POST
def proposal_postpone_view(request, pk: int):
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    form = PostponeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the date to postpone to."))
        return _done(request, pk)
    until = form.cleaned_data["until"]
    try:
        execution.proposal_postpone(user=request.user, proposal=proposal, until=until)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _(
            "%(customer)s: postponed until %(day)s; it comes back to the work list that day."
        ) % {"customer": proposal.customer.name, "day": day_text(until)})  # fmt: skip
    return _done(request, pk)


@role_required
@require_POST
def proposals_execute_view(request):
    """Execute the ticked proposals; each one is refused or executed on its own."""
    _require_worker(request.user)
    ids = [int(v) for v in request.POST.getlist("proposals") if v.isdigit()]
    proposals = list(_proposals(request.user).filter(pk__in=ids).order_by("id"))
    if not proposals:
        messages.error(request, _("Tick the proposals to execute first."))
        return _back(request)
    actions, failures = execution.proposals_execute(user=request.user, proposals=proposals)
    if actions:
        n = len(actions)
        messages.success(
            request,
            ngettext("Executed %(n)s proposal.", "Executed %(n)s proposals.", n) % {"n": n},
        )
    for proposal, reason in failures:
        messages.error(
            request,
            _("%(proposal_customer_name)s: %(reason)s")
            % {"proposal_customer_name": proposal.customer.name, "reason": reason},
        )
    return _back(request)


def _lines(proposal: Proposal) -> list[ProposalEntry]:
    return list(
        proposal.lines.select_related("entry").order_by("entry__due_date", "entry__document_no")
    )


@role_required
@require_GET
def proposal_letter_pdf(request, pk: int):
    """The letter as it would be printed now, with the proposal's (possibly edited) text."""
    proposal = _visible_proposal(request, pk)
    level = proposal.level
    with languages.in_language(proposal.customer):
        content = documents.letter_pdf(
            customer=proposal.customer, level=level,
            entries=execution.lines_to_send(proposal, proposal.company.today()),
            text=languages.proposal_texts(proposal)["letter_text"],
            as_of=proposal.company.today(), letter_style=level.letter_style,
        )  # fmt: skip
    filename = f"letter-{proposal.customer.account_code}-{proposal.company.today():%Y%m%d}.pdf"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename,
                        content_type="application/pdf")  # fmt: skip


# --- The entries panel ---------------------------------------------------------------


def _panel(request, proposal: Proposal, **forms: Any) -> HttpResponse:
    """The entries panel; after an entry action (which brings the proposal in step at
    once) it is re-read, and its level, count and total are swapped into the row too."""
    figures_oob = request.method == "POST"
    if figures_oob:
        proposal = _decorate([_visible_proposal(request, proposal.pk)], request.user)[0]
    lines = _lines(proposal) if proposal.is_live else []
    today = proposal.company.today()
    for line in lines:
        entry = line.entry
        line.days_overdue = (today - entry.due_date).days
        line.excluded_until = entry.exclude_until if entry.exclude_until and (
            entry.exclude_until > today) else None  # fmt: skip
    context = {
        "p": proposal,
        "lines": lines,
        "periods": EXCLUDE_PERIODS,
        "may_work": can_work_customers(request.user),
        "rating_form": forms.get("rating_form")
        or RatingForm(initial={"rating": proposal.customer.debtor_rating}),
        "exclude_errors": forms.get("exclude_errors", []),
        "date_errors": forms.get("date_errors", {}),
        "figures_oob": figures_oob,
    }
    return render(request, "followups/_entries_panel.html", context)


@role_required
@require_GET
def proposal_entries(request, pk: int):
    """The proposal's entries, for the row's expandable panel."""
    return _panel(request, _visible_proposal(request, pk))


def _panel_or_back(request, proposal: Proposal, **forms: Any) -> HttpResponse:
    return _panel(request, proposal, **forms) if request.htmx else _back(request)


@role_required
@require_POST
def proposal_exclude(request, pk: int):
    """Exclude the ticked entries of the proposal from follow-ups for a period."""
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    ids = list(proposal.lines.values_list("entry_id", flat=True))
    form = ExcludeForm(request.POST, entry_ids=ids)
    errors: list[str] = []
    if form.is_valid():
        entries = list(LedgerEntry.objects.filter(pk__in=form.cleaned_data["entries"]))
        period = form.cleaned_data["period"]
        try:
            entry_actions.entries_exclude(user=request.user, entries=entries, period=period)
        except ValidationError as error:
            errors = error.messages
        else:
            label = dict(EXCLUDE_PERIODS)[period]
            numbers = ", ".join(e.document_no for e in entries)
            messages.success(
                request,
                _("Excluded from follow-ups %(label)s: %(numbers)s.")
                % {"label": label, "numbers": numbers},
            )
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    for text in errors:
        messages.error(request, text)
    return _panel_or_back(request, proposal, exclude_errors=errors)


@role_required
@require_POST
def proposal_expected_date(request, pk: int, entry_id: int):
    """Change one entry's expected payment date, with the note saying why."""
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    line = get_object_or_404(proposal.lines.select_related("entry"), entry_id=entry_id)
    form = ExpectedDateForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        on = form.cleaned_data["on"]
        try:
            entry_actions.entry_expected_date_set(user=request.user, entry=line.entry, on=on,
                                                  note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as error:
            errors = error.messages
        else:
            when = day_text(on) if on else _("cleared")
            messages.success(request, _("%(document)s: expected payment date %(when)s.")
                             % {"document": line.entry.document_no, "when": when})  # fmt: skip
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    for text in errors:
        messages.error(
            request,
            _("%(line_entry_document_no)s: %(text)s")
            % {"line_entry_document_no": line.entry.document_no, "text": text},
        )
    return _panel_or_back(request, proposal, date_errors={entry_id: errors})


@role_required
@require_POST
def proposal_rating(request, pk: int):
    """Change the customer's debtor rating from the proposal's panel."""
    _require_worker(request.user)
    proposal = _visible_proposal(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        rating = form.cleaned_data["rating"]
        try:
            entry_actions.customer_rating_set(user=request.user, customer=proposal.customer,
                                              rating=rating)  # fmt: skip
        except ValidationError as error:
            _refused(request, error)
        else:
            proposal.customer.debtor_rating = rating
            label = DebtorRating(rating).label.lower()
            messages.success(
                request,
                _("%(proposal_customer_name)s: debtor rating now %(label)s.")
                % {"proposal_customer_name": proposal.customer.name, "label": label},
            )
    else:
        messages.error(request, _("Choose good, normal or bad."))
    return _panel_or_back(request, proposal, rating_form=form)


# --- The proposal page: its filled texts, editable, then send -------------------------


def _texts(proposal: Proposal) -> dict[str, str]:
    """The texts to edit, placeholders and all: a controller's words are kept, and the
    placeholders are filled in from the proposal's lines as they are when it is sent."""
    level = proposal.level
    return {
        "email_subject": proposal.email_subject or level.email_subject,
        "email_body": proposal.email_body or level.email_body,
        "letter_text": proposal.letter_text or level.letter_text,
    }


def _preview(proposal: Proposal, texts: dict[str, str], user: Any) -> dict[str, str]:
    """The texts exactly as sending them now would fill them in: the same lines
    (``execution.lines_to_send``), the same date, the same person."""
    as_of = proposal.company.today()
    lines = execution.lines_to_send(proposal, as_of)
    contact = credit_contact(proposal.customer)
    return {
        name: fill(text, customer=proposal.customer, entries=lines, as_of=as_of,
                   contact=contact, controller=user)
        for name, text in texts.items()
    }  # fmt: skip


@role_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request, pk: int):
    """A proposal: whom it goes to, its entries and its texts filled in; a controller edits
    the texts and saves them, or saves and sends at once."""
    proposal = _visible_proposal(request, pk)
    _decorate([proposal], request.user)
    lines = _lines(proposal)
    may_work = can_work_customers(request.user)
    form = ProposalTextsForm(request.POST or None, level=proposal.level,
                             initial=_texts(proposal))  # fmt: skip
    if request.method == "POST":
        _require_worker(request.user)
        if form.is_valid():
            texts = {name: form.cleaned_data.get(name, "") for name in
                     ("email_subject", "email_body", "letter_text")}  # fmt: skip
            try:
                if "send" in request.POST:
                    execution.proposal_execute(user=request.user, proposal=proposal,
                                               source="web", **texts)  # fmt: skip
                    messages.success(request, _executed_message(proposal))
                    return redirect("home")
                execution.proposal_texts_update(user=request.user, proposal=proposal, **texts)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("Texts saved: they are used when the proposal is sent.")
                )
                return redirect("followups:proposal-detail", proposal.pk)
    today = proposal.company.today()
    for line in lines:
        line.days_overdue = (today - line.entry.due_date).days
    return render(
        request,
        "followups/proposal_detail.html",
        {
            "nav": "home",
            "p": proposal,
            "lines": lines,
            "form": form,
            "may_work": may_work,
            "recipients": email_recipients(proposal.customer) if proposal.level.send_email else [],
            "preview": _preview(proposal, _texts(proposal), request.user)
            if proposal.is_live
            else None,
        },
    )
