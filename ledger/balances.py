"""Kept per-customer balances: what they hold, how the database keeps them, how the day rolls.

DESIGN.md lets a derived figure be kept "provided a test proves it equal to the derived
sums after every kind of write and a command rebuilds it". ``CustomerBalance`` keeps, per
customer and in LCY:

- ``balance_lcy`` (every open item, credits too) and ``open_entry_count``: they depend on
  the entries alone and are always current;
- ``overdue_lcy`` (open debits due before the date) and the aged-receivables figures
  (``not_due`` ... ``days_over_90`` and ``aged_total``, the open entries dated on or before
  the date, by days overdue): they depend on a date too, the company's ``BalanceDate``.

Who keeps them: the database, by triggers installed with the migration, in the same
transaction as the write. Every writer is covered without having to remember it (the
services, the API, the sync's ``bulk_update``, the generator's ``COPY``, the admin, a
``QuerySet.update()``, a statement typed in psql). On PostgreSQL they are statement-level
triggers over the transition tables: one grouped upsert per statement, so a 1,000-row
``bulk_update`` costs one statement, not 1,000. On SQLite (the embedded default, small
ledgers) they are row-level triggers doing the same arithmetic per row.

The date part: each company's figures are "as of" its ``BalanceDate``. The triggers add and
subtract each row's share as of that date; ``balances_roll`` moves a company to a new date
and recomputes its date-dependent figures in one statement (the daily task calls it at the
company's midnight, ``followups.tasks.run_due_companies``). A page asking about another
date, or a company not yet rolled to its today, is answered from the entries on the fly
(``CustomerQuerySet.with_balances``), never from stale figures.

Concurrency (PostgreSQL): a trigger locks its companies' ``BalanceDate`` rows FOR SHARE
before it reads the date; ``balances_roll`` updates that row first. So a write either
finishes before the roll recomputes (the roll's statement sees it) or waits for the roll
and then applies its share as of the new date. No table lock, no lost update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from .querysets import AGE_BUCKETS

# The kept columns, and each row's share of them as an SQL template over an entry ``{r}``
# and a date ``{a}`` (its company's BalanceDate, NULL when there is none: no dated share).
# ``{age}`` is the entry's days overdue on ``{a}`` (date arithmetic differs by vendor).
_OPEN = "{r}.remaining <> 0"
_DEBIT = "{r}.entry_type IN ('invoice', 'debit_memo')"
_AGED = _OPEN + " AND {r}.document_date <= {a}"


def _bucket_condition(low: int | None, high: int | None) -> str:
    if low is None:
        return f"{{age}} <= {high}"
    if high is None:
        return f"{{age}} >= {low}"
    return f"{{age}} BETWEEN {low} AND {high}"


def _when(condition: str) -> str:
    return f"CASE WHEN {condition} THEN {{r}}.remaining_lcy ELSE 0 END"


SHARES: dict[str, str] = {
    "balance_lcy": "{r}.remaining_lcy",
    "open_entry_count": f"CASE WHEN {_OPEN} THEN 1 ELSE 0 END",
    "overdue_lcy": _when(f"{_OPEN} AND {_DEBIT} AND {{r}}.due_date < {{a}}"),
    **{
        key: _when(f"{_AGED} AND {_bucket_condition(low, high)}")
        for key, _label, low, high in AGE_BUCKETS
    },
    "aged_total": _when(_AGED),
    "aged_entry_count": f"CASE WHEN {_AGED} THEN 1 ELSE 0 END",
}
KEPT = tuple(SHARES)
DATED = KEPT[2:]  # everything after the balance and the count depends on the date
AGE_SQL = {
    "postgresql": "({a} - {r}.due_date)",
    "sqlite": "CAST(julianday({a}) - julianday({r}.due_date) AS INTEGER)",
}


def share(column: str, vendor: str, row: str = "r", day: str = "d.as_of") -> str:
    """The SQL of one entry's (``row``) share of a kept column as of ``day``, for ``vendor``."""
    age = AGE_SQL[vendor].format(r=row, a=day)
    return SHARES[column].format(r=row, a=day, age=age)


