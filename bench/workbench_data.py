"""Workbench rows at scale for the benchmark: communications, promises, disputes, to-dos.

Set-based: a handful of ``INSERT ... SELECT`` statements over the loaded customers and
entries (no Python loop per row), deterministic for a given seed (``setseed``). At
1,000,000 entries it adds about:

- 60,000 communications (45,000 customers, a third of them twice), 20% completed; the
  live ones mostly with a follow-up date from ten days ago to a month ahead, and the
  customer's balance when recorded;
- 20,000 promises on as many open invoices (one entry each, the full remaining amount):
  half open (promised for the next month), a quarter kept, a quarter broken;
- 10,000 open disputes on other open invoices, for part or all of the remaining amount;
- 30,000 to-dos, 70% open, due from three weeks ago to a month ahead.

Every row goes to the customer's controller (the manager when it has none), so the
reports filter by controller as they would in a real ledger. Counts scale with the
number of entries (``scale`` = entries / 1,000,000), so the generator's test loads a
few rows of each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

FULL = {"communications": 60_000, "promises": 20_000, "disputes": 10_000, "todos": 30_000}
TABLES = (  # deleted in this order by ``clear_workbench`` (children first)
    "communications_promiseentry", "communications_todo", "communications_dispute",
    "communications_promise", "communications_communication",
)  # fmt: skip
REASONS = ("Short delivery", "Goods damaged in transit", "Price differs from the order",
           "Invoice sent to the wrong branch", "Duplicate invoice", "Service not received")  # fmt: skip


def counts_for(n_entries: int) -> dict[str, int]:
    scale = n_entries / 1_000_000
    return {name: max(1, round(full * scale)) for name, full in FULL.items()}


def clear_workbench(cursor: Any, company_ids: Sequence[int]) -> None:
    """Delete these companies' workbench rows (so that a rerun does not add twice)."""
    cursor.execute(
        "DELETE FROM communications_promiseentry WHERE promise_id IN "
        "(SELECT id FROM communications_promise WHERE company_id = ANY(%s))",
        [list(company_ids)],
    )
    for table in TABLES[1:]:
        cursor.execute(f"DELETE FROM {table} WHERE company_id = ANY(%s)", [list(company_ids)])


