"""The credit manager's dashboard: the figures of one company, in its base currency (LCY).

Every figure is one grouped query over the company's rows, never a loop over entries;
the whole dashboard is a handful of queries whatever the size of the ledger. Dates are
the company's own (``Company.today()``).

- *Ledger*: the open invoices and debit memos (what customers owe, before credits).
- *Overdue*: the open debits due before today; its *share* is overdue ÷ ledger.
- *Aged debt*: the open items by days overdue (not yet due, 1-30, 31-60, 61-90, over
  90), the same figures as the Aged receivables report's totals (``reports.aging``).
- *DSO* (days sales outstanding) by the countback method, see ``dso_countback``.
- *Overdue over the last 12 months*: the overdue total as it stood at each month end,
  reconstructed from today's remaining amounts and the applications dated after that
  day, see ``overdue_trend``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from communications.models import Dispute, Promise, PromiseStatus, ToDo
from ledger.models import Application, Company, LedgerEntry
from ledger.querysets import CREDIT_TYPE_VALUES, DEBIT_TYPE_VALUES

from .aging import BUCKET_KEYS, BUCKET_LABELS, bucket_q

MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TREND_MONTHS = 12
# DSO walks back at most two years: a balance that needs more sales than that to
# explain it is shown as "more than 730 days" rather than a precise-looking number.
DSO_MAX_MONTHS = 24
DSO_SCAN_MONTHS = 6
LEDGER_CACHE_SECONDS = 300
BROKEN_WINDOW_DAYS = 7


def _money(value: Any) -> Decimal:
    """A database sum as money: SQLite hands back floats or ints, PostgreSQL Decimals."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def _sum(condition: Q, field: str = "remaining_lcy") -> Coalesce:
    # ``filter=`` is SUM(...) FILTER (WHERE ...) on PostgreSQL: a row outside the condition
    # costs a test, not a numeric addition of zero (five times faster over a large ledger).
    return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=MONEY)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_ends_before(day: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """The last ``count`` month ends before ``day``'s month, oldest first."""
    return [month_start(day, back) - dt.timedelta(days=1) for back in range(count - 1, -1, -1)]


@dataclasses.dataclass
class Bucket:
    key: str
    label: str
    amount: Decimal


@dataclasses.dataclass
class Dso:
    days: Decimal | None  # None: more than DSO_MAX_MONTHS of sales would be needed
    balance: Decimal
    months_used: int


@dataclasses.dataclass
class Dashboard:
    """The figures of one company on ``as_of`` (its today), all in ``currency``."""

    company: Company
    as_of: dt.date
    currency: str
    ledger: Decimal
    credits: Decimal
    overdue: Decimal
    buckets: list[Bucket]
    dso: Dso
    promises_due_today: int
    promises_due_today_amount: Decimal
    promises_broken: int
    promises_broken_amount: Decimal
    broken_since: dt.date
    disputed: Decimal
    disputes_open: int
    todos_due_today: int
    todos_overdue: int
    trend: list[tuple[dt.date, Decimal]]
    computed_at: dt.datetime

    @property
    def balance(self) -> Decimal:
        return self.ledger + self.credits

    @property
    def overdue_share(self) -> Decimal:
        """Overdue as a percentage of the open debits (0 when nothing is open)."""
        if self.ledger <= 0:
            return ZERO
        return (self.overdue * 100 / self.ledger).quantize(Decimal("0.1"))

    @property
    def todos_due(self) -> int:
        return self.todos_due_today + self.todos_overdue


def _ledger_sums(as_of: dt.date) -> dict[str, Any]:
    """Aggregates of the open ledger on ``as_of``: the aged buckets as the Aged receivables
    report totals them (``reports.aging.bucket_q``: credits lower the bucket of their own
    due date), the open debits, the open credits and the debits overdue.

    Nothing is applied after today, so today's remaining amounts are the ones on
    ``as_of`` (``reports.aging.remaining_as_of`` says the same); entries dated later are
    left out as that report leaves them out.
    """
    open_then = ~Q(remaining=0) & Q(document_date__lte=as_of)
    debit = open_then & Q(entry_type__in=DEBIT_TYPE_VALUES)
    return {
        **{key: _sum(open_then & bucket_q(key, as_of)) for key in BUCKET_KEYS},
        "ledger": _sum(debit),
        "credits": _sum(open_then & Q(entry_type__in=CREDIT_TYPE_VALUES)),
        "overdue": _sum(debit & Q(due_date__lt=as_of)),
    }


def _sales_starts(as_of: dt.date) -> list[dt.date]:
    return [month_start(as_of, back) for back in range(DSO_MAX_MONTHS)]


def _sales_sums(as_of: dt.date, months: range = range(DSO_MAX_MONTHS)) -> dict[str, Any]:
    """Invoiced sales (invoices and debit memos, LCY, by document date) of the current
    month up to ``as_of`` (``sales_0``) and of the earlier months in ``months``."""
    debit = Q(entry_type__in=DEBIT_TYPE_VALUES)
    starts = _sales_starts(as_of)
    return {
        f"sales_{back}": _sum(
            debit
            & Q(document_date__gte=starts[back])
            & Q(document_date__lte=as_of if back == 0 else month_end(starts[back])),
            field="amount_lcy",
        )
        for back in months
    }


def _trend_sums(days: list[dt.date]) -> dict[str, Any]:
    """Per day D: today's remaining LCY of the debits open today, dated by D and due
    before D. ``trend_corrections`` adds what was applied to them after D."""
    debit = ~Q(remaining=0) & Q(entry_type__in=DEBIT_TYPE_VALUES)
    return {
        f"trend_{i}": _sum(debit & Q(document_date__lte=day) & Q(due_date__lt=day))
        for i, day in enumerate(days)
    }


def _scan(company: Company, as_of: dt.date, **sums: Any) -> dict[str, Any]:
    """One pass over the company's entries for every sum asked: the open ones, and the
    invoices of the last ``DSO_MAX_MONTHS`` months, open or not (their sales)."""
    wanted = ~Q(remaining=0) | (
        Q(entry_type__in=DEBIT_TYPE_VALUES) & Q(document_date__gte=_sales_starts(as_of)[-1])
    )
    return LedgerEntry.objects.filter(company=company).filter(wanted).aggregate(**sums)


def ledger_figures(company: Company, as_of: dt.date) -> dict[str, Any]:
    """The open ledger of ``company`` on ``as_of`` (see ``_ledger_sums``)."""
    return _ledger_figures(_scan(company, as_of, **_ledger_sums(as_of)))


def _ledger_figures(sums: dict[str, Any]) -> dict[str, Any]:
    return {
        "ledger": _money(sums["ledger"]),
        "credits": _money(sums["credits"]),
        "overdue": _money(sums["overdue"]),
        "buckets": [Bucket(key, BUCKET_LABELS[key], _money(sums[key])) for key in BUCKET_KEYS],
    }


def dso_countback(
    company: Company, as_of: dt.date, balance: Decimal, sums: dict[str, Any] | None = None
) -> Dso:
    """Days sales outstanding on ``as_of`` by the countback method.

    1. Start from the net open balance (open debits less open credits, LCY) on ``as_of``;
       with nothing owed, DSO is 0.
    2. Take the invoiced sales (invoices and debit memos by document date, LCY) of the
       current month up to ``as_of``, then of each earlier calendar month, newest first.
    3. While the balance left is at least a month's sales, count all that month's days
       (for the current month, its days up to ``as_of``) and take its sales off.
    4. In the month where the balance left is smaller than its sales, count the same
       share of its days (balance left / sales * days) and stop.
    5. After ``DSO_MAX_MONTHS`` months with balance still left, DSO is "more than" the
       days counted (``days`` is None): the balance is not explained by recent sales.

    ``sums`` are ``_sales_sums`` the caller has from its own scan (the dashboard's covers
    the latest ``DSO_SCAN_MONTHS``, which explain most balances); months beyond them are
    summed by a second scan only when the walk reaches them.
    """
    if balance <= 0:
        return Dso(days=Decimal(0), balance=balance, months_used=0)
    sums = dict(sums or {})
    left, days = balance, Decimal(0)
    for back, start in enumerate(_sales_starts(as_of)):
        if f"sales_{back}" not in sums:  # the months the caller's scan did not cover
            sums.update(_scan(company, as_of, **_sales_sums(as_of, range(back, DSO_MAX_MONTHS))))
        month_days = as_of.day if back == 0 else calendar.monthrange(start.year, start.month)[1]
        month_sales = _money(sums[f"sales_{back}"])
        if left <= month_sales:
            days += left / month_sales * month_days
            return Dso(days=days.quantize(Decimal("0.1")), balance=balance, months_used=back + 1)
        left -= month_sales
        days += month_days
    return Dso(days=None, balance=balance, months_used=DSO_MAX_MONTHS)


def overdue_trend(
    company: Company, days: list[dt.date], sums: dict[str, Any] | None = None
) -> list[tuple[dt.date, Decimal]]:
    """The overdue total (LCY) of ``company`` as it stood at the end of each of ``days``.

    An invoice or debit memo counts on day D when its document date is on or before D,
    its due date before D, and it was still open on D, with its remaining amount on D as
    ``reports.aging.remaining_as_of`` reconstructs it (today's remaining plus what was
    applied to it after D; in LCY at the entry's rate rounded half-up, or the stored
    remaining LCY when nothing was applied after D). The rule is the same; the queries
    are not: ``remaining_as_of`` is one statement per day, a scan each, too slow twelve
    times over on a large ledger. Here:

    1. One pass sums, for every day, today's remaining LCY of the debits open today
       (``_trend_sums``; the dashboard folds it into its single scan, ``sums``).
    2. ``trend_corrections`` then adds, for the few debits with applications after the
       oldest day, the difference those applications make on each day.

    A test holds the two ways to the same figures.
    """
    if not days:
        return []
    if sums is None:
        sums = _scan(company, max(days), **_trend_sums(days))
    corrections = trend_corrections(company, days)
    return [(day, _money(sums[f"trend_{i}"]) + corrections[i]) for i, day in enumerate(days)]


def trend_corrections(company: Company, days: list[dt.date]) -> list[Decimal]:
    """For each day D, what the applications dated after D add to the overdue debits of
    D: for each such debit, its remaining LCY on D less today's remaining LCY.

    Driven from the applications after the oldest day (grouped per debit, one sum per
    day) and joined to their entries by primary key, so it reads the recent
    applications, not the ledger.
    """
    entry = LedgerEntry._meta.db_table
    application = Application._meta.db_table
    after = ", ".join(
        f"SUM(CASE WHEN a.applied_on > %s THEN a.amount ELSE 0 END) AS after_{i}"
        for i in range(len(days))
    )
    totals = ", ".join(
        f"SUM(CASE WHEN e.document_date <= %s AND e.due_date < %s AND p.after_{i} > 0 THEN "
        f"ROUND((e.remaining + p.after_{i}) * e.exchange_rate, 2) - e.remaining_lcy "
        f"ELSE 0 END)"
        for i in range(len(days))
    )
    debit_types = ", ".join("%s" for _ in DEBIT_TYPE_VALUES)
    sql = (
        f"SELECT {totals} FROM ("
        f"SELECT a.debit_entry_id, {after} FROM {application} a "
        f"WHERE a.company_id = %s AND a.applied_on > %s GROUP BY a.debit_entry_id"
        f") p JOIN {entry} e ON e.id = p.debit_entry_id "
        f"WHERE e.entry_type IN ({debit_types})"
    )
    params: list[Any] = []
    for day in days:
        params += [day, day]
    params += [*days, company.pk, min(days), *DEBIT_TYPE_VALUES]
    with connections[LedgerEntry.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return [_money(value) for value in row]


def workbench_figures(company: Company, as_of: dt.date) -> dict[str, Any]:
    """Promises due today and broken lately, open disputes and to-dos due: three queries."""
    broken_since = as_of - dt.timedelta(days=BROKEN_WINDOW_DAYS - 1)
    due_today = Q(status=PromiseStatus.OPEN, promised_on=as_of)
    broken = Q(status=PromiseStatus.BROKEN, resolved_on__gte=broken_since)
    promises = Promise.objects.filter(company=company).aggregate(
        due_today=Count("pk", filter=due_today),
        due_today_amount=_sum(due_today, field="amount_lcy"),
        broken=Count("pk", filter=broken),
        broken_amount=_sum(broken, field="amount_lcy"),
    )
    # A dispute is in the entry's currency: at the entry's rate, to the cent, like to_lcy.
    # The rate is looked up per dispute (a few thousand index lookups): a join lets the
    # planner scan the whole ledger for them.
    rate = Subquery(LedgerEntry.objects.filter(pk=OuterRef("entry_id")).values("exchange_rate"))
    disputes = (
        Dispute.objects.filter(company=company)
        .open()
        .aggregate(count=Count("pk"), lcy=Sum(Round(F("amount") * rate, 2), output_field=MONEY))
    )
    todos = (
        ToDo.objects.filter(company=company)
        .open()
        .aggregate(
            today=Count("pk", filter=Q(due_on=as_of)),
            overdue=Count("pk", filter=Q(due_on__lt=as_of)),
        )
    )
    return {
        "promises_due_today": promises["due_today"],
        "promises_due_today_amount": _money(promises["due_today_amount"]),
        "promises_broken": promises["broken"],
        "promises_broken_amount": _money(promises["broken_amount"]),
        "broken_since": broken_since,
        "disputed": _money(disputes["lcy"]),
        "disputes_open": disputes["count"],
        "todos_due_today": todos["today"],
        "todos_overdue": todos["overdue"],
    }


def _ledger_scan(company: Company, as_of: dt.date, days: list[dt.date]) -> dict[str, Any]:
    """The one scan of the ledger, the history's corrections and the DSO, kept for
    ``LEDGER_CACHE_SECONDS`` per company and day: on a million entries the scan takes about
    a second, and a manager opening the dashboard again a minute later would pay it again
    for figures that barely moved. The page says when they were computed."""
    database = connections[LedgerEntry.objects.db].settings_dict["NAME"]
    key = f"reports:dashboard:{database}:{company.pk}:{as_of.isoformat()}"
    cached = cache.get(key)
    # The age is checked here too: the cache's own clock (Redis's) need not be ours.
    if cached is None or timezone.now() - cached["computed_at"] >= dt.timedelta(
        seconds=LEDGER_CACHE_SECONDS
    ):
        sums = _scan(
            company, as_of, **_ledger_sums(as_of), **_sales_sums(as_of, range(DSO_SCAN_MONTHS)),
            **_trend_sums(days),
        )  # fmt: skip
        balance = _money(sums["ledger"]) + _money(sums["credits"])
        cached = {"computed_at": timezone.now(), "sums": sums,
                  "corrections": trend_corrections(company, days),
                  "dso": dso_countback(company, as_of, balance, sums)}  # fmt: skip
        cache.set(key, cached, LEDGER_CACHE_SECONDS)
    return cached


def dashboard_for(company: Company, as_of: dt.date | None = None) -> Dashboard:
    """Every figure of the dashboard for ``company`` on ``as_of`` (default: its today): one
    scan of the ledger for the buckets, the sales and the overdue history (see
    ``_ledger_scan``), then small queries for promises, disputes and to-dos, always fresh."""
    as_of = as_of or company.today()
    days = month_ends_before(as_of)
    scan = _ledger_scan(company, as_of, days)
    sums = scan["sums"]
    ledger = _ledger_figures(sums)
    trend = [
        (day, _money(sums[f"trend_{i}"]) + scan["corrections"][i]) for i, day in enumerate(days)
    ]
    trend.append((as_of, ledger["overdue"]))
    return Dashboard(
        company=company,
        as_of=as_of,
        currency=company.base_currency,
        computed_at=scan["computed_at"],
        dso=scan["dso"],
        trend=trend,
        **ledger,
        **workbench_figures(company, as_of),
    )