# ---- The triggers (installed by migration 0009; a change here needs a new migration) ----


# A deleted entry only takes its share off a kept row: it never writes one. Emptying the
# tables (``flush``, a company's removal) deletes the kept rows before the entries, and a
# row written back would name a customer that is about to go.
KEPT_ROW_EXISTS = (
    "EXISTS (SELECT 1 FROM ledger_customerbalance k WHERE k.customer_id = {r}.customer_id)"
)


def _pg_delta(sources: list[tuple[str, int]], *, kept_only: bool = False) -> str:
    """A grouped delta per customer from transition tables, each with its sign."""
    parts = []
    where = f" WHERE {KEPT_ROW_EXISTS.format(r='r')}" if kept_only else ""
    for table, sign in sources:
        cols = ", ".join(f"{sign} * ({share(c, 'postgresql')}) AS {c}" for c in KEPT)
        parts.append(
            f"SELECT r.customer_id, r.company_id, {cols} FROM {table} r "
            f"LEFT JOIN ledger_balancedate d ON d.company_id = r.company_id{where}"
        )
    sums = ", ".join(f"sum({c}) AS {c}" for c in KEPT)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in KEPT)
    return (
        f"SELECT customer_id, max(company_id) AS company_id, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) s GROUP BY customer_id HAVING {nonzero}"
    )


def _pg_function(name: str, sources: list[tuple[str, int]], *, kept_only: bool = False) -> str:
    companies = " UNION ".join(f"SELECT company_id FROM {t}" for t, _ in sources)
    cols = ", ".join(KEPT)
    updates = ", ".join(f"{c} = b.{c} + EXCLUDED.{c}" for c in KEPT)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM ledger_balancedate WHERE company_id IN ({companies}) FOR SHARE;
    INSERT INTO ledger_customerbalance AS b (customer_id, company_id, {cols})
    {_pg_delta(sources, kept_only=kept_only)}
    ON CONFLICT (customer_id) DO UPDATE SET {updates};
    RETURN NULL;
END $$;"""


def pg_install_sql() -> list[str]:
    zeros = ", ".join("0" for _ in KEPT)
    return [
        _pg_function("ledger_balance_ins", [("new_rows", 1)]),
        _pg_function("ledger_balance_upd", [("new_rows", 1), ("old_rows", -1)]),
        _pg_function("ledger_balance_del", [("old_rows", -1)], kept_only=True),
        f"""
CREATE OR REPLACE FUNCTION ledger_balance_customer_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_customerbalance (customer_id, company_id, {", ".join(KEPT)})
    SELECT id, company_id, {zeros} FROM new_rows ON CONFLICT (customer_id) DO NOTHING;
    RETURN NULL;
