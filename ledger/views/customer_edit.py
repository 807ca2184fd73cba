"""Editing a customer: the record (credit-control fields and, for customers keyed in
here, master data), putting on hold and releasing, excluding from follow-ups and
including again. Every page validates a form and calls one service, which enforces the
rules (``ledger.services.customer_edit_check``), so these pages and the API agree."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcontrol.roles import (
    can_edit_ledger,
    can_work_customers,
    credit_controllers,
    role_required,
)
from creditcontrol.roles import is_manager as _is_manager

from .. import services
from ..forms import CustomerEditForm, ExclusionForm, HoldForm
from .card import visible_customer


def form_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: by field where it names one, else on top."""
    for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@role_required
def customer_edit(request, pk: int):
    """The customer's record: every field the user may change, the rest read-only."""
    customer = visible_customer(request, pk)
    if not can_work_customers(request.user) and not can_edit_ledger(request.user):
        raise PermissionDenied(_("Your role does not allow changing customers."))
    controllers = credit_controllers([customer.company_id], also=customer.controller_id)
    form = CustomerEditForm(request.POST or None, instance=customer, user=request.user,
                            controllers=controllers)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.customer_update(user=request.user, customer=customer, **fields)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if fields:
                messages.success(
                    request, _("Saved the changes to %(name)s.") % {"name": customer.name}
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("ledger:customer-card", customer.pk)
    return render(request, "ledger/customer_edit.html", {
        "customer": customer, "form": form, "nav": "customers",
        "can_hold": _is_manager(request.user),
    })  # fmt: skip


@role_required
def customer_hold(request, pk: int):
    """Put on hold or release, with a reason (credit managers and administrators)."""
    customer = visible_customer(request, pk)
    if not _is_manager(request.user):
        raise PermissionDenied(
            _("Only a credit manager or an administrator puts customers on hold.")
        )
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = services.customer_release if customer.on_hold else services.customer_hold
        try:
            action(user=request.user, customer=customer, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            done = "released from hold" if customer.on_hold else "put on hold"
            messages.success(
                request, _("%(name)s is %(done)s.") % {"name": customer.name, "done": done}
            )
            return redirect("ledger:customer-card", customer.pk)
    with timezone.override(customer.company.tz):
        return render(request, "ledger/customer_hold.html",
                      {"customer": customer, "form": form, "nav": "customers"})  # fmt: skip


@role_required
def customer_exclusion(request, pk: int):
    """Exclude from follow-ups with a reason and optionally until a date, or include again."""
    customer = visible_customer(request, pk)
    if not _is_manager(request.user):
        raise PermissionDenied(_("Only a credit manager or an administrator excludes customers."))
    form = ExclusionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("include"):
        services.customer_include(user=request.user, customer=customer)
        messages.success(
            request, _("%(name)s is included in follow-ups again.") % {"name": customer.name}
        )
        return redirect("ledger:customer-card", customer.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_exclude(user=request.user, customer=customer,
                                      reason=form.cleaned_data["reason"],
                                      until=form.cleaned_data["until"])  # fmt: skip
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is excluded from follow-ups.") % {"name": customer.name}
            )
            return redirect("ledger:customer-card", customer.pk)
    return render(request, "ledger/customer_exclusion.html",
                  {"customer": customer, "form": form, "nav": "customers"})  # fmt: skip
