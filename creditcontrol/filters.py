"""Filter pieces every app's FilterSets share."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django_filters import filters
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, converted to UTC before it reaches the database: PostgreSQL
    refuses offsets beyond ±15:59 that Python accepts (up to ±23:59), and a moment near
    year 1 or 9999 may not exist in UTC at all."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This moment is out of range."), code="invalid") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
