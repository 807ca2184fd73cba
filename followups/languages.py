"""Which language a customer's documents are in, and the texts of a level in it.

Decisions:
- The language is the customer's, else its company's (``Customer.document_language``).
- A level's own texts are in the company's language; its ``FollowUpLevelText`` rows give
  the other languages (a field left empty falls back to the level's own). A proposal
  whose texts a controller edited sends the edited texts as they are.
- Filling and rendering happen under ``translation.override(language)``, so Django's
  localisation formats the money and dates (1.234,56 in German, 1,234.56 in English) and
  the built-in wording (statement, letter headings, footer, page) comes from the
  ``locale/`` catalogues.
- The default plan ships in English, German and French (``DEFAULT_TEXTS`` below, by level
  number; its levels' own texts in the company's language); the statement email likewise
  (``STATEMENT_TEXTS``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from creditcontrol.roles import is_manager
from ledger.audit import audit_record
from ledger.models import AuditEvent, Customer
from ledger.services import require_company

from .models import FollowUpLevel, FollowUpLevelText, Proposal

LANGUAGES = ("en", "de", "fr")
TEXT_FIELDS = ("email_subject", "email_body", "letter_text")


def level_texts(level: FollowUpLevel, language: str, company_language: str | None = None
                ) -> dict[str, str]:  # fmt: skip
    """The level's email subject, email body and letter text in ``language``.

    The level's own fields are its texts in the company's language; a ``FollowUpLevelText``
    gives another language, field by field, falling back to the level's own. So a customer
    in the company's language costs no query."""
    own = {field: getattr(level, field) for field in TEXT_FIELDS}
    company_language = company_language or level.plan.company.language
    if language == company_language:
        return own
    row = FollowUpLevelText.objects.filter(level=level, language=language).first()
    if row is None:
        return own
    return {field: getattr(row, field) or own[field] for field in TEXT_FIELDS}


@transaction.atomic
def level_texts_update(*, user: Any, level: FollowUpLevel, language: str, source: str = "web",
                       **texts: str) -> FollowUpLevelText:  # fmt: skip
    """Set a level's texts in another language than the company's (managers); an empty field
    falls back to the level's own."""
    from .api.levels import _placeholder_errors  # the plan's services check placeholders

    require_company(user, level.plan.company, check=is_manager)
    if language not in LANGUAGES:
        raise ValidationError(
            {
                "language": _("“%(language)s” is not one of %(join_LANGUAGES)s.")
                % {"language": language, "join_LANGUAGES": ", ".join(LANGUAGES)}
            }
        )
    errors = {f: e for f in TEXT_FIELDS if (e := _placeholder_errors(texts.get(f, "") or ""))}
    if errors:
        raise ValidationError(errors)
    row, _created = FollowUpLevelText.objects.update_or_create(
        level=level, language=language,
        defaults={f: (texts.get(f) or "").strip() if f == "email_subject" else texts.get(f) or ""
                  for f in TEXT_FIELDS},
    )  # fmt: skip
    audit_record(user=user, obj=level, action=AuditEvent.Action.UPDATE, source=source,
                 before={}, after={f"{f}_{language}": getattr(row, f) for f in TEXT_FIELDS},
                 company_id=level.plan.company_id)  # fmt: skip
    return row


def proposal_texts(p: Proposal) -> dict[str, str]:
    """What executing the proposal sends: edited texts as typed, else the level's texts in
    the customer's language."""
    if p.texts_edited:
        return {f: getattr(p, f) or getattr(p.level, f) for f in TEXT_FIELDS}
    return level_texts(p.level, p.customer.document_language, p.company.language)


def locale_of(language: str) -> str:
    """The locale a document language is rendered in: the site's own when it is that
    language (English documents keep the house's en-GB dates, 25/07/2026), else the language."""
    site = settings.LANGUAGE_CODE
    return site if site.split("-")[0] == language else language


def in_language(customer: Customer) -> Any:
    """``with in_language(customer):`` renders and formats in the customer's language."""
    return translation.override(locale_of(customer.document_language))


def portal_footer(url: str) -> str:
    """The line under every email: the customer's self-service page (in the active language)."""
    return "\n\n-- \n" + _(
        "See your open items, download copies, query an invoice or tell us when you will "
        "pay: %(url)s"
    ) % {"url": url}


STATEMENT_TEXTS = {
    "en": (
        "{company}: statement of account at {date}",
        "Dear {contact},\n\nPlease find attached your statement of account with {company} at "
        "{date}. It lists every item open on your account: the balance is {total}, of which "
        "{overdue} is past its due date.\n\nIf anything on it is not as your records show, "
        "please reply to this email and we will look into it.\n\nKind regards,\n{controller}\n"
        "{company}",
    ),
    "de": (
        "{company}: Kontoauszug zum {date}",
        "Sehr geehrte(r) {contact},\n\nanbei erhalten Sie Ihren Kontoauszug bei {company} zum "
        "{date}. Er führt alle offenen Posten Ihres Kontos auf: der Saldo beträgt {total}, "
        "davon sind {overdue} überfällig.\n\nSollte etwas nicht mit Ihren Unterlagen "
        "übereinstimmen, antworten Sie bitte auf diese E-Mail; wir gehen dem nach.\n\n"
        "Mit freundlichen Grüßen\n{controller}\n{company}",
    ),
    "fr": (
        "{company} : relevé de compte au {date}",
        "Madame, Monsieur {contact},\n\nVeuillez trouver ci-joint votre relevé de compte "
        "chez {company} au {date}. Il liste toutes les pièces ouvertes de votre compte : le "
        "solde est de {total}, dont {overdue} échu.\n\nSi quelque chose ne correspond pas à "
        "vos écritures, répondez à ce courriel et nous vérifierons.\n\nCordialement,\n"
        "{controller}\n{company}",
    ),
}

