"""The browser CSV import: the same sync as the API, from a file, applied whole or not at all."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy, ngettext

from creditcontrol.roles import is_manager

from .. import sync
from ..models import Company
from ..sync_rows import CustomerRow, EntryRow, columns

MAX_BYTES = 5 * 1024 * 1024
KINDS = {
    "customers": (gettext_lazy("Customers"), CustomerRow, sync.sync_customers),
    "entries": (gettext_lazy("Ledger entries"), EntryRow, sync.sync_entries),
}
EXAMPLES = {
    "customers": (
        "external_ref,account_code,name,address_line1,city,postcode,credit_limit,payment_terms_days\n"
        "SAGE-1001,BOLT01,Bolt & Nut Ltd,1 Mill Lane,Leeds,LS1 4AB,5000.00,30\n"
    ),
    "entries": (
        "external_ref,customer_ref,entry_type,document_no,document_date,due_date,amount,remaining\n"
        "SAGE-INV-5001,SAGE-1001,invoice,INV5001,2026-10-01,2026-10-31,1200.00,1200.00\n"
        "SAGE-PAY-300,SAGE-1001,payment,PAY300,2026-10-20,,-400.00,\n"
    ),
}


class BadFile(Exception):
    """A file that cannot be read as rows; its message says why, to a person."""


class ImportForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"),
                             choices=[(k, v[0]) for k, v in KINDS.items()])  # fmt: skip
    file = forms.FileField(label=gettext_lazy("CSV file (UTF-8)"), allow_empty_file=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.visible_to(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
                )
                % {
                    "size": format(upload.size / 1024 / 1024, ".1f"),
                    "limit": MAX_BYTES // 1024 // 1024,
                }
            )
        return upload


def read_rows(data: bytes, allowed: list[str]) -> tuple[list[dict[str, str]], list[int]]:
    """The rows of a CSV file as dicts keyed by its header, and each row's line number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(
            gettext(
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”."
            )
        ) from exc
    if not text.strip():
        raise BadFile(gettext("The file is empty."))
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
        if not any(header):
            raise BadFile(
                gettext("The first line must be the header: the field names, e.g. external_ref.")
            )
        unknown = [name for name in header if name not in allowed]
        if unknown:
            raise BadFile(
                ngettext(
                    "Unknown column: %(unknown)s. The columns are: %(allowed)s.",
                    "Unknown columns: %(unknown)s. The columns are: %(allowed)s.",
                    len(unknown),
                )
                % {
                    "unknown": ", ".join(unknown),
                    "allowed": ", ".join(allowed),
                }
            )
        if len(set(header)) < len(header):
            raise BadFile(gettext("A column appears twice in the header."))
        rows, lines, last = [], [], reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) > len(header):
                raise BadFile(
                    gettext("Line %(start)s has more cells than the header has columns.")
                    % {"start": start}
                )
            rows.append({name: cell.strip() for name, cell in zip(header, cells, strict=False)})
            lines.append(start)
    except csv.Error as exc:
        raise BadFile(
            gettext("The file is not valid CSV (line %(line_num)s): %(exc)s.")
            % {"line_num": reader.line_num, "exc": exc}
        ) from exc
    if not rows:
        raise BadFile(gettext("The file has a header but no rows."))
    if len(rows) > sync.MAX_ROWS:
        raise BadFile(
            gettext("The file has %(len)s rows; the limit is %(max_rows)s.")
            % {"len": format(len(rows), ","), "max_rows": format(sync.MAX_ROWS, ",")}
        )
    return rows, lines


@login_required
def csv_import(request: HttpRequest) -> HttpResponse:
    """Upload customers or ledger entries; show what changed, or every bad row by line."""
    if not is_manager(request.user):
        raise PermissionDenied(gettext("Only a credit manager or an administrator may import."))
    context: dict[str, Any] = {"nav": "customers", "kinds": [
        {"key": key, "label": label, "columns": columns(form), "example": EXAMPLES[key]}
        for key, (label, form, _) in KINDS.items()
    ]}  # fmt: skip
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            label, row_form, sync_function = KINDS[form.cleaned_data["kind"]]
            try:
                rows, lines = read_rows(form.cleaned_data["file"].read(), columns(row_form))
            except BadFile as exc:
                context["file_error"] = str(exc)
            else:
                result = sync_function(user=request.user, company=form.cleaned_data["company"],
                                       rows=rows, source="csv")  # fmt: skip
                context.update(result=result, label=label, company=form.cleaned_data["company"])
                if result.ok:
                    status = 200
                else:
                    context["errors"] = [
                        {**e, "line": lines[e["index"]] if e["index"] is not None else None}
                        for e in result.errors
                    ]
    context["form"] = form
    return render(request, "ledger/import.html", context, status=status)
