"""The customer statement and the reminder letters as PDFs, checked by the text they print."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from communications.models import LetterStyle
from followups.documents import ageing, document_store, letter_pdf, statement_pdf
from followups.models import Document
from followups.placeholders import fill
from followups.plans import plan_for
from ledger.models import EntryType, LedgerEntry
from tests.factories import ContactFactory, EntryFactory, UserFactory, payment
from tests.followups.pdf_text import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 23)


def invoice(customer, no, days_overdue, amount, **kwargs):
    due = AS_OF - dt.timedelta(days=days_overdue)
    return EntryFactory(customer=customer, document_no=no, due_date=due,
                        document_date=due - dt.timedelta(days=30), amount=Decimal(amount),
                        **kwargs)  # fmt: skip


@pytest.fixture
def account(company, customer):
    """Open items on each side of every ageing boundary, a part-paid USD invoice, an open
    credit note, unapplied cash, and a paid invoice that must not be printed."""
    company.address = "1 High Street\nLeeds LS1 1AA"
    company.email = "credit@acme.example"
    company.phone = "0113 496 0000"
    company.save()
    customer.address_line1, customer.city, customer.postcode = "7 Mill Lane", "York", "YO1 7HH"
    customer.save()
    ContactFactory(customer=customer, first_name="Jane", last_name="Doe", is_credit_contact=True)
    for no, days, amount in [
        ("INV-NOTDUE", 0, "500.00"), ("INV-1D", 1, "100.10"), ("INV-30D", 30, "200.20"),
        ("INV-31D", 31, "300.30"), ("INV-60D", 60, "60.00"), ("INV-61D", 61, "400.40"),
        ("INV-90D", 90, "90.00"), ("INV-91D", 91, "91.91"),
    ]:  # fmt: skip
        invoice(customer, no, days, amount)
    invoice(customer, "INV-USD", 10, "1000.00", currency="USD", exchange_rate=Decimal("0.8"),
            remaining=Decimal("250.00"))  # fmt: skip
    EntryFactory(customer=customer, entry_type=EntryType.CREDIT_NOTE, document_no="CN-1",
                 amount=Decimal("-75.50"), document_date=dt.date(2026, 11, 20),
                 due_date=dt.date(2026, 11, 20))  # fmt: skip
    payment(customer, "20.00", document_no="PAY-1")
    invoice(customer, "INV-PAID", 40, "999.99", remaining=Decimal("0.00"))
    return customer


def test_ageing_buckets_to_the_penny_per_currency_and_in_lcy(account):
    aged = ageing(LedgerEntry.objects.filter(customer=account).open(), AS_OF)
    assert aged["labels"] == ["Not yet due", "1-30", "31-60", "61-90", "Over 90"]
    gbp, usd = aged["rows"]
    # 0 days is not yet due; 30 is the last day of 1-30, 60 of 31-60, 90 of 61-90. The
    # credit note (3 days) and the unapplied cash (53 days) age by their own dates.
    assert (gbp["currency"], gbp["buckets"], gbp["total"]) == ("GBP", [
        Decimal("500.00"), Decimal("224.80"), Decimal("340.30"), Decimal("490.40"),
        Decimal("91.91")], Decimal("1647.41"))  # fmt: skip
    assert (usd["currency"], usd["buckets"], usd["total"]) == ("USD", [
        Decimal("0.00"), Decimal("250.00"), Decimal("0.00"), Decimal("0.00"),
        Decimal("0.00")], Decimal("250.00"))  # fmt: skip
    assert aged["lcy"]["buckets"] == [Decimal("500.00"), Decimal("424.80"), Decimal("340.30"),
                                      Decimal("490.40"), Decimal("91.91")]  # fmt: skip
    assert aged["lcy"]["total"] == Decimal("1847.41")


def test_statement_prints_the_header_every_open_item_ageing_and_totals(account):
    text = pdf_text(statement_pdf(customer=account, as_of=AS_OF))
    lines = text.splitlines()
    # The company's header and the customer's address.
    for expected in ("Acme Trading Ltd", "1 High Street", "Leeds LS1 1AA", "credit@acme.example",
                     "0113 496 0000", "Bolt & Nut Ltd", "For the attention of Jane Doe",
                     "7 Mill Lane", "York", "YO1 7HH", "Date 23 Nov 2026",
                     "Account ACC001", "Statement of account"):  # fmt: skip
        assert expected in text, expected
    # Every open item once, with its days overdue; the paid invoice not at all.
    open_nos = (
        LedgerEntry.objects.filter(customer=account).open().values_list("document_no", flat=True)
    )
    for no in open_nos:
        assert sum(no in line.split() for line in lines) == 1, no
    assert "INV-PAID" not in text
    assert "25/07/2026 INV-91D Invoice 24/08/2026 91 GBP 91.91 91.91" in lines
    assert "24/10/2026 INV-NOTDUE Invoice 23/11/2026 GBP 500.00 500.00" in lines
    assert "14/10/2026 INV-USD Invoice 13/11/2026 10 USD 1,000.00 250.00" in lines
    assert "20/11/2026 CN-1 Credit note 20/11/2026 GBP -75.50 -75.50" in lines
    # Totals per currency, the ageing per currency and in LCY, and the balance.
    assert "Total GBP 1,647.41 1,647.41" in lines
    assert "Total USD 1,000.00 250.00" in lines
    assert "GBP 500.00 224.80 340.30 490.40 91.91 1,647.41" in lines
    assert "USD 0.00 250.00 0.00 0.00 0.00 250.00" in lines
    assert "In GBP 500.00 424.80 340.30 490.40 91.91 1,847.41" in lines
    assert "Balance due 1,647.41 GBP and 250.00 USD" in lines
    assert (
        "Balance due: 1,647.41 GBP and 250.00 USD (1,847.41 GBP in all, at the rates of the "
        "documents)."
    ) in text.replace("\n", " ")
    assert "Page 1 of" in text


def test_a_customer_with_nothing_open_gets_a_statement_saying_so(customer):
    text = pdf_text(statement_pdf(customer=customer, as_of=AS_OF))
    assert "There are no open items on your account." in text
    assert pdf_pages(statement_pdf(customer=customer, as_of=AS_OF)) == 1


def test_a_long_statement_runs_onto_numbered_pages(customer):
    for n in range(60):
        invoice(customer, f"LONG-{n:03d}", n, "10.00")
    content = statement_pdf(customer=customer, as_of=AS_OF)
    pages = pdf_pages(content)
    assert pages >= 2
    text = pdf_text(content)
    assert f"Page {pages} of {pages}" in text
    assert all(f"LONG-{n:03d}" in text for n in range(60))
    assert "Total GBP 600.00 600.00" in text


LETTER_TEXT = (
    "Dear {contact},\n\nThe invoices below, {total} in all, are overdue on account "
    "{customer}. Ref {reference}.\n\n{entries}\n\nYours sincerely,\n{controller}"
)


@pytest.mark.parametrize(
    ("style", "heading"),
    [
        (LetterStyle.STANDARD, "Payment reminder"),
        (LetterStyle.FRIENDLY, "A friendly reminder"),
        (LetterStyle.FIRM, "Overdue account: payment required"),
        (LetterStyle.FINAL, "FINAL DEMAND"),
    ],
)
def test_letter_prints_the_filled_text_and_a_table_of_entries(account, style, heading):
    account.controller = UserFactory(first_name="Carol", last_name="Clark")
    account.save()
    level = plan_for(account.company).levels.get(sequence=4)
    entries = list(LedgerEntry.objects.filter(customer=account, document_no__in=[
        "INV-31D", "INV-91D", "INV-1D"]))  # fmt: skip
    content = letter_pdf(customer=account, level=level, entries=entries, text=LETTER_TEXT,
                         as_of=AS_OF, letter_style=style)  # fmt: skip
    text = pdf_text(content)
    lines = text.splitlines()
    assert heading in lines
    assert ("FINAL DEMAND BEFORE FURTHER ACTION" in text) is (style == LetterStyle.FINAL)
    for expected in ("Acme Trading Ltd", "1 High Street", "Bolt & Nut Ltd", "7 Mill Lane",
                     "Date 23 Nov 2026", "Dear Jane Doe,", "Carol Clark",
                     "Our reference: ACC001 · Formal letter"):  # fmt: skip
        assert expected in text, expected
    assert "492.31 GBP in all" in text  # 100.10 + 300.30 + 91.91
    assert "Ref {reference}." in text  # an unknown placeholder stays as typed
    # The entries as a table, oldest first, with days overdue and a total.
    table = lines.index("Document Date Due date Days overdue Currency Remaining")
    assert lines[table + 1 : table + 5] == [
        "INV-91D 25/07/2026 24/08/2026 91 GBP 91.91",
        "INV-31D 23/09/2026 23/10/2026 31 GBP 300.30",
        "INV-1D 23/10/2026 22/11/2026 1 GBP 100.10",
        "Total GBP 492.31",
    ]
    assert "Yours sincerely," in lines[table + 5 :]
    assert "Page 1 of 1" in text


def test_a_letter_text_filled_already_still_gets_the_real_table(account):
    entries = list(LedgerEntry.objects.filter(customer=account, document_no="INV-61D"))
    # Filled when the proposal was executed, printed later by the outbox: a payment came in
    # between, so the table shows what is left now.
    filled = fill(LETTER_TEXT, customer=account, entries=entries, as_of=AS_OF)
    entries[0].remaining = Decimal("400.00")
    text = pdf_text(letter_pdf(customer=account, level=None, entries=entries, text=filled,
                               as_of=AS_OF, letter_style=LetterStyle.STANDARD))  # fmt: skip
    lines = text.splitlines()
    assert "INV-61D 24/08/2026 23/09/2026 61 GBP 400.00" in lines
    assert "400.40 GBP in all" in text
    # The plain-text table of the email is not printed as well.
    assert "Document Date Due date Currency Remaining" not in lines
    assert "Total GBP: 400.40" not in text


def test_an_unknown_letter_style_prints_as_standard(account):
    text = pdf_text(letter_pdf(customer=account, level=None, entries=[], text="Hello {customer}",
                               as_of=AS_OF, letter_style="bogus"))  # fmt: skip
    assert "Payment reminder" in text
    assert "Hello Bolt & Nut Ltd" in text


def test_documents_fetch_nothing_from_the_network(monkeypatch):
    """A template asking for a remote font, stylesheet or image is printed without them."""
    import socket

    import followups.documents as documents

    tried = []

    def no_connection(address, *args, **kwargs):
        tried.append(address)
        raise OSError("offline")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    monkeypatch.setattr(documents, "render_to_string", lambda *a, **k: (
        '<html><head><link rel="stylesheet" href="http://192.0.2.1/fonts.css">'
        '<style>@font-face { font-family: Web; src: url(https://192.0.2.1/web.woff2); }'
        'p { font-family: Web; }</style></head>'
        '<body><p>Offline</p><img src="http://192.0.2.1/logo.png"><img src="logo.png"></body>'
        '</html>'
    ))  # fmt: skip
    content = documents.render_pdf("any.html", {})
    assert "Offline" in pdf_text(content)
    assert tried == []


def test_document_store_keeps_the_pdf_for_the_customer(account):
    content = statement_pdf(customer=account, as_of=AS_OF)
    doc = document_store(customer=account, kind=Document.Kind.STATEMENT,
                         filename="statement-ACC001-2026-11-23.pdf", content=content)  # fmt: skip
    doc.refresh_from_db()
    assert (doc.company_id, doc.customer_id, doc.kind) == (account.company_id, account.pk,
                                                           "statement")  # fmt: skip
    assert bytes(doc.content) == content
    with pytest.raises(ValueError, match="Unknown document kind"):
        document_store(customer=account, kind="fax", filename="x.pdf", content=b"%PDF-")
