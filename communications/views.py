"""The customer card's Communications and Timeline tabs (being built)."""

from __future__ import annotations

from creditcontrol.roles import role_required
from ledger.views import render_card, visible_customer


@role_required
def customer_communications(request, pk: int):
    customer = visible_customer(request, pk)
    return render_card(request, customer, "communications",
                       {"tab_template": "communications/card/_communications.html"})  # fmt: skip


@role_required
def customer_timeline(request, pk: int):
    customer = visible_customer(request, pk)
    return render_card(request, customer, "timeline",
                       {"tab_template": "communications/card/_timeline.html"})  # fmt: skip


@role_required
def notifications(request):
    from django.shortcuts import render

    return render(request, "communications/notifications.html", {})
