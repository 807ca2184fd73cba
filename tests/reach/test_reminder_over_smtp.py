"""A reminder in the customer's language with three invoice copies, through a real SMTP
server (aiosmtpd, started by the test): headers, attachments and encodings as received.
The time to render and send it is printed for the issue's note."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import time

import pytest
import time_machine

from communications.links import link_for
from followups.execution import proposal_execute
from followups.outbox import outbox_deliver
from followups.plans import plan_for
from ledger.entry_documents import entry_document_set
from tests.factories import ContactFactory, EntryFactory, proposal_with_lines
from tests.followups.pdf_text import pdf_text
from tests.reach_helpers import tiny_pdf
from tests.servers import smtp_server

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with smtp_server() as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_USE_TLS = False
        settings.DEFAULT_FROM_EMAIL = "Rheinland Handel <buchhaltung@rheinland.example>"
        yield handler


@pytest.mark.django_db
def test_german_reminder_with_three_invoice_copies_over_real_smtp(smtp, customer, controller,
                                                                   capsys):  # fmt: skip
    company = customer.company
    company.language, company.base_currency = "en", "EUR"
    company.save()
    customer.language, customer.currency, customer.controller = "de", "EUR", controller
    customer.save()
    ContactFactory(customer=customer, first_name="Jürgen", last_name="Größ",
                   email="juergen@kunde.example", is_credit_contact=True)  # fmt: skip
    level = plan_for(company).levels.get(sequence=2)
    level.attach_invoice_copies = True
    level.save()
    entries = [EntryFactory(customer=customer, document_no=f"RE-{n}", amount="1234.50",
                            due_date=dt.date(2026, 11, 1)) for n in (1, 2, 3)]  # fmt: skip
    for e in entries:
        entry_document_set(user=controller, entry=e, upload=tiny_pdf(e.document_no),
                           filename=f"{e.document_no}.pdf")  # fmt: skip
    proposal = proposal_with_lines(customer, 2, [(e, 2) for e in entries])
    with time_machine.travel(NOW, tick=True):
        started = time.perf_counter()
        proposal_execute(user=controller, proposal=proposal)
        outbox_deliver()
        seconds = time.perf_counter() - started
    (envelope,) = smtp.messages
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    link = link_for(customer)
    assert envelope.rcpt_tos == ["juergen@kunde.example"]
    # Folded and RFC 2047-encoded, as Python's email package writes a long non-ASCII subject.
    assert (
        str(msg["Subject"]).strip()
        == f"{company.name}: Zahlungserinnerung, 3.703,50 EUR überfällig"
    )
    assert "=?utf-8?q?Acme_Trading" in envelope.original_content.decode("utf-8")
    assert str(msg["Reply-To"]) == f"credit+{link.reply_code}@rheinland.example"
    assert msg["Message-ID"].endswith("@rheinland.example>")
    body = msg.get_body(("plain",)).get_content()
    assert "Sehr geehrte(r) Jürgen Größ" in body and "1.234,50" in body
    assert f"/self-service/{link.token}/" in body
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert names == [f"statement-{customer.account_code}-2026-11-23.pdf", "RE-1.pdf", "RE-2.pdf",
                     "RE-3.pdf"]  # fmt: skip
    statement = next(msg.iter_attachments()).get_content()
    assert "Kontoauszug" in pdf_text(statement) and "3.703,50" in pdf_text(statement)
    copies = [p.get_content() for p in list(msg.iter_attachments())[1:]]
    assert all(c.startswith(b"%PDF-") for c in copies)
    from followups.models import OutboxMessage

    assert OutboxMessage.objects.get().message_id == msg["Message-ID"]
    # Once more for the same customer, WeasyPrint and its fonts loaded: the steady state.
    again = proposal_with_lines(customer, 2, [(e, 2) for e in entries])
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=True):
        started = time.perf_counter()
        proposal_execute(user=controller, proposal=again)
        outbox_deliver()
        warm = time.perf_counter() - started
    assert len(smtp.messages) == 2
    figure = (
        f"reminder with statement and 3 invoice copies rendered and sent over SMTP in "
        f"{seconds:.2f} s (first in the process), {warm:.2f} s (next)"
    )
    with capsys.disabled():
        print(f"\n[figure] {figure}")  # noqa: T201


@pytest.mark.django_db
def test_copies_of_ticked_entries_go_once_over_real_smtp(smtp, client, customer, controller):
    customer.email = "ap@customer.example"
    customer.save()
    with_doc, without = EntryFactory(customer=customer), EntryFactory(customer=customer)
    entry_document_set(user=controller, entry=with_doc, upload=tiny_pdf(), filename="i.pdf")
    client.force_login(controller)
    page = client.get(f"/customers/{customer.pk}/copies/",
                      {"entries": [with_doc.pk, without.pk]})  # fmt: skip
    assert page.status_code == 200 and with_doc.document_no in page.content.decode()
    form = {"entries": [with_doc.pk], "key": "form-1", "to": "ap@customer.example"}
    assert client.post(f"/customers/{customer.pk}/copies/", form).status_code == 302
    assert client.post(f"/customers/{customer.pk}/copies/", form).status_code == 302  # twice
    outbox_deliver()
    (envelope,) = smtp.messages
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert [p.get_filename() for p in msg.iter_attachments()] == [f"{with_doc.document_no}.pdf"]


@pytest.mark.django_db
def test_outsider_cannot_send_copies(client, customer, outsider):
    client.force_login(outsider)
    assert client.get(f"/customers/{customer.pk}/copies/").status_code == 404
