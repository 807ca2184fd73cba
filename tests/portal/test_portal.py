"""The self-service page: open items, statement and copies, dispute, promise, how to pay,
in the customer's language, without JavaScript; every visit and action on the timeline;
rate-limited; a bad, expired or revoked link reveals nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from communications.links import link_for, links_revoke
from communications.models import Communication, Dispute, Notification, Promise
from events.models import Event
from followups.engine import chaseable_entries
from followups.plans import plan_for
from ledger.entry_documents import entry_document_set
from portal.models import PortalSettings
from tests.factories import EntryFactory
from tests.followups.pdf_text import pdf_text
from tests.reach_helpers import tiny_pdf

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(customer, controller, clock):
    customer.controller = controller
    customer.language = "de"
    customer.save()
    late = EntryFactory(customer=customer, document_no="RE-1001", amount="1234.56",
                        due_date=dt.date(2026, 11, 1))  # fmt: skip
    soon = EntryFactory(customer=customer, document_no="RE-1002", amount="200.00",
                        due_date=dt.date(2026, 12, 10))  # fmt: skip
    entry_document_set(user=controller, entry=late, upload=tiny_pdf("RE-1001"), filename="x.pdf")
    return customer, late, soon, link_for(customer)


def url(link, tail: str = "") -> str:
    return f"/self-service/{link.token}/{tail}"


@pytest.mark.django_db
def test_page_shows_open_items_in_the_customers_language_and_records_one_visit(client, account):
    customer, _late, _soon, link = account
    page = client.get(url(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="de"' in html and "Offene Posten" in html and "RE-1001" in html
    assert "1.234,56" in html  # German separators
    assert "<script" not in html  # works without JavaScript
    client.get(url(link))
    visits = Communication.objects.filter(customer=customer, contact_type="portal")
    assert visits.count() == 1 and visits.get().source == "portal"
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_bad_expired_and_revoked_links_say_so_and_reveal_nothing(client, account, controller,
                                                                 clock):  # fmt: skip
    customer, _late, _soon, link = account
    bad = client.get("/self-service/not-a-token/")
    assert bad.status_code == 404 and customer.name not in bad.content.decode()
    links_revoke(user=controller, customer=customer)
    revoked = client.get(url(link))
    assert revoked.status_code == 404 and revoked.content == bad.content
    fresh = link_for(customer)
    clock.move_to(fresh.expires_at + dt.timedelta(seconds=1))
    expired = client.get(url(fresh))
    assert expired.status_code == 404 and expired.content == bad.content


@pytest.mark.django_db
def test_dispute_is_recorded_controller_notified_and_chasing_of_it_stops(client, account,
                                                                         controller):  # fmt: skip
    customer, late, _soon, link = account
    plan = plan_for(customer.company)
    before = {e.pk for e in chaseable_entries(company=customer.company, plan=plan,
                                              as_of=NOW.date())}  # fmt: skip
    assert late.pk in before
    response = client.post(url(link, "dispute/"), {"entry": late.pk,
                                                   "reason": "Ware beschädigt geliefert"})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?done=dispute")
    dispute = Dispute.objects.get(entry=late)
    assert (dispute.amount, dispute.reason, dispute.owner) == (Decimal("1234.56"), "Ware beschädigt "
                                                               "geliefert", controller)  # fmt: skip
    assert Notification.objects.filter(user=controller, customer=customer).exists()
    after = {e.pk for e in chaseable_entries(company=customer.company, plan=plan,
                                             as_of=NOW.date())}  # fmt: skip
    assert late.pk not in after
    assert Event.objects.filter(kind="portal.action", payload__action="dispute").exists()
    assert Event.objects.filter(kind="dispute.opened").exists()
    again = client.post(url(link, "dispute/"), {"entry": late.pk, "reason": "again"})
    assert again.status_code == 400 and Dispute.objects.count() == 1


@pytest.mark.django_db
def test_promise_is_recorded_for_the_chosen_invoices(client, account):
    _customer, late, soon, link = account
    response = client.post(url(link, "promise/"), {"entries": [soon.pk],
                                                   "promised_on": "2026-12-05"})  # fmt: skip
    assert response.status_code == 302
    promise = Promise.objects.get()
    assert list(promise.entries.all()) == [soon] and promise.promised_on == dt.date(2026, 12, 5)
    assert promise.amount == Decimal("200.00") and promise.is_full
    subjects = list(Communication.objects.filter(contact_type="portal")
                    .values_list("subject", flat=True))  # fmt: skip
    assert any("promised by 05 Dec 2026" in s for s in subjects)
    past = client.post(url(link, "promise/"), {"entries": [late.pk], "promised_on": "2026-11-01"})
    assert past.status_code == 400


@pytest.mark.django_db
def test_another_customers_entry_cannot_be_disputed_or_downloaded(client, account, company):
    _customer, _late, _soon, link = account
    from tests.factories import CustomerFactory

    other = EntryFactory(customer=CustomerFactory(company=company))
    assert client.post(url(link, "dispute/"), {"entry": other.pk, "reason": "x"}).status_code == 400
    assert client.get(url(link, f"copies/{other.pk}.pdf")).status_code == 404
    assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_statement_and_copy_download_in_german_and_on_the_timeline(client, account):
    _customer, late, _soon, link = account
    copy = client.get(url(link, f"copies/{late.pk}.pdf"))
    assert copy.status_code == 200 and copy["Content-Type"] == "application/pdf"
    assert b"".join(copy.streaming_content if copy.streaming else [copy.content]).startswith(
        b"%PDF-"
    )
    statement = client.get(url(link, "statement.pdf"))
    text = pdf_text(statement.content)
    assert "Kontoauszug" in text and "1.234,56" in text and "Rechnung" in text
    subjects = set(Communication.objects.filter(contact_type="portal")
                   .values_list("subject", flat=True))  # fmt: skip
    assert {
        "Self-service page: copy of RE-1001 downloaded",
        "Self-service page: statement downloaded",
    } <= subjects


@pytest.mark.django_db
def test_how_to_pay_shows_bank_details_reference_and_pay_now(client, account):
    customer, _late, _soon, link = account
    PortalSettings.objects.create(
        company=customer.company, bank_details="IBAN DE02 1234 5678 9012 3456 78",
        pay_url_template="https://pay.example.com/?amount={amount}&cur={currency}&ref={reference}",
    )  # fmt: skip
    html = client.get(url(link)).content.decode()
    assert "IBAN DE02" in html and customer.payment_reference in html
    assert ("https://pay.example.com/?amount=1234.56&amp;cur=GBP&amp;ref="
            f"{customer.payment_reference}") in html  # fmt: skip


@pytest.mark.django_db
def test_page_is_rate_limited_per_address(client, account, settings):
    _customer, _late, _soon, link = account
    settings.PORTAL_RATE_PER_MINUTE = 3
    codes = [client.get(url(link)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/self-service/guess/").status_code == 429


@pytest.mark.django_db
def test_settings_page_is_for_managers(client, manager, controller, company):
    client.force_login(controller)
    assert client.get("/settings/self-service/").status_code == 403
    client.force_login(manager)
    assert client.get("/settings/self-service/").status_code == 200
    response = client.post("/settings/self-service/", {
        "company": company.pk, f"c{company.pk}-bank_details": "Sort code 12-34-56",
        f"c{company.pk}-pay_url_template": "https://pay.example.com/{reference}"})  # fmt: skip
    assert response.status_code == 302
    assert PortalSettings.objects.get(company=company).bank_details == "Sort code 12-34-56"


@pytest.mark.django_db
def test_controller_revokes_the_links_from_the_customer_card(client, account, controller,
                                                             outsider):  # fmt: skip
    customer, _late, _soon, link = account
    client.force_login(outsider)
    assert client.post(f"/customers/{customer.pk}/self-service/revoke/").status_code == 404
    client.force_login(controller)
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Revoke self-service links" in card
    assert client.post(f"/customers/{customer.pk}/self-service/revoke/").status_code == 302
    client.logout()
    assert client.get(url(link)).status_code == 404


@pytest.mark.django_db
def test_page_still_shows_when_nobody_at_the_company_can_take_requests(client, customer, clock):
    EntryFactory(customer=customer, document_no="RE-7")
    link = link_for(customer)
    page = client.get(url(link))
    assert page.status_code == 200 and "RE-7" in page.content.decode()
    refused = client.post(url(link, "dispute/"), {"entry": customer.entries.get().pk,
                                                  "reason": "Not ours"})  # fmt: skip
    assert refused.status_code == 400 and not Dispute.objects.exists()


@pytest.mark.django_db
def test_refusals_are_in_the_customers_language_and_the_timeline_in_the_teams(client, account):
    """A German customer reads the page's refusals in German; what the page records on the
    timeline for the controller stays in the team's language and date format."""
    customer, late, soon, link = account
    client.post(url(link, "dispute/"), {"entry": late.pk, "reason": "nie erhalten"})
    again = client.post(url(link, "dispute/"), {"entry": late.pk, "reason": "noch einmal"})
    assert again.status_code == 400
    assert "Diese Rechnung wird bereits geprüft." in again.content.decode()
    client.post(url(link, "promise/"), {"entries": [soon.pk], "promised_on": "2026-12-05"})
    subjects = set(Communication.objects.filter(customer=customer, contact_type="portal")
                   .values_list("subject", flat=True))  # fmt: skip
    assert "Self-service page: invoice RE-1001 queried" in subjects
    assert "Self-service page: payment of RE-1002 promised by 05 Dec 2026" in subjects
