"""A company's conventions that people set in the application: how its dates read.

The date convention (``Company.date_style``) decides how dates read on pages, exports and
internal PDFs (``creditcontrol/dates.py``); a credit manager or an administrator of the
company changes it, and the change is audited like any other.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from creditcontrol.dates import DATE_STYLES
from creditcontrol.roles import is_manager

from .audit import audit_record
from .models import AuditEvent, Company
from .services import require_company


@transaction.atomic
def company_date_style_set(*, user: Any, company: Company, date_style: str) -> Company:
    """Give ``company`` the date convention ``date_style`` (one of ``DATE_STYLES``)."""
    require_company(user, company, check=is_manager)
    if date_style not in DATE_STYLES:
        raise ValidationError({"date_style": _("Choose one of the date conventions offered.")})
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = company.date_style
    if before == date_style:
        return company
    company.date_style = date_style
    company.save(update_fields=["date_style"])
    audit_record(user=user, obj=company, action=AuditEvent.Action.UPDATE, company_id=company.pk,
                 before={"date_style": before}, after={"date_style": date_style})  # fmt: skip
    return company
