"""The reports' pages: the index, and for each report its page, CSV and PDF.

Every view is the same three lines for every report: bind the request's filters to the
report (``ReportRun``), then answer a page, a streamed CSV or a PDF from that binding.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from creditcontrol.roles import can_work_customers, role_required

from .base import Report, ReportRun
from .catalogue import CATALOGUE
from .exports import csv_stream, pdf_response


def _run(request, slug: str) -> ReportRun:
    report: Report = CATALOGUE.get(slug)
    if not report.may_read(request.user):
        raise PermissionDenied(_("Reports are read by controllers, managers and administrators."))
    return ReportRun(report, user=request.user, data=request.GET, request=request)


def _common(run: ReportRun) -> dict:
    """What the page, its table and the PDF all show around the rows."""
    report, query = run.report, run.query_without("page", "part")
    suffix = f"?{query}" if query else ""
    companies = run.companies
    return {
        "run": run,
        "report": report,
        "nav": "reports",
        "sort": run.sort,
        "subtitle": report.subtitle(run) if run.valid else "",
        "filters_applied": run.filters_applied(),
        "companies_line": ", ".join(c.name for c in companies) or "No company",
        "csv_url": reverse(f"reports:{report.slug}-csv") + suffix,
        "pdf_url": reverse(f"reports:{report.slug}-pdf") + suffix if report.has_pdf else "",
        **report.extra_context(run),
    }


def _refused(request, run: ReportRun):
    """Bad filters: the page with the messages, and nothing downloaded."""
    context = {**_common(run), "page": None, "rows": [], "totals": []}
    return render(request, run.report.template, context, status=400)


def _filename(run: ReportRun, extension: str) -> str:
    return f"{run.report.slug}-{run.today():%Y-%m-%d}.{extension}"


@role_required
def index(request):
    """Every report, with a line on what it shows."""
    if not can_work_customers(request.user):
        raise PermissionDenied(_("Reports are read by controllers, managers and administrators."))
    reports = [report for report in CATALOGUE if report.listed]
    return render(request, "reports/index.html", {"reports": reports, "nav": "reports"})


@role_required
def report_page(request, slug: str):
    """The report's page: filters, one page of rows, the totals, CSV and PDF buttons.
    htmx swaps only the table when the filters, the sort or the page change."""
    run = _run(request, slug)

    def totals():
        return [run.total_cells(total) for total in run.totals()]

    if request.GET.get("part") == "totals":
        context = {**_common(run), "totals": totals()}
        return render(request, "reports/_report_totals.html", context)
    page = run.page(request.GET.get("page"))
    deferred = run.report.defer_totals and run.valid
    query = run.query_without("page", "part")
    context = {
        **_common(run),
        "page": page,
        "rows": [run.cells(row) for row in page.rows],
        "totals": [] if deferred else totals(),
        "totals_url": f"{request.path}?{query}{'&' if query else ''}part=totals"
        if deferred
        else "",
    }
    template = run.report.template
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        template = "reports/_report_body.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required
def report_csv(request, slug: str):
    """Every row the page would show over all its pages, streamed; 400 on bad filters."""
    run = _run(request, slug)
    if not run.valid:
        return _refused(request, run)
    return csv_stream(run.csv_lines(), _filename(run, "csv"))


@role_required
def report_pdf(request, slug: str):
    """The report printed: company, filters, date and time, page numbers; the first
    ``pdf_row_limit`` rows (the CSV has them all)."""
    run = _run(request, slug)
    if not run.report.has_pdf:
        raise Http404("This report has no PDF; download the CSV.")
    if not run.valid:
        return _refused(request, run)
    limit = run.report.pdf_row_limit
    rows = [run.cells(row) for row in run.iter_rows(limit=limit + 1)]
    context = {
        **_common(run),
        "title": run.report.title,
        "companies": run.companies,
        "printed_by": request.user.get_full_name() or request.user.get_username(),
        "rows": rows[:limit],
        "truncated": len(rows) > limit,
        "limit": limit,
        "totals": [run.total_cells(total) for total in run.totals()],
    }
    return pdf_response(run.report.pdf_template, context, _filename(run, "pdf"))
