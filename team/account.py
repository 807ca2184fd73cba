"""Everyone's own account: change the password, sign out everywhere, and set a password
from an invitation or reset link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditcontrol.roles import roles_of

from .services import sign_out_everywhere
from .sessions import SIGNED_IN_AT


@login_required
def account(request):
    """The password form, and sign out everywhere."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Keep this session; every other one ends (they carry the old password's hash).
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed; other sessions were signed out."))
        return redirect("account")
    return render(request, "team/account.html", {
        "form": form, "roles": sorted(roles_of(request.user)), "nav": "account",
    })  # fmt: skip


@login_required
@require_POST
def sign_out_all(request):
    sign_out_everywhere(user=request.user)
    request.session.pop(SIGNED_IN_AT, None)
    logout(request)
    messages.info(request, _("You were signed out on every device and browser."))
    return redirect("login")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """From an invitation or reset link: choose a password, then sign in."""

    template_name = "team/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set: sign in with it."))
        return super().form_valid(form)
