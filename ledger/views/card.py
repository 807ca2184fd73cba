"""Pages of the ledger: the customer card with its tabs.

The customer list is in ``communications.views_customer_list`` (it shows workbench
figures); its actions are in ``views_customer_bulk``. The card's tabs paginate and total
in the database; no page issues a query per row.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from creditcontrol import dates
from creditcontrol.roles import role_required

from ..models import Customer

ENTRIES_PER_PAGE = 100


# --- The customer card -------------------------------------------------------------

TABS = (
    ("details", gettext_lazy("Details"), "ledger:customer-card"),
    ("contacts", gettext_lazy("Contacts"), "ledger:customer-contacts"),
    # The tabs below are the workbench's (communications app): named by URL, not imported.
    ("entries", gettext_lazy("Ledger entries"), "communications:customer-entries"),
    ("communications", gettext_lazy("Communications"), "communications:customer-communications"),
    ("timeline", gettext_lazy("Timeline"), "communications:customer-timeline"),
    ("history", gettext_lazy("History"), "followups:customer-history"),  # the follow-up history
    ("charges", gettext_lazy("Charges"), "charges:customer-charges"),  # late-payment charges
)


def visible_customer(request, pk: int) -> Customer:
    """The customer, or 404 when the user may not see it (never 403: that would leak it).

    The page then shows dates in the customer's company's convention and time zone."""
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("company", "controller"),
        pk=pk,
    )
    dates.activate(customer.company)
    return customer


def _header(customer: Customer, today) -> dict:
    """Balance, overdue and credit-limit usage for the card's header."""
    figures = (
        Customer.objects.filter(pk=customer.pk)
        .with_balances(today)
        .values("balance_lcy", "overdue_lcy", "open_entry_count")
        .get()
    )
    usage = None
    if customer.credit_limit > 0:
        if customer.currency == customer.company.base_currency:
            used = figures["balance_lcy"]
        else:
            # The limit is in the customer's currency: compare it with entries in that currency.
            used = customer.entries.open().filter(currency=customer.currency).aggregate(
                total=Sum("remaining")
            )["total"] or Decimal("0.00")
        usage = (used / customer.credit_limit * 100).quantize(Decimal("1"))
    return {**figures, "usage": usage, "usage_bar": max(0, min(int(usage or 0), 100))}


def render_card(request, customer: Customer, tab: str, context: dict):
    """The whole card, or only its tab panel when htmx swaps tabs in place. Other apps
    render their tabs through this too, with ``tab_template`` in ``context``."""
    context = {
        "customer": customer, "tab": tab, "tabs": TABS, "nav": "customers",
        "tab_template": f"ledger/card/_{tab}.html", **context,
    }  # fmt: skip
    # A history restore needs the whole page: htmx swaps it into the body.
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        response = render(request, "ledger/card/_panel.html", context)
    else:
        context.update(_header(customer, customer.company.today()))
        response = render(request, "ledger/card/card.html", context)
    # The same URL serves a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required
def customer_card(request, pk: int):
    """The customer card, Details tab: every field and the address."""
    customer = visible_customer(request, pk)
    return render_card(request, customer, "details", {})


@role_required
def customer_contacts(request, pk: int):
    """The Contacts tab; the credit-control contact first."""
    customer = visible_customer(request, pk)
    return render_card(request, customer, "contacts", {"contacts": customer.contacts.all()})
