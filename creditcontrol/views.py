"""Project-wide pages: the work list (home), settings, sign-in and sign-out (the reports
are the ``reports`` app's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Q, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from communications.models import ToDo, ToDoKind
from followups.views import worklist_proposals
from ledger.conventions import company_date_style_set
from ledger.models import Company, Customer

from . import dates
from .roles import (
    ADMINISTRATOR,
    CONTROLLER,
    INTEGRATOR,
    MANAGER,
    is_manager,
    role_required,
    roles_of,
)

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
def start(request):
    """Where signing in (and the brand mark) leads: a credit manager who does not also
    work customers as a controller starts on the dashboard, everyone else on the work
    list. The work list itself stays at ``home`` for managers too."""
    roles = roles_of(request.user)
    if CONTROLLER not in roles and roles & {MANAGER, ADMINISTRATOR}:
        return redirect("reports:dashboard")
    return redirect("home")


@role_required
def home(request):
    """The work list: broken promises and to-dos due, then the follow-up proposals due (the
    user's customers first). With no proposal due, the customers with the largest overdue
    balances stand in, so a controller still knows whom to call first."""
    user = request.user
    companies = list(Company.objects.visible_to(user))  # by name
    # The page's dates in the first company's convention, without a query of its own.
    dates.activate(companies[0] if companies else None)
    todays_by_company = {company.pk: company.today() for company in companies}
    if request.htmx and request.headers.get("HX-Target") == "todos-due":
        # The section alone, asked again after an action that may have added a to-do.
        todos = _work_list_todos(user, todays_by_company)
        return render(request, "creditcontrol/_todos_due.html", todos)
    context = worklist_proposals(request, todays_by_company)
    customers = []
    # Only an unfiltered empty list stands in with the largest overdue balances: a filter
    # that matches nothing says so (and the stand-in reads every open entry: 1 s at the
    # benchmark's million).
    if not context["proposals"] and not context["filtered"]:
        customers = _largest_overdue(user, todays_by_company, mine=context["mine"])
    return render(
        request,
        "creditcontrol/home.html",
        {
            "customers": customers,
            "nav": "home",
            "next_url": request.get_full_path(),
            **context,
            **_work_list_todos(user, todays_by_company),
        },
    )


def _largest_overdue(user, todays_by_company: dict, *, mine: bool) -> list:
    # One date when every company agrees (they do, except around midnight): see as_of().
    days = set(todays_by_company.values())
    todays = days.pop() if len(days) == 1 else todays_by_company
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
    return [by_id[pk] for pk in ids if by_id[pk].overdue_lcy > 0]


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
            raise PermissionDenied(_("Only integrators and administrators hold an API token."))
        # Regenerating deletes the old key first, so a leaked token stops working at once.
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user)
        messages.success(
            request, _("A new API token was created. The previous one no longer works.")
        )
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


class LoginView(auth_views.LoginView):
    """Django's sign-in; its throttling is django-axes' (``creditcontrol/signin.py``), which
    counts this form, the admin's and any other authentication the same way."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (a link could be followed by a prefetcher or a forged page)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


@role_required
@require_http_methods(["GET", "POST"])
def date_conventions(request):
    """Settings → Dates: how each of the manager's companies writes dates on pages, exports
    and internal PDFs (``creditcontrol/dates.py``); a POST changes one company's."""
    user = request.user
    if not is_manager(user):
        raise PermissionDenied(
            _("Only credit managers and administrators set the date convention.")
        )
    companies = list(Company.objects.visible_to(user))
    if request.method == "POST":
        company = next((c for c in companies if str(c.pk) == request.POST.get("company")), None)
        if company is None:
            messages.error(request, _("Choose one of your companies."))
            return redirect("date-conventions")
        try:
            company_date_style_set(
                user=user, company=company, date_style=request.POST.get("date_style", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Dates of %(company)s now read like this.") % {"company": company}
            )
        return redirect("date-conventions")
    example = timezone.now()
    rows = [
        {
            "company": company,
            "choices": [
                (key, label, dates.Convention(style=key, tz=company.tz).when(example))
                for key, label in dates.DATE_STYLE_CHOICES
            ],
        }
        for company in companies
    ]
    return render(request, "creditcontrol/date_conventions.html", {"nav": "settings", "rows": rows})
