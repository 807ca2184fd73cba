"""Generate the benchmark database: 100,000 customers and 1,000,000 open ledger entries.

    .venv/bin/python bench/generate.py [--customers 100000] [--entries 1000000]
                                       [--database creditcontrol_bench]

Drops and recreates the database, migrates it, then loads two companies (GBP and
EUR), users with roles, customers, contacts and open ledger entries with
PostgreSQL ``COPY`` from a streamed text buffer (never row-by-row ORM saves), and
ends with ``VACUUM ANALYZE``. Every row respects the check and unique constraints
of ``ledger/models.py`` (the database checks them while loading).

The row builders (``customer_rows``, ``contact_rows``, ``entry_rows``, ...) and
``load`` are importable: ``tests/test_bench_generator.py`` runs a small load into
the PostgreSQL test database.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: ``bench`` is then not importable
    sys.path.insert(0, str(ROOT))

from bench.workbench_data import clear_workbench, load_workbench  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "creditcontrol_bench"
PASSWORD = "bench-pass-123"  # every generated user; a throw-away benchmark database

MANAGER_USERNAME = "bench_manager"  # the default prefix "bench"
INTEGRATOR_USERNAME = "bench_integrator"

CUSTOMER_COLUMNS = (
    "id", "company_id", "account_code", "name", "address_line1", "address_line2", "city",
    "postcode", "country", "email", "phone", "currency", "controller_id", "credit_limit",
    "on_hold", "exclude_from_followups", "debtor_rating", "payment_terms_days", "external_ref",
    "created_at", "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "customer_id", "first_name", "last_name", "position", "phone", "mobile", "email",
    "notes", "is_credit_contact", "external_ref",
)  # fmt: skip
ENTRY_COLUMNS = (
    "id", "company_id", "customer_id", "entry_type", "document_no", "document_date", "due_date",
    "description", "currency", "exchange_rate", "amount", "remaining", "amount_lcy",
    "remaining_lcy", "expected_payment_date", "exclude_forever", "exclude_until",
    "external_ref", "created_at", "updated_at",
)  # fmt: skip

# Units of the company's currency for one unit of the customer's, in millionths.
RATES_MICRO = {
    ("GBP", "EUR"): 860_000, ("GBP", "USD"): 790_000,
    ("EUR", "GBP"): 1_160_000, ("EUR", "USD"): 920_000,
}  # fmt: skip
# (entry type, share, document number prefix); about 5% payments and credit notes.
ENTRY_MIX = (("invoice", 0.93, "INV"), ("debit_memo", 0.02, "DM"),
             ("payment", 0.03, "PAY"), ("credit_note", 0.02, "CN"))  # fmt: skip

WORDS_A = (
    "Acme", "Albion", "Apex", "Arden", "Atlas", "Beacon", "Birch", "Bolt", "Bramble", "Bridge",
    "Bright", "Cedar", "Castle", "Coastal", "Copper", "Crown", "Delta", "Eagle", "Elm", "Falcon",
    "Fern", "Forge", "Granite", "Harbour", "Hazel", "Highland", "Iron", "Juniper", "Kestrel",
    "Lakeside", "Linden", "Maple", "Meridian", "Northern", "Oak", "Orbit", "Pennine", "Pioneer",
    "Quarry", "Redwood", "River", "Rowan", "Summit", "Thames", "Tudor", "Union", "Vale",
    "Valley", "Willow", "Zenith",
)  # fmt: skip
WORDS_B = (
    "Bakery", "Builders", "Catering", "Chemicals", "Cleaning", "Components", "Construction",
    "Consulting", "Dairy", "Design", "Electrical", "Engineering", "Fabrics", "Farms", "Foods",
    "Freight", "Furniture", "Glass", "Haulage", "Hotels", "Joinery", "Logistics", "Machinery",
    "Media", "Metals", "Motors", "Packaging", "Paper", "Plastics", "Plumbing", "Printing",
    "Retail", "Roofing", "Security", "Software", "Steel", "Supplies", "Textiles", "Timber",
    "Tools", "Trading", "Travel", "Wholesale",
)  # fmt: skip
SUFFIXES = {
    "GBP": ("Ltd", "Ltd", "plc", "LLP", "& Co"),
    "EUR": ("GmbH", "GmbH", "AG", "SARL", "BV"),
}
CITIES = {
    "GBP": (("London", "EC"), ("Leeds", "LS"), ("Manchester", "M"), ("Birmingham", "B"),
            ("Bristol", "BS"), ("Glasgow", "G"), ("Edinburgh", "EH"), ("Cardiff", "CF"),
            ("Sheffield", "S"), ("Newcastle", "NE"), ("Nottingham", "NG"), ("York", "YO"),
            ("Norwich", "NR"), ("Exeter", "EX"), ("Oxford", "OX"), ("Cambridge", "CB")),
    "EUR": (("Berlin", "10"), ("Hamburg", "20"), ("Munich", "80"), ("Cologne", "50"),
            ("Frankfurt", "60"), ("Stuttgart", "70"), ("Paris", "75"), ("Lyon", "69"),
            ("Amsterdam", "10"), ("Rotterdam", "30"), ("Vienna", "11"), ("Dublin", "D0")),
}  # fmt: skip
COUNTRY = {"GBP": "GB", "EUR": "DE"}
FIRST_NAMES = (
    "Alice", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hannah", "Ian", "Jane", "Karl",
    "Laura", "Mohammed", "Nina", "Oliver", "Priya", "Quentin", "Rosa", "Sam", "Tom", "Uma",
    "Victor", "Wendy", "Xavier", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Baker", "Clarke", "Davies", "Evans", "Fischer", "Green", "Hughes", "Jones", "Khan",
    "Lewis", "Martin", "Novak", "Owen", "Patel", "Quinn", "Roberts", "Schmidt", "Taylor",
    "Turner", "Walker", "Weber", "White", "Wright", "Young",
)  # fmt: skip
POSITIONS = ("Accounts Payable", "Finance Director", "Bookkeeper", "Office Manager", "Owner", "")


@dataclasses.dataclass(frozen=True)
class CompanyInfo:
    id: int
    code: str
    currency: str
    controller_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class CustomerInfo:
    """What the entry and contact builders need to know about a generated customer."""

    id: int
    company_id: int
    company_currency: str
    currency: str
    terms: int


# --------------------------------------------------------------------------- helpers


def money(cents: int) -> str:
    """Integer cents as a decimal string: -1234 -> '-12.34'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def rate_text(micro: int) -> str:
    whole, frac = divmod(micro, 1_000_000)
    return f"{whole}.{frac:06d}"


