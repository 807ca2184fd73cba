"""Pages of the ledger: the customer list and the customer card with its tabs.

Both stay fast at 100,000 customers and a million entries: the list counts its
pages without the balance annotations and annotates only the 50 rows it shows;
the card's tabs paginate and total in the database. No page issues a query per row.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from creditcontrol.roles import role_required

from .filters import CustomerFilter
from .models import Company, Customer, DebtorRating

CUSTOMERS_PER_PAGE = 50
ENTRIES_PER_PAGE = 100

# Sort key in the URL → (model expressions, needs the balance annotations).
RATING_RANK = Case(
    When(debtor_rating=DebtorRating.GOOD, then=Value(0)),
    When(debtor_rating=DebtorRating.NORMAL, then=Value(1)),
    When(debtor_rating=DebtorRating.BAD, then=Value(2)),
    output_field=IntegerField(),
)
SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "account_code": (("account_code",), False),
    "name": (("name",), False),
    "city": (("city",), False),
    "postcode": (("postcode",), False),
    "controller": (("controller__first_name", "controller__last_name", "controller__username"),
                   False),
    "currency": (("currency",), False),
    "credit_limit": (("credit_limit",), False),
    "balance": (("balance_lcy",), True),
    "overdue": (("overdue_lcy",), True),
    "on_hold": (("on_hold",), False),
    "debtor_rating": (("rating_rank",), False),
}  # fmt: skip
DEFAULT_SORT = "name"


def _ordering(sort: str) -> list:
    """ORDER BY for a ``sort`` parameter such as ``-balance``, with ``id`` as tie-break so
    that pages never repeat or skip a row. Nulls sort as the smallest value everywhere."""
    descending = sort.startswith("-")
    fields, _annotated = SORTS[sort.lstrip("-")]
    exprs = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
        for name in (*fields, "id")
    ]
    return exprs


def _parse_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


@role_required
def customer_list(request):
    """Every customer the user may see, filtered by ``CustomerFilter``, sorted by any column."""
    user = request.user
    companies = Company.objects.visible_to(user)
    todays = companies.as_of()
    filterset = CustomerFilter(
        request.GET or None, queryset=Customer.objects.visible_to(user), request=request
    )
    filtered = filterset.qs
    sort = _parse_sort(request.GET.get("sort"))
    ordering = _ordering(sort)
    needs_balances = SORTS[sort.lstrip("-")][1]

    # Pages are counted without the balance subqueries: an annotated count of 100,000
    # customers would compute every balance just to throw it away.
    paginator = Paginator(filtered.order_by("pk"), CUSTOMERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    low, high = page.start_index() - 1, page.end_index()
    rows: list[Customer] = []
    if paginator.count:
        # First the page's ids, then its rows with their balances: the sums shown are
        # computed for the 50 rows only; a sort on a total groups every entry once.
        if needs_balances:
            ids = filtered.page_ids_by_total(
                total=sort.lstrip("-"), as_of=todays, descending=sort.startswith("-"),
                offset=low, limit=high - low,
            )  # fmt: skip
        else:
            ids = list(
                filtered.alias(rating_rank=RATING_RANK)
                .order_by(*ordering)
                .values_list("pk", flat=True)[low:high]
            )
        by_id = {
            c.pk: c
            for c in Customer.objects.filter(pk__in=ids)
            .with_balances(todays)
            .select_related("company", "controller")
        }
        rows = [by_id[pk] for pk in ids]
    page.object_list = rows

    controllers = (
        get_user_model()
        .objects.filter(companies__in=[c.pk for c in companies], is_active=True)
        .distinct()
        .only("id", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )
    return render(
        request,
        "ledger/customer_list.html",
        {
            "nav": "customers",
            "filterset": filterset,
            "page": page,
            "paginator": paginator,
            "sort": sort,
            "companies": companies,
            "controllers": controllers,
            "filters_active": any(
                request.GET.get(k) for k in ("q", "company", "controller", "on_hold")
            ),
        },
    )


# --- The customer card -------------------------------------------------------------

TABS = (
    ("details", "Details", "ledger:customer-card"),
    ("contacts", "Contacts", "ledger:customer-contacts"),
    # The tabs below are the workbench's (communications app): named by URL, not imported.
    ("entries", "Ledger entries", "communications:customer-entries"),
    ("communications", "Communications", "communications:customer-communications"),
    ("timeline", "Timeline", "communications:customer-timeline"),
)


def visible_customer(request, pk: int) -> Customer:
    """The customer, or 404 when the user may not see it (never 403: that would leak it)."""
    return get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("company", "controller"),
        pk=pk,
    )


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
