"""The charges on the customer's documents: the proposal's letter PDF shows the interest,
the compensation and the level's reminder fee; the statement PDF shows them too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import time_machine

from charges.models import LevelFee
from tests.factories import EntryFactory, proposal_with_lines
from tests.followups.pdf_text import pdf_text

TODAY = dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC)


def _pdf(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    body = getattr(response, "streaming_content", None)
    return pdf_text(b"".join(body) if body is not None else response.content)


@time_machine.travel(TODAY, tick=False)
def test_the_letter_pdf_shows_interest_compensation_and_fee(client, controller, customer,
                                                            fixed_terms, plan):  # fmt: skip
    fixed_terms.bands.create(from_amount=D("0"), amount=D("40"))
    level = plan.levels.get(sequence=2)
    LevelFee.objects.create(level=level, fee=D("5.00"))
    invoice = EntryFactory(customer=customer, document_no="INV-15D", amount=D("100.00"),
                           document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip
    proposal = proposal_with_lines(customer, 2, [(invoice, 2)], run_date=dt.date(2026, 1, 16))
    client.force_login(controller)
    response = client.get(f"/proposals/{proposal.pk}/letter.pdf")
    assert response.status_code == 200
    lines = pdf_text(b"".join(response.streaming_content)).splitlines()
    assert "Late-payment charges" in lines
    assert "INV-15D 15 GBP 0.41 40.00" in lines
    assert "Reminder fee 5.00" in lines
    assert "Total charges in GBP 45.41" in lines


@time_machine.travel(TODAY, tick=False)
def test_the_statement_shows_the_charges_and_none_without_terms(client, controller, customer,
                                                               plan):  # fmt: skip
    EntryFactory(customer=customer, document_no="INV-15D", amount=D("100.00"),
                 document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip
    client.force_login(controller)
    url = f"/customers/{customer.pk}/statement.pdf"
    assert "Late-payment charges" not in _pdf(client, url)
    from charges.models import ChargeTerms

    ChargeTerms.objects.create(plan=plan, interest="fixed", fixed_rate=D("10"))
    text = _pdf(client, url)
    assert "INV-15D 15 GBP 0.41 0.00" in text.splitlines()
    assert "Total charges in GBP 0.41" in text.splitlines()


@time_machine.travel(TODAY, tick=False)
def test_a_german_customer_reads_the_charges_in_german(client, controller, customer,
                                                       fixed_terms, plan):  # fmt: skip
    customer.language = "de"
    customer.save()
    level = plan.levels.get(sequence=2)
    LevelFee.objects.create(level=level, fee=D("5.00"))
    invoice = EntryFactory(customer=customer, document_no="INV-15D", amount=D("100.00"),
                           document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip
    proposal = proposal_with_lines(customer, 2, [(invoice, 2)], run_date=dt.date(2026, 1, 16))
    client.force_login(controller)
    text = _pdf(client, f"/proposals/{proposal.pk}/letter.pdf")
    assert "Verzugskosten" in text
    assert "Mahngebühr 5,00" in text
    assert "Kosten gesamt in GBP 5,41" in text