def lcy_cents(cents: int, rate_micro: int) -> int:
    """``cents`` times the rate, rounded half-up (away from zero) to the cent, as ``to_lcy`` does."""
    if rate_micro == 1_000_000:
        return cents
    quotient, rest = divmod(abs(cents) * rate_micro, 1_000_000)
    if rest * 2 >= 1_000_000:
        quotient += 1
    return -quotient if cents < 0 else quotient


def _text(value: Any) -> str:
    """One field of PostgreSQL's COPY text format (our strings hold no tab, newline or \\)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class RowStream:
    """A read()-able file over an iterator of rows, for ``copy_expert`` without a temp file."""

    def __init__(self, rows: Iterable[Sequence[Any]], extra: Sequence[str] = ()):
        self._rows = iter(rows)
        self._extra = "".join("\t" + value for value in extra)
        self._buffer = ""
        self.count = 0

    def read(self, size: int = -1) -> str:
        size = size if size and size > 0 else 1 << 20
        parts, length = [self._buffer], len(self._buffer)
        extra = self._extra
        for row in self._rows:
            line = "\t".join(map(_text, row)) + extra + "\n"
            parts.append(line)
            length += len(line)
            self.count += 1
            if length >= size:
                break
        data = "".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
              *, freeze: bool = False) -> int:  # fmt: skip
    """COPY ``rows`` into ``table``; columns of the model that we do not generate get their
    model default (so a field added later by a migration does not break the load)."""
    extra_columns, extra_values = _model_defaults(table, columns)
    stream = RowStream(rows, extra_values)
    cols = ", ".join((*columns, *extra_columns))
    options = "FORMAT text, FREEZE" if freeze else "FORMAT text"
    raw = getattr(cursor, "cursor", cursor)  # Django's CursorWrapper -> psycopg2 cursor
    raw.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH ({options})", stream, size=1 << 20)
    return stream.count


def _model_defaults(table: str, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    from django.apps import apps
    from django.db import connection

    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return [], []
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns:
            continue
        if field.has_default() and not callable(field.default):
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        elif field.blank and field.empty_strings_allowed:
            value = ""  # a text field left blank: Django's own default for it
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = dt.datetime.now(dt.UTC).isoformat()
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            value = ""  # an optional text field the generator does not fill (language, ...)
        else:
            raise RuntimeError(
                f"{table}.{field.column} is required and has no default: teach "
                f"bench/generate.py to fill it."
            )
        names.append(field.column)
        values.append(_text(value))
    return names, values


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Callable[[], Any]:
    values = [value for value, _ in table]
    cum, total = [], 0.0
    for _, weight in table:
        total += weight
        cum.append(total)
    choices = rng.choices

    def pick() -> Any:
        return choices(values, cum_weights=cum)[0]

    return pick


# --------------------------------------------------------------------------- planning


def default_largest(n_entries: int) -> int:
    return 5000 if n_entries >= 100_000 else max(1, n_entries // 10)


def plan_entry_counts(n_customers: int, n_entries: int, largest: int, seed: int = 1) -> list[int]:
    """Open entries per customer, summing to ``n_entries``; customer 0 is the largest.

    Skewed like a real ledger: most customers have about ten open items, some none,
    a few tens, a handful some hundreds, and one has ``largest``.
    """
    if n_customers < 1:
        raise ValueError("At least one customer is needed.")
    largest = min(largest, n_entries)
    rng = random.Random(seed)
    counts = [largest]
    rest = n_customers - 1
    for i in range(rest):
        roll = rng.random()
        if roll < 0.04:
            n = 0
        elif roll < 0.92:
            n = rng.randint(3, 13)
        elif roll < 0.99:
            n = rng.randint(14, 30)
        else:
            n = rng.randint(31, 200)
        if i < 10 and rest > 1000:  # a few big accounts below the largest one
            n = rng.randint(500, 1500)
        counts.append(n)
    if rest == 0:
        counts[0] = n_entries
        return counts
    # Scale to the exact total, keep everyone below the largest (when the total allows),
    # then nudge single customers by one entry.
    target = n_entries - largest
    cap = largest - 1 if target <= rest * (largest - 1) else target
    have = sum(counts[1:])
    if have:
        factor = target / have
        for i in range(1, n_customers):
            counts[i] = min(int(counts[i] * factor), cap)
    diff = target - sum(counts[1:])
    while diff:
        i = rng.randint(1, n_customers - 1)
        if diff > 0 and counts[i] < cap:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 0:
            counts[i] -= 1
            diff += 1
    return counts


def company_of_customer(
    index: int, n_customers: int, companies: Sequence[CompanyInfo]
) -> CompanyInfo:
    """The first 60% of the customers belong to the first company (GBP), the rest to the second."""
    if len(companies) == 1:
        return companies[0]
    return companies[0] if index < max(1, int(n_customers * 0.6)) else companies[1]


# --------------------------------------------------------------------------- row builders


def customer_rows(companies: Sequence[CompanyInfo], n_customers: int, *, first_id: int = 1,
                  seed: int = 2, now: dt.datetime | None = None,
                  infos: list[CustomerInfo] | None = None) -> Iterator[tuple]:  # fmt: skip
    """Rows for ``CUSTOMER_COLUMNS``. When ``infos`` is a list, a ``CustomerInfo`` of each
    row is appended to it (the contact and entry builders take them)."""
    rng = random.Random(seed)
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    rating = _weighted(rng, (("good", 0.3), ("normal", 0.6), ("bad", 0.1)))
    terms = _weighted(rng, ((30, 0.55), (14, 0.1), (45, 0.1), (60, 0.15), (0, 0.05), (7, 0.05)))
    foreign = {
        "GBP": _weighted(rng, (("GBP", 0.95), ("EUR", 0.03), ("USD", 0.02))),
        "EUR": _weighted(rng, (("EUR", 0.96), ("GBP", 0.02), ("USD", 0.02))),
    }
    for i in range(n_customers):
        cid = first_id + i
        company = company_of_customer(i, n_customers, companies)
        lcy = company.currency
        currency = foreign[lcy]() if lcy in foreign else lcy
        if i == 0:
            currency = lcy  # the largest customer is a home customer
        city, prefix = rng.choice(CITIES.get(lcy, CITIES["GBP"]))
        name = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {cid} {rng.choice(SUFFIXES.get(lcy, SUFFIXES['GBP']))}"
        if lcy == "GBP":
            postcode = f"{prefix}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        else:
            postcode = f"{prefix}{rng.randint(100, 999)}"
        controller = (
            rng.choice(company.controller_ids)
            if company.controller_ids and rng.random() >= 0.05
            else None
        )
        term = terms()
        row = (
            cid, company.id, f"C{cid:07d}", name,
            f"{rng.randint(1, 250)} {rng.choice(WORDS_A)} Street", "" if rng.random() < 0.8 else "Unit 4",
            city, postcode, COUNTRY.get(lcy, ""), f"accounts@c{cid}.example",
            f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", currency, controller,
            money(rng.randint(0, 200) * 50_000), rng.random() < 0.03, rng.random() < 0.02,
            rating(), term, f"CUST{cid:07d}", stamp, stamp,
        )  # fmt: skip
        if infos is not None:
            infos.append(CustomerInfo(cid, company.id, lcy, currency, term))
        yield row


def contact_rows(
    customers: Sequence[CustomerInfo], *, first_id: int = 1, seed: int = 3
) -> Iterator[tuple]:
    """About two contacts per customer; the first is usually the credit-control contact
    (at most one per customer), and external references are unique per customer."""
    rng = random.Random(seed)
    per_customer = _weighted(rng, ((0, 0.05), (1, 0.25), (2, 0.40), (3, 0.20), (4, 0.10)))
    cid = first_id
    for customer in customers:
        for n in range(per_customer()):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            yield (
                cid, customer.id, first, last, rng.choice(POSITIONS),
                f"+44 113 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "" if rng.random() < 0.5 else f"+44 7700 {rng.randint(100000, 999999)}",
                f"{first.lower()}.{last.lower()}{cid}@c{customer.id}.example", "",
                n == 0 and rng.random() < 0.9,
                f"CT{customer.id}-{n + 1}" if rng.random() < 0.7 else "",
            )  # fmt: skip
            cid += 1


def entry_rows(customers: Sequence[CustomerInfo], counts: Sequence[int], *, today: dt.date,
               first_id: int = 1, seed: int = 4, now: dt.datetime | None = None,
               shuffle: bool = True) -> Iterator[tuple]:  # fmt: skip
    """Rows for ``ENTRY_COLUMNS``: every entry open (remaining not zero).

    Invoices due from a year ago to two months ahead, 20% of the debits part-paid,
    about 5% unapplied (or part-applied) payments and credit notes with negative
    amounts, foreign-currency customers' entries at a rate with LCY amounts rounded
    half-up to the cent. With ``shuffle`` the customers' entries are interleaved as
    they would be in a ledger written over time (a customer's rows are scattered
    over the table, not packed together).
    """
    rng = random.Random(seed)
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    order = [i for i, n in enumerate(counts) for _ in range(n)]
    if shuffle:
        rng.shuffle(order)
    kinds = _weighted(rng, [((kind, prefix), share) for kind, share, prefix in ENTRY_MIX])
    rand, randint = rng.random, rng.randint
    ordinal = today.toordinal()
    fromordinal = dt.date.fromordinal
    for offset, index in enumerate(order):
        eid = first_id + offset
        customer = customers[index]
        kind, prefix = kinds()
        debit = kind in ("invoice", "debit_memo")
        # Due dates: 80% within the last three months or the next two, 20% older (up to a year).
        due_offset = randint(-90, 60) if rand() < 0.8 else randint(-365, -91)
        if debit:
            due = ordinal + due_offset
            document = due - customer.terms
            cents = int(rng.lognormvariate(11.0, 1.2)) + 1000  # median ~600.00, from 10.00
            cents = min(cents, 50_000_000)
            remaining = cents if rand() >= 0.2 else randint(1, cents - 1)
        else:
            document = due = ordinal + min(due_offset, 0)
            cents = -(int(rng.lognormvariate(10.5, 1.2)) + 1000)
            remaining = cents if rand() >= 0.15 else -randint(1, -cents - 1)
        rate = 1_000_000
        if customer.currency != customer.company_currency:
            base = RATES_MICRO.get((customer.company_currency, customer.currency), 1_000_000)
            rate = base + randint(-30_000, 30_000)
        excluded = rand()
        expected = fromordinal(due + randint(1, 30)) if debit and rand() < 0.02 else None
        yield (
            eid, customer.company_id, customer.id, kind, f"{prefix}{eid:08d}",
            fromordinal(document), fromordinal(due), f"{kind.replace('_', ' ').title()} {eid}",
            customer.currency, rate_text(rate), money(cents), money(remaining),
            money(lcy_cents(cents, rate)), money(lcy_cents(remaining, rate)), expected,
            excluded < 0.005,
            fromordinal(ordinal + randint(1, 60)) if 0.005 <= excluded < 0.01 else None,
            f"E{eid:09d}", stamp, stamp,
        )  # fmt: skip


# --------------------------------------------------------------------------- loading


@dataclasses.dataclass
class LoadResult:
    companies: list[CompanyInfo]
    customers: list[CustomerInfo]
    counts: list[int]
    n_contacts: int
    n_entries: int
    largest_customer_id: int
    manager_id: int
    integrator_id: int
    timings: dict[str, float]
    workbench: dict[str, int] = dataclasses.field(default_factory=dict)


def create_companies_and_users(*, controllers_per_company: int = 8,
                               prefix: str = "bench") -> tuple[list[CompanyInfo], int, int]:  # fmt: skip
    """Two companies, a manager/controller member of both, an integrator with an API token,
    and credit controllers in each company (a few rows: the ORM is fine here). Users are
    named ``<prefix>_manager``, ``<prefix>_integrator``, ``<prefix>_gbp_ctl01``, ..."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    from creditcontrol import roles
    from ledger.models import Company

    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    missing = set(roles.ALL_ROLES) - set(groups)
    if missing:
        raise RuntimeError(f"Role groups missing (migrations not run?): {sorted(missing)}")
    password = make_password(PASSWORD)
    code = prefix.upper()
    gbp = Company.objects.create(code=f"{code}-GBP", name="Bench Trading Ltd", base_currency="GBP",
                                 time_zone="Europe/London")  # fmt: skip
    eur = Company.objects.create(code=f"{code}-EUR", name="Bench Handel GmbH", base_currency="EUR",
                                 time_zone="Europe/Berlin")  # fmt: skip
    manager = User.objects.create(username=f"{prefix}_manager", first_name="Morgan",
                                  last_name="Manager", password=password,
                                  email=f"{prefix}_manager@bench.example")  # fmt: skip
    manager.groups.add(groups[roles.MANAGER], groups[roles.CONTROLLER])
    integrator = User.objects.create(username=f"{prefix}_integrator", first_name="Ivy",
                                     last_name="Integrator", password=password)  # fmt: skip
    integrator.groups.add(groups[roles.INTEGRATOR])
    Token.objects.get_or_create(user=integrator)
    infos = []
    for company in (gbp, eur):
        company.members.add(manager, integrator)
        controller_ids = [manager.pk]
        for n in range(controllers_per_company):
            user = User.objects.create(
                username=f"{prefix.lower()}_{company.base_currency.lower()}_ctl{n + 1:02d}",
                first_name=FIRST_NAMES[(n * 7) % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n * 5 + len(infos) * 3) % len(LAST_NAMES)],
                password=password,
            )
            user.groups.add(groups[roles.CONTROLLER])
            company.members.add(user)
            controller_ids.append(user.pk)
        infos.append(
            CompanyInfo(company.pk, company.code, company.base_currency, tuple(controller_ids))
        )
    return infos, manager.pk, integrator.pk


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _sync_sequence(cursor: Any, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 1) FROM {table}))"
    )


