"""Administrators keep the published reference rates here (shared by every company)."""

from django.contrib import admin

from .models import ReferenceRate


@admin.register(ReferenceRate)
class ReferenceRateAdmin(admin.ModelAdmin):
    list_display = ("series", "valid_from", "rate")
    list_filter = ("series",)
    ordering = ("series", "-valid_from")
