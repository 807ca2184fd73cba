"""Administration in the application: users, roles, companies, tokens; the account page."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import User

from creditcontrol import roles
from team.models import ApiToken
from tests.conftest import api_as
from tests.factories import user_in

pytestmark = pytest.mark.django_db


def invite(client, company, **values):
    data = {"form_token": str(uuid.uuid4()), "username": "nina", "first_name": "Nina",
            "last_name": "Novak", "email": "nina@example.com", "roles": [roles.CONTROLLER],
            "companies": [company.pk], **values}  # fmt: skip
    return client.post("/team/invite/", data)


def test_administrator_invites_with_a_link_to_set_a_password(
    client, administrator, company, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, company).status_code == 302
    nina = User.objects.get(username="nina")
    assert not nina.has_usable_password()
    assert roles.CONTROLLER in roles.roles_of(nina)
    assert list(nina.companies.all()) == [company]
    page = client.get("/team/").content.decode()
    link = re.search(r"http://testserver(/team/password/[^<\s]+)", page).group(1)
    assert mailoutbox and link in mailoutbox[0].body
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    client.post(set_url, {"new_password1": "a-Long-pass-123", "new_password2": "a-Long-pass-123"})
    nina.refresh_from_db()
    assert nina.check_password("a-Long-pass-123")


def test_double_submitted_invitation_makes_one_user(client, administrator, company):
    client.force_login(administrator)
    token = str(uuid.uuid4())
    invite(client, company, form_token=token)
    invite(client, company, form_token=token)
    assert User.objects.filter(username="nina").count() == 1


def test_roles_and_companies_are_changed(client, administrator, company, controller):
    client.force_login(administrator)
    client.post(f"/team/{controller.pk}/", {"first_name": "Carol", "last_name": "Kent",
                "email": "c@example.com", "roles": [roles.MANAGER], "companies": [company.pk]})  # fmt: skip
    controller.refresh_from_db()
    controller._creditcontrol_roles = None
    assert roles.roles_of(controller) == {roles.MANAGER}
    assert controller.get_full_name() == "Carol Kent"


def test_cannot_grant_another_company(client, administrator, controller, other_company):
    client.force_login(administrator)
    client.post(f"/team/{controller.pk}/", {"first_name": "C", "last_name": "K",
                "email": "c@example.com", "roles": [roles.CONTROLLER],
                "companies": [other_company.pk]})  # fmt: skip
    assert other_company not in controller.companies.all()


def test_deactivate_signs_out_and_stops_tokens(client, administrator, integrator):
    client.force_login(administrator)
    client.post(f"/team/{integrator.pk}/tokens/", {"name": "Sage sync"})
    key = re.search(
        r'class="token-once">([0-9a-f]{40})<', client.get("/team/").content.decode()
    ).group(1)
    api = api_as(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/customers/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    client.post(f"/team/{integrator.pk}/active/", {"active": "0"})
    integrator.refresh_from_db()
    assert not integrator.is_active
    assert api.get("/api/v1/customers/").status_code == 401


def test_revoked_token_stops_working(client, administrator, integrator):
    client.force_login(administrator)
    client.post(f"/team/{integrator.pk}/tokens/", {"name": "Orders"})
    key = re.search(
        r'class="token-once">([0-9a-f]{40})<', client.get("/team/").content.decode()
    ).group(1)
    token = ApiToken.objects.get()
    assert token.digest != key and token.prefix == key[:8]
    client.post(f"/team/tokens/{token.pk}/revoke/")
    api = api_as(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/customers/").status_code == 401


def test_tokens_only_for_integrators(client, administrator, controller):
    client.force_login(administrator)
    client.post(f"/team/{controller.pk}/tokens/", {"name": "x"})
    assert not ApiToken.objects.exists()


def test_reset_password_makes_the_old_one_unusable(client, administrator, controller):
    client.force_login(administrator)
    client.post(f"/team/{controller.pk}/reset/")
    controller.refresh_from_db()
    assert not controller.has_usable_password()


@pytest.mark.parametrize("who", ["controller", "manager", "integrator"])
def test_team_pages_are_for_administrators(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/team/").status_code == 403
    assert client.get("/team/invite/").status_code == 403


def test_outsider_administrator_gets_404_for_someone_elses_user(client, other_company, controller):
    stranger_admin = user_in(other_company, roles.ADMINISTRATOR)
    client.force_login(stranger_admin)
    assert client.get(f"/team/{controller.pk}/").status_code == 404
    assert client.post(f"/team/{controller.pk}/active/", {"active": "0"}).status_code == 404
    controller.refresh_from_db()
    assert controller.is_active


def test_change_password_keeps_this_session(client, controller):
    client.force_login(controller)
    response = client.post("/account/", {"old_password": "secret-pass-123",
                           "new_password1": "n3w-Secret-pass", "new_password2": "n3w-Secret-pass"})  # fmt: skip
    assert response.status_code == 302
    controller.refresh_from_db()
    assert controller.check_password("n3w-Secret-pass")
    assert client.get("/customers/").status_code == 200


def test_sign_out_everywhere_ends_other_sessions(client, controller):
    other = type(client)()
    other.force_login(controller)
    client.force_login(controller)
    client.post("/account/sign-out-everywhere/")
    assert client.get("/customers/").status_code == 302
    # The other browser is signed out at its next check (at most a minute later).
    from team import sessions

    session = other.session
    session[sessions.CHECKED_AT] = 0
    session.save()
    assert other.get("/customers/").status_code == 302


def test_full_names_in_pickers(client, manager, company):
    named = user_in(company, roles.CONTROLLER, first_name="Olive", last_name="Okafor")
    from tests.factories import CustomerFactory

    customer = CustomerFactory(company=company)
    client.force_login(manager)
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert f'<option value="{named.pk}">Olive Okafor</option>' in page
