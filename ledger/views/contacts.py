"""Contacts on the customer card: add, edit (roles, active, a corrected address clears its
bounce), delete (refused when history refers to the contact: make it inactive)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditcontrol.form_tokens import submit_once
from creditcontrol.roles import role_required

from .. import services
from ..forms import ContactForm
from ..models import Contact
from .card import visible_customer
from .customer_edit import form_errors


def _require_worker(user) -> None:
    if not services.can_work_customers_or_sync(user):
        raise PermissionDenied(_("Your role does not allow changing contacts."))


def _contacts_url(customer_id: int) -> str:
    return reverse("ledger:customer-contacts", args=[customer_id])


@role_required
def contact_create(request, pk: int):
    customer = visible_customer(request, pk)
    _require_worker(request.user)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def make() -> str:
            contact = services.contact_create(user=request.user, customer=customer,
                                              **form.service_fields())  # fmt: skip
            messages.success(request, _("Added %(full_name)s.") % {"full_name": contact.full_name})
            return _contacts_url(customer.pk)

        try:
            return submit_once(request, form.cleaned_data["form_token"], make,
                               fallback=_contacts_url(customer.pk))  # fmt: skip
        except ValidationError as error:
            form_errors(form, error)
    return render(request, "ledger/contact_form.html",
                  {"customer": customer, "form": form, "nav": "customers"})  # fmt: skip


def _visible_contact(request, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.visible_to(request.user).select_related("customer__company"), pk=pk
    )


@role_required
def contact_edit(request, pk: int):
    contact = _visible_contact(request, pk)
    _require_worker(request.user)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(user=request.user, contact=contact, **form.service_fields())
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Saved %(full_name)s.") % {"full_name": contact.full_name})
            return redirect(_contacts_url(contact.customer_id))
    return render(request, "ledger/contact_form.html", {
        "customer": contact.customer, "contact": contact, "form": form, "nav": "customers",
    })  # fmt: skip


@role_required
@require_POST
def contact_delete(request, pk: int):
    contact = _visible_contact(request, pk)
    _require_worker(request.user)
    try:
        services.contact_delete(user=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Deleted %(full_name)s.") % {"full_name": contact.full_name})
    return redirect(_contacts_url(contact.customer_id))
