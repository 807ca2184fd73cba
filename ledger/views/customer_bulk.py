"""The customer list's actions: bulk delete, export, assign, save as a mail list (one
form, one ``action`` button each), deleting a mail list, and adding a customer by hand.
Each goes back to the list with the same search and says what happened."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from creditcontrol.form_tokens import submit_once
from creditcontrol.roles import can_edit_ledger, role_required

from .. import customer_bulk, services
from ..customer_bulk import assignable_controllers
from ..forms import CustomerCreateForm
from ..models import Company, MailList
from ..selection import selected_customers

EXPORT_FILENAME = "customers.csv"


def _back(request, **extra) -> HttpResponseRedirect:
    query = request.POST.get("query", "")
    if extra:
        query = urlencode(extra)
    url = reverse("ledger:customer-list")
    return redirect(f"{url}?{query}" if query else url)


def _refusal(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, str(error) or _("You may not do this."))


@role_required
@require_POST
def customers_bulk(request):
    """Apply the pressed ``action`` to the ticked customers (or all that match)."""
    action = request.POST.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Choose what to do with the ticked customers."))
        return _back(request)
    try:
        customers = selected_customers(request.POST, user=request.user, request=request)
    except ValidationError as error:
        _refusal(request, error)
        return _back(request)
    chosen = list(customers.select_related("company"))
    if not chosen:
        messages.error(request, _("Tick at least one customer first."))
        return _back(request)
    try:
        return handler(request, chosen, customers)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
        return _back(request)


def _delete(request, chosen, customers):
    result = customer_bulk.customers_delete(user=request.user, customers=chosen)
    if result.deleted:
        n = len(result.deleted)
        messages.success(
            request,
            ngettext("Deleted %(n)d customer.", "Deleted %(n)d customers.", n) % {"n": n},
        )
    if result.refused:
        messages.error(request, result.refused_message)
    return _back(request)


def _export(request, chosen, customers):
    as_of = Company.objects.filter(pk__in={c.company_id for c in chosen}).as_of()
    lines = customer_bulk.customers_export_csv(customers, as_of=as_of)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response


def _assign(request, chosen, customers):
    value = request.POST.get("controller", "")
    controller = None
    if value:
        controller = get_user_model().objects.filter(pk=value if value.isdigit() else 0).first()
        if controller is None:
            raise ValidationError(_("Choose a controller, or “Nobody” to unassign."))
    changed = customer_bulk.customers_assign(
        user=request.user, customers=chosen, controller=controller
    )
    who = (controller.get_full_name() or controller.get_username()) if controller else _("nobody")
    messages.success(
        request,
        ngettext(
            "Assigned %(changed)d customer to %(who)s.",
            "Assigned %(changed)d customers to %(who)s.",
            changed,
        )
        % {"changed": changed, "who": who},
    )
    return _back(request)


def _save_list(request, chosen, customers):
    mail_list = customer_bulk.mail_list_save(
        user=request.user, name=request.POST.get("list_name", ""), customers=chosen,
        shared=bool(request.POST.get("list_shared")),
    )  # fmt: skip
    messages.success(
        request,
        _("Saved %(len)s customers as the list “%(name)s”.")
        % {"len": len(chosen), "name": mail_list.name},
    )
    return _back(request, mail_list=mail_list.pk)


ACTIONS = {"delete": _delete, "export": _export, "assign": _assign, "save_list": _save_list}


@role_required
@require_POST
def mail_list_delete(request, pk: int):
    mail_list = get_object_or_404(MailList.objects.visible_to(request.user), pk=pk)
    try:
        customer_bulk.mail_list_delete(user=request.user, mail_list=mail_list)
    except PermissionDenied as error:
        _refusal(request, error)
        return _back(request, mail_list=pk)
    messages.success(request, _("Deleted the list “%(name)s”.") % {"name": mail_list.name})
    return redirect("ledger:customer-list")


@role_required
def customer_create(request):
    """Add a customer by hand (managers and administrators), warned of duplicates."""
    if not can_edit_ledger(request.user):
        raise PermissionDenied(_("Your role does not allow adding customers."))
    companies = Company.objects.visible_to(request.user)
    controllers = assignable_controllers([]).filter(companies__in=companies).distinct()
    form = CustomerCreateForm(request.POST or None, user=request.user, controllers=controllers)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        company = data.pop("company")

        def make() -> str:
            customer = services.customer_create(user=request.user, company=company, **data)
            messages.success(
                request,
                _("Added customer %(account_code)s %(name)s.")
                % {"account_code": customer.account_code, "name": customer.name},
            )
            return reverse("ledger:customer-card", args=[customer.pk])

        try:
            return submit_once(request, form.cleaned_data["form_token"], make,
                               fallback=reverse("ledger:customer-list"))  # fmt: skip
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request, "ledger/customer_form.html",
        {"form": form, "nav": "customers", "duplicate": form.duplicate},
    )  # fmt: skip
