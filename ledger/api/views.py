"""API viewsets of the ledger. Each starts from ``visible_to(user)`` and writes through a service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from creditcontrol.roles import can_work_customers, is_manager

from .. import services
from ..filters import (
    ApplicationFilter,
    AuditEventFilter,
    ContactFilter,
    CustomerFilter,
    LedgerEntryFilter,
)
from ..models import Application, AuditEvent, Company, Contact, Customer, LedgerEntry
from ..services import can_work_customers_or_sync
from .documents import EntryDocumentActions
from .serializers import (
    ApplicationSerializer,
    AuditEventSerializer,
    CompanySerializer,
    ContactSerializer,
    CustomerReasonSerializer,
    CustomerSerializer,
    LedgerEntrySerializer,
)


class CompanyViewSet(viewsets.ReadOnlyModelViewSet):
    """The companies you belong to."""

    serializer_class = CompanySerializer
    filterset_fields = ["code", "base_currency"]
    ordering_fields = ["id", "code", "name"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        return Company.objects.visible_to(self.request.user)


class CustomerViewSet(viewsets.ModelViewSet):
    """Customers with their derived balance and overdue balance (base currency).

    ``on_hold`` with its reason, who and when tells an order system to stop taking orders;
    it changes only through ``hold/`` and ``release/``. Master data of a customer the sync
    owns (one with an ``external_ref``) is refused here; credit-control fields are the
    credit team's (see ``ledger.services.customer_edit_check``)."""

    serializer_class = CustomerSerializer
    write_permission = staticmethod(can_work_customers_or_sync)
    filterset_class = CustomerFilter
    ordering_fields = ["id", "account_code", "name", "updated_at", "balance_lcy", "overdue_lcy"]
    search_fields = []  # ?q= searches (see CustomerFilter), one search for pages and API

    def get_queryset(self):
        user = self.request.user
        customers = Customer.objects.visible_to(user).select_related("company")
        # Ordered by a figure: the kept rows joined so that the figure's index is walked
        # (it asks which companies' kept dates are current: one query, only then).
        ordering = self.request.query_params.get("ordering", "") if self.request else ""
        sortable = "balance_lcy" in ordering or "overdue_lcy" in ordering
        return customers.with_balances(Company.objects.visible_to(user).as_of(), sortable=sortable)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        company = data.pop("company")
        serializer.instance = services.customer_create(
            user=self.request.user, company=company, source="api", **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            user=self.request.user, customer=serializer.instance, source="api",
            **serializer.validated_data,
        )  # fmt: skip

    def perform_destroy(self, instance):
        services.customer_delete(user=self.request.user, customer=instance, source="api")

    def _fresh(self, customer: Customer, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=customer.pk)).data,
                        status=code)  # fmt: skip

    @extend_schema(request=CustomerReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Put the customer on hold, with a reason (credit managers and administrators)."""
        reason = CustomerReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        customer = services.customer_hold(user=request.user, customer=self.get_object(),
                                          reason=reason.validated_data["reason"], source="api")  # fmt: skip
        return self._fresh(customer)

    @extend_schema(request=CustomerReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release the customer from hold, with a reason."""
        reason = CustomerReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        customer = services.customer_release(user=request.user, customer=self.get_object(),
                                             reason=reason.validated_data["reason"], source="api")  # fmt: skip
        return self._fresh(customer)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        # Re-read so the derived balances in the answer are the current ones.
        response.data = self.get_serializer(self.get_queryset().get(pk=kwargs["pk"])).data
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        fresh = self.get_queryset().get(pk=serializer.instance.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class ContactViewSet(viewsets.ModelViewSet):
    """People at customers; one per customer may be the credit-control contact."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["id", "last_name", "first_name"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    write_permission = staticmethod(can_work_customers_or_sync)

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user).select_related("customer")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = services.contact_create(
            user=self.request.user, customer=customer, source="api", **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(
            user=self.request.user, contact=serializer.instance, source="api",
            **serializer.validated_data,
        )  # fmt: skip

    def perform_destroy(self, instance):
        services.contact_delete(user=self.request.user, contact=instance, source="api")


class LedgerEntryViewSet(
    EntryDocumentActions,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Open items of the sales ledger. Entries are not deleted: the accounting system closes
    them by applying payments and credit notes."""

    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    ordering_fields = ["id", "due_date", "document_date", "document_no", "remaining_lcy"]
    search_fields = ["document_no", "description"]

    def get_queryset(self):
        return LedgerEntry.objects.visible_to(self.request.user).select_related("company")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = services.entry_create(
            user=self.request.user, customer=customer, source="api", **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.entry_update(
            user=self.request.user, entry=serializer.instance, source="api",
            **serializer.validated_data,
        )  # fmt: skip


class ApplicationViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Payments and credit notes applied to invoices. Creating one lowers both remaining
    amounts in one transaction; an amount that would cross zero is refused. An
    ``Idempotency-Key`` is the ``external_ref``: sending the same one twice returns the
    first application instead of applying again."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["id", "applied_on"]

    def get_queryset(self):
        return Application.objects.visible_to(self.request.user).select_related("debit_entry")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ref = data.get("external_ref") or request.headers.get("Idempotency-Key", "")
        debit = data["debit_entry"]
        if ref:
            done = self.get_queryset().filter(company_id=debit.company_id, external_ref=ref).first()
            if done is not None:
                return Response(self.get_serializer(done).data, status=status.HTTP_200_OK)
        application = services.application_apply(
            user=request.user, credit_entry=data["credit_entry"], debit_entry=debit,
            amount=data["amount"], applied_on=data.get("applied_on"), external_ref=ref,
            source="api",
        )  # fmt: skip
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: who changed what, when, before and after."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["id", "at"]

    def get_queryset(self):
        events = AuditEvent.objects.select_related("user")
        user = self.request.user
        if not (is_manager(user) or can_work_customers(user)):
            return events.none()
        if user.is_superuser:
            return events
        return events.filter(company__in=Company.objects.visible_to(user))
