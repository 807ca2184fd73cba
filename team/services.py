"""Administration of the team: one named function per action, administrators only,
access checked first. Which users an administrator manages: the members of their
companies (and people not yet in any company); companies granted: only their own."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from creditcontrol.roles import ALL_ROLES, INTEGRATOR, is_administrator, roles_of
from ledger.models import Company

from .models import ApiToken, SignOutMark, token_digest

User = get_user_model()


def require_administrator(user: Any) -> None:
    if not is_administrator(user):
        raise PermissionDenied(_("Only an administrator manages users."))


def managed_users(admin: Any):
    """The users ``admin`` manages: members of the admin's companies and people in none."""
    users = User.objects.all()
    if admin.is_superuser:
        return users
    mine = Company.objects.visible_to(admin)
    return users.filter(Q(companies__in=mine) | Q(companies__isnull=True)).distinct()


def _managed(admin: Any, user: Any) -> Any:
    require_administrator(admin)
    if not managed_users(admin).filter(pk=user.pk).exists():
        raise PermissionDenied(_("This person is not in your companies."))
    return user


def _grantable(admin: Any, companies: Any) -> list[Company]:
    mine = set(Company.objects.visible_to(admin).values_list("pk", flat=True))
    chosen = list(companies)
    strangers = [c for c in chosen if c.pk not in mine]
    if strangers:
        raise ValidationError({"companies": _("You may only grant your own companies.")})
    return chosen


def _set_roles_and_companies(admin: Any, user: Any, roles: list[str], companies: Any) -> None:
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValidationError(
            {
                "roles": _("Unknown role: %(join_sorted_unknown)s.")
                % {"join_sorted_unknown": ", ".join(sorted(unknown))}
            }
        )
    chosen = _grantable(admin, companies)
    groups = [Group.objects.get_or_create(name=name)[0] for name in roles]
    user.groups.remove(*Group.objects.filter(name__in=ALL_ROLES).exclude(name__in=roles))
    user.groups.add(*groups)
    # Companies outside the admin's are left as they are: another administrator's.
    mine = Company.objects.visible_to(admin)
    user.companies.remove(*[c for c in mine if c not in chosen])
    user.companies.add(*chosen)
    user._creditcontrol_roles = None


def password_link(request: Any, user: Any) -> str:
    """An absolute, single-use link to set a password (Django's reset token: it stops
    working once the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("team:set-password", args=[uid, default_token_generator.make_token(user)])
    return request.build_absolute_uri(path)


def _mail_link(user: Any, subject: str, link: str) -> None:
    if not user.email:
        return
    text = (f"Hello {user.get_full_name() or user.get_username()},\n\n"
            f"Set your password for creditcontrol here (the link works once):\n{link}\n\n"
            f"Your user name is {user.get_username()}.\n")  # fmt: skip
    transaction.on_commit(lambda: send_mail(subject, text, None, [user.email]))


@transaction.atomic
def user_invite(*, admin: Any, request: Any, username: str, email: str, first_name: str,
                last_name: str, roles: list[str], companies: Any) -> tuple[Any, str]:  # fmt: skip
    """Create a user without a password and mail them a link to set one; returns the
    user and the link (shown to the administrator too, for when mail is slow)."""
    require_administrator(admin)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name %(username)s is taken.") % {"username": username}}
        )
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles_and_companies(admin, user, roles, companies)
    link = password_link(request, user)
    _mail_link(user, "Your creditcontrol account", link)
    return user, link


@transaction.atomic
def user_update(*, admin: Any, user: Any, email: str, first_name: str, last_name: str,
                roles: list[str], companies: Any) -> Any:  # fmt: skip
    _managed(admin, user)
    if user.pk == admin.pk and "Administrator" not in roles and not admin.is_superuser:
        raise ValidationError({"roles": _("You cannot take the administrator role from yourself.")})
    user.email, user.first_name, user.last_name = email, first_name, last_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "first_name", "last_name"])
    _set_roles_and_companies(admin, user, roles, companies)
    return user


@transaction.atomic
def user_set_active(*, admin: Any, user: Any, active: bool) -> Any:
    """Deactivate (signed out at once, tokens stop working) or reactivate a user."""
    _managed(admin, user)
    if user.pk == admin.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        sign_out_everywhere(user=user)
    return user


@transaction.atomic
def user_reset_password(*, admin: Any, request: Any, user: Any) -> str:
    """Make the current password unusable and mail a link to set a new one."""
    _managed(admin, user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    sign_out_everywhere(user=user)
    link = password_link(request, user)
    _mail_link(user, "Reset your creditcontrol password", link)
    return link


def sign_out_everywhere(*, user: Any) -> None:
    SignOutMark.objects.update_or_create(user=user, defaults={"at": timezone.now()})


@transaction.atomic
def api_token_create(*, admin: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new named key for an integrator; the key is returned once and stored hashed."""
    _managed(admin, user)
    if INTEGRATOR not in roles_of(user) and not is_administrator(user):
        raise ValidationError({"user": _("API tokens are for integrators (and administrators).")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name (the system that will use it).")})
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:8],
                                    digest=token_digest(key), created_by=admin)  # fmt: skip
    return token, key


@transaction.atomic
def api_token_revoke(*, admin: Any, token: ApiToken) -> ApiToken:
    _managed(admin, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
