"""The one API router: every resource under /api/v1/ is registered here."""

from rest_framework.routers import DefaultRouter

from charges.api import views as charges_api
from communications.api import views as workbench_api
from communications.api import views_lists as workbench_lists
from followups.api import mass_email as mass_email_api
from followups.api import views as followup_api
from followups.api import views_entries as followup_entries
from followups.api import views_proposals as followup_proposals
from ledger.api import documents as ledger_documents_api
from ledger.api import views as ledger_api
from ledger.api import views_customer_list as ledger_customer_list_api
from webhooks.api import views as webhooks_api

router = DefaultRouter()
router.register("companies", ledger_api.CompanyViewSet, basename="company")
router.register("customers", ledger_api.CustomerViewSet, basename="customer")
router.register("contacts", ledger_api.ContactViewSet, basename="contact")
router.register("ledger-entries", ledger_api.LedgerEntryViewSet, basename="ledger-entry")
router.register(
    "entry-documents", ledger_documents_api.EntryDocumentViewSet, basename="entry-document"
)
router.register("applications", ledger_api.ApplicationViewSet, basename="application")
router.register("audit-events", ledger_api.AuditEventViewSet, basename="audit-event")
router.register("mail-lists", ledger_customer_list_api.MailListViewSet, basename="mail-list")

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

# The follow-ups (followups app).
router.register("followup-plans", followup_api.FollowUpPlanViewSet, basename="followup-plan")
router.register("followup-levels", followup_api.FollowUpLevelViewSet, basename="followup-level")
router.register("followup-runs", followup_api.FollowUpRunViewSet, basename="followup-run")
router.register(
    "followup-proposals", followup_proposals.ProposalViewSet, basename="followup-proposal"
)
router.register(
    "followup-exclusions", followup_entries.ExclusionViewSet, basename="followup-exclusion"
)
router.register(
    "expected-payment-dates",
    followup_entries.ExpectedPaymentDateViewSet,
    basename="expected-payment-date",
)
router.register(
    "followup-history", followup_api.FollowUpHistoryViewSet, basename="followup-history"
)
router.register("outbox-messages", followup_api.OutboxMessageViewSet, basename="outbox-message")

# Mass email from the customer list (issue 6).
router.register("mass-emails", mass_email_api.MassEmailViewSet, basename="mass-email")

# Webhooks for integrators (issue 14).
# Late-payment charges (charges/)
router.register("charge-terms", charges_api.ChargeTermsViewSet, basename="charge-terms")
router.register("reference-rates", charges_api.ReferenceRateViewSet, basename="reference-rate")
router.register("proposed-charges", charges_api.ProposedChargeViewSet, basename="proposed-charge")
router.register("posted-charges", charges_api.PostedChargeViewSet, basename="posted-charge")

router.register("webhook-endpoints", webhooks_api.EndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", webhooks_api.DeliveryViewSet, basename="webhook-delivery")
