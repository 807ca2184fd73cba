"""The header's global search: customers, contacts, document numbers; only what the user
may see; the entry opens on the card with its row highlighted."""

from __future__ import annotations

import pytest

from ledger.search import global_search
from tests.factories import ContactFactory, CustomerFactory, EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, other_company):
    mine = CustomerFactory(company=company, name="Harbour Joinery", account_code="HJ001",
                           external_ref="SAGE-HJ")  # fmt: skip
    theirs = CustomerFactory(company=other_company, name="Harbour Bakery", account_code="HB001")
    contact = ContactFactory(customer=mine, first_name="Priya", last_name="Natarajan",
                             email="priya@harbour.example", phone="0113 496 0000")  # fmt: skip
    entry = EntryFactory(customer=mine, document_no="INV-77812")
    EntryFactory(customer=theirs, document_no="INV-77813")
    return mine, theirs, contact, entry


@pytest.mark.parametrize("text", ["harbour", "HJ001", "SAGE-HJ"])
def test_customers_by_name_code_or_external_ref(controller, world, text):
    assert [c.name for c in global_search(user=controller, text=text).customers] == [
        "Harbour Joinery"]  # fmt: skip


@pytest.mark.parametrize("text", ["Priya Natarajan", "natarajan", "priya@harbour", "496 0000"])
def test_contacts_by_name_email_or_phone(controller, world, text):
    assert [c.last_name for c in global_search(user=controller, text=text).contacts] == [
        "Natarajan"]  # fmt: skip


def test_entries_by_document_number_only_of_my_companies(controller, world):
    assert [e.document_no for e in global_search(user=controller, text="INV-778").entries] == [
        "INV-77812"]  # fmt: skip


def test_one_character_searches_nothing(controller, world):
    assert not global_search(user=controller, text="h")


def test_header_search_fragment_and_page(client, controller, world):
    mine, _theirs, _contact, entry = world
    client.force_login(controller)
    fragment = client.get("/search/", {"q": "INV-7781"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html
    assert f"/customers/{mine.pk}/entries/?entry={entry.pk}" in html
    assert "INV-77813" not in html
    page = client.get("/search/", {"q": "harbour"}).content.decode()
    assert "Harbour Joinery" in page and "Harbour Bakery" not in page


def test_the_entry_opens_highlighted_on_its_page(client, controller, world):
    mine, _theirs, _contact, entry = world
    for n in range(105):
        EntryFactory(
            customer=mine, document_no=f"EARLY{n:03d}", due_date=entry.due_date.replace(day=1)
        )
    client.force_login(controller)
    page = client.get(f"/customers/{mine.pk}/entries/", {"entry": entry.pk}).content.decode()
    assert f'id="entry-{entry.pk}"' in page
    assert "highlight" in page.split(f'id="entry-{entry.pk}"')[1][:200]


def test_search_box_is_on_every_page(client, controller):
    client.force_login(controller)
    assert 'id="global-search-input"' in client.get("/customers/").content.decode()


def test_search_query_count_is_capped(client, controller, world, django_assert_max_num_queries):
    client.force_login(controller)
    client.get("/search/", {"q": "harbour"}, HTTP_HX_REQUEST="true")
    # Session, user, roles; then two short queries per kind (candidates, rows), whatever
    # the number of matches.
    with django_assert_max_num_queries(10):
        client.get("/search/", {"q": "harbour"}, HTTP_HX_REQUEST="true")
