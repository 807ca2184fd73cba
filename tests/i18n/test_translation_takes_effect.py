"""Issue 14 §1: "a translation can be added without code changes". A catalogue for a
language the project does not ship, compiled with ``msgfmt`` into a folder named in
``LOCALE_PATHS`` and chosen with ``LANGUAGE_CODE`` (configuration only), changes what the
customer card says: template texts, texts with variables, and labels made in Python."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from ledger.models import DebtorRating
from tests.factories import CustomerFactory

CATALOGUE = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Credit limit"
msgstr "Kredietlimiet"

msgid "Ledger entries"
msgstr "Grootboekposten"

msgid "Rating: %(rating)s"
msgstr "Beoordeling: %(rating)s"

msgid "Bad"
msgstr "Slecht"

"""


@pytest.fixture
def dutch(settings, tmp_path):
    """A Dutch catalogue in a folder of its own, and the settings that choose it."""
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(CATALOGUE, encoding="utf-8")
    subprocess.run(
        ["msgfmt", "--check", "-o", str(folder / "django.mo"), str(folder / "django.po")],
        check=True,
    )
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, ("nl", "Nederlands")]
    settings.LANGUAGE_CODE = "nl"
    return tmp_path


@pytest.fixture
def bad_payer(company, controller):
    return CustomerFactory(
        company=company, account_code="BAD1", name="Slow Payer BV", controller=controller,
        debtor_rating=DebtorRating.BAD, credit_limit="5000.00",
    )  # fmt: skip


def test_a_compiled_catalogue_translates_the_card_without_code_changes(
    client, controller, bad_payer, dutch
):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-card", args=[bad_payer.pk])).content.decode()
    assert "Kredietlimiet" in html  # {% translate %} in the template
    assert "Grootboekposten" in html  # a tab label made in Python (gettext_lazy)
    assert "Beoordeling: Slecht" in html  # {% blocktranslate %} with a Python choice label
    assert "Credit limit" not in html and "Ledger entries" not in html


def test_without_the_catalogue_the_card_is_in_english(client, controller, bad_payer):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-card", args=[bad_payer.pk])).content.decode()
    assert "Credit limit" in html and "Ledger entries" in html and "Rating: Bad" in html
    assert "Kredietlimiet" not in html
