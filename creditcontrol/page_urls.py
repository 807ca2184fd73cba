"""Project pages beyond home and sign-in; included from ``creditcontrol.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("settings/", views.user_settings, name="settings"),
]
