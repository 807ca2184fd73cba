"""Workbench figures for the ledger's customer card (tab title and header), which cannot
import this app: templates load these tags instead."""

from __future__ import annotations

from django import template

from ledger.models import Customer

from ..models import Communication
from ..querysets import with_workbench_figures

register = template.Library()


@register.simple_tag
def live_communication_count(customer: Customer) -> int:
    """The Communications tab's count; on a whole card the header already counted them."""
    figures = getattr(customer, "_workbench_figures", None)
    if figures is not None:
        return figures["live_communication_count"]
    return Communication.objects.filter(customer=customer).live().count()


@register.inclusion_tag("communications/card/_kpis.html")
def workbench_kpis(customer: Customer, oob: bool = False) -> dict:
    """Next follow-up and promised payment, derived over live communications, open to-dos
    and live promises (see ``communications.querysets``)."""
    figures = (
        with_workbench_figures(Customer.objects.filter(pk=customer.pk))
        .values("next_follow_up_on", "promised_lcy", "promised_on", "live_communication_count")
        .get()
    )
    customer._workbench_figures = figures
    # ``oob``: swapped into the card header by htmx after an action (no reload).
    return {"customer": customer, "today": customer.company.today(), "oob": oob, **figures}
