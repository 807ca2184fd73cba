"""The one API router: every resource under /api/v1/ is registered here."""

from rest_framework.routers import DefaultRouter

from ledger.api import views as ledger_api

router = DefaultRouter()
router.register("companies", ledger_api.CompanyViewSet, basename="company")
router.register("customers", ledger_api.CustomerViewSet, basename="customer")
router.register("contacts", ledger_api.ContactViewSet, basename="contact")
router.register("ledger-entries", ledger_api.LedgerEntryViewSet, basename="ledger-entry")
router.register("applications", ledger_api.ApplicationViewSet, basename="application")
router.register("audit-events", ledger_api.AuditEventViewSet, basename="audit-event")
