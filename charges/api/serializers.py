"""What the charges API reads and writes. Money is a decimal string with its currency."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ChargeTerms, PostedCharge, ReferenceRate
from ..presets import PRESETS
from ..services import _fees_repr


class BandSerializer(serializers.Serializer):
    from_amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)


class ChargeTermsSerializer(serializers.ModelSerializer):
    """A plan's charge terms; ``level_fees`` maps a level's sequence to its reminder fee."""

    company = serializers.IntegerField(source="plan.company_id", read_only=True)
    currency = serializers.CharField(source="plan.company.base_currency", read_only=True)
    bands = BandSerializer(many=True, required=False, write_only=True)
    level_fees = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0),
        required=False,
        write_only=True,
    )

    class Meta:
        model = ChargeTerms
        fields = ["plan", "company", "currency", "interest", "fixed_rate", "reference_series",
                  "margin", "preset", "bands", "level_fees", "updated_at"]  # fmt: skip
        read_only_fields = ["plan", "preset", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        saved = instance.pk is not None
        data["bands"] = BandSerializer(instance.bands.all() if saved else [], many=True).data
        data["plan"] = instance.plan_id
        data["level_fees"] = _fees_repr(instance.plan)
        return data


class PresetSerializer(serializers.Serializer):
    preset = serializers.ChoiceField(choices=sorted(PRESETS))


class ReferenceRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceRate
        fields = ["id", "series", "valid_from", "rate"]


class ProposedChargeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    company = serializers.IntegerField()
    customer = serializers.IntegerField()
    account_code = serializers.CharField()
    entry = serializers.IntegerField(allow_null=True)
    document_no = serializers.CharField(allow_blank=True)
    period_from = serializers.DateField(allow_null=True)
    period_to = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    amount_lcy = serializers.DecimalField(max_digits=18, decimal_places=2)
    as_of = serializers.DateField()


class ProposedChargePageSerializer(serializers.Serializer):
    """One page of proposed charges: the date they are computed as of, and where to go on."""

    as_of = serializers.DateField()
    results = ProposedChargeSerializer(many=True)
    next_after = serializers.IntegerField(
        allow_null=True, help_text="Pass as `after` for the next page; null on the last page."
    )


class AcknowledgeSerializer(serializers.Serializer):
    company = serializers.IntegerField()
    reference = serializers.CharField(max_length=64)
    posted_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False,
                                      help_text="What was posted; refused if the charge differs now.")  # fmt: skip


class PostedChargeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostedCharge
        fields = ["id", "reference", "kind", "company", "customer", "entry", "period_from",
                  "period_to", "currency", "amount", "amount_lcy", "posted_ref",
                  "acknowledged_at"]  # fmt: skip
