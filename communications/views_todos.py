"""The To-do pages: the list (open / mine / due today / overdue / closed), a to-do by hand,
a to-do's details and edit, and the Close/Reopen toggle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from creditcontrol import dates
from creditcontrol.form_tokens import submit_once
from creditcontrol.roles import can_work_customers, role_required
from ledger.models import Company, LedgerEntry
from ledger.views import visible_customer

from .filters import ToDoFilter
from .forms import show_service_errors
from .forms_todos import ToDoCreateForm, ToDoEditForm
from .models import ToDo
from .todos import todo_close, todo_create, todo_reopen, todo_update

TODOS_PER_PAGE = 50
# A customer with more open entries than this is better served from its Ledger entries tab.
ENTRY_CHOICES_LIMIT = 300
DEFAULT_SHOW = "mine"
PICK_CARRIED = ("description", "due_on", "owner", "notes")
TAB_ORDER = ("open", "mine", "due_today", "overdue", "closed")


def _with_entry_count(todos: Any) -> Any:
    # A correlated count keeps the list one query, without grouping by every column.
    links = (
        ToDo.entries.through.objects.filter(todo=OuterRef("pk"))
        .order_by()
        .values("todo")
        .annotate(n=Count("*"))
        .values("n")
    )
    return todos.annotate(entry_count=Coalesce(Subquery(links), Value(0)))


def _listed(user: Any) -> Any:
    return _with_entry_count(
        ToDo.objects.visible_to(user).select_related("customer", "owner", "company")
    )


def _mark_overdue(todos: list, todays: dict[int, Any]) -> list:
    """Overdue is decided in each to-do's company's own time zone."""
    for todo in todos:
        today = todays.get(todo.company_id)
        todo.is_overdue = bool(todo.is_open and today and todo.due_on < today)
        todo.is_due_today = bool(todo.is_open and today and todo.due_on == today)
    return todos


def _visible_todo(request: Any, pk: int) -> ToDo:
    """The to-do, or 404 when the user may not see it (never 403: that would leak it)."""
    todo = get_object_or_404(_listed(request.user), pk=pk)
    dates.activate(todo.company)  # its dates in its company's convention
    return todo


def _require_worker(user: Any) -> None:
    if not can_work_customers(user):
        raise PermissionDenied(_("Your role does not allow working on customers."))


@role_required
def todo_list(request):
    """The To-do list. ``show`` picks the tab (default: my open to-dos); the other
    ToDoFilter fields (kind, customer, owner, due range) narrow it further."""
    params = request.GET.copy()
    if params.get("show") not in dict(ToDoFilter.SHOW):
        params["show"] = DEFAULT_SHOW
    show = params["show"]
    filterset = ToDoFilter(params, queryset=_listed(request.user), request=request)
    todos = filterset.qs
    todos = (
        todos.order_by("-closed_at", "-id") if show == "closed" else todos.order_by("due_on", "id")
    )
    page = Paginator(todos, TODOS_PER_PAGE).get_page(request.GET.get("page"))
    todays = Company.objects.visible_to(request.user).todays()
    page.object_list = _mark_overdue(list(page.object_list), todays)
    return render(
        request,
        "communications/todo_list.html",
        {
            "nav": "todos",
            "page": page,
            "show": show,
            "tabs": [(value, dict(ToDoFilter.SHOW)[value]) for value in TAB_ORDER],
            "filterset": filterset,
            "kind": params.get("kind", ""),
            "may_work": can_work_customers(request.user),
            "next_url": request.get_full_path(),
        },
    )


@role_required
@require_POST
def todo_close_toggle(request, pk: int):
    """Close an open to-do or reopen a closed one. htmx gets the list row back."""
    todo = _visible_todo(request, pk)
    if todo.is_open:
        todo_close(user=request.user, todo=todo)
    else:
        todo_reopen(user=request.user, todo=todo)
    if request.htmx:
        todo = _visible_todo(request, pk)
        todays = {todo.company_id: todo.company.today()}
        _mark_overdue([todo], todays)
        next_url = request.htmx.current_url_abs_path or reverse("communications:todo-list")
        return render(request, "communications/todo_row.html",
                      {"todo": todo, "may_work": True, "next_url": next_url})  # fmt: skip
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("communications:todo-detail", args=[todo.pk])
    messages.success(request, "To-do closed." if todo.is_open else "To-do reopened.")
    return redirect(target)


def _customer_from_query(request: Any):
    raw = request.GET.get("customer")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404(_("No such customer.")) from None
    return visible_customer(request, pk)


@role_required
@require_http_methods(["GET", "POST"])
def todo_create_view(request):
    """A to-do by hand, for the customer in ``?customer=`` or the account code typed."""
    _require_worker(request.user)
    if request.method == "GET" and "csrfmiddlewaretoken" in request.GET:
        # "Choose customer" submits the form by GET: keep the token out of the address bar.
        query = request.GET.copy()
        del query["csrfmiddlewaretoken"]
        return redirect(f"{request.path}?{query.urlencode()}")
    customer = _customer_from_query(request)
    if request.method == "GET" and customer is None and request.GET.get("account_code"):
        # "Choose customer": resolve the account code, then offer that customer's owners
        # and open entries, carrying over whatever was typed already.
        picker = ToDoCreateForm(request.GET, user=request.user, customer=None)
        picker.is_valid()
        if "customer" in picker.cleaned_data:
            carried = {k: request.GET.get(k, "") for k in PICK_CARRIED if request.GET.get(k)}
            query = urlencode({"customer": picker.cleaned_data["customer"].pk, **carried})
            return redirect(f"{reverse('communications:todo-create')}?{query}")
        for name in [n for n in picker.errors if n != "account_code"]:
            del picker.errors[name]  # only the account code was asked about yet
        form = picker
    else:
        initial = {k: request.GET[k] for k in PICK_CARRIED if request.GET.get(k)}
        form = ToDoCreateForm(request.POST or None, initial=initial, user=request.user,
                              customer=customer)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def make() -> str:
            todo = todo_create(
                user=request.user,
                customer=customer or data["customer"],
                description=data["description"],
                due_on=data["due_on"],
                owner=data["owner"],
                entry_ids=data.get("entries", []),
                notes=data["notes"],
            )
            messages.success(request, _("To-do created."))
            return reverse("communications:todo-detail", args=[todo.pk])

        try:
            return submit_once(request, data.get("form_token"), make,
                               fallback=reverse("communications:todo-list"))  # fmt: skip
        except ValidationError as error:
            show_service_errors(form, error, aliases={})
    entries = []
    if customer is not None:
        entries = list(
            LedgerEntry.objects.filter(customer=customer)
            .open()
            .order_by("due_date", "id")[:ENTRY_CHOICES_LIMIT]
        )
    ticked = (
        {str(v) for v in (form["entries"].value() or [])} if "entries" in form.fields else set()
    )
    return render(
        request,
        "communications/todo_form.html",
        {
            "nav": "todos",
            "form": form,
            "customer": customer,
            "entries": entries,
            "entry_limit": ENTRY_CHOICES_LIMIT,
            "ticked": ticked,
            "today": customer.company.today() if customer else None,
        },
    )


@role_required
@require_http_methods(["GET", "POST"])
def todo_detail(request, pk: int):
    """A to-do's fields, entries and origin; POST edits description, due date, owner, notes."""
    todo = _visible_todo(request, pk)
    may_work = can_work_customers(request.user)
    form = ToDoEditForm(request.POST or None, todo=todo)
    if request.method == "POST":
        _require_worker(request.user)
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                if changed:
                    todo_update(user=request.user, todo=todo, **changed)
            except ValidationError as error:
                show_service_errors(form, error, aliases={})
            else:
                messages.success(request, "To-do saved." if changed else "Nothing was changed.")
                return redirect("communications:todo-detail", todo.pk)
    today = todo.company.today()
    _mark_overdue([todo], {todo.company_id: today})
    entries = list(todo.entries.order_by("due_date", "id"))
    promise = todo.promise
    return render(
        request,
        "communications/todo_detail.html",
        {
            "nav": "todos",
            "todo": todo,
            "form": form,
            "entries": entries,
            "communication": todo.communication,
            "promise": promise,
            "may_work": may_work,
            "editing": request.method == "POST" or request.GET.get("edit") == "1",
        },
    )
