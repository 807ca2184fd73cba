"""API of the customer list: the user's column layout, mail lists, and assigning customers
to a controller (managers). Writes go through ``ledger.customer_columns`` and
``ledger.customer_bulk``, like the page's."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from creditcontrol.roles import HasAnyRole, IsManager, can_work_customers, has_any_role

from .. import customer_bulk
from ..customer_columns import COLUMNS, layout_for, layout_save
from ..models import Customer, MailList


class LayoutColumnSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[c.key for c in COLUMNS])
    width = serializers.IntegerField(required=False, allow_null=True,
                                     help_text=gettext_lazy("Pixels, 40 to 800; blank: the column's default."))  # fmt: skip
    label = serializers.CharField(read_only=True)


class LayoutSerializer(serializers.Serializer):
    columns = LayoutColumnSerializer(
        many=True, help_text=gettext_lazy("The shown columns, in order.")
    )
    unsearched = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text=gettext_lazy("Keys of shown columns the search leaves out."),
    )  # fmt: skip
    available = LayoutColumnSerializer(many=True, read_only=True,
                                       help_text=gettext_lazy("Every column the list can show."))  # fmt: skip


def _layout_data(layout) -> dict:
    return {
        "columns": [{"key": c.key, "width": c.width, "label": c.label} for c in layout.shown],
        "unsearched": layout.unsearched,
        "available": [{"key": c.key, "width": c.width, "label": c.label} for c in COLUMNS],
    }


class CustomerListLayoutView(APIView):
    """Your customer list's columns (order and widths) and the columns left out of search;
    kept on the server, so every browser shows the same list."""

    write_permission = staticmethod(has_any_role)

    @extend_schema(responses=LayoutSerializer)
    def get(self, request):
        return Response(_layout_data(layout_for(request.user)))

    @extend_schema(request=LayoutSerializer, responses=LayoutSerializer)
    def put(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        layout = layout_save(
            user=request.user, columns=data.get("columns"), unsearched=data.get("unsearched", [])
        )
        return Response(_layout_data(layout))


class MailListSerializer(serializers.ModelSerializer):
    customers = serializers.PrimaryKeyRelatedField(many=True, queryset=Customer.objects.none())
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MailList
        fields = [
            "id",
            "company",
            "owner",
            "name",
            "shared",
            "customers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["company", "owner", "created_at", "updated_at"]
        validators = []  # the service names the clash

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customers"].child_relation.queryset = Customer.objects.visible_to(
                request.user
            )


class MailListViewSet(viewsets.ModelViewSet):
    """Named lists of one company's customers. Yours, and those your team shared: only the
    owner changes or deletes a list. The company is that of its customers."""

    serializer_class = MailListSerializer
    write_permission = staticmethod(can_work_customers)
    filterset_fields = ["company", "shared"]
    ordering_fields = ["id", "name"]

    def get_queryset(self):
        return (
            MailList.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("customers")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        customers = data.get("customers", [])
        if (
            customers
            and MailList.objects.filter(
                owner=self.request.user,
                company_id=customers[0].company_id,
                name=data["name"].strip(),
            ).exists()
        ):
            raise serializers.ValidationError(
                {"name": _("You already have a list with this name.")}
            )
        serializer.instance = customer_bulk.mail_list_save(
            user=self.request.user, name=data["name"], customers=customers,
            shared=data.get("shared", False),
        )  # fmt: skip

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = customer_bulk.mail_list_update(
            user=self.request.user, mail_list=serializer.instance, name=data.get("name"),
            shared=data.get("shared"), customers=data.get("customers"),
        )  # fmt: skip

    def perform_destroy(self, instance):
        customer_bulk.mail_list_delete(user=self.request.user, mail_list=instance)


class AssignSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                      max_length=10_000, help_text=gettext_lazy("Customer ids."))  # fmt: skip
    controller = serializers.IntegerField(allow_null=True,
                                          help_text=gettext_lazy("A user id; null unassigns."))  # fmt: skip


class AssignResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(
        help_text=gettext_lazy("Customers whose controller changed.")
    )


class CustomerAssignView(APIView):
    """Give customers to a controller, or to nobody (``controller: null``). Managers only;
    audited. Customers that already have that controller are left as they are."""

    permission_classes = [HasAnyRole, IsManager]
    write_permission = staticmethod(has_any_role)

    @extend_schema(request=AssignSerializer, responses=AssignResultSerializer)
    def post(self, request):
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = set(body.validated_data["customers"])
        customers = list(Customer.objects.visible_to(request.user).filter(pk__in=ids))
        missing = sorted(ids - {c.pk for c in customers})
        if missing:
            raise serializers.ValidationError(
                {
                    "customers": _("No customer has id %(join)s.")
                    % {"join": ", ".join(map(str, missing[:20]))}
                }
            )
        controller = None
        if body.validated_data["controller"] is not None:
            controller = (
                get_user_model().objects.filter(pk=body.validated_data["controller"]).first()
            )
            if controller is None:
                raise serializers.ValidationError({"controller": _("No such user.")})
        changed = customer_bulk.customers_assign(
            user=request.user, customers=customers, controller=controller, source="api"
        )
        return Response({"changed": changed}, status=status.HTTP_200_OK)
