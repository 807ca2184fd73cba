"""Demo data: two companies, about 200 customers, 3,000 ledger entries, one user per role.

Used by ``manage.py seed_demo``. Everything is written with ``bulk_create`` so it
takes seconds, yet every row respects the model's constraints: invoices positive,
payments and credit notes negative, remaining amounts that equal the amount less
what real ``Application`` rows applied, LCY amounts from ``to_lcy``. A seeded
random generator makes the data the same on every run (for the same today); dates
are relative to each company's today, in its own time zone.

Telephone numbers use the ranges Ofcom reserves for drama (``0113 496 0xxx``,
``07700 900xxx``) and e-mail domains end in ``.example``, so the demo never
reaches a real person.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from rest_framework.authtoken.models import Token

from creditcontrol import roles

from .models import Application, Company, Contact, Customer, DebtorRating, EntryType, LedgerEntry
from .services import to_lcy

SEED = 2026
DEMO_PASSWORD = "demo-pass-2026"
CENT = Decimal("0.01")
HISTORY_DAYS = 182  # invoices spread over the last six months
PAYMENT_TERMS = (30, 30, 45, 60)


@dataclass(frozen=True)
class DemoCompany:
    """One demo company and the flavour of its customers."""

    code: str
    name: str
    base_currency: str
    time_zone: str
    country: str
    customers: int
    address: str
    email: str
    phone: str
    prefix: str  # of external references, as the accounting system would number them


COMPANIES = (
    DemoCompany("NORTHWIND", "Northwind Supplies Ltd", "GBP", "Europe/London", "GB", 118,
                "Unit 4, Aire Valley Business Park\nLeeds LS10 1AB", "credit.control@northwind.example",
                "0113 496 0000", "NW"),
    DemoCompany("RHEINLAND", "Rheinland Handel GmbH", "EUR", "Europe/Berlin", "DE", 82,
                "Rheinallee 120\n50668 Köln", "buchhaltung@rheinland-handel.example",
                "0221 4710 0", "RH"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    """A demo login and the role group it belongs to."""

    username: str
    first_name: str
    last_name: str
    role: str
    superuser: bool = False


USERS = (
    DemoUser("carol", "Carol", "Hughes", roles.CONTROLLER),
    DemoUser("colin", "Colin", "Baker", roles.CONTROLLER),
    DemoUser("mike", "Mike", "Turner", roles.MANAGER),
    # The administrator manages users, which Django's admin site does: hence superuser.
    DemoUser("ada", "Ada", "Lovelace", roles.ADMINISTRATOR, superuser=True),
    DemoUser("ivan", "Ivan", "Petrov", roles.INTEGRATOR),
)
INTEGRATOR = "ivan"

# How each debtor rating pays: chance an invoice gets paid, chance a payment is only
# part of it, and the days after the due date it arrives (negative: early).
PAYING_HABITS = {
    DebtorRating.GOOD: (0.95, 0.05, (-7, 10)),
    DebtorRating.NORMAL: (0.85, 0.12, (0, 35)),
    DebtorRating.BAD: (0.60, 0.30, (10, 80)),
}


GB_SURNAMES = (
    "Ashworth", "Barker", "Bennett", "Brooks", "Carter", "Clarke", "Cooper", "Davies", "Dawson",
    "Edwards", "Fletcher", "Foster", "Gibson", "Graham", "Hall", "Harrison", "Holroyd", "Jackson",
    "Kendall", "Lawson", "Marsh", "Mitchell", "Morgan", "Norris", "Osborne", "Parker", "Pearson",
    "Price", "Reid", "Robinson", "Shaw", "Spencer", "Thornton", "Walker", "Webb", "Whitaker",
    "Wright", "Young", "Hartley", "Pennington",
)  # fmt: skip
GB_FIRST_NAMES = (
    "Alice", "Amelia", "Ben", "Charlotte", "Chloe", "Daniel", "David", "Emily", "Emma", "George",
    "Grace", "Hannah", "Harry", "Isla", "Jack", "James", "Jessica", "Joe", "Lucy", "Matthew",
    "Megan", "Oliver", "Olivia", "Rachel", "Ryan", "Sam", "Sophie", "Thomas", "William", "Priya",
    "Aisha", "Rhys", "Fiona", "Gareth", "Siobhan",
)  # fmt: skip
GB_TRADES = (
    "Building Supplies", "Engineering", "Joinery", "Plumbing & Heating", "Electrical",
    "Catering Equipment", "Print", "Packaging", "Logistics", "Garden Centres", "Hardware",
    "Interiors", "Motor Factors", "Timber", "Roofing", "Office Supplies", "Fabrications",
    "Cleaning Services", "Hotels", "Farm Supplies",
)  # fmt: skip
GB_NAME_FORMS = (
    "{surname} {trade} Ltd", "{surname} & Sons Ltd", "{city} {trade} Ltd",
    "{surname} & {surname2} {trade}", "{surname} {trade} plc", "{city} {trade} Co-operative",
)  # fmt: skip
GB_STREETS = (
    "High Street", "Station Road", "Mill Lane", "Church Street", "Victoria Road", "Park Road",
    "Queen Street", "King Street", "Market Street", "Albert Road", "Bridge Street",
    "Wharf Road", "Canal Side", "Commercial Road", "Dale Street",
)  # fmt: skip
GB_POSITIONS = (
    "Accounts Payable", "Finance Director", "Purchase Ledger Clerk", "Office Manager",
    "Managing Director", "Financial Controller", "Buyer",
)  # fmt: skip
# City, postcode area, districts, telephone prefix (an Ofcom drama range).
GB_CITIES = (
    ("Leeds", "LS", (1, 2, 6, 11, 28), "0113 496 0"),
    ("Manchester", "M", (1, 4, 15, 20), "0161 496 0"),
    ("Birmingham", "B", (1, 5, 12, 18), "0121 496 0"),
    ("Bristol", "BS", (1, 3, 8), "0117 496 0"),
    ("Sheffield", "S", (1, 2, 8, 11), "0114 496 0"),
    ("Nottingham", "NG", (1, 2, 7), "0115 496 0"),
    ("Leicester", "LE", (1, 2, 4), "0116 496 0"),
    ("Edinburgh", "EH", (1, 3, 6), "0131 496 0"),
    ("Glasgow", "G", (1, 2, 41), "0141 496 0"),
    ("Liverpool", "L", (1, 3, 8), "0151 496 0"),
    ("Newcastle upon Tyne", "NE", (1, 4, 6), "0191 498 0"),
    ("London", "EC", (1,), "020 7946 0"),
    ("York", "YO", (1, 10, 24), "01632 960"),
    ("Norwich", "NR", (1, 2, 3), "01632 960"),
    ("Cardiff", "CF", (10, 11, 24), "029 2018 0"),
)
GB_MOBILE = "07700 900"
# Letters allowed in the inward part of a UK postcode.
GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

DE_SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier",
    "Huber", "Kaiser", "Vogt",
)  # fmt: skip
DE_FIRST_NAMES = (
    "Anna", "Andreas", "Christian", "Claudia", "Daniel", "Eva", "Felix", "Frank", "Hannah", "Jan",
    "Jonas", "Julia", "Katharina", "Laura", "Lukas", "Markus", "Maria", "Michael", "Nina", "Paul",
    "Sabine", "Sandra", "Stefan", "Thomas", "Tobias", "Ursula", "Jörg",
)  # fmt: skip
DE_TRADES = (
    "Bauelemente", "Metallbau", "Elektrotechnik", "Haustechnik", "Holzhandel",
    "Büroausstattung", "Verpackungen", "Logistik", "Maschinenbau", "Gartenbau", "Druckerei",
    "Sanitär", "Fahrzeugteile", "Werkzeuge", "Feinkost", "Getränke",
)  # fmt: skip
DE_NAME_FORMS = (
    "{surname} {trade} GmbH", "{surname} & {surname2} KG", "{surname} {trade} GmbH & Co. KG",
    "{city}er {trade} AG", "{trade} {surname} e.K.", "{surname} {trade} GmbH",
)  # fmt: skip
DE_STREETS = (
    "Hauptstraße", "Industriestraße", "Bahnhofstraße", "Rheinallee", "Am Hafen",
    "Kaiserstraße", "Schillerstraße", "Goethestraße", "Lindenweg", "Mühlenweg",
    "Friedrichstraße", "Gewerbering", "Im Gewerbepark",
)  # fmt: skip
DE_POSITIONS = (
    "Buchhaltung", "Kreditorenbuchhaltung", "Geschäftsführer", "Geschäftsführerin",
    "Leiterin Finanzen", "Einkauf", "Controlling",
)  # fmt: skip
# City, lowest and highest postcode, telephone area code.
DE_CITIES = (
    ("Köln", 50667, 51149, "0221"),
    ("Düsseldorf", 40210, 40629, "0211"),
    ("Bonn", 53111, 53229, "0228"),
    ("Koblenz", 56068, 56077, "0261"),
    ("Mainz", 55116, 55131, "06131"),
    ("Duisburg", 47051, 47279, "0203"),
    ("Essen", 45127, 45359, "0201"),
    ("Aachen", 52062, 52080, "0241"),
    ("Krefeld", 47798, 47839, "02151"),
    ("Neuss", 41460, 41472, "02131"),
    ("Leverkusen", 51371, 51381, "0214"),
    ("Wiesbaden", 65183, 65207, "0611"),
    ("Trier", 54290, 54296, "0651"),
    ("Mönchengladbach", 41061, 41239, "02161"),
)

# Northwind's customers abroad, billed in their own currency.
# Name, country, city, postcode, address, currency.
GB_FOREIGN_CUSTOMERS = (
    ("Liffey Hospitality Group Ltd", "IE", "Dublin", "D02 X285", "14 Ormond Quay", "EUR"),
    ("Corrib Marine Services Ltd", "IE", "Galway", "H91 E2K3", "3 Dock Road", "EUR"),
    ("Van der Berg Groothandel B.V.", "NL", "Rotterdam", "3011 AB", "Wijnhaven 21", "EUR"),
    ("Atlantic Seaboard Supply Inc.", "US", "Boston, MA", "02110", "200 Atlantic Ave", "USD"),
    ("Great Lakes Industrial Corp.", "US", "Chicago, IL", "60601", "75 E Wacker Dr", "USD"),
    ("Hudson Valley Outfitters LLC", "US", "New York, NY", "10001", "350 W 31st St", "USD"),
)
# Fictional numbers: 555-01xx is reserved in North America, 555 in Ireland and NL.
FOREIGN_PHONES = {"IE": "+353 91 555 01{:02d}", "NL": "+31 10 555 01{:02d}",
                  "US": "+1 617 555 01{:02d}"}  # fmt: skip

GB_WORDS = {
    "invoice": ("Goods per order PO-{n}", "Supply and delivery, order {n}", "Monthly account"),
    "credit_note": ("Returned goods", "Price adjustment", "Damaged in transit", "Short delivery"),
    "payment": ("BACS receipt", "Faster Payment", "Cheque", "Card payment"),
    "debit_memo": ("Late payment interest", "Returned cheque fee"),
    "on_account": "Payment on account",
}
DE_WORDS = {
    "invoice": ("Rechnung zu Auftrag {n}", "Lieferung laut Lieferschein {n}", "Monatsrechnung"),
    "credit_note": ("Gutschrift Retoure", "Preiskorrektur", "Transportschaden", "Fehlmenge"),
    "payment": ("Überweisung", "SEPA-Lastschrift", "Zahlungseingang"),
    "debit_memo": ("Verzugszinsen", "Mahngebühr"),
    "on_account": "Zahlung ohne Zuordnung",
}


_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e"})
LEGAL_FORMS = {"ltd", "plc", "gmbh", "ag", "kg", "e.k.", "co.", "inc.", "corp.", "llc", "b.v."}


def _slug(text: str) -> str:
    """An e-mail-safe lower-case word made from a name (umlauts transliterated)."""
    return "".join(ch for ch in text.lower().translate(_ASCII) if ch.isalnum())


def _domain(name: str) -> str:
    words = [w for w in name.split() if w.lower() not in LEGAL_FORMS]
    return f"{_slug(''.join(words))[:30]}.example"


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


# --- users ---------------------------------------------------------------------------


def demo_users_ensure(companies: list[Company]) -> list[User]:
    """Create (or repair) one user per role, member of every demo company, and ivan's token."""
    users = []
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    for spec in USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@creditcontrol.example"
        user.is_staff = user.is_superuser = spec.superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(groups[spec.role])
        for company in companies:
            company.members.add(user)
        users.append(user)
    Token.objects.get_or_create(user=User.objects.get(username=INTEGRATOR))
    return users


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, full name) of each demo user, in the order of ``USERS``."""
    return [(u.username, u.role, f"{u.first_name} {u.last_name}") for u in USERS]


def integrator_token() -> str:
    token = Token.objects.filter(user__username=INTEGRATOR).first()
    return token.key if token else ""


# --- existence and reset ---------------------------------------------------------------


def demo_exists() -> bool:
    return Company.objects.filter(code__in=[c.code for c in COMPANIES]).exists()


def _rows_of(companies: Any):
    """Every row of the domain apps that hangs off these companies, whatever app defines it.

    The sync, communications and follow-up apps add models over time; finding them by
    their foreign keys keeps ``--reset`` working without this module importing them.
    """
    path_to_company = {Company: "", Customer: "__company", LedgerEntry: "__company"}
    for label in ("reports", "followups", "communications", "ledger"):
        for model in apps.get_app_config(label).get_models():
            if model is Company:
                continue
            for f in model._meta.concrete_fields:
                if f.many_to_one and f.related_model in path_to_company:
                    lookup = f"{f.name}{path_to_company[f.related_model]}__in"
                    yield model._base_manager.filter(**{lookup: companies})


@transaction.atomic
def demo_purge() -> None:
    """Delete the demo companies and everything in them (the demo users stay)."""
    companies = Company.objects.filter(code__in=[c.code for c in COMPANIES])
    pending = list(_rows_of(companies))
    # Protected foreign keys decide the order; retry until every table lets go.
    for _ in range(len(pending) + 1):
        blocked = []
        for rows in pending:
            try:
                with transaction.atomic():
                    rows.delete()
            except (ProtectedError, RestrictedError):
                blocked.append(rows)
        if not blocked:
            break
        pending = blocked
    companies.delete()


# --- customers and contacts -------------------------------------------------------------


@dataclass
class _Builder:
    """Builds one company's customers and ledger in memory, then writes them in bulk."""

    spec: DemoCompany
    company: Company
    controllers: list[User]
    today: dt.date
    rng: random.Random
    entries: list[LedgerEntry] = field(default_factory=list)
    applications: list[tuple[LedgerEntry, LedgerEntry, Decimal, dt.date]] = field(
        default_factory=list
    )
    numbers: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def german(self) -> bool:
        return self.spec.country == "DE"

    def customers(self) -> list[Customer]:
        rng, customers, names, codes = self.rng, [], set(), set()
        foreign = GB_FOREIGN_CUSTOMERS if not self.german else ()
        for n in range(self.spec.customers):
            if n % 19 == 7 and n // 19 < len(foreign):
                customer = self._foreign_customer(foreign[n // 19])
            else:
                customer = self._home_customer()
            while customer.name in names:
                customer = self._home_customer()
            names.add(customer.name)
            customer.account_code = self._account_code(customer.name, n, codes)
            customer.external_ref = f"{self.spec.prefix}-CUS-{n + 1:05d}"
            customer.payment_terms_days = rng.choice(PAYMENT_TERMS)
            customer.debtor_rating = rng.choices(
                [DebtorRating.GOOD, DebtorRating.NORMAL, DebtorRating.BAD], [50, 35, 15]
            )[0]
            # A few unassigned accounts give the manager something to assign.
            if rng.random() > 0.04:
                customer.controller = self.controllers[n % len(self.controllers)]
            customers.append(customer)
        bad = [c for c in customers if c.debtor_rating == DebtorRating.BAD]
        for customer in rng.sample(bad, min(4, len(bad))):
            customer.on_hold = True
        for customer in rng.sample([c for c in customers if not c.on_hold], 2):
            customer.exclude_from_followups = True
        return Customer.objects.bulk_create(customers)

    def _customer(self, name: str, **fields: Any) -> Customer:
        size = math.exp(self.rng.uniform(math.log(800), math.log(30000)))
        customer = Customer(
            company=self.company, name=name, email=f"accounts@{_domain(name)}",
            credit_limit=Decimal(max(1000, round(size * 3 / 500) * 500)), **fields,
        )  # fmt: skip
        customer.size = size  # the largest invoice it is likely to get
        return customer

    def _home_customer(self) -> Customer:
        rng = self.rng
        if self.german:
            city, low, high, area = rng.choice(DE_CITIES)
            forms, surnames, trades = DE_NAME_FORMS, DE_SURNAMES, DE_TRADES
            address = f"{rng.choice(DE_STREETS)} {rng.randint(1, 180)}"
            postcode = str(rng.randint(low, high))
            phone = f"{area} {rng.randint(200000, 9899999)}"
        else:
            city, area, districts, prefix = rng.choice(GB_CITIES)
            forms, surnames, trades = GB_NAME_FORMS, GB_SURNAMES, GB_TRADES
            address = (
                f"{rng.randint(1, 240)} {rng.choice(GB_STREETS)}"
                if rng.random() < 0.7
                else f"Unit {rng.randint(1, 30)}, {rng.choice(surnames)} Business Park"
            )
            letters = "".join(rng.choice(GB_INWARD_LETTERS) for _ in range(2))
            postcode = f"{area}{rng.choice(districts)} {rng.randint(1, 9)}{letters}"
            phone = f"{prefix}{rng.randint(0, 999):03d}"
        surname, surname2 = rng.sample(surnames, 2)
        name = rng.choice(forms).format(
            surname=surname, surname2=surname2, trade=rng.choice(trades), city=city
        )
        return self._customer(
            name, address_line1=address, city=city, postcode=postcode,
            country=self.spec.country, phone=phone, currency=self.spec.base_currency,
        )  # fmt: skip

    def _foreign_customer(self, row: tuple[str, ...]) -> Customer:
        name, country, city, postcode, address, currency = row
        phone = FOREIGN_PHONES[country].format(self.rng.randint(0, 99))
        return self._customer(
            name, address_line1=address, city=city, postcode=postcode, country=country,
            phone=phone, currency=currency,
        )  # fmt: skip

    def _account_code(self, name: str, n: int, taken: set[str]) -> str:
        if self.german:
            code = str(10001 + n)  # German ledgers number their debtors
        else:
            stem = "".join(ch for ch in name.upper() if ch.isalpha())[:4]
            number = 1
            while f"{stem}{number:03d}" in taken:
                number += 1
            code = f"{stem}{number:03d}"
        taken.add(code)
        return code

    def contacts(self, customers: list[Customer]) -> list[Contact]:
        rng, contacts = self.rng, []
        first_names = DE_FIRST_NAMES if self.german else GB_FIRST_NAMES
        last_names = DE_SURNAMES if self.german else GB_SURNAMES
        positions = DE_POSITIONS if self.german else GB_POSITIONS
        for customer in customers:
            for i in range(rng.choice((1, 1, 2, 2, 3))):
                first, last = rng.choice(first_names), rng.choice(last_names)
                mobile = (
                    f"0151 {rng.randint(1000000, 9999999)}"
                    if self.german
                    else f"{GB_MOBILE}{rng.randint(0, 999):03d}"
                )
                contacts.append(Contact(
                    customer=customer, first_name=first, last_name=last,
                    position=positions[0] if i == 0 else rng.choice(positions[1:]),
                    phone=customer.phone, mobile=mobile,
                    email=f"{_slug(first)}.{_slug(last)}@{_domain(customer.name)}",
                    is_credit_contact=i == 0,
                    external_ref=f"{customer.external_ref}-{i + 1}",
                ))  # fmt: skip
        return Contact.objects.bulk_create(contacts)

    # --- the ledger ----------------------------------------------------------------------

    def _entry(self, customer: Customer, kind: str, on: dt.date, amount: Decimal,
               *, due: dt.date | None = None, description: str = "") -> LedgerEntry:  # fmt: skip
        """A new entry, signed as its type requires; remaining is settled later."""
        prefixes = {
            EntryType.INVOICE: ("RE-" if self.german else "INV", 100000),
            EntryType.CREDIT_NOTE: ("GS-" if self.german else "CRN", 200000),
            EntryType.PAYMENT: ("ZE-" if self.german else "REC", 300000),
            EntryType.DEBIT_MEMO: ("LB-" if self.german else "DBM", 400000),
        }
        letters, base = prefixes[kind]
        self.numbers[kind] += 1
        document_no = f"{letters}{base + self.numbers[kind]}"
        signed = amount if kind in (EntryType.INVOICE, EntryType.DEBIT_MEMO) else -amount
        rate = Decimal(1)
        if customer.currency != self.spec.base_currency:
            # Units of LCY for one unit of the entry's currency, drifting a little by date.
            central = Decimal("0.85") if customer.currency == "EUR" else Decimal("0.79")
            rate = (central * Decimal(str(1 + self.rng.uniform(-0.025, 0.025)))).quantize(
                Decimal("0.000001")
            )
        entry = LedgerEntry(
            company=self.company, customer=customer, entry_type=kind, document_no=document_no,
            document_date=on, due_date=due or on, description=description,
            currency=customer.currency, exchange_rate=rate, amount=signed, remaining=signed,
            external_ref=f"{self.spec.prefix}-{document_no}",
        )  # fmt: skip
        self.entries.append(entry)
        return entry

    def _apply(self, credit: LedgerEntry, debit: LedgerEntry, amount: Decimal, on: dt.date):
        amount = min(amount, debit.remaining, -credit.remaining)
        if amount > 0:
            debit.remaining -= amount
            credit.remaining += amount
            self.applications.append((credit, debit, amount, on))

    def ledger(self, customer: Customer) -> None:
        """Six months of one customer's invoices, the credit notes and payments against them.

        1. Invoices on random dates, due after the customer's terms.
        2. Some get a credit note a few days later, most of them applied at once.
        3. Those whose payment date (due date plus the rating's delay) has come are
           paid, in full or in part, by remittances that group a week's invoices.
        4. Now and then cash arrives that matches nothing: an overpayment or a
           payment on account, left unapplied.
        """
        rng, words = self.rng, DE_WORDS if self.german else GB_WORDS
        pay_chance, part_chance, (early, late) = PAYING_HABITS[customer.debtor_rating]
        remittances: dict[dt.date, list[tuple[LedgerEntry, Decimal, dt.date]]] = defaultdict(list)
        days = sorted(rng.randint(0, HISTORY_DAYS) for _ in range(rng.randint(5, 14)))
        for ago in reversed(days):
            on = self.today - dt.timedelta(days=ago)
            amount = _money(math.exp(rng.uniform(math.log(60), math.log(customer.size))))
            invoice = self._entry(
                customer, EntryType.INVOICE, on, amount,
                due=on + dt.timedelta(days=customer.payment_terms_days),
                description=rng.choice(words["invoice"]).format(n=rng.randint(4000, 9999)),
            )  # fmt: skip
            credit_on = on + dt.timedelta(days=rng.randint(2, 20))
            if rng.random() < 0.08 and credit_on <= self.today:
                note = self._entry(
                    customer, EntryType.CREDIT_NOTE, credit_on,
                    _money(float(amount) * rng.uniform(0.05, 0.4)),
                    description=rng.choice(words["credit_note"]),
                )  # fmt: skip
                if rng.random() < 0.65:
                    self._apply(note, invoice, -note.amount, credit_on)
            paid_on = invoice.due_date + dt.timedelta(days=rng.randint(early, late))
            if paid_on <= self.today and rng.random() < pay_chance:
                share = rng.uniform(0.3, 0.8) if rng.random() < part_chance else 1
                week = paid_on - dt.timedelta(days=paid_on.weekday())
                remittances[week].append(
                    (invoice, _money(float(invoice.remaining) * share), paid_on)
                )
        for lines in remittances.values():
            paid_on = max(line[2] for line in lines)
            total = sum((line[1] for line in lines), Decimal(0))
            if rng.random() < 0.04:  # an overpayment: the surplus stays unapplied
                total += _money(rng.uniform(5, 250))
            payment = self._entry(customer, EntryType.PAYMENT, paid_on, total,
                                  description=rng.choice(words["payment"]))  # fmt: skip
            for invoice, amount, _ in lines:
                self._apply(payment, invoice, amount, paid_on)
        if rng.random() < 0.12:
            on = self.today - dt.timedelta(days=rng.randint(1, 60))
            self._entry(customer, EntryType.PAYMENT, on, _money(rng.uniform(50, customer.size / 2)),
                        description=words["on_account"])  # fmt: skip
        if customer.debtor_rating == DebtorRating.BAD and rng.random() < 0.4:
            on = self.today - dt.timedelta(days=rng.randint(5, 40))
            self._entry(customer, EntryType.DEBIT_MEMO, on, _money(rng.uniform(15, 120)),
                        due=on + dt.timedelta(days=14),
                        description=rng.choice(words["debit_memo"]))  # fmt: skip

    def write_ledger(self) -> None:
        for entry in self.entries:
            entry.amount_lcy = to_lcy(entry.amount, entry.exchange_rate)
            entry.remaining_lcy = to_lcy(entry.remaining, entry.exchange_rate)
        LedgerEntry.objects.bulk_create(self.entries, batch_size=500)
        Application.objects.bulk_create(
            [
                Application(
                    company=self.company,
                    credit_entry=credit,
                    debit_entry=debit,
                    amount=amount,
                    applied_on=on,
                    external_ref=f"{self.spec.prefix}-APP-{n:06d}",
                )
                for n, (credit, debit, amount, on) in enumerate(self.applications, start=1)
            ],
            batch_size=500,
        )


@transaction.atomic
def demo_create(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Build the demo companies, their customers, contacts and ledgers, and the demo users.

    Returns what it made, per company. Assumes no demo company exists (``demo_purge``
    first to rebuild). ``today`` is for tests; by default each company's own today.
    """
    companies = [
        Company.objects.create(
            code=spec.code,
            name=spec.name,
            base_currency=spec.base_currency,
            time_zone=spec.time_zone,
            address=spec.address,
            email=spec.email,
            phone=spec.phone,
            # Rheinland's customers get their reminders, statements and page in German.
            language="de" if spec.country == "DE" else "en",
        )
        for spec in COMPANIES
    ]
    users = {u.username: u for u in demo_users_ensure(companies)}
    controllers = [u for u in users.values() if u.groups.filter(name=roles.CONTROLLER).exists()]
    summary = []
    for seed_offset, (spec, company) in enumerate(zip(COMPANIES, companies, strict=True)):
        builder = _Builder(
            spec=spec, company=company, controllers=controllers,
            today=today or company.today(), rng=random.Random(SEED + seed_offset),
        )  # fmt: skip
        customers = builder.customers()
        contacts = builder.contacts(customers)
        for customer in customers:
            builder.ledger(customer)
        builder.write_ledger()
        summary.append({
            "company": company, "customers": len(customers), "contacts": len(contacts),
            "entries": len(builder.entries), "applications": len(builder.applications),
        })  # fmt: skip
    return summary
