"""The self-service page's settings per company (managers): bank details and "Pay now"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from communications.links import links_revoke
from creditcontrol.roles import is_manager, role_required
from ledger.models import Company
from ledger.views import visible_customer

from .models import PortalSettings


class PortalSettingsForm(forms.ModelForm):
    pay_url_template = forms.URLField(
        label=gettext_lazy("Payment page URL template"), max_length=500, required=False, assume_scheme="https",
        help_text=PortalSettings._meta.get_field("pay_url_template").help_text,
    )  # fmt: skip

    class Meta:
        model = PortalSettings
        fields = ["bank_details", "pay_url_template"]
        labels = {"bank_details": gettext_lazy("Bank details")}


@role_required
def portal_settings(request):
    if not is_manager(request.user):
        raise PermissionDenied(_("Only credit managers and administrators."))
    companies = list(Company.objects.visible_to(request.user))
    forms_by_company = []
    for company in companies:
        row = PortalSettings.objects.filter(company=company).first() or PortalSettings(
            company=company
        )
        form = PortalSettingsForm(
            request.POST if request.POST.get("company") == str(company.pk) else None,
            instance=row, prefix=f"c{company.pk}",
        )  # fmt: skip
        if form.is_bound and form.is_valid():
            form.save()
            messages.success(
                request, _("Self-service page of %(company)s saved.") % {"company": company}
            )
            return redirect("portal-settings")
        forms_by_company.append((company, form))
    return render(request, "portal/settings.html", {"forms": forms_by_company, "nav": "settings"})


@role_required
@require_POST
def links_revoke_view(request, pk: int):
    """End every live self-service link of the customer (a forwarded email, a leak)."""
    customer = visible_customer(request, pk)
    n = links_revoke(user=request.user, customer=customer)
    messages.success(request, ngettext(
        "%(n)s self-service link revoked; the next reminder carries a new one.",
        "%(n)s self-service links revoked; the next reminder carries a new one.", n,
    ) % {"n": n})  # fmt: skip
    return redirect("ledger:customer-card", pk=customer.pk)
