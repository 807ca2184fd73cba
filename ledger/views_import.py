"""The browser CSV import (filled in by the sync work)."""
from django.http import HttpResponse


def csv_import(request):
    return HttpResponse("")