# The default plan's texts per language, by level number (the English ones are in plans.py).
DEFAULT_TEXTS: dict[str, dict[int, dict[str, str]]] = {
    "de": {
        1: {
            "email_subject": "{company}: Rechnungen bald fällig",
            "email_body": (
                "Sehr geehrte(r) {contact},\n\nwir möchten Sie freundlich darauf hinweisen, "
                "dass die folgenden Rechnungen in Kürze fällig werden. Der beigefügte "
                "Kontoauszug führt alle offenen Posten auf.\n\n{entries}\n\nVielen Dank\n"
                "{controller}\n{company}"
            ),
        },
        2: {
            "email_subject": "{company}: Zahlungserinnerung, {overdue} überfällig",
            "email_body": (
                "Sehr geehrte(r) {contact},\n\nlaut unseren Unterlagen sind auf Ihrem Konto "
                "{overdue} überfällig. Bitte veranlassen Sie die Zahlung oder teilen Sie uns "
                "mit, falls etwas unklar ist.\n\n{entries}\n\nMit freundlichen Grüßen\n"
                "{controller}\n{company}"
            ),
        },
        3: {
            "email_subject": "{company}: zweite Mahnung, {overdue} überfällig",
            "email_body": (
                "Sehr geehrte(r) {contact},\n\ntrotz unserer Erinnerung sind {overdue} "
                "weiterhin überfällig. Wir werden Sie in Kürze anrufen; um umgehende Zahlung "
                "wird gebeten.\n\n{entries}\n\nMit freundlichen Grüßen\n{controller}\n"
                "{company}"
            ),
        },
        4: {
            "letter_text": (
                "Sehr geehrte(r) {contact},\n\ndie folgenden Rechnungen sind trotz unserer "
                "Erinnerungen unbezahlt. Von den aufgeführten {total} sind {overdue} "
                "erheblich überfällig. Bitte zahlen Sie diesen Betrag innerhalb von sieben "
                "Tagen ab dem Datum dieses Schreibens.\n\n{entries}\n\nMit freundlichen Grüßen\n{controller}"
            ),
        },
        5: {
            "letter_text": (
                "Sehr geehrte(r) {contact},\n\nLETZTE MAHNUNG. Auf Ihrem Konto sind {overdue} "
                "überfällig. Geht die Zahlung nicht innerhalb von sieben Tagen ein, sperren "
                "wir das Konto und können die Forderung ohne weitere Ankündigung dem Inkasso "
                "übergeben.\n\n{entries}\n\nHochachtungsvoll\n{controller}"
            ),
        },
    },
    "fr": {
        1: {
            "email_subject": "{company} : factures bientôt échues",
            "email_body": (
                "Madame, Monsieur {contact},\n\nNous vous signalons que les factures "
                "ci-dessous arrivent bientôt à échéance. Le relevé joint liste toutes les "
                "pièces ouvertes de votre compte.\n\n{entries}\n\nMerci,\n{controller}\n"
                "{company}"
            ),
        },
        2: {
            "email_subject": "{company} : rappel de paiement, {overdue} échu",
            "email_body": (
                "Madame, Monsieur {contact},\n\nSelon nos écritures, {overdue} est échu sur "
                "votre compte. Merci de procéder au paiement ou de nous signaler tout "
                "désaccord.\n\n{entries}\n\nCordialement,\n{controller}\n{company}"
            ),
        },
        3: {
            "email_subject": "{company} : deuxième rappel, {overdue} échu",
            "email_body": (
                "Madame, Monsieur {contact},\n\nMalgré notre rappel, {overdue} reste échu. "
                "Nous vous appellerons prochainement ; un paiement par retour serait "
                "apprécié.\n\n{entries}\n\nCordialement,\n{controller}\n{company}"
            ),
        },
        4: {
            "letter_text": (
                "Madame, Monsieur {contact},\n\nLes factures suivantes restent impayées "
                "malgré nos rappels. Sur les {total} listés, {overdue} est largement échu. "
                "Merci de le régler sous sept jours à compter de la date de cette lettre.\n\n{entries}"
                "\n\nVeuillez agréer nos salutations distinguées,\n{controller}"
            ),
        },
        5: {
            "letter_text": (
                "Madame, Monsieur {contact},\n\nMISE EN DEMEURE. {overdue} est échu sur votre "
                "compte. Faute de paiement sous sept jours, nous bloquerons le compte et "
                "pourrons confier la créance au recouvrement sans autre préavis.\n\n"
                "{entries}\n\nVeuillez agréer nos salutations distinguées,\n{controller}"
            ),
        },
    },
}
