"""How a report is declared once and served four ways: page, streamed CSV, PDF and API.

A report says what it is (slug, title), which FilterSet filters it, how its rows are
built from the filtered queryset (a ``values()`` queryset, so a CSV of 100,000 rows
streams as plain tuples), its columns (label, kind, whether they total, where a figure
links to) and how it sorts. ``ReportRun`` binds one request's filters to a report and
answers the page, the CSV rows, the PDF rows and the API page from that one binding, so
the four cannot disagree.

Pagination is by offset without a count (one row more than the page tells whether there
is a next page): a report's first page never counts a million rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils import timezone

from creditcontrol.roles import can_work_customers, has_any_role
from creditcontrol.templatetags.ui import day, when
from ledger.models import Company

CENT = Decimal("0.01")
KINDS = ("text", "money", "date", "when", "int", "days")


@dataclass(frozen=True)
class Column:
    """One column of a report: the row key it shows, its label and how it is formatted.

    ``kind`` is text, money (a Decimal, printed with two decimals), date, when (a moment,
    already in its company's time zone), int or days.
    ``total`` columns are summed on the totals row. ``link`` builds the URL a figure
    points to (the customer card, a drill-down) from the row and the run.
    ``value`` derives the shown value from the row when it is not a single key.
    """

    key: str
    label: str
    kind: str = "text"
    total: bool = False
    sort: str | None = None
    link: Callable[[dict, ReportRun], str | None] | None = None
    value: Callable[[dict], Any] | None = None
    css: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r} for {self.key}.")

    def get(self, row: dict) -> Any:
        return self.value(row) if self.value else row.get(self.key)

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "int", "days")

    def text(self, value: Any) -> Any:
        """The value as the CSV writes it: plain, no thousands separators; dates and moments
        as objects, which the one CSV writer formats (``creditcontrol/csv_export.py``)."""
        if value is None:
            return ""
        if self.kind == "money":
            return str(Decimal(value).quantize(CENT))
        if self.kind == "when":  # the wall time in its company's zone (rows span companies)
            return value.replace(tzinfo=None)
        if self.kind == "date":
            return value
        return str(value)

    def display(self, value: Any) -> str:
        """The value as the page and the PDF show it."""
        if value is None or value == "":
            return "—" if self.kind in ("date", "when", "days") else ""
        if self.kind == "money":
            return f"{Decimal(value):,.2f}"
        if self.kind == "date":
            return day(value)
        if self.kind == "when":  # its own company's wall time, whatever zone is active
            return when(value.replace(tzinfo=None))
        if self.kind == "int":
            return f"{value:,}"
        return str(value)


@dataclass
class Page:
    """One page of rows, with whether there are more before and after it."""

    number: int
    size: int
    rows: list[dict]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


class Report:
    """A report declared once. Subclasses set the attributes and write ``rows``."""

    slug: str = ""
    # The URL under /reports/ and /api/v1/reports/ (the slug unless set).
    path: str = ""
    title: str = ""
    summary: str = ""
    filterset_class: Any = None
    columns: tuple[Column, ...] = ()
    # Sort key in the URL → order_by expressions (on the row keys); "-key" reverses.
    sorts: dict[str, tuple[Any, ...]] = {}
    default_sort: str = ""
    # Sort keys whose values are never blank (see ``ordering``).
    not_null_sorts: frozenset[str] = frozenset()
    tie_breaker: str = "id"
    page_size: int = 50
    has_pdf: bool = False
    pdf_row_limit: int = 2000
    # Totals over a million entries take longer than the rows: the page then asks for
    # them in a second request (htmx, on load) and shows the rows at once.
    defer_totals: bool = False
    # The filters that narrow the customers (not only the companies).
    customer_filters: tuple[str, ...] = ("controller", "customer", "q", "over_limit")
    # Filters the subtitle states already (the as-of date): no chip of their own.
    subtitle_filters: tuple[str, ...] = ()
    # Hidden reports (drill-downs) have no card on the index page.
    listed: bool = True
    template: str = "reports/_base_report.html"
    pdf_template: str = "reports/pdf/_base_pdf.html"
    # The model the FilterSet filters (for the API schema's parameters).
    model: Any = None

    def may_read(self, user: Any) -> bool:
        """Pages: controllers, managers, administrators; the API: every role (read-only)."""
        return can_work_customers(user)

    def may_read_api(self, user: Any) -> bool:
        return has_any_role(user)

    def base_queryset(self, user: Any) -> QuerySet:
        """What ``user`` may see before filters: always from ``visible_to(user)``."""
        return self.model.objects.visible_to(user)

    def rows(self, run: ReportRun) -> QuerySet:
        """The rows (a ``values()`` queryset, unordered) from ``run.qs``."""
        raise NotImplementedError

    def prepare_row(self, row: dict, run: ReportRun) -> dict:
        """Derive what SQL does not (days since a date, a person's name) on each row the
        page, the CSV, the PDF and the API show; default: the row as it is."""
        return row

    def page_rows(self, run: ReportRun, low: int, count: int) -> list[dict]:
        """Rows ``low`` to ``low + count`` in the run's order; a report may answer its
        pages another way (the aged report picks the page's customers first)."""
        return list(run.ordered_rows()[low : low + count])

    def totals(self, run: ReportRun) -> list[dict]:
        """The totals rows: one per base currency, keyed like the columns, with
        ``currency``. Default: none."""
        return []

    def extra_context(self, run: ReportRun) -> dict:
        return {}

    def subtitle(self, run: ReportRun) -> str:
        """A line under the title (the as-of date of an aged report); default none."""
        return ""

    def ordering(self, sort: str) -> list[Any]:
        """Blanks last either way, except on the sorts in ``not_null_sorts`` and the tie
        breaker: there a plain ASC/DESC, which PostgreSQL can answer by walking an index
        forwards or backwards (``DESC NULLS LAST`` matches no b-tree scan direction)."""
        key, descending = sort.lstrip("-"), sort.startswith("-")
        exprs = []
        for expr in self.sorts[key]:
            ref = F(expr) if isinstance(expr, str) else expr
            nulls = {} if key in self.not_null_sorts else {"nulls_last": True}
            exprs.append(ref.desc(**nulls) if descending else ref.asc(**nulls))
        tie = F(self.tie_breaker)
        exprs.append(tie.desc() if descending else tie.asc())
        return exprs

    @property
    def url_path(self) -> str:
        return self.path or self.slug

    @property
    def total_columns(self) -> list[Column]:
        return [c for c in self.columns if c.total]


class ReportRun:
    """One report bound to one request's filters: the page, the CSV rows, the API page."""

    def __init__(self, report: Report, *, user: Any, data: QueryDict | dict | None, request=None):
        self.report = report
        self.user = user
        self.data = data if data is not None else QueryDict()
        self.filterset = report.filterset_class(
            self.data, queryset=report.base_queryset(user), request=request, user=user
        )
        self.valid = self.filterset.is_valid()
        self.filters: dict[str, Any] = self.filterset.form.cleaned_data if self.valid else {}
        sort = str(self.data.get("sort") or "")
        self.sort = sort if sort.lstrip("-") in report.sorts else report.default_sort
        self._companies: list[Company] | None = None

    @property
    def errors(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.filterset.form.errors.items()}

    @property
    def qs(self) -> QuerySet:
        """The filtered base queryset (nothing when the filters are invalid)."""
        return self.filterset.qs if self.valid else self.filterset.queryset.none()

    @property
    def companies(self) -> list[Company]:
        """The companies the report covers: the one filtered on, else the user's."""
        if self._companies is None:
            chosen = self.filters.get("company")
            if chosen is not None:
                self._companies = [chosen]
            else:
                self._companies = list(Company.objects.visible_to(self.user).order_by("name"))
        return self._companies

    @property
    def customer_filtered(self) -> bool:
        # "over_limit=false" narrows too: a false value is a filter, only absence is not.
        return any(
            self.filters.get(name) not in (None, "") for name in self.report.customer_filters
        )

    @cached_property
    def todays(self) -> dict[int, dt.date]:
        """Each covered company's today, by id."""
        return {company.pk: company.today() for company in self.companies}

    @property
    def as_of(self) -> dt.date | dict[int, dt.date]:
        """Today for overdue sums: one date when the companies agree, else one each."""
        todays = self.todays
        days = set(todays.values())
        return days.pop() if len(days) == 1 else (todays or timezone.localdate())

    def today(self) -> dt.date:
        """Today in the covered companies' time zone (the first one's, when they differ)."""
        companies = self.companies
        return companies[0].today() if companies else timezone.localdate()

    def ordered_rows(self) -> QuerySet:
        return self.report.rows(self).order_by(*self.report.ordering(self.sort))

    def page(self, number: Any = 1, size: int | None = None) -> Page:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        size = size or self.report.page_size
        low = (number - 1) * size
        rows = self.report.page_rows(self, low, size + 1) if self.valid else []
        rows = [self.report.prepare_row(row, self) for row in rows]
        return Page(number=number, size=size, rows=rows[:size], has_next=len(rows) > size)

    def totals(self) -> list[dict]:
        return self.report.totals(self) if self.valid else []

    def iter_rows(self, limit: int | None = None) -> Iterator[dict]:
        """Every row, fetched 2,000 at a time (a server-side cursor on PostgreSQL)."""
        if not self.valid:
            return iter(())
        rows = self.ordered_rows()
        if limit is not None:
            rows = rows[:limit]
        prepare = self.report.prepare_row
        return (prepare(row, self) for row in rows.iterator(chunk_size=2000))

    def csv_lines(self) -> Iterable[list[str]]:
        columns = self.report.columns
        yield [c.label for c in columns]
        for row in self.iter_rows():
            yield [c.text(c.get(row)) for c in columns]

    def cells(self, row: dict) -> list[dict]:
        """A row as the page and the PDF show it: text, link and css per column."""
        out = []
        for column in self.report.columns:
            value = column.get(row)
            out.append(
                {
                    "text": column.display(value),
                    "url": column.link(row, self)
                    if column.link and value not in (None, "")
                    else None,
                    "css": " ".join(
                        filter(
                            None,
                            [
                                "num" if column.numeric else "",
                                # A date or a currency code never breaks ("GB/P" in a
                                # 1024 px window).
                                "nowrap"
                                if column.kind in ("date", "when")
                                or column.key in ("lcy", "currency")
                                else "",
                                column.css,
                            ],
                        )
                    ),
                    "negative": column.kind == "money" and value is not None and value < 0,
                }
            )
        return out

    def total_cells(self, total: dict) -> list[dict]:
        out = []
        for index, column in enumerate(self.report.columns):
            if column.total:
                value = total.get(column.key)
                url = column.link({**total, "_total": True}, self) if column.link else None
                out.append({"text": column.display(value), "url": url, "css": "num"})
            elif index == 0:
                label = f"Total {total.get('currency', '')}".strip()
                out.append({"text": label, "url": None, "css": "total-label nowrap"})
            else:
                out.append({"text": "", "url": None, "css": ""})
        return out

    def api_row(self, row: dict) -> dict:
        out: dict[str, Any] = {}
        for column in self.report.columns:
            value = column.get(row)
            if column.kind == "money" and value is not None:
                value = Decimal(value).quantize(CENT)
            out[column.key] = value
        return out

    def filters_applied(self) -> list[tuple[str, str]]:
        """The filters as a person reads them, for the page head and the PDF."""
        applied = []
        form = self.filterset.form
        for name, bound in form.fields.items():
            value = self.filters.get(name)
            if name in self.report.subtitle_filters:
                continue
            if value in (None, "", [], ()):
                continue
            if hasattr(value, "_meta") and value._meta.model_name == "user":
                value = value.get_full_name() or value.get_username()
            elif isinstance(value, dt.date):
                value = day(value)
            elif hasattr(bound, "choices") and not hasattr(value, "pk"):
                value = dict(bound.choices).get(value, value)
            applied.append((str(bound.label or name), str(value)))
        return applied

    def query_without(self, *names: str) -> str:
        params = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        if not isinstance(self.data, QueryDict):
            params.update(self.data)
        for name in names:
            params.pop(name, None)
        return params.urlencode()


@dataclass
class Catalogue:
    """Every report by slug, in the order the index page lists them."""

    reports: dict[str, Report] = field(default_factory=dict)

    def add(self, *reports: Report) -> None:
        for report in reports:
            if report.slug in self.reports:
                raise ValueError(f"Two reports are called {report.slug}.")
            self.reports[report.slug] = report

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports.values())

    def get(self, slug: str) -> Report:
        return self.reports[slug]
