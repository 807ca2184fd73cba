"""The plan settings pages (credit managers and administrators): the company's plan options
and its ordered levels, added, edited, moved and deleted through ``followups.api.levels``
(the same checks as the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from communications.forms import show_service_errors
from creditcontrol.roles import is_manager, role_required
from ledger.models import Company

from .api.levels import level_create, level_delete, level_update, plan_update
from .forms import PLACEHOLDER_HELP, LevelForm, PlanForm
from .models import FollowUpLevel, FollowUpPlan
from .placeholders import PLACEHOLDERS
from .plans import plan_for

PLACEHOLDER_MEANINGS = {
    "customer": gettext_lazy("the customer's name"),
    "contact": gettext_lazy("the credit-control contact's name (else “Sir or Madam”)"),
    "company": gettext_lazy("your company's name"),
    "total": gettext_lazy("what the listed entries still owe"),
    "overdue": gettext_lazy("the part of it past its due date"),
    "currency": gettext_lazy("the customer's currency"),
    "date": gettext_lazy("the date it is sent"),
    "entries": gettext_lazy("a table of the entries"),
    "controller": gettext_lazy("the customer's controller (who signs)"),
}


def _require_manager(user: Any) -> None:
    if not is_manager(user):
        raise PermissionDenied(_("Only a credit manager or an administrator may change the plan."))


def _company(request) -> tuple[Company, list[Company]]:
    """The company whose plan is shown: ``?company=`` or the user's first; 404 for one the
    user does not belong to."""
    companies = list(Company.objects.visible_to(request.user).order_by("code"))
    if not companies:
        raise Http404("You belong to no company.")
    raw = request.GET.get("company") or request.POST.get("company")
    if not raw:
        return companies[0], companies
    for company in companies:
        if str(company.pk) == raw:
            return company, companies
    raise Http404("No such company.")


def _plan_url(company: Company) -> str:
    return f"{reverse('followups:plan')}?company={company.pk}"


def _visible_level(request, pk: int) -> FollowUpLevel:
    companies = Company.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        FollowUpLevel.objects.select_related("plan__company").filter(plan__company__in=companies),
        pk=pk,
    )


@role_required
@require_http_methods(["GET", "POST"])
def plan(request):
    """The company's plan: its options (saved here) and its levels in order."""
    _require_manager(request.user)
    company, companies = _company(request)
    the_plan = plan_for(company)
    form = PlanForm(request.POST or None, instance=the_plan)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                # The form wrote the typed values onto ``the_plan``: the service gets the
                # saved plan, so its audit records what was there before.
                saved = FollowUpPlan.objects.select_related("company").get(pk=the_plan.pk)
                plan_update(user=request.user, plan=saved, **changed)
        except ValidationError as error:
            show_service_errors(form, error, aliases={})
        else:
            messages.success(request, _("Plan saved.") if changed else _("Nothing was changed."))
            return redirect(_plan_url(company))
    levels = list(the_plan.levels.order_by("sequence"))
    return render(
        request,
        "followups/plan.html",
        {
            "nav": "settings",
            "company": company,
            "companies": companies,
            "plan": the_plan,
            "form": form,
            "levels": levels,
        },
    )


def _level_page(request, form: LevelForm, company: Company, level: FollowUpLevel | None):
    return render(
        request,
        "followups/level_form.html",
        {
            "nav": "settings",
            "form": form,
            "company": company,
            "level": level,
            "placeholders": [(name, PLACEHOLDER_MEANINGS[name]) for name in PLACEHOLDERS],
            "placeholder_help": PLACEHOLDER_HELP,
            "plan_url": _plan_url(company),
        },
    )


@role_required
@require_http_methods(["GET", "POST"])
def level_create_view(request):
    """A new level, added after the last one."""
    _require_manager(request.user)
    company, _companies = _company(request)
    the_plan = plan_for(company)
    form = LevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            level = level_create(user=request.user, plan=the_plan, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error, aliases={"sequence": "days", "level": None})
        else:
            messages.success(
                request,
                _("Level %(level_sequence)s “%(level_name)s” added.")
                % {"level_sequence": level.sequence, "level_name": level.name},
            )
            return redirect(_plan_url(company))
    return _level_page(request, form, company, None)


@role_required
@require_http_methods(["GET", "POST"])
def level_edit(request, pk: int):
    """A level's name, days, actions and texts."""
    _require_manager(request.user)
    level = _visible_level(request, pk)
    company = level.plan.company
    form = LevelForm(request.POST or None, instance=level)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                # The form wrote the typed values onto ``level``; the service reads the level
                # afresh (locked) and applies ``changed`` to it.
                level_update(user=request.user, level=level, **changed)
        except ValidationError as error:
            show_service_errors(form, error, aliases={"sequence": "days", "level": None})
        else:
            messages.success(request, _('Level “%(form_cleaned_data_name)s” saved.') % {'form_cleaned_data_name': form.cleaned_data['name']}
                             if changed else _("Nothing was changed."))  # fmt: skip
            return redirect(_plan_url(company))
    return _level_page(request, form, company, level)


@role_required
@require_POST
def level_move_view(request, pk: int):
    """Move a level one place up or down (its days must still be in order)."""
    _require_manager(request.user)
    level = _visible_level(request, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Move a level up or down."))
        return redirect(_plan_url(level.plan.company))
    target = level.sequence - 1 if direction == "up" else level.sequence + 1
    count = level.plan.levels.count()
    if not 1 <= target <= count:
        where = "first" if direction == "up" else "last"
        messages.error(
            request,
            _("“%(level_name)s” is already the %(where)s level.")
            % {"level_name": level.name, "where": where},
        )
        return redirect(_plan_url(level.plan.company))
    try:
        level_update(user=request.user, level=level, sequence=target)
    except ValidationError as error:
        for text in error.messages:
            messages.error(
                request,
                _("“%(level_name)s” was not moved. %(text)s")
                % {"level_name": level.name, "text": text},
            )
    else:
        messages.success(
            request,
            _("“%(level_name)s” is now level %(target)s.")
            % {"level_name": level.name, "target": target},
        )
    return redirect(_plan_url(level.plan.company))


@role_required
@require_POST
def level_delete_view(request, pk: int):
    """Delete a level that no proposal or history uses."""
    _require_manager(request.user)
    level = _visible_level(request, pk)
    company = level.plan.company
    try:
        level_delete(user=request.user, level=level)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Level “%(level_name)s” deleted; the levels after it moved up.")
            % {"level_name": level.name},
        )
    return redirect(_plan_url(company))
