"""Bulk, idempotent sync endpoints for integrators (filled in by the sync work)."""
from rest_framework.views import APIView


class CustomerSyncView(APIView):
    pass


class ContactSyncView(APIView):
    pass


class LedgerEntrySyncView(APIView):
    pass


class ApplicationSyncView(APIView):
    pass
