"""The reports under /api/v1/reports/, one read-only list per report in the catalogue."""

from django.urls import path

from ..catalogue import CATALOGUE
from .views import api_view_for

app_name = "reports-api"

urlpatterns = [
    path(f"{report.url_path}/", api_view_for(report), name=report.slug) for report in CATALOGUE
]
