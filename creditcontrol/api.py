"""The one API router: every resource under /api/v1/ is registered here."""

from rest_framework.routers import DefaultRouter

from communications.api import views as workbench_api
from communications.api import views_lists as workbench_lists
from ledger.api import views as ledger_api

router = DefaultRouter()
router.register("companies", ledger_api.CompanyViewSet, basename="company")
router.register("customers", ledger_api.CustomerViewSet, basename="customer")
router.register("contacts", ledger_api.ContactViewSet, basename="contact")
router.register("ledger-entries", ledger_api.LedgerEntryViewSet, basename="ledger-entry")
router.register("applications", ledger_api.ApplicationViewSet, basename="application")
router.register("audit-events", ledger_api.AuditEventViewSet, basename="audit-event")

# The workbench (communications app).
router.register("communications", workbench_api.CommunicationViewSet, basename="communication")
router.register("call-actions", workbench_api.CallActionViewSet, basename="call-action")
router.register("promises", workbench_api.PromiseViewSet, basename="promise")
router.register("disputes", workbench_api.DisputeViewSet, basename="dispute")
router.register("todos", workbench_lists.ToDoViewSet, basename="todo")
router.register("entry-statuses", workbench_lists.EntryStatusViewSet, basename="entry-status")
router.register("entry-notes", workbench_lists.EntryNoteViewSet, basename="entry-note")
router.register("status-codes", workbench_lists.StatusCodeViewSet, basename="status-code")
router.register("outcomes", workbench_lists.OutcomeViewSet, basename="outcome")
router.register("action-types", workbench_lists.ActionTypeViewSet, basename="action-type")
router.register(
    "customer-responses", workbench_lists.CustomerResponseViewSet, basename="customer-response"
)
router.register("notifications", workbench_lists.NotificationViewSet, basename="notification")
