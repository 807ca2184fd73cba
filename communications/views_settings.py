"""The manager's settings lists: outcomes, status codes, call action types and customer
responses. They are installation-wide (see ``models``), so any manager or administrator
may add and edit them; nobody deletes them, because old records keep pointing at them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from creditcontrol.roles import is_administrator, is_manager, role_required

from .forms_settings import ActionTypeForm, CustomerResponseForm, OutcomeForm, StatusCodeForm
from .models import ActionType, CustomerResponse, Outcome, StatusCode


@dataclass(frozen=True)
class ListKind:
    """One configurable list: its model, form, the columns of its page and what it is for."""

    slug: str
    title: str
    singular: str
    model: type[models.Model]
    form: type[forms.ModelForm]
    columns: tuple[tuple[str, str], ...]  # (attribute, heading); flags end in "?"
    purpose: str


LIST_KINDS: dict[str, ListKind] = {
    kind.slug: kind
    for kind in (
        ListKind("outcomes", gettext_lazy("Outcomes"), gettext_lazy("outcome"), Outcome, OutcomeForm,
                 (("name", gettext_lazy("Name")), ("creates_promise?", gettext_lazy("Creates a promise"))),
                 gettext_lazy("How a communication ended. An outcome that creates a promise asks for the promised amount and date.")),
        ListKind("status-codes", gettext_lazy("Status codes"), gettext_lazy("status code"), StatusCode, StatusCodeForm,
                 (("code", gettext_lazy("Code")), ("description", gettext_lazy("Description")), ("is_promised?", gettext_lazy("Promised")),
                  ("is_queried?", gettext_lazy("Queried")), ("owner_defaults_to_user?", gettext_lazy("Owner defaults to me"))),
                 gettext_lazy("Codes put on ledger entries. A promised code asks for a promise to pay; a queried code asks for a resolution target date and owner.")),
        ListKind("action-types", gettext_lazy("Call action types"), gettext_lazy("action type"), ActionType, ActionTypeForm,
                 (("name", gettext_lazy("Name")), ("get_behaviour_display", gettext_lazy("What recording it does"))),
                 gettext_lazy("Recommended next steps recorded on a communication.")),
        ListKind("responses", gettext_lazy("Customer responses"), gettext_lazy("customer response"), CustomerResponse,
                 CustomerResponseForm, (("name", gettext_lazy("Name")),),
                 gettext_lazy("What the customer said to a call action.")),
    )
}  # fmt: skip

RETIRE_NOTE = gettext_lazy(
    "Items are never deleted: communications, entries and call actions recorded with them "
    "must stay readable. To stop offering one, untick “active”; it then stays on old "
    "records but is no longer offered."
)


def _kind(request: Any, slug: str, *, change: bool = False) -> ListKind:
    if not is_manager(request.user):
        raise PermissionDenied(_("Only a credit manager or an administrator may see these lists."))
    # The lists are installation-wide, shared by every company's records: changing them is
    # an administrator's decision, not one company's manager's.
    if change and not is_administrator(request.user):
        raise PermissionDenied(_("These lists are shared by every company: only an "
                               "administrator may change them."))  # fmt: skip
    try:
        return LIST_KINDS[slug]
    except KeyError:
        raise Http404(_("No such list.")) from None


def _context(kind: ListKind, **extra: Any) -> dict[str, Any]:
    return {"nav": "settings", "kind": kind, "kinds": LIST_KINDS.values(),
            "retire_note": RETIRE_NOTE, **extra}  # fmt: skip


@role_required
def settings_list(request, kind: str):
    """Every item of one list, retired ones too, in the order they are offered."""
    list_kind = _kind(request, kind)
    items = list(list_kind.model.objects.all())
    rows = []
    for item in items:
        cells = []
        for attr, _heading in list_kind.columns:
            flag = attr.endswith("?")
            value = getattr(item, attr.rstrip("?"))
            cells.append({"flag": flag, "value": value() if callable(value) else value})
        rows.append({"item": item, "cells": cells})
    return render(request, "communications/settings_list.html",
                  _context(list_kind, rows=rows))  # fmt: skip


def _edit(request, list_kind: ListKind, instance: models.Model | None):
    form = list_kind.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        item = form.save()
        verb = "added" if instance is None else "saved"
        messages.success(request, f"{list_kind.singular.capitalize()} “{item}” {verb}.")
        return redirect("communications:settings-list", list_kind.slug)
    return render(request, "communications/settings_form.html",
                  _context(list_kind, form=form, item=instance))  # fmt: skip


@role_required
@require_http_methods(["GET", "POST"])
def settings_item_create(request, kind: str):
    return _edit(request, _kind(request, kind, change=True), None)


@role_required
@require_http_methods(["GET", "POST"])
def settings_item_edit(request, kind: str, pk: int):
    list_kind = _kind(request, kind, change=True)
    return _edit(request, list_kind, get_object_or_404(list_kind.model, pk=pk))