def load_workbench(cursor: Any, *, company_ids: Sequence[int], manager_id: int,
                   n_entries: int, today: dt.date, seed: float = 0.2026,
                   log: Callable[[str, float], None] = lambda _name, _t: None) -> dict[str, int]:  # fmt: skip
    """Insert the workbench rows for ``company_ids``; returns the number of each."""
    import time

    counts = counts_for(n_entries)
    companies = list(company_ids)
    params = {"companies": companies, "manager": manager_id, "today": today, **counts}
    cursor.execute("SELECT setseed(%s)", [seed])
    made: dict[str, int] = {}

    t = time.perf_counter()
    # The customers called: distinct, with entries; the first third are called twice.
    cursor.execute(
        """
        CREATE TEMP TABLE bench_called ON COMMIT DROP AS
        SELECT c.id AS customer_id, c.company_id, coalesce(c.controller_id, %(manager)s) AS user_id,
               row_number() OVER (ORDER BY random()) AS n
        FROM ledger_customer c
        WHERE c.company_id = ANY(%(companies)s)
          AND EXISTS (SELECT 1 FROM ledger_ledgerentry e WHERE e.customer_id = c.id)
        """,
        params,
    )
    cursor.execute(
        """
        WITH balances AS (
            SELECT customer_id, sum(remaining_lcy) AS balance FROM ledger_ledgerentry
            WHERE remaining <> 0 AND company_id = ANY(%(companies)s) GROUP BY customer_id
        ), calls AS (
            SELECT b.*, g.k, random() AS r, random() AS done, random() AS f,
                   (random() * 90)::int AS days_ago
            FROM bench_called b
            CROSS JOIN LATERAL generate_series(1, CASE WHEN b.n <= %(communications)s / 4 THEN 2 ELSE 1 END) g(k)
            WHERE b.n <= %(communications)s * 3 / 4
        )
        INSERT INTO communications_communication (
            company_id, customer_id, communication_type, subject, occurred_at, our_contact_id,
            contact_type, letter_style, location, contact_name, contact_phone, contact_email,
            follow_up_on, notes, balance_lcy, completed_at, completed_by_id, source,
            created_by_id, created_at, updated_at)
        SELECT c.company_id, c.customer_id,
               CASE WHEN c.r < 0.6 THEN 'telephone' WHEN c.r < 0.9 THEN 'correspondence' ELSE 'meeting' END,
               CASE WHEN c.r < 0.6 THEN 'Chased overdue invoices by phone'
                    WHEN c.r < 0.9 THEN 'Reminder email with statement' ELSE 'Account review meeting' END,
               now() - make_interval(days => c.days_ago + c.k), c.user_id,
               CASE WHEN c.r < 0.6 THEN 'telephone_made' WHEN c.r < 0.9 THEN 'email_sent' ELSE 'meeting' END,
               '', '', '', '', '',
               CASE WHEN c.done >= 0.2 AND c.f < 0.85 THEN %(today)s::date + (random() * 40)::int - 10 END,
               '', coalesce(bal.balance, 0),
               CASE WHEN c.done < 0.2 THEN now() - make_interval(days => c.days_ago / 2) END,
               CASE WHEN c.done < 0.2 THEN c.user_id END,
               'bench', c.user_id, now(), now()
        FROM calls c LEFT JOIN balances bal ON bal.customer_id = c.customer_id
        """,
        params,
    )
    made["communications"] = cursor.rowcount
    log(f"communications ({made['communications']:,})", t)

    t = time.perf_counter()
    # Open invoices, shuffled once: the first ones get promises, the next ones disputes.
    cursor.execute(
        """
        CREATE TEMP TABLE bench_invoices ON COMMIT DROP AS
        SELECT e.id AS entry_id, e.company_id, e.customer_id, e.currency, e.remaining,
               e.remaining_lcy, coalesce(c.controller_id, %(manager)s) AS user_id,
               row_number() OVER (ORDER BY random()) AS n
        FROM ledger_ledgerentry e JOIN ledger_customer c ON c.id = e.customer_id
        WHERE e.company_id = ANY(%(companies)s) AND e.entry_type = 'invoice' AND e.remaining <> 0
        """,
        params,
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_promised ON COMMIT DROP AS
        SELECT nextval(pg_get_serial_sequence('communications_promise', 'id')) AS promise_id,
               i.*, random() AS r
        FROM bench_invoices i WHERE i.n <= %(promises)s
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO communications_promise (
            id, company_id, customer_id, is_full, currency, amount, amount_lcy, promised_on,
            status, resolved_on, created_by_id, created_at)
        SELECT p.promise_id, p.company_id, p.customer_id, true, p.currency, p.remaining,
               p.remaining_lcy,
               CASE WHEN p.r < 0.5 THEN %(today)s::date + (p.r * 60)::int
                    ELSE %(today)s::date - 1 - ((p.r - 0.5) * 120)::int END,
               CASE WHEN p.r < 0.5 THEN 'open' WHEN p.r < 0.75 THEN 'kept' ELSE 'broken' END,
               CASE WHEN p.r < 0.5 THEN NULL
                    WHEN p.r < 0.75 THEN %(today)s::date - 1 - ((p.r - 0.5) * 120)::int
                    ELSE %(today)s::date - ((p.r - 0.5) * 120)::int END,
               p.user_id, now()
        FROM bench_promised p
        """,
        params,
    )
    made["promises"] = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO communications_promiseentry (promise_id, entry_id, remaining_at_promise)
        SELECT promise_id, entry_id, remaining FROM bench_promised
        """
    )
    log(f"promises ({made['promises']:,})", t)

    t = time.perf_counter()
    cursor.execute(
        f"""
        INSERT INTO communications_dispute (
            company_id, customer_id, entry_id, amount, reason, owner_id, opened_on,
            created_by_id, created_at, updated_at)
        SELECT i.company_id, i.customer_id, i.entry_id,
               greatest(0.01, least(i.remaining, round(i.remaining * (0.2 + random() * 0.8)::numeric, 2))),
               (ARRAY{list(REASONS)!r})[1 + (random() * {len(REASONS) - 1})::int],
               i.user_id, %(today)s::date - (random() * 120)::int, i.user_id, now(), now()
        FROM bench_invoices i
        WHERE i.n > %(promises)s AND i.n <= %(promises)s + %(disputes)s
        """,
        params,
    )
    made["disputes"] = cursor.rowcount
    log(f"disputes ({made['disputes']:,})", t)

    t = time.perf_counter()
    cursor.execute(
        """
        WITH picks AS (
            SELECT b.*, random() AS r, random() AS s FROM bench_called b
            CROSS JOIN generate_series(1, 2) g(k)
            ORDER BY random() LIMIT %(todos)s
        )
        INSERT INTO communications_todo (
            company_id, customer_id, description, due_on, owner_id, kind, status, notes,
            closed_at, closed_by_id, close_reason, created_by_id, created_at)
        SELECT p.company_id, p.customer_id,
               CASE WHEN p.r < 0.5 THEN 'Follow up call' WHEN p.r < 0.8 THEN 'Check promised payment'
                    ELSE 'Send a copy invoice' END,
               %(today)s::date + (p.s * 51)::int - 21, p.user_id,
               CASE WHEN p.r < 0.5 THEN 'follow_up' WHEN p.r < 0.8 THEN 'promise_check' ELSE 'manual' END,
               CASE WHEN p.s < 0.3 THEN 'closed' ELSE 'open' END, '',
               CASE WHEN p.s < 0.3 THEN now() END, CASE WHEN p.s < 0.3 THEN p.user_id END,
               CASE WHEN p.s < 0.3 THEN 'Done' ELSE '' END, p.user_id, now()
        FROM picks p
        """,
        params,
    )
    made["todos"] = cursor.rowcount
    log(f"to-dos ({made['todos']:,})", t)
    for table in TABLES:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    return made
