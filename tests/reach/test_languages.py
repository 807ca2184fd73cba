"""Documents in the customer's language: level texts per language with the company's as the
fallback, Django's localisation for money and dates, the default plan in three languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from followups.languages import level_texts, proposal_texts
from followups.models import FollowUpLevelText
from followups.placeholders import fill, money
from followups.plans import plan_for
from tests.factories import CustomerFactory, EntryFactory, proposal_with_lines


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "1,234.56 EUR"), ("de", "1.234,56 EUR"), ("fr", "1\xa0234,56 EUR"),
])  # fmt: skip
def test_money_follows_the_language(language, expected):
    with translation.override(language):
        assert money(Decimal("1234.56"), "EUR") == expected


@pytest.mark.django_db
def test_default_plan_ships_english_german_and_french(company):
    plan = plan_for(company)
    for level in plan.levels.all():
        assert set(level.texts.values_list("language", flat=True)) == {"en", "de", "fr"}
    second = plan.levels.get(sequence=2)
    assert "Zahlungserinnerung" in level_texts(second, "de")["email_subject"]
    assert "rappel de paiement" in level_texts(second, "fr")["email_subject"]
    assert level_texts(second, "en")["email_subject"] == second.email_subject


@pytest.mark.django_db
def test_a_german_companys_levels_are_german_and_other_languages_fall_back_to_them(company):
    company.language = "de"
    company.save()
    level = plan_for(company).levels.get(sequence=2)
    assert "Zahlungserinnerung" in level.email_subject
    assert level_texts(level, "de") == {f: getattr(level, f) for f in
                                        ("email_subject", "email_body", "letter_text")}  # fmt: skip
    assert "payment reminder" in level_texts(level, "en")["email_subject"]
    FollowUpLevelText.objects.filter(level=level, language="fr").update(email_subject="")
    assert level_texts(level, "fr")["email_subject"] == level.email_subject  # field by field
    assert "Madame" in level_texts(level, "fr")["email_body"]
    FollowUpLevelText.objects.filter(level=level).delete()
    assert level_texts(level, "fr")["email_subject"] == level.email_subject


@pytest.mark.django_db
def test_customer_language_chooses_the_proposal_texts_unless_edited(company):
    customer = CustomerFactory(company=company, language="fr")
    entry = EntryFactory(customer=customer, due_date=dt.date(2026, 11, 1))
    proposal = proposal_with_lines(customer, 2, [(entry, 2)])
    assert "rappel de paiement" in proposal_texts(proposal)["email_subject"]
    proposal.texts_edited, proposal.email_subject = True, "Typed by hand"
    assert proposal_texts(proposal)["email_subject"] == "Typed by hand"


@pytest.mark.django_db
def test_placeholders_are_filled_in_the_language(company):
    customer = CustomerFactory(company=company)
    entry = EntryFactory(customer=customer, amount=Decimal("1234.50"), document_date=dt.date(2026, 3, 5),
                         due_date=dt.date(2026, 4, 4))  # fmt: skip
    text = "{date}: {total}\n{entries}"
    with translation.override("de"):
        filled = fill(text, customer=customer, entries=[entry], as_of=dt.date(2026, 5, 1))
    assert filled.startswith("1. Mai 2026: 1.234,50 GBP")
    assert "Beleg" in filled and "Summe GBP: 1.234,50" in filled and "04.04.2026" in filled
    english = fill(text, customer=customer, entries=[entry], as_of=dt.date(2026, 5, 1))
    assert english.startswith("1 May 2026: 1,234.50 GBP") and "Total GBP: 1,234.50" in english


@pytest.mark.django_db
def test_german_letter_keeps_its_entries_table(company):
    from followups.documents import letter_context

    customer = CustomerFactory(company=company, language="de")
    entry = EntryFactory(customer=customer)
    with translation.override("de"):
        text = fill("Sehr geehrte Damen und Herren,\n\n{entries}\n\nGruß", customer=customer,
                    entries=[entry], as_of=dt.date(2026, 12, 1))  # fmt: skip
        context = letter_context(customer=customer, level=None, entries=[entry], text=text,
                                 as_of=dt.date(2026, 12, 1), letter_style="standard")  # fmt: skip
        assert str(context["heading"]) == "Zahlungserinnerung"
    assert {"table": True} in context["segments"]


@pytest.mark.django_db
def test_statement_printed_from_the_card_is_in_the_customers_language(client, controller,
                                                                       company):  # fmt: skip
    from tests.followups.pdf_text import pdf_text

    customer = CustomerFactory(company=company, language="fr")
    EntryFactory(customer=customer, amount=Decimal("1234.50"))
    client.force_login(controller)
    response = client.get(f"/customers/{customer.pk}/statement.pdf")
    text = pdf_text(b"".join(response.streaming_content) if response.streaming
                    else response.content)  # fmt: skip
    assert "Relevé de compte" in text and "234,50" in text


@pytest.mark.django_db
def test_manager_edits_a_levels_texts_in_other_languages(client, manager, controller, company):
    level = plan_for(company).levels.get(sequence=2)
    url = f"/followups/plan/levels/{level.pk}/texts/"
    client.force_login(controller)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "German" in page and "French" in page and 'id="texts-en"' not in page
    bad = client.post(url, {"language": "de", "de-email_subject": "Mahnung {kunde}"})
    assert bad.status_code == 200 and "Unknown placeholder" in bad.content.decode()
    ok = client.post(url, {"language": "de", "de-email_subject": "Mahnung für {customer}",
                           "de-email_body": "Bitte zahlen Sie {total}."})  # fmt: skip
    assert ok.status_code == 302
    texts = level_texts(level, "de")
    assert texts["email_subject"] == "Mahnung für {customer}"
    assert texts["letter_text"] == level.letter_text  # empty: the level's own


@pytest.mark.django_db
def test_plan_and_level_options_of_reaching_the_customer_are_in_the_api(company, manager):
    from tests.conftest import api_as

    plan = plan_for(company)
    level = plan.levels.get(sequence=2)
    api = api_as(manager)
    response = api.patch(f"/api/v1/followup-levels/{level.pk}/", {"attach_invoice_copies": True},
                         format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    level.refresh_from_db()
    assert level.attach_invoice_copies
    plan_json = api.get(f"/api/v1/followup-plans/{plan.pk}/").json()
    assert plan_json["pause_on_reply"] is True
