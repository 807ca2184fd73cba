"""The four roles, and the checks every view and endpoint uses.

Roles are Django groups created by a data migration (``creditcontrol/migrations``).
Which *companies* a user sees is a separate question, answered by
``Company.members`` and each model's ``visible_to(user)`` queryset method.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

CONTROLLER = "Credit controller"
MANAGER = "Credit manager"
ADMINISTRATOR = "Administrator"
INTEGRATOR = "Integrator"
ALL_ROLES = (CONTROLLER, MANAGER, ADMINISTRATOR, INTEGRATOR)
# The role names are Django groups' names (data, made by a migration); people read these.
ROLE_LABELS = {
    CONTROLLER: gettext_lazy("Credit controller"),
    MANAGER: gettext_lazy("Credit manager"),
    ADMINISTRATOR: gettext_lazy("Administrator"),
    INTEGRATOR: gettext_lazy("Integrator"),
}


def roles_of(user: Any) -> frozenset[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_creditcontrol_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMINISTRATOR}
        user._creditcontrol_roles = cached
    return cached


def has_any_role(user: Any) -> bool:
    return bool(roles_of(user))


def is_manager(user: Any) -> bool:
    """Managers configure plans and codes, assign customers and read every report."""
    return bool(roles_of(user) & {MANAGER, ADMINISTRATOR})


def is_administrator(user: Any) -> bool:
    return ADMINISTRATOR in roles_of(user)


def can_edit_ledger(user: Any) -> bool:
    """Who may create or change customers and ledger entries (and run the sync)."""
    return bool(roles_of(user) & {MANAGER, ADMINISTRATOR, INTEGRATOR})


def can_work_customers(user: Any) -> bool:
    """Who may work on customers in the browser: contacts, communications, ..."""
    return bool(roles_of(user) & {CONTROLLER, MANAGER, ADMINISTRATOR})


def credit_controllers(companies: Any, *, also: Any = None) -> Any:
    """Active credit controllers of ``companies`` (companies or their ids), by full name:
    the people offered wherever a customer's controller is chosen (not integrators, nor
    managers or administrators who do not hold the controller role). ``also``: the
    current value (a user or id), kept on offer."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    chosen = Q(is_active=True, companies__in=companies, groups__name=CONTROLLER)
    also_pk = getattr(also, "pk", also)
    if also_pk is not None:
        chosen |= Q(pk=also_pk)
    return (
        get_user_model()
        .objects.filter(chosen)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def roles_context(request: Any) -> dict[str, Any]:
    """Template context: what the navigation may offer the signed-in user."""
    user = getattr(request, "user", None)
    return {
        "user_is_manager": is_manager(user),
        "user_is_administrator": is_administrator(user),
        "user_can_edit_ledger": can_edit_ledger(user),
        "user_roles": [ROLE_LABELS.get(role, role) for role in sorted(roles_of(user))],
    }


class HasAnyRole(BasePermission):
    """Signed in and holding at least one role; writes need the ledger-editing roles."""

    message = gettext_lazy("Your account has no credit-control role; ask an administrator.")

    def has_permission(self, request: Any, view: Any) -> bool:
        if not has_any_role(request.user):
            return False
        if request.method in SAFE_METHODS:
            return True
        needed = getattr(view, "write_permission", can_edit_ledger)
        return bool(needed(request.user))


class IsManager(BasePermission):
    message = gettext_lazy("Only a credit manager or an administrator may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_manager(request.user)


class RoleRequiredMixin(AccessMixin):
    """Class-based view mixin: signed in, with a role, and passing ``role_check``."""

    role_check = staticmethod(has_any_role)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.role_check(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


def role_required(view):
    """Signed in (else to the sign-in page) and holding a credit-control role (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not has_any_role(request.user):
            raise PermissionDenied(
                _("Your account has no credit-control role; ask an administrator.")
            )
        return view(request, *args, **kwargs)

    return wrapped
