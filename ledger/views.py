"""Pages of the ledger (filled in by the UI work)."""
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("")


customer_list = customer_card = customer_contacts = customer_entries = _todo
