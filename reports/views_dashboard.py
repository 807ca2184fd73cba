"""The manager's dashboard page: one company's figures, two inline SVG charts, every figure a
link to the report behind it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from creditcontrol.roles import can_work_customers, role_required
from creditcontrol.templatetags.ui import day as day_text
from ledger.models import Company

from .dashboard import Dashboard, dashboard_for

CHART_WIDTH = 560
CHART_HEIGHT = 220
# Room for the axis labels left and the bucket or month labels below.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 58, 26, 22, 30


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``: a round top for an axis."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = Decimal(step).scaleb(exponent)
        if top >= value:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover - the loop ends at 10


def short_amount(value: Decimal) -> str:
    """An axis label: 1,250,000 → 1.25m, 40,000 → 40k."""
    for size, suffix in ((Decimal(1_000_000), "m"), (Decimal(1_000), "k")):
        if abs(value) >= size:
            return f"{(value / size).normalize():f}{suffix}"
    return f"{value.normalize():f}"


@dataclasses.dataclass
class Mark:
    """One bar or point of a chart, with its position, label and link."""

    x: float
    y: float
    width: float
    height: float
    label: str
    amount: Decimal
    href: str
    title: str
    highlight: bool = False

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


def _axis(top: Decimal, plot_height: float) -> list[dict[str, Any]]:
    return [
        {"y": round(PAD_TOP + plot_height * (1 - i / 4), 1), "label": short_amount(top * i / 4)}
        for i in range(5)
    ]


def _scale(amount: Decimal, top: Decimal, plot_height: float) -> float:
    return float(max(amount, Decimal(0)) / top) * plot_height


def aged_chart(board: Dashboard) -> dict[str, Any]:
    """Bars of the open debits per age bucket, each a link to the aged report's entries."""
    plot_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    top = nice_ceiling(max((b.amount for b in board.buckets), default=Decimal(0)))
    slot = plot_w / len(board.buckets)
    bars = []
    for index, bucket in enumerate(board.buckets):
        height = _scale(bucket.amount, top, plot_h)
        bars.append(
            Mark(
                x=round(PAD_LEFT + slot * index + slot * 0.18, 1),
                y=round(PAD_TOP + plot_h - height, 1),
                width=round(slot * 0.64, 1),
                height=round(height, 1),
                label=bucket.label,
                amount=bucket.amount,
                href=_url(
                    "reports:aged-receivables-entries",
                    company=board.company.pk,
                    as_of=board.as_of.isoformat(),
                    bucket=bucket.key,
                ),
                title=f"{bucket.label}: {bucket.amount:,.2f} {board.currency}",
                highlight=bucket.key != "not_due",
            )
        )
    return {
        "bars": bars,
        "axis": _axis(top, plot_h),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "base_y": PAD_TOP + plot_h,
        "left": PAD_LEFT,
        "right": CHART_WIDTH - PAD_RIGHT,
    }


def trend_chart(board: Dashboard) -> dict[str, Any]:
    """The overdue total at each month end and today: a line with a linked point per day."""
    plot_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    top = nice_ceiling(max((amount for _day, amount in board.trend), default=Decimal(0)))
    step = plot_w / max(len(board.trend) - 1, 1)
    points = []
    for index, (day, amount) in enumerate(board.trend):
        is_today = day == board.as_of
        points.append(
            Mark(
                x=round(PAD_LEFT + step * index, 1),
                y=round(PAD_TOP + plot_h - _scale(amount, top, plot_h), 1),
                width=round(step, 1),
                height=0,
                label=_("Today") if is_today else MONTHS_3[day.month].title(),
                amount=amount,
                href=_url(
                    "reports:aged-receivables", company=board.company.pk, as_of=day.isoformat()
                ),
                title=_("%(day)s: %(amount)s %(currency)s overdue")
                % {
                    "day": _("Today") if is_today else day_text(day),
                    "amount": f"{amount:,.2f}",
                    "currency": board.currency,
                },
                highlight=is_today,
            )
        )
    line = " ".join(f"{p.x},{p.y}" for p in points)
    base_y = PAD_TOP + plot_h
    area = f"{points[0].x},{base_y} {line} {points[-1].x},{base_y}" if points else ""
    return {
        "points": points,
        "line": line,
        "area": area,
        "axis": _axis(top, plot_h),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "base_y": base_y,
        "left": PAD_LEFT,
        "right": CHART_WIDTH - PAD_RIGHT,
    }


def figure_links(board: Dashboard) -> dict[str, str]:
    """Where each figure leads: the report (or list) with the rows behind it."""
    company, today = board.company.pk, board.as_of.isoformat()
    return {
        "overdue": _url("reports:past-due-invoices", company=company),
        "aged": _url("reports:aged-receivables", company=company, as_of=today),
        "promises_due_today": _url(
            "reports:receipt-promises",
            company=company,
            status="open",
            promised_from=today,
            promised_to=today,
        ),
        "promises_broken": _url(
            "reports:receipt-promises",
            company=company,
            status="broken",
            resolved_from=board.broken_since.isoformat(),
        ),
        "disputed": _url("reports:disputed-invoices", company=company),
        "todos_today": _url("communications:todo-list", company=company, show="due_today"),
        "todos_overdue": _url("communications:todo-list", company=company, show="overdue"),
    }


def chosen_company(request: Any) -> tuple[Company | None, list[Company]]:
    """The company picked by ``?company=`` among the user's (404 for any other), else the first."""
    companies = list(Company.objects.visible_to(request.user))
    wanted = request.GET.get("company", "")
    if not wanted:
        return (companies[0] if companies else None), companies
    company = next((c for c in companies if str(c.pk) == wanted), None)
    if company is None:
        raise Http404("No such company.")
    return company, companies


@role_required
def dashboard(request):
    """The manager's dashboard (also open to controllers: it shows their companies only)."""
    if not can_work_customers(request.user):
        raise PermissionDenied(_("The dashboard is for credit managers and controllers."))
    company, companies = chosen_company(request)
    context: dict[str, Any] = {"nav": "dashboard", "companies": companies, "company": company}
    if company is not None:
        board = dashboard_for(company)
        context.update(
            board=board,
            links=figure_links(board),
            aged_chart=aged_chart(board),
            trend_chart=trend_chart(board),
            trend_from=board.trend[0][0] if board.trend else dt.date.min,
        )
    return render(request, "reports/dashboard.html", context)
