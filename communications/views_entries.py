"""The customer card's Ledger entries tab, where a controller ticks entries to work on them."""

from __future__ import annotations

from django.core.paginator import Paginator

from creditcontrol.roles import role_required
from ledger.models import LedgerEntry
from ledger.views import ENTRIES_PER_PAGE, render_card, visible_customer


@role_required
def customer_entries(request, pk: int):
    """The Ledger entries tab: open items (or all), days overdue in the company's time
    zone, and totals per currency and in LCY over every entry shown, not just the page."""
    customer = visible_customer(request, pk)
    today = customer.company.today()
    show = "all" if request.GET.get("show") == "all" else "open"
    entries = LedgerEntry.objects.filter(customer=customer)
    if show == "open":
        entries = entries.open().order_by("due_date", "id")
    else:
        entries = entries.order_by("-document_date", "-id")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for entry in rows:
        entry.overdue_days = entry.days_overdue(today)
    page.object_list = rows
    return render_card(
        request,
        customer,
        "entries",
        {
            "page": page,
            "show": show,
            "totals": entries.totals(),
            "today": today,
            "tab_template": "communications/card/_entries.html",
        },
    )
