"""Administration pages (administrators): the team list, inviting and editing a person,
deactivating, resetting a password, and integrators' API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditcontrol.form_tokens import submit_once
from creditcontrol.roles import ALL_ROLES, is_administrator, role_required
from ledger.models import Company

from . import services
from .forms import TokenForm, UserForm
from .models import ApiToken

User = get_user_model()


def _admin_only(request) -> None:
    if not is_administrator(request.user):
        raise PermissionDenied(_("Only an administrator manages users."))


def _managed_user(request, pk: int):
    # Someone outside the administrator's companies is not found, not forbidden.
    return get_object_or_404(services.managed_users(request.user), pk=pk)


def _errors(form, error: ValidationError) -> None:
    for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@role_required
def users(request):
    _admin_only(request)
    people = (
        services.managed_users(request.user)
        .prefetch_related(
            "groups", Prefetch("companies", queryset=Company.objects.order_by("code"))
        )
        .order_by("-is_active", "first_name", "last_name", "username")
    )
    tokens = ApiToken.objects.filter(user__in=people).select_related("user").order_by("-created_at")
    return render(request, "team/users.html", {
        "people": people, "tokens": tokens, "roles": ALL_ROLES, "nav": "team",
        "token_form": TokenForm(), "new_key": request.session.pop("team_new_key", None),
        "invite_link": request.session.pop("team_link", None),
    })  # fmt: skip


@role_required
def user_invite(request):
    _admin_only(request)
    form = UserForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}

        def make() -> str:
            user, link = services.user_invite(admin=request.user, request=request, **data)
            request.session["team_link"] = {"who": user.get_full_name(), "link": link}
            messages.success(
                request,
                _("Invited %(user_get_full_name)s; the link was mailed to %(user_email)s.")
                % {"user_get_full_name": user.get_full_name(), "user_email": user.email},
            )
            return reverse("team:users")

        try:
            return submit_once(request, form.cleaned_data["form_token"], make,
                               fallback=reverse("team:users"))  # fmt: skip
        except ValidationError as error:
            _errors(form, error)
    return render(request, "team/user_form.html", {"form": form, "nav": "team"})


@role_required
def user_edit(request, pk: int):
    _admin_only(request)
    person = _managed_user(request, pk)
    initial = {
        "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
        "roles": list(person.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True)),
        "companies": list(person.companies.all()),
    }  # fmt: skip
    form = UserForm(request.POST or None, admin=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(admin=request.user, user=person, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(
                request,
                _("Saved %(person_get_full_name_or_person)s.")
                % {"person_get_full_name_or_person": person.get_full_name() or person.username},
            )
            return redirect("team:users")
    return render(request, "team/user_form.html", {"form": form, "person": person, "nav": "team"})


@role_required
@require_POST
def user_active(request, pk: int):
    _admin_only(request)
    person = _managed_user(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(admin=request.user, user=person, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        said = (_("%(person)s is active again.") if active
                else _("%(person)s is deactivated and signed out."))  # fmt: skip
        messages.success(request, said % {"person": person.get_full_name() or person.username})
    return redirect("team:users")


@role_required
@require_POST
def user_reset(request, pk: int):
    _admin_only(request)
    person = _managed_user(request, pk)
    link = services.user_reset_password(admin=request.user, request=request, user=person)
    request.session["team_link"] = {"who": person.get_full_name() or person.username, "link": link}
    messages.success(request, _('The password of %(person_get_full_name_or_person)s was reset; a link to set a new one was mailed.') % {'person_get_full_name_or_person': person.get_full_name() or person.username})  # fmt: skip
    return redirect("team:users")


@role_required
@require_POST
def token_create(request, pk: int):
    _admin_only(request)
    person = _managed_user(request, pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("team:users")
    try:
        token, key = services.api_token_create(admin=request.user, user=person,
                                               name=form.cleaned_data["name"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session["team_new_key"] = {"name": token.name, "key": key}
    return redirect("team:users")


@role_required
@require_POST
def token_revoke(request, pk: int):
    _admin_only(request)
    token = get_object_or_404(
        ApiToken.objects.filter(user__in=services.managed_users(request.user)), pk=pk
    )
    services.api_token_revoke(admin=request.user, token=token)
    messages.success(
        request,
        _("Revoked the token “%(token_name)s”; it no longer works.") % {"token_name": token.name},
    )
    return redirect("team:users")
