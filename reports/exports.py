"""Exports of every report: a CSV streamed row by row, and a PDF printed by WeasyPrint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from creditcontrol.csv_export import CsvLines


def csv_stream(lines: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    """Stream ``lines`` (the header, then each row) as a CSV download.

    Nothing is held in memory but the row being written: ``lines`` should come from a
    ``.iterator(chunk_size=2000)`` queryset. A byte-order mark first, so that Excel
    reads the £ and € signs of names correctly.
    """
    writer = CsvLines()  # formulas neutralised, see creditcontrol/csv_export.py

    def content():
        yield "\ufeff"
        for line in lines:
            yield writer.writerow(line)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def printed_at(companies: list[Any]) -> dt.datetime:
    """Now, in the (first) company's time zone: the time printed on a PDF."""
    now = timezone.now()
    return now.astimezone(companies[0].tz) if companies else timezone.localtime(now)


def pdf_response(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    """Render ``template`` to a PDF (WeasyPrint) and answer it as a download.

    The template (see ``reports/pdf/_base_pdf.html``) prints the company, the filters
    applied, the date and time in the company's time zone and ``page N of M`` on every
    page; ``context`` needs ``companies``, ``filters_applied`` and ``title``.
    """
    from weasyprint import HTML  # slow to import; only PDF requests pay for it

    context = {"printed_at": printed_at(context.get("companies") or []), **context}
    html = render_to_string(template, context)
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
