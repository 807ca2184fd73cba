"""Pages of the charges: a plan's charge terms (managers), and the customer card's
Charges tab (what each overdue invoice carries today, and what has been posted)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from creditcontrol.roles import is_manager, role_required
from ledger.models import Company, LedgerEntry
from ledger.views.card import render_card, visible_customer

from . import presets, services
from .api.views import PLAN
from .forms import ChargeTermsForm, initial_of
from .models import PostedCharge, ReferenceRate
from .presets import PRESETS


def _managed_plan(request, pk: int):
    if not is_manager(request.user):
        raise PermissionDenied(_("Only a credit manager or an administrator may change charges."))
    return get_object_or_404(
        PLAN.objects.filter(company__in=Company.objects.visible_to(request.user))
        .select_related("company"), pk=pk,
    )  # fmt: skip


@role_required
def plan_summary(request, pk: int):
    """The plan page's Late-payment charges card (loaded by htmx into the plan page)."""
    plan = _managed_plan(request, pk)
    return render(request, "charges/_plan_summary.html", {
        "plan": plan, "company": plan.company, "charge_overview": services.overview(plan),
    })  # fmt: skip


@role_required
def plan_charges(request, pk: int):
    """A plan's interest terms, compensation bands and level fees; the presets."""
    plan = _managed_plan(request, pk)
    levels = list(plan.levels.order_by("sequence"))
    terms = services.terms_of(plan)
    initial = initial_of(terms, services._fees_repr(plan))
    form = ChargeTermsForm(request.POST or None, levels=levels, initial=initial)
    if request.method == "POST":
        try:
            if request.POST.get("preset"):
                presets.preset_apply(plan, request.POST["preset"], user=request.user)
                messages.success(
                    request, _("The %(code)s preset is applied.") % {"code": request.POST["preset"]}
                )
                return redirect("charges:plan-charges", plan.pk)
            if form.is_valid():
                services.terms_update(user=request.user, plan=plan, data=form.service_data())
                messages.success(request, _("Charges saved."))
                return redirect("charges:plan-charges", plan.pk)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
    series = terms.reference_series if terms and terms.reference_series else None
    rates = (
        list(ReferenceRate.objects.filter(series=series).order_by("-valid_from")[:6])
        if series
        else []
    )
    # A rate is fixed for six months: older than that, a newer one has been published.
    stale = bool(rates) and (plan.company.today() - rates[0].valid_from).days > 184
    return render(request, "charges/plan_charges.html", {
        "nav": "settings", "plan": plan, "company": plan.company, "form": form, "terms": terms,
        "presets": PRESETS.values(), "rates": rates, "rates_stale": stale,
    })  # fmt: skip


CARD_LINES = 100  # the oldest; the Charges report lists every one


@role_required
def customer_charges(request, pk: int):
    """The card's Charges tab: each overdue invoice's charges today, and those posted."""
    customer = visible_customer(request, pk)
    today = customer.company.today()
    entries = LedgerEntry.objects.filter(customer=customer).open()
    lines = services.charges_by_entry(entries, today, limit=CARD_LINES)
    figures = services.totals(entries, today)
    posted = PostedCharge.objects.filter(customer=customer).select_related("entry")
    return render_card(request, customer, "charges", {
        "tab_template": "charges/card/_charges.html", "lines": lines, "figures": figures,
        "more": max(figures["count"] - len(lines), 0), "as_of": today,
        "lcy": customer.company.base_currency, "posted": posted[:50],
        "posted_total": posted.aggregate(total=Sum("amount_lcy"))["total"],
    })  # fmt: skip
