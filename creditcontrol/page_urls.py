"""Project pages beyond home and sign-in; included from ``creditcontrol.urls``."""

from django.urls import include, path

from ledger.views import search as search_views
from reports import views as report_views

from . import views

urlpatterns = [
    # The index keeps its old name, so every {% url 'reports' %} still works.
    path("reports/", report_views.index, name="reports"),
    path("reports/", include("reports.urls")),
    path("settings/", views.user_settings, name="settings"),
    path("settings/dates/", views.date_conventions, name="date-conventions"),
    path("search/", search_views.search, name="search"),
]
