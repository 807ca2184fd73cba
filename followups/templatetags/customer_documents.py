"""Dates in documents that go to customers (statements, letters, the self-service page).

They follow the customer's language (the document is rendered under
``translation.override``, see ``followups/languages.py``), through Django's localised
formats, not the company's date convention of the pages (``day``/``when``): 05/03/2026 and
5 Mar 2026 in English, 05.03.2026 and 5. März 2026 in German.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def document_date(value: dt.date | None) -> str:
    """A date in a table of a customer's document: the language's short form."""
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


@register.filter
def document_long_date(value: dt.date | None) -> str:
    """A date in a customer's document's heading: the language's long form."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""