class DeferredIndexes:
    """Drop a table's secondary indexes and foreign keys, and build them again afterwards.

    Building an index once over a loaded table is much faster than keeping it up to
    date row by row; foreign keys are re-validated in one pass when added back. The
    primary key and constraint-backed unique indexes stay (they check while loading).
    """

    def __init__(self, cursor: Any, tables: Sequence[str]):
        self.cursor = cursor
        self.tables = tables
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def drop(self) -> None:
        cur = self.cursor
        for table in self.tables:
            cur.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i WHERE i.indrelid = %s::regclass
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                [table],
            )
            self.indexes += cur.fetchall()
            cur.execute(
                """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conrelid = %s::regclass AND contype = 'f'""",
                [table],
            )
            self.foreign_keys += [(table, name, sql) for name, sql in cur.fetchall()]
        for name, _sql in self.indexes:
            cur.execute(f"DROP INDEX {name}")
        for table, name, _sql in self.foreign_keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')

    def restore(self) -> None:
        for _name, sql in self.indexes:
            self.cursor.execute(sql)
        for table, name, sql in self.foreign_keys:
            self.cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}')


def load(*, n_customers: int, n_entries: int, largest: int | None = None, seed: int = 20261123,
         fast: bool = False, prefix: str = "bench", log: Callable[[str], None] = lambda _m: None,
         today: dt.date | None = None) -> LoadResult:  # fmt: skip
    """Load companies, users, customers, contacts and entries into the current database.

    ``fast`` is for a fresh, empty benchmark database: it defers index builds and
    foreign keys and raises the session's memory for building them. Without it
    (the tests) everything is loaded with every index and constraint in place.
    """
    from django.db import connection, transaction

    timings: dict[str, float] = {}
    today = today or dt.datetime.now(dt.UTC).date()
    now = dt.datetime.now(dt.UTC)
    tables = ("ledger_customer", "ledger_contact", "ledger_ledgerentry")

    def step(name: str, started: float) -> None:
        timings[name] = time.perf_counter() - started
        log(f"  {name:<28} {timings[name]:7.1f} s")

    with transaction.atomic(), connection.cursor() as cur:
        t = time.perf_counter()
        companies, manager_id, integrator_id = create_companies_and_users(prefix=prefix)
        step("companies and users", t)
        deferred = DeferredIndexes(cur, tables)
        if fast:
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            cur.execute("SET LOCAL synchronous_commit = off")
            deferred.drop()

        t = time.perf_counter()
        customers: list[CustomerInfo] = []
        first = _next_id(cur, "ledger_customer")
        copy_rows(cur, "ledger_customer", CUSTOMER_COLUMNS,
                  customer_rows(companies, n_customers, first_id=first, seed=seed + 1, now=now,
                                infos=customers))  # fmt: skip
        step(f"customers ({len(customers):,})", t)

        t = time.perf_counter()
        n_contacts = copy_rows(cur, "ledger_contact", CONTACT_COLUMNS,
                               contact_rows(customers, first_id=_next_id(cur, "ledger_contact"),
                                            seed=seed + 2))  # fmt: skip
        step(f"contacts ({n_contacts:,})", t)

        t = time.perf_counter()
        counts = plan_entry_counts(n_customers, n_entries,
                                   largest if largest is not None else default_largest(n_entries),
                                   seed=seed + 3)  # fmt: skip
        n_done = copy_rows(cur, "ledger_ledgerentry", ENTRY_COLUMNS,
                           entry_rows(customers, counts, today=today, now=now, seed=seed + 4,
                                      first_id=_next_id(cur, "ledger_ledgerentry")))  # fmt: skip
        step(f"ledger entries ({n_done:,})", t)

        for table in tables:
            _sync_sequence(cur, table)
        if fast:
            t = time.perf_counter()
            deferred.restore()
            step(f"indexes and FKs ({len(deferred.indexes)}+{len(deferred.foreign_keys)})", t)

        # The triggers kept the balances during the COPY; the dated figures (overdue,
        # aged) need each company's date, as the daily roll sets it.
        t = time.perf_counter()
        from ledger.balances import balances_roll
        from ledger.models import Company

        for company in Company.objects.filter(pk__in=[c.id for c in companies]):
            balances_roll(company=company, as_of=company.today())
        step("kept balances: dated figures", t)

        workbench = load_workbench(
            cur, company_ids=[c.id for c in companies], manager_id=manager_id,
            n_entries=n_done, today=today, log=lambda name, t: step(name, t),
        )  # fmt: skip

    return LoadResult(
        companies=companies, customers=customers, counts=counts, n_contacts=n_contacts,
        n_entries=n_done, largest_customer_id=customers[0].id, manager_id=manager_id,
        integrator_id=integrator_id, timings=timings, workbench=workbench,
    )  # fmt: skip


