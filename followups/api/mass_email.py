"""API of the mass email: send one message to the credit-control contact of each customer,
idempotent by the client's ``batch`` id (sending the same batch again queues nothing)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from creditcontrol.roles import can_work_customers
from ledger.models import Customer

from ..mass_email_batches import INLINE_LIMIT, mass_email_start
from ..models import MassEmailBatch

MAX_CUSTOMERS = 5_000


class MassEmailSerializer(serializers.Serializer):
    batch = serializers.UUIDField(help_text=gettext_lazy("A UUID the client makes per message; resending "
                                  "the same batch sends nothing twice."))  # fmt: skip
    customers = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                      max_length=MAX_CUSTOMERS, help_text=gettext_lazy("Customer ids."))  # fmt: skip
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text=gettext_lazy('"First Name" and "Last Name", with their quotes, '
                                 "are replaced by each contact's names."))  # fmt: skip


class RecipientSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    contact = serializers.IntegerField(source="contact.pk")
    address = serializers.EmailField()


class UnreachableSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    reason = serializers.CharField()


class MassEmailResultSerializer(serializers.Serializer):
    batch = serializers.UUIDField()
    queued = RecipientSerializer(many=True, help_text=gettext_lazy("Queued by this request."))
    already_sent = RecipientSerializer(many=True, help_text=gettext_lazy("Queued by an earlier request "
                                       "with this batch; not queued again."))  # fmt: skip
    unreachable = UnreachableSerializer(many=True, help_text=gettext_lazy("Customers without a "
                                        "credit-control contact with an email address."))  # fmt: skip


class MassEmailProgressSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Customers in the batch.")
    )

    class Meta:
        model = MassEmailBatch
        fields = ["batch", "status", "total", "processed", "queued", "already_sent",
                  "unreachable", "error", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class MassEmailViewSet(viewsets.GenericViewSet):
    """Email the credit-control contacts of many customers at once, through the outbox;
    each message is recorded as a communication on its customer."""

    serializer_class = MassEmailSerializer
    write_permission = staticmethod(can_work_customers)

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user)

    lookup_field = "batch"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @extend_schema(
        request=MassEmailSerializer,
        description=f"Up to {INLINE_LIMIT} customers are queued at once (201, or 200 for the "
        f"same batch again); more go to the worker: 202 with the batch's progress, to be "
        f"followed at GET /api/v1/mass-emails/{{batch}}/.",
        responses={201: MassEmailResultSerializer, 200: MassEmailResultSerializer,
                   202: MassEmailProgressSerializer},
    )  # fmt: skip
    def create(self, request):
        body = MassEmailSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = set(body.validated_data["customers"])
        customers = list(self.get_queryset().filter(pk__in=ids).select_related("company"))
        missing = sorted(ids - {c.pk for c in customers})
        if missing:
            raise serializers.ValidationError(
                {
                    "customers": _("No customer has id %(join_map_str_missing_20)s.")
                    % {"join_map_str_missing_20": ", ".join(map(str, missing[:20]))}
                }
            )
        result = mass_email_start(
            user=request.user, batch=body.validated_data["batch"], customers=customers,
            subject=body.validated_data["subject"], body=body.validated_data["body"],
            source="api",
        )  # fmt: skip
        if isinstance(result, MassEmailBatch):
            response = Response(MassEmailProgressSerializer(result).data,
                                status=status.HTTP_202_ACCEPTED)  # fmt: skip
            response["Location"] = f"/api/v1/mass-emails/{result.batch}/"
            return response
        data = {
            "batch": result.batch,
            "queued": result.queued,
            "already_sent": result.already_sent,
            "unreachable": [{"customer": c.pk, "reason": why} for c, why in result.unreachable],
        }
        replay = not result.queued and bool(result.already_sent)
        return Response(
            MassEmailResultSerializer(data).data,
            status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED,
        )

    @extend_schema(summary="How far a queued mass email has got (its sender's)",
                   responses={200: MassEmailProgressSerializer})  # fmt: skip
    def retrieve(self, request, batch=None):
        row = MassEmailBatch.objects.filter(batch=batch, created_by=request.user).first()
        if row is None:
            raise NotFound(_("No mass email of yours has this batch id."))
        return Response(MassEmailProgressSerializer(row).data)
