"""Report pages under /reports/: the index, then each report's page, CSV and PDF, named
``reports:<slug>``, ``reports:<slug>-csv`` and ``reports:<slug>-pdf``."""

from django.urls import path

from . import views, views_dashboard
from .catalogue import CATALOGUE

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
for _report in CATALOGUE:
    _kwargs = {"slug": _report.slug}
    urlpatterns += [
        path(f"{_report.url_path}/", views.report_page, _kwargs, name=_report.slug),
        path(f"{_report.url_path}/csv/", views.report_csv, _kwargs, name=f"{_report.slug}-csv"),
    ]
    if _report.has_pdf:
        urlpatterns.append(
            path(f"{_report.url_path}/pdf/", views.report_pdf, _kwargs, name=f"{_report.slug}-pdf")
        )