# --------------------------------------------------------------------------- the script


def database_url(name: str, server: str = DEFAULT_SERVER) -> str:
    return f"{server.rstrip('/')}/{name}"


def recreate_database(name: str, server: str = DEFAULT_SERVER) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(database_url("postgres", server))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:  # VACUUM cannot run in a transaction: autocommit is on
        cur.execute("VACUUM ANALYZE")


def add_workbench_only(url: str) -> int:
    """Replace the workbench rows of an already generated database (its migrations as
    they are: the workbench tables must exist)."""
    setup_django(url)
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from ledger.models import Company, LedgerEntry

    started = time.perf_counter()
    companies = list(Company.objects.filter(code__startswith="BENCH-").values_list("id", flat=True))
    manager = User.objects.get(username=MANAGER_USERNAME)
    n_entries = LedgerEntry.objects.filter(company__in=companies).count()

    def log(name: str, t: float) -> None:
        print(f"  {name:<28} {time.perf_counter() - t:7.1f} s")

    with transaction.atomic(), connection.cursor() as cur:
        clear_workbench(cur, companies)
        made = load_workbench(cur, company_ids=companies, manager_id=manager.pk,
                              n_entries=n_entries, today=dt.datetime.now(dt.UTC).date(), log=log)  # fmt: skip
    vacuum_analyze()
    print(f"Workbench rows replaced in {time.perf_counter() - started:.1f} s: {made}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--largest", type=int, default=None,
                        help="open entries of the largest customer (default 5000)")  # fmt: skip
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", DEFAULT_SERVER),
                        help="postgres://user@host:port of the server (default %(default)s)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--workbench-only", action="store_true",
                        help="keep the database; replace only its communications, promises, "
                             "disputes and to-dos")  # fmt: skip
    args = parser.parse_args(argv)
    if args.workbench_only:
        return add_workbench_only(database_url(args.database, args.server))

    started = time.perf_counter()
    url = database_url(args.database, args.server)
    print(f"Generating {args.customers:,} customers and {args.entries:,} entries into {url}")

    t = time.perf_counter()
    recreate_database(args.database, args.server)
    print(f"  {'drop and create database':<28} {time.perf_counter() - t:7.1f} s")

    setup_django(url)
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"  {'migrate':<28} {time.perf_counter() - t:7.1f} s")

    result = load(n_customers=args.customers, n_entries=args.entries, largest=args.largest,
                  seed=args.seed, fast=True, log=print)  # fmt: skip

    t = time.perf_counter()
    vacuum_analyze()
    print(f"  {'VACUUM ANALYZE':<28} {time.perf_counter() - t:7.1f} s")

    print(
        f"Done in {time.perf_counter() - started:.1f} s: {len(result.customers):,} customers, "
        f"{result.n_contacts:,} contacts, {result.n_entries:,} open entries; largest customer "
        f"id {result.largest_customer_id} ({result.counts[0]:,} entries). "
        f"Users: {MANAGER_USERNAME} (manager+controller), {INTEGRATOR_USERNAME} (API token), "
        f"password {PASSWORD!r}."
    )
    print(f"Run: DATABASE_URL={url} .venv/bin/python bench/run.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