END $$;""",
        "CREATE TRIGGER ledger_balance_ins AFTER INSERT ON ledger_ledgerentry "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_balance_ins()",
        "CREATE TRIGGER ledger_balance_upd AFTER UPDATE ON ledger_ledgerentry "
        "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_balance_upd()",
        "CREATE TRIGGER ledger_balance_del AFTER DELETE ON ledger_ledgerentry "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_balance_del()",
        "CREATE TRIGGER ledger_balance_customer_ins AFTER INSERT ON ledger_customer "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_balance_customer_ins()",
    ]


PG_DROP_SQL = [
    "DROP TRIGGER IF EXISTS ledger_balance_ins ON ledger_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_balance_upd ON ledger_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_balance_del ON ledger_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_balance_customer_ins ON ledger_customer",
    "DROP FUNCTION IF EXISTS ledger_balance_ins(), ledger_balance_upd(), ledger_balance_del(), "
    "ledger_balance_customer_ins()",
]

# SQLite: row-level triggers; an UPDATE trigger fires only when a column that moves a
# figure changes. ``ON CONFLICT`` after ``INSERT ... SELECT`` needs the ``WHERE true``.
_MOVING = "remaining, remaining_lcy, entry_type, due_date, document_date, customer_id, company_id"


def _sqlite_upsert(row: str, sign: int, *, kept_only: bool = False) -> str:
    shares = ", ".join(f"{sign} * ({share(c, 'sqlite', row=row, day='d.as_of')})" for c in KEPT)
    updates = ", ".join(f"{c} = {c} + excluded.{c}" for c in KEPT)
    return (
        f"INSERT INTO ledger_customerbalance (customer_id, company_id, {', '.join(KEPT)}) "
        f"SELECT {row}.customer_id, {row}.company_id, {shares} "
        f"FROM (SELECT 1) LEFT JOIN ledger_balancedate d ON d.company_id = {row}.company_id "
        f"WHERE {KEPT_ROW_EXISTS.format(r=row) if kept_only else 'true'} "
        f"ON CONFLICT (customer_id) DO UPDATE SET {updates};"
    )


def sqlite_install_sql() -> list[str]:
    zeros = ", ".join("0" for _ in KEPT)
    return [
        "CREATE TRIGGER ledger_balance_ins AFTER INSERT ON ledger_ledgerentry BEGIN "
        f"{_sqlite_upsert('NEW', 1)} END",
        f"CREATE TRIGGER ledger_balance_upd AFTER UPDATE OF {_MOVING} ON ledger_ledgerentry BEGIN "
        f"{_sqlite_upsert('OLD', -1)} {_sqlite_upsert('NEW', 1)} END",
        "CREATE TRIGGER ledger_balance_del AFTER DELETE ON ledger_ledgerentry BEGIN "
        f"{_sqlite_upsert('OLD', -1, kept_only=True)} END",
        "CREATE TRIGGER ledger_balance_customer_ins AFTER INSERT ON ledger_customer BEGIN "
        f"INSERT INTO ledger_customerbalance (customer_id, company_id, {', '.join(KEPT)}) "
        f"VALUES (NEW.id, NEW.company_id, {zeros}) ON CONFLICT (customer_id) DO NOTHING; END",
    ]


SQLITE_DROP_SQL = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("ledger_balance_ins", "ledger_balance_upd", "ledger_balance_del",
                 "ledger_balance_customer_ins")
]  # fmt: skip


def install_triggers(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = pg_install_sql()
    elif vendor == "sqlite":
        statements = sqlite_install_sql()
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"Kept balances have no triggers for {vendor}.")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in PG_DROP_SQL if vendor == "postgresql" else SQLITE_DROP_SQL:
        schema_editor.execute(sql, params=None)


# ---- Recomputing (the rebuild command, the daily roll) --------------------------------------


def _recompute_sql(vendor: str, *, columns: Iterable[str], where: str) -> str:
    """One statement that sets ``columns`` of the customers matched by ``where`` (on the
    customer ``c``) to the sums of their entries, as of their company's date."""
    columns = list(columns)
    sums = ", ".join(
        f"coalesce(sum({share(col, vendor, row='e', day='d.as_of')}), 0) AS {col}"
        for col in columns
    )
    # Every open entry counts; a closed one adds nothing, so only open ones are read.
    inner = (
        f"SELECT c.id AS customer_id, {sums} FROM ledger_customer c "
        f"LEFT JOIN ledger_balancedate d ON d.company_id = c.company_id "
        f"LEFT JOIN ledger_ledgerentry e ON e.customer_id = c.id AND e.remaining <> 0 "
        f"WHERE {where} GROUP BY c.id"
    )
    sets = ", ".join(f"{col} = s.{col}" for col in columns)
    changed = " OR ".join(f"b.{col} <> s.{col}" for col in columns)
    if vendor == "postgresql":
        return (
            f"UPDATE ledger_customerbalance b SET {sets} FROM ({inner}) s "
            f"WHERE b.customer_id = s.customer_id AND ({changed})"
        )
    # SQLite has UPDATE ... FROM since 3.33.
    return (
        f"UPDATE ledger_customerbalance AS b SET {sets} FROM ({inner}) AS s "
        f"WHERE b.customer_id = s.customer_id AND ({changed})"
    )


