"""Mass email pages: compose (from the customer list's ticked customers), preview for one
recipient, send. Sending goes through ``followups.mass_email``; sending the same form
twice sends nothing twice."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from creditcontrol.roles import can_work_customers, role_required
from ledger.models import Customer
from ledger.selection import selected_customers

from .mass_email import mass_email_audience, mass_email_fill
from .mass_email_batches import mass_email_start
from .models import MassEmailBatch

MAX_CUSTOMERS = 5_000


class MassEmailForm(forms.Form):
    batch = forms.UUIDField(widget=forms.HiddenInput)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Body"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            'Type "First Name" and "Last Name", with the quotes, where each contact\'s name goes.'
        ),
    )


def _customers(request) -> list[Customer]:
    if "customers" in request.POST:
        ids = [int(v) for v in request.POST.getlist("customers") if v.isdigit()]
        chosen = Customer.objects.visible_to(request.user).filter(pk__in=ids)
    else:
        chosen = selected_customers(request.POST, user=request.user, request=request)
    return list(chosen.select_related("company").order_by("name", "pk")[: MAX_CUSTOMERS + 1])


def _require_role(request) -> None:
    if not can_work_customers(request.user):
        raise PermissionDenied(_("Your role does not allow emailing customers."))


@role_required
@require_POST
def mass_email(request):
    """Compose (coming from the customer list) or send (the compose form posted back)."""
    _require_role(request)
    try:
        customers = _customers(request)
    except ValidationError as error:
        customers, problem = [], " ".join(error.messages)
    else:
        problem = ""
    if len(customers) > MAX_CUSTOMERS:
        customers = customers[:MAX_CUSTOMERS]
        problem = f"A mass email goes to at most {MAX_CUSTOMERS:,} customers: narrow the search."
    sending = request.POST.get("step") == "send"
    form = MassEmailForm(request.POST if sending else None,
                         initial={"batch": uuid.uuid4()})  # fmt: skip
    if sending and form.is_valid() and not problem:
        try:
            result = mass_email_start(
                user=request.user, batch=form.cleaned_data["batch"], customers=customers,
                subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
            )  # fmt: skip
        except ValidationError as error:
            for name, messages in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            if isinstance(result, MassEmailBatch):  # large: the worker goes on with it
                return redirect("followups:mass-email-batch", result.batch)
            return render(request, "followups/mass_email_result.html",
                          {"result": result, "nav": "customers"})  # fmt: skip
    audience = mass_email_audience(customers)
    return render(
        request, "followups/mass_email_compose.html",
        {"form": form, "customers": customers, "audience": audience, "problem": problem,
         "nav": "customers"},
    )  # fmt: skip


@role_required
@require_POST
def mass_email_preview(request):
    """The subject and message as one recipient will read them (htmx fragment)."""
    _require_role(request)
    customers = _customers(request)
    audience = mass_email_audience(customers)
    wanted = request.POST.get("preview_for", "")
    recipient = next(
        (r for r in audience.recipients if str(r.contact.pk) == wanted),
        audience.recipients[0] if audience.recipients else None,
    )
    context = {"recipient": recipient}
    if recipient is not None:
        context["subject"] = mass_email_fill(request.POST.get("subject", ""), recipient.contact)
        context["body"] = mass_email_fill(request.POST.get("body", ""), recipient.contact)
    return render(request, "followups/_mass_email_preview.html", context)


@role_required
def mass_email_batch(request, batch):
    """How far the worker has got with a large mass email (the page polls itself)."""
    row = get_object_or_404(MassEmailBatch, batch=batch, created_by=request.user)
    template = (
        "followups/_mass_email_progress.html"
        if request.htmx
        else "followups/mass_email_progress.html"
    )
    return render(request, template, {"row": row, "nav": "customers"})
