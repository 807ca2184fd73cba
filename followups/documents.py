"""The PDFs the application produces: the customer statement and the reminder letters.

Both are HTML templates (``templates/followups/pdf/``) printed by WeasyPrint. Nothing is
fetched from the network: the machines are offline, so the fonts are the system's and a
template asking for a remote resource gets nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_lazy

from charges.services import summary as charges_summary
from communications.models import LetterStyle
from ledger.models import Customer, LedgerEntry
from ledger.querysets import AGE_BUCKETS

from . import reach
from .languages import in_language
from .models import Document, FollowUpAction, FollowUpLevel
from .placeholders import (
    CENT,
    ENTRY_COLUMNS,
    ZERO,
    credit_contact,
    ledger_entries,
    long_date,
    money_list,
    substitute,
    totals_by_currency,
    values,
)

# WeasyPrint reports every layout step at INFO: noise in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)

# Heading and accent colour of each letter style; the final demand says so in red.
LETTER_STYLES: dict[str, dict[str, Any]] = {
    LetterStyle.STANDARD: {"heading": gettext_lazy("Payment reminder"), "accent": "#1f4e79"},
    LetterStyle.FRIENDLY: {"heading": gettext_lazy("A friendly reminder"), "accent": "#2e7d5b"},
    LetterStyle.FIRM: {"heading": gettext_lazy("Overdue account: payment required"),
                       "accent": "#b45309"},
    LetterStyle.FINAL: {"heading": gettext_lazy("Final demand"), "accent": "#b91c1c"},
}  # fmt: skip
# Stands for the entries table while a letter's text is split into paragraphs.
TABLE_MARK = "\x00entries\x00"


def _local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves inline ``data:`` URLs and refuses the rest."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before 67 takes a function
        from weasyprint.urls import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"PDF templates may not fetch {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=("data",))


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import, needed only when a PDF is printed

    html = render_to_string(template, context)
    return HTML(
        string=html, url_fetcher=_local_only_fetcher(), base_url="file:///nonexistent/"
    ).write_pdf()


def _company_block(customer: Customer) -> dict[str, Any]:
    company = customer.company
    return {
        "company": company,
        "portal_url": reach.portal_url(customer),
        "company_lines": [line for line in company.address.splitlines() if line.strip()],
        "customer": customer,
        "customer_lines": [
            line
            for line in (
                customer.address_line1,
                customer.address_line2,
                customer.city,
                customer.postcode,
                customer.country,
            )
            if line
        ],
    }


def _q(value: Any) -> Decimal:
    # SQLite sums decimals as floats: back to cents before anything is shown or added.
    return Decimal(value if value is not None else 0).quantize(CENT)


def _bucket(low: int | None, high: int | None, as_of: dt.date) -> Q:
    """Open items whose days overdue on ``as_of`` fall in the bucket, as due-date bounds."""
    if low is None:  # not yet due: due today or later
        return Q(due_date__gte=as_of)
    q = Q(due_date__lte=as_of - dt.timedelta(days=low))
    if high is not None:
        q &= Q(due_date__gte=as_of - dt.timedelta(days=high))
    return q


def ageing(entries, as_of: dt.date) -> dict[str, Any]:
    """The open items aged by days past their due date (the aged-debt report's buckets),
    per currency and in LCY, in one grouped query. Credits are aged by their own date,
    so the buckets add up to the balance."""
    sums = {}
    for key, _label, low, high in AGE_BUCKETS:
        cond = _bucket(low, high, as_of)
        sums[key] = Sum(Case(When(cond, then=F("remaining")), default=Value(ZERO),
                             output_field=MONEY_FIELD))  # fmt: skip
        sums[f"{key}_lcy"] = Sum(Case(When(cond, then=F("remaining_lcy")), default=Value(ZERO),
                                      output_field=MONEY_FIELD))  # fmt: skip
    grouped = entries.order_by().values("currency").annotate(**sums).order_by("currency")
    rows, lcy = [], dict.fromkeys((key for key, *_ in AGE_BUCKETS), ZERO)
    for group in grouped:
        buckets = [_q(group[key]) for key, *_ in AGE_BUCKETS]
        rows.append({"currency": group["currency"], "buckets": buckets, "total": sum(buckets)})
        for key, *_ in AGE_BUCKETS:
            lcy[key] += _q(group[f"{key}_lcy"])
    lcy_buckets = list(lcy.values())
    return {
        "labels": [label for _key, label, *_ in AGE_BUCKETS],
        "rows": rows,
        "lcy": {"buckets": lcy_buckets, "total": sum(lcy_buckets, ZERO)},
    }


def statement_context(*, customer: Customer, as_of: dt.date) -> dict[str, Any]:
    """What the statement shows: every open item, its ageing, totals per currency and LCY."""
    open_items = LedgerEntry.objects.filter(customer=customer).open()
    items = list(open_items.order_by("document_date", "due_date", "id"))
    for item in items:
        overdue = (as_of - item.due_date).days
        item.overdue_days = overdue if overdue > 0 and item.is_debit else None
    totals = open_items.totals()
    per_currency = [
        {"currency": row["currency"], "amount": _q(row["amount"]),
         "remaining": _q(row["remaining"]), "remaining_lcy": _q(row["remaining_lcy"])}
        for row in totals["per_currency"]
    ]  # fmt: skip
    return {
        **_company_block(customer),
        "contact": credit_contact(customer),
        "as_of": as_of,
        "as_of_long": long_date(as_of),
        "items": items,
        "ageing": ageing(open_items, as_of),
        "per_currency": per_currency,
        "total_lcy": sum((row["remaining_lcy"] for row in per_currency), ZERO),
        "meta_extra": [
            (
                gettext("Balance due"),
                money_list(
                    {r["currency"]: r["remaining"] for r in per_currency}, customer.currency
                ),
            ),
        ],
        "lcy": customer.company.base_currency,
        "charges": charges_summary(open_items, as_of),
        "several_currencies": len(per_currency) > 1
        or any(row["currency"] != customer.company.base_currency for row in per_currency),
    }


def statement_pdf(*, customer: Customer, as_of: dt.date) -> bytes:
    """The customer's statement of account on ``as_of``, as a PDF in its language."""
    with in_language(customer):
        return render_pdf(
            "followups/pdf/statement.html", statement_context(customer=customer, as_of=as_of)
        )


# The plain-text entries table of ``entries_text``: its header, a rule, the rows and one
# total per currency (or the "no open items" line).
@functools.cache
def plain_table_re() -> re.Pattern[str]:
    """The table's header, total and empty line in each shipped language."""
    from django.utils import translation

    heads, totals, empties = [], [], []
    for language in ("en", "de", "fr"):
        with translation.override(language):
            heads.append(" +".join(re.escape(str(c)) for c in ENTRY_COLUMNS))
            totals.append(
                re.escape(str(gettext("Total %(currency)s: %(amount)s")))
                .replace(re.escape("%(currency)s"), "[A-Z]{3}")
                .replace(re.escape("%(amount)s"), ".*")
            )
            empties.append(re.escape(str(gettext("(no open items)"))))
    return re.compile(
        rf"^(?:{'|'.join(heads)})\n[- ]+\n(?:.*\n)*?(?:(?:{'|'.join(totals)})\n?)+"
        rf"|^(?:{'|'.join(empties)})$",
        re.MULTILINE,
    )


def letter_segments(text: str) -> list[dict[str, Any]]:
    """The filled letter text as paragraphs, with ``{"table": True}`` where the entries go.

    A text filled already (an email-style plain-text table in it, as the execution of a
    proposal fills it) gets the real table in that place too.
    """
    text = plain_table_re().sub(TABLE_MARK, text.replace("\r\n", "\n"))
    segments: list[dict[str, Any]] = []
    for n, part in enumerate(text.split(TABLE_MARK)):
        if n:
            segments.append({"table": True})
        for paragraph in part.split("\n\n"):
            if paragraph.strip():
                segments.append({"lines": paragraph.strip("\n").split("\n")})
    return segments


def letter_context(
    *,
    customer: Customer,
    level: FollowUpLevel | None,
    entries: Iterable[Any],
    text: str,
    as_of: dt.date,
    letter_style: str,
) -> dict[str, Any]:
    rows = ledger_entries(entries)
    rows.sort(key=lambda e: (e.due_date, e.document_date, e.pk or 0))
    for row in rows:
        overdue = (as_of - row.due_date).days
        row.overdue_days = overdue if overdue > 0 else None
    contact = credit_contact(customer)
    known = values(customer=customer, entries=rows, as_of=as_of, contact=contact)
    known["entries"] = TABLE_MARK
    filled = substitute(text, known)
    style = letter_style if letter_style in LETTER_STYLES else LetterStyle.STANDARD
    return {
        **_company_block(customer),
        "contact": contact,
        "as_of": as_of,
        "as_of_long": long_date(as_of),
        "level": level,
        "style": style,
        **LETTER_STYLES[style],
        "segments": letter_segments(filled),
        "rows": rows,
        "totals": totals_by_currency(rows),
        "lcy": customer.company.base_currency,
        "charges": charges_summary([r.pk for r in rows if r.pk], as_of, level=level),
    }


def letter_pdf(
    *,
    customer: Customer,
    level: FollowUpLevel | None,
    entries: Iterable[Any],
    text: str,
    as_of: dt.date,
    letter_style: str,
) -> bytes:
    """A reminder letter: ``text`` (a level's or proposal's letter text; its placeholders
    are filled here, {entries} becoming a table) on the company's letterhead."""
    with in_language(customer):  # the customer's document: its words, money and dates
        context = letter_context(
            customer=customer, level=level, entries=entries, text=text, as_of=as_of,
            letter_style=letter_style,
        )  # fmt: skip
        return render_pdf("followups/pdf/letter.html", context)


def document_store(
    *,
    customer: Customer,
    kind: str,
    filename: str,
    content: bytes,
    action: FollowUpAction | None = None,
) -> Document:
    """Keep a PDF as it was sent, for the customer's history."""
    if kind not in Document.Kind.values:
        raise ValueError(f"Unknown document kind {kind!r}")
    return Document.objects.create(
        company_id=customer.company_id, customer=customer, kind=kind, filename=filename,
        content=bytes(content), action=action,
    )  # fmt: skip
