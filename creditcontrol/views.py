"""Project-wide pages: the work list (home), reports index, settings, sign-in and sign-out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, Value, When
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from communications.models import ToDo, ToDoKind
from ledger.models import Company, Customer
from ledger.querysets import AGE_BUCKETS

from . import throttle
from .roles import ADMINISTRATOR, INTEGRATOR, role_required, roles_of

WORK_LIST_SIZE = 25


def _work_list_todos(user, todays: dict) -> dict:
    """The work list's to-do sections: open broken-promise to-dos of the user's companies
    (theirs first), and the user's other open to-dos due today or overdue, each decided in
    the to-do's company's own time zone. Two queries for the rows, two for the counts."""
    mine_first = Case(When(owner=user, then=Value(0)), default=Value(1))
    open_todos = ToDo.objects.visible_to(user).open()
    broken = (
        open_todos.filter(kind=ToDoKind.PROMISE_BROKEN)
        .select_related("customer", "company", "owner", "promise")
        .annotate(mine_first=mine_first)
        .order_by("mine_first", "due_on", "id")
    )
    due_by_now = Q(pk__in=[])
    for company_id, day in todays.items():
        due_by_now |= Q(company_id=company_id, due_on__lte=day)
    due = (
        open_todos.owned_by(user)
        .exclude(kind=ToDoKind.PROMISE_BROKEN)  # listed under Broken promises already
        .filter(due_by_now)
        .select_related("customer", "company")
        .order_by("due_on", "id")
    )
    broken_rows = list(broken[:WORK_LIST_SIZE])
    due_rows = list(due[:WORK_LIST_SIZE])
    for todo in due_rows:
        todo.is_overdue = todo.due_on < todays[todo.company_id]
    return {
        "broken_promises": broken_rows,
        "broken_count": broken.count() if len(broken_rows) == WORK_LIST_SIZE else len(broken_rows),
        "todos_due": due_rows,
        "todos_due_count": due.count() if len(due_rows) == WORK_LIST_SIZE else len(due_rows),
    }


@role_required
def home(request):
    """The work list: broken promises and to-dos due, then, until the follow-up engine
    proposes actions, the customers with the largest overdue balances, so a controller
    knows whom to call first."""
    user = request.user
    todays_by_company = Company.objects.visible_to(user).todays()
    # One date when every company agrees (they do, except around midnight): see as_of().
    days = set(todays_by_company.values())
    todays = days.pop() if len(days) == 1 else todays_by_company
    mine = request.GET.get("mine") == "1"
    customers = Customer.objects.visible_to(user)
    if mine:
        customers = customers.filter(controller=user)
    ids = customers.page_ids_by_total(
        total="overdue", as_of=todays, descending=True, offset=0, limit=WORK_LIST_SIZE
    )
    by_id = {
        c.pk: c
        for c in Customer.objects.filter(pk__in=ids)
        .with_balances(todays)
        .select_related("company", "controller")
    }
    customers = [by_id[pk] for pk in ids if by_id[pk].overdue_lcy > 0]
    return render(
        request,
        "creditcontrol/home.html",
        {
            "customers": customers,
            "mine": mine,
            "nav": "home",
            **_work_list_todos(user, todays_by_company),
        },
    )


REPORTS = (
    ("Chase Debt", "Customers with live communications: balance, overdue, promised amount "
     "and date, earliest follow-up date and controller."),
    ("Disputed Invoice", "Entries in dispute: disputed amount, reason, owner and age."),
    ("Aged receivables", "As of a date, per customer, in LCY and by controller: "
     + ", ".join(label.lower() for _key, label, _low, _high in AGE_BUCKETS)
     + " days overdue, with a drill-down to the entries."),
    ("Past due invoices", "Every overdue invoice and debit memo, oldest first."),
    ("Collector call history", "Communications logged by each controller over a period."),
    ("Receipt promises", "Promises to pay: open, kept and broken."),
    ("Call actions", "Recommended next steps recorded on communications."),
    ("Customer statement", "A PDF of a customer's open items, to e-mail or print."),
    ("Manager dashboard", "Overdue total and share, DSO, promises due and broken, "
     "disputed total and to-dos due."),
)  # fmt: skip


@role_required
def reports(request):
    """An index of the reports, each with a line on what it shows."""
    return render(request, "creditcontrol/reports.html", {"reports": REPORTS, "nav": "reports"})


def _may_hold_token(user) -> bool:
    return bool(roles_of(user) & {INTEGRATOR, ADMINISTRATOR})


@role_required
@require_http_methods(["GET", "POST"])
def user_settings(request):
    """The signed-in user's account: roles, companies and, for integrators and
    administrators, the API token (created or regenerated by POST)."""
    user = request.user
    may_hold_token = _may_hold_token(user)
    if request.method == "POST":
        if not may_hold_token:
            raise PermissionDenied("Only integrators and administrators hold an API token.")
        # Regenerating deletes the old key first, so a leaked token stops working at once.
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user)
        messages.success(request, "A new API token was created. The previous one no longer works.")
        return redirect("settings")
    token = Token.objects.filter(user=user).first() if may_hold_token else None
    return render(
        request,
        "creditcontrol/settings.html",
        {
            "nav": "settings",
            "may_hold_token": may_hold_token,
            "token": token,
            "companies": Company.objects.visible_to(user),
            "is_administrator": ADMINISTRATOR in roles_of(user),
        },
    )


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, refusing attempts for a locked username or client address."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        locked = throttle.lockout(username, throttle.client_ip(request))
        if locked:
            return self._refuse(locked)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        throttle.record_success(form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        username = form.data.get("username", "")
        if username and form.data.get("password"):
            locked = throttle.record_failure(username, throttle.client_ip(self.request))
            if locked:
                return self._refuse(locked, form)
        return super().form_invalid(form)

    def _refuse(self, locked: throttle.Lockout, form=None):
        if form is None:
            username = self.request.POST.get("username", "")
            form = self.get_form_class()(self.request, initial={"username": username})
        context = self.get_context_data(form=form, lockout_message=locked.message)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(locked.seconds_left)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (a link could be followed by a prefetcher or a forged page)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response
