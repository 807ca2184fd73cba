"""The customer list page (``ledger:customer-list``, at /customers/).

It lives here, not in ``ledger``, because it shows the workbench's figures (Follow-up,
Promised payment, live communications, last contact) and ``ledger`` must not import the
workbench; ``creditcontrol/urls.py`` mounts it under the ledger's URL name. The columns,
the search, the layouts and the bulk actions are the ledger's (``ledger.customer_columns``,
``ledger.selection``, ``ledger.views_customer_bulk``).

Fast at 100,000 customers: the count is taken without annotations (and capped while
searching), the page's ids come from one ordered query (one grouped join when the sort
is on a derived figure), and only those 50 rows get their figures.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

from creditcontrol import dates
from creditcontrol.roles import can_edit_ledger, credit_controllers, is_manager, role_required
from ledger.customer_columns import BY_KEY, COLUMNS
from ledger.customer_columns import layout_for as ledger_layout_for
from ledger.models import Company, Customer, DebtorRating, MailList
from ledger.selection import customer_filterset

from .customer_columns import page_ids_by_figure, with_list_figures

CUSTOMERS_PER_PAGE = 50
# While searching, pages are counted up to here: counting 90,000 matches of "l" costs
# more than the page itself, and nobody pages past 100 pages of a search.
SEARCH_COUNT_CAP = 5_000
DEFAULT_SORT = "name"
RESULTS_TARGET = "customer-results"

RATING_RANK = Case(
    When(debtor_rating=DebtorRating.GOOD, then=Value(0)),
    When(debtor_rating=DebtorRating.NORMAL, then=Value(1)),
    When(debtor_rating=DebtorRating.BAD, then=Value(2)),
    output_field=IntegerField(),
)


class CappedPaginator(Paginator):
    """A paginator that stops counting at ``cap`` (``capped`` tells the page)."""

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if self.cap is None:
            return super().count
        # No ORDER BY: with one, PostgreSQL walks the primary key instead of the
        # search index to find the first matches.
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def parse_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in BY_KEY else DEFAULT_SORT


def _ordering(fields: tuple[str, ...], descending: bool) -> list:
    """ORDER BY with ``id`` as tie-break so that pages never repeat or skip a row. Nulls
    (no controller) sort as the smallest value; columns that cannot be null say nothing
    about nulls, so that PostgreSQL can walk their index (``name, id``) and stop at 50."""
    exprs = []
    for name in (*fields, "id"):
        if "__" not in name:
            exprs.append(F(name).desc() if descending else F(name).asc())
        else:
            exprs.append(
                F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
            )
    return exprs


# The annotation a derived figure is sorted on when the customers are few (a search).
FIGURE_ANNOTATIONS = {
    "balance": "balance_lcy", "overdue": "overdue_lcy", "next_follow_up": "next_follow_up_on",
    "promised_amount": "promised_lcy", "promised_on": "promised_on",
    "live_communications": "live_communication_count", "last_contact": "last_contact_at",
}  # fmt: skip


def page_ids(filtered, *, sort: str, as_of, offset: int, limit: int, few: bool) -> list[int]:
    """One page of ids in the order asked for.

    A derived figure over many customers is one grouped join (``page_ids_by_*``); over
    ``few`` (a search's matches, at most ``SEARCH_COUNT_CAP``) it is the figure of each
    match, which costs a few index lookups each and does not depend on PostgreSQL
    guessing how many customers a trigram search keeps (it guesses a handful).
    """
    key, descending = sort.lstrip("-"), sort.startswith("-")
    column = BY_KEY[key]
    if column.figure and few:
        annotated = with_list_figures(filtered.with_balances(as_of))
        name = FIGURE_ANNOTATIONS[key]
        # As in the grouped join: no date sorts last either way; no amount counts as zero.
        order = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        pk = F("pk").desc() if descending else F("pk").asc()
        ordered = annotated.order_by(order, pk).values_list("pk", flat=True)
        return list(ordered[offset : offset + limit])
    if column.figure == "ledger":
        return filtered.page_ids_by_total(
            total=key, as_of=as_of, descending=descending, offset=offset, limit=limit
        )
    if column.figure == "workbench":
        return page_ids_by_figure(
            filtered, key=key, descending=descending, offset=offset, limit=limit
        )
    ordered = filtered.alias(rating_rank=RATING_RANK).order_by(*_ordering(column.sort, descending))
    return list(ordered.values_list("pk", flat=True)[offset : offset + limit])


def _rows(ids: list[int], *, as_of, layout) -> list[Customer]:
    rows = Customer.objects.filter(pk__in=ids).with_balances(as_of)
    if any(c.figure == "workbench" for c in layout.shown):
        rows = with_list_figures(rows)
    by_id = {c.pk: c for c in rows.select_related("company", "controller")}
    return [by_id[pk] for pk in ids if pk in by_id]


def _as_of(companies: list[Company]):
    """Each company's today, as one date when they agree (see ``CompanyQuerySet.as_of``)."""
    todays = {c.pk: c.today() for c in companies}
    days = set(todays.values())
    return days.pop() if len(days) == 1 else todays


@role_required
def customer_list(request):
    """Every customer the user may see, in the user's columns, searched, sorted, paged."""
    user = request.user
    layout = ledger_layout_for(user)
    companies = list(Company.objects.visible_to(user))  # by name
    dates.activate(companies[0] if companies else None)  # no query of its own for the dates
    todays = _as_of(companies)
    filterset = customer_filterset(request.GET, user=user, request=request, layout=layout)
    filtered = filterset.qs
    sort = parse_sort(request.GET.get("sort"))
    searching = bool(request.GET.get("q", "").strip())
    paginator = CappedPaginator(
        filtered.order_by("pk"), CUSTOMERS_PER_PAGE, cap=SEARCH_COUNT_CAP if searching else None
    )
    page = paginator.get_page(request.GET.get("page"))
    rows: list[Customer] = []
    if paginator.count:
        low = page.start_index() - 1
        ids = page_ids(filtered, sort=sort, as_of=todays, offset=low,
                       limit=CUSTOMERS_PER_PAGE, few=searching and not paginator.capped)  # fmt: skip
        rows = _rows(ids, as_of=todays, layout=layout)
    page.object_list = rows

    context = {
        "nav": "customers", "filterset": filterset, "page": page, "paginator": paginator,
        "sort": sort, "companies": companies, "layout": layout,
        "filters_active": any(
            request.GET.get(k)
            for k in ("q", "company", "controller", "on_hold", "over_limit", "mail_list")
        ),
        "table_width": 36 + sum(c.width for c in layout.shown),
        "query": request.GET.urlencode(),
    }  # fmt: skip
    if request.htmx and request.htmx.target == RESULTS_TARGET:
        response = render(request, "ledger/_customer_results.html", context)
    else:
        context.update(_page_context(request, companies, layout))
        response = render(request, "ledger/customer_list.html", context)
    # The same URL serves a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _page_context(request, companies, layout) -> dict:
    """What only the whole page needs: the filter choices, the menus, the bulk bar."""
    user = request.user
    controllers = list(
        credit_controllers(companies).only("id", "username", "first_name", "last_name")
    )
    shown = {c.key for c in layout.shown}
    hidden = [c for c in COLUMNS if c.key not in shown]
    mail_lists = list(MailList.objects.visible_to(user).select_related("owner", "company"))
    current = request.GET.get("mail_list", "")
    return {
        "controllers": controllers,
        "menu_columns": [(c, True) for c in layout.shown] + [(c, False) for c in hidden],
        "searchable_columns": [c for c in layout.shown if c.search],
        "mail_lists": mail_lists,
        "current_list": next((m for m in mail_lists if str(m.pk) == current), None),
        "can_delete": can_edit_ledger(user),
        "can_assign": is_manager(user),
    }
