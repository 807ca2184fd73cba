"""Each company's one plan, made with sensible default levels the first time it is asked for.

Level texts use the placeholders of ``followups.placeholders`` ({customer}, {contact},
{company}, {total}, {overdue}, {currency}, {date}, {entries}, {controller}).
"""

from __future__ import annotations

from django.db import transaction

from communications.models import LetterStyle
from ledger.models import Company

from .languages import DEFAULT_TEXTS, TEXT_FIELDS
from .models import FollowUpLevel, FollowUpLevelText, FollowUpPlan

DEFAULT_LEVELS = [
    {
        "name": "Friendly reminder before due",
        "days": -5,
        "send_email": True,
        "execute_automatically": True,
        "email_subject": "{company}: invoices falling due soon",
        "email_body": (
            "Dear {contact},\n\nThis is a courtesy note that the invoices below fall due "
            "shortly. The attached statement lists everything open on your account.\n\n"
            "{entries}\n\nThank you,\n{controller}\n{company}"
        ),
    },
    {
        "name": "First reminder",
        "days": 7,
        "send_email": True,
        "email_subject": "{company}: payment reminder, {overdue} overdue",
        "email_body": (
            "Dear {contact},\n\nOur records show {overdue} overdue on your account. "
            "Please arrange payment or tell us if anything is in question.\n\n{entries}\n\n"
            "Kind regards,\n{controller}\n{company}"
        ),
    },
    {
        "name": "Telephone call",
        "days": 21,
        "manual_action": True,
        "manual_action_note": "Telephone the customer about the overdue invoices",
        "send_email": True,
        "email_subject": "{company}: second reminder, {overdue} overdue",
        "email_body": (
            "Dear {contact},\n\nDespite our earlier reminder, {overdue} is still overdue. "
            "We will telephone you shortly; payment by return would be appreciated.\n\n"
            "{entries}\n\nKind regards,\n{controller}\n{company}"
        ),
    },
    {
        "name": "Formal letter",
        "days": 35,
        "send_letter": True,
        "letter_style": LetterStyle.FIRM,
        "letter_text": (
            "Dear {contact},\n\nThe following invoices remain unpaid despite our reminders. "
            "Of the {total} listed, {overdue} is now seriously overdue. Please pay it within "
            "seven days of the date of this letter.\n\n{entries}\n\nYours sincerely,\n{controller}"
        ),
    },
    {
        "name": "Final demand",
        "days": 60,
        "manual_action": True,
        "manual_action_note": "Review the account for stop and legal action",
        "send_letter": True,
        "letter_style": LetterStyle.FINAL,
        "letter_text": (
            "Dear {contact},\n\nFINAL DEMAND. {overdue} is overdue on your account. Unless it "
            "is paid within seven days we will place the account on stop and may pass the "
            "debt for collection without further notice.\n\n{entries}\n\nYours faithfully,\n"
            "{controller}"
        ),
    },
]


@transaction.atomic
def plan_for(company: Company) -> FollowUpPlan:
    """The company's plan; created with the default levels when it has none."""
    plan, created = FollowUpPlan.objects.get_or_create(company=company)
    if created:
        # The levels' own texts are in the company's language; each language has its row.
        own = DEFAULT_TEXTS.get(company.language, {})
        levels = FollowUpLevel.objects.bulk_create(
            FollowUpLevel(plan=plan, sequence=number, **{**fields, **own.get(number, {})})
            for number, fields in enumerate(DEFAULT_LEVELS, start=1)
        )
        english = {n: {k: v for k, v in fields.items() if k in TEXT_FIELDS}
                   for n, fields in enumerate(DEFAULT_LEVELS, start=1)}  # fmt: skip
        FollowUpLevelText.objects.bulk_create(
            FollowUpLevelText(level=level, language=language, **texts[n])
            for language, texts in (("en", english), *DEFAULT_TEXTS.items())
            for n, level in enumerate(levels, start=1)
        )
    return plan
