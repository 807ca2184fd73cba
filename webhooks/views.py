"""The webhooks settings page: register and remove endpoints, read the delivery log, replay."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditcontrol.roles import role_required
from ledger.models import Company

from . import services
from .forms import EndpointForm
from .models import Delivery, Endpoint


def _mine(request):
    if not services.can_manage_webhooks(request.user):
        raise PermissionDenied(_("Only credit managers, integrators and administrators."))
    return Company.objects.visible_to(request.user)


@role_required
def endpoints(request):
    companies = _mine(request)
    form = EndpointForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _('Endpoint registered. Its signing secret, shown this once: %(endpoint_secret)s') % {'endpoint_secret': endpoint.secret})  # fmt: skip
            return redirect("webhooks:endpoints")
    rows = Endpoint.objects.filter(company__in=companies).select_related("company")
    log = (Delivery.objects.filter(endpoint__company__in=companies)
           .select_related("endpoint", "event").order_by("-created_at", "-id")[:50])  # fmt: skip
    return render(request, "webhooks/endpoints.html",
                  {"form": form, "endpoints": rows, "log": log, "nav": "settings"})  # fmt: skip


@role_required
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk, company__in=_mine(request))
    services.endpoint_delete(user=request.user, endpoint=endpoint)
    messages.success(request, _("Endpoint removed."))
    return redirect("webhooks:endpoints")


@role_required
@require_POST
def delivery_replay(request, pk: int):
    delivery = get_object_or_404(Delivery, pk=pk, endpoint__company__in=_mine(request))
    services.delivery_replay(user=request.user, delivery=delivery)
    messages.success(request, _("The event will be sent again."))
    return redirect("webhooks:endpoints")