def _add_missing_rows(company_ids: list[int] | None) -> None:
    zeros = ", ".join("0" for _ in KEPT)
    where = "" if company_ids is None else f"AND c.company_id IN ({_ids(company_ids)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ledger_customerbalance (customer_id, company_id, {', '.join(KEPT)}) "
            f"SELECT c.id, c.company_id, {zeros} FROM ledger_customer c WHERE NOT EXISTS "
            f"(SELECT 1 FROM ledger_customerbalance b WHERE b.customer_id = c.id) {where}"
        )


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"


@transaction.atomic
def balances_roll(*, company: Any, as_of: dt.date) -> bool:
    """Move ``company``'s kept figures to ``as_of``: set its date, then recompute the
    date-dependent figures of its customers in one statement. Nothing happens when the
    company is already there. Returns whether it rolled.

    Steps:
    1. Lock (or create) the company's BalanceDate row: writers in flight finish first,
       later ones wait and then apply their shares as of the new date.
    2. Recompute overdue and the aged figures for the company's customers, writing only
       the rows whose figures change.
    """
    from .models import BalanceDate

    row, created = BalanceDate.objects.select_for_update().get_or_create(
        company_id=company.pk, defaults={"as_of": as_of}
    )
    if not created and row.as_of == as_of:
        return False
    if not created:
        BalanceDate.objects.filter(pk=row.pk).update(as_of=as_of)
    sql = _recompute_sql(
        connection.vendor, columns=DATED, where=f"c.company_id = {int(company.pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
    return True


@transaction.atomic
def balances_rebuild(*, companies: Iterable[Any]) -> int:
    """Recompute every kept figure of ``companies``' customers from their entries (the
    ``rebuild_balances`` command): adds the missing rows, rolls each company to its today,
    then corrects whatever differs. Returns how many rows were corrected."""
    from .models import BalanceDate

    companies = list(companies)
    ids = [c.pk for c in companies]
    _add_missing_rows(ids)
    for company in companies:
        BalanceDate.objects.update_or_create(
            company_id=company.pk, defaults={"as_of": company.today()}
        )
    sql = _recompute_sql(connection.vendor, columns=KEPT, where=f"c.company_id IN ({_ids(ids)})")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def balances_differences(*, companies: Iterable[Any]) -> int:
    """How many customers of ``companies`` have kept figures that differ from the sums of
    their entries as of the kept date (``rebuild_balances --check``); writes nothing."""
    ids = _ids(c.pk for c in companies)
    vendor = connection.vendor
    sums = ", ".join(
        f"coalesce(sum({share(col, vendor, row='e', day='d.as_of')}), 0) AS {col}" for col in KEPT
    )
    differs = " OR ".join(f"b.{col} IS NULL OR b.{col} <> s.{col}" for col in KEPT)
    sql = (
        f"SELECT count(*) FROM (SELECT c.id AS customer_id, {sums} FROM ledger_customer c "
        f"LEFT JOIN ledger_balancedate d ON d.company_id = c.company_id "
        f"LEFT JOIN ledger_ledgerentry e ON e.customer_id = c.id AND e.remaining <> 0 "
        f"WHERE c.company_id IN ({ids}) GROUP BY c.id) s "
        f"LEFT JOIN ledger_customerbalance b ON b.customer_id = s.customer_id WHERE {differs}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def kept_as_of(company_ids: Iterable[int], as_of: dt.date) -> bool:
    """Whether the kept dated figures of every one of these companies are as of ``as_of``."""
    company_ids = list(company_ids)
    dates = kept_dates(company_ids)
    return bool(company_ids) and all(dates.get(pk) == as_of for pk in company_ids)


def kept_dates(company_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """Each company's date of its kept figures."""
    from .models import BalanceDate

    rows = BalanceDate.objects.all()
    if company_ids is not None:
        rows = rows.filter(company_id__in=list(company_ids))
    return dict(rows.values_list("company_id", "as_of"))
