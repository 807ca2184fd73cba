"""Sign-in, its throttling by user name and address pair and by address, and sign-out by
POST. The throttle is django-axes' (creditcontrol/signin.py): /admin/login/ shares it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
LOCKED = "Too many failed sign-in attempts. Try again in"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_LOCKOUT_SECONDS = 900
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_sign_in_with_the_right_password_goes_to_the_work_list(client, controller):
    response = sign_in(client, "carol", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")  # which sends a controller on to home
    assert client.get(reverse("start"))["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_page_renders_the_form(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_wrong_password_is_refused_without_locking_at_first(client, controller):
    response = sign_in(client, "carol", "wrong")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_username_and_address_pair_is_locked_after_the_limit_even_with_the_right_password(
    client, controller
):
    for _ in range(3):
        sign_in(client, "carol", "wrong", ip="10.0.1.1")
    response = sign_in(client, "carol", PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    assert f"{LOCKED} 15 minutes." in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert 'value="carol"' in response.content.decode()  # the form keeps the username
    assert "_auth_user_id" not in client.session


def test_username_lock_ignores_case_and_spaces(client, controller):
    for name in ["Carol", "CAROL ", "carol"]:
        sign_in(client, name, "wrong", ip="10.0.1.1")
    assert sign_in(client, "carol", PASSWORD, ip="10.0.1.1").status_code == 429


def test_the_attempt_that_reaches_the_limit_already_says_so(client, controller):
    sign_in(client, "carol", "wrong")
    sign_in(client, "carol", "wrong")
    response = sign_in(client, "carol", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_client_address_is_locked_after_the_limit_whatever_the_username(
    client, controller, manager
):
    for name in ["nobody", "someone", "mike", "anna", "bert", "cleo"]:
        sign_in(client, name, "wrong", ip="192.0.2.7")
    response = sign_in(client, "carol", PASSWORD, ip="192.0.2.7")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Another address is not affected, nor is a username that failed only once.
    assert sign_in(client, "carol", PASSWORD, ip="192.0.2.8").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, controller):
    for n in range(6):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "x"},
                    REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")  # fmt: skip
    response = client.post(reverse("login"), {"username": "carol", "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.99")  # fmt: skip
    assert response.status_code == 429


def test_lock_is_lifted_after_the_lockout_time(client, controller):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            sign_in(client, "carol", "wrong")
        assert sign_in(client, "carol", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=10))
        response = sign_in(client, "carol", PASSWORD)
        assert response.status_code == 429
        assert f"{LOCKED} 5 minutes." in response.content.decode()
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert sign_in(client, "carol", PASSWORD).status_code == 302


def test_success_resets_the_username_count(client, controller):
    sign_in(client, "carol", "wrong", ip="10.0.0.1")
    sign_in(client, "carol", "wrong", ip="10.0.0.2")
    assert sign_in(client, "carol", PASSWORD, ip="10.0.0.3").status_code == 302
    client.logout()
    sign_in(client, "carol", "wrong", ip="10.0.0.4")
    sign_in(client, "carol", "wrong", ip="10.0.0.5")
    assert sign_in(client, "carol", PASSWORD, ip="10.0.0.6").status_code == 302


def test_one_bad_typist_behind_the_office_nat_does_not_lock_out_colleagues(
    client, controller, manager
):
    for _ in range(3):
        sign_in(client, "carol", "wrong", ip="203.0.113.5")
    assert sign_in(client, "carol", PASSWORD, ip="203.0.113.5").status_code == 429
    assert sign_in(client, "mike", PASSWORD, ip="203.0.113.5").status_code == 302


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(
    client, controller, manager, settings
):
    settings.LOGIN_TRUSTED_PROXIES = 1

    def via_proxy(username, password, address):
        return client.post(reverse("login"), {"username": username, "password": password},
                           REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=address)  # fmt: skip

    for n in range(6):
        via_proxy(f"guess{n}", "x", "198.51.100.1")
    assert via_proxy("mike", PASSWORD, "198.51.100.1").status_code == 429
    # Every request comes from the proxy, but the other office is not locked out.
    assert via_proxy("mike", PASSWORD, "198.51.100.2").status_code == 302


def test_admin_sign_in_shares_the_throttle(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    for _ in range(3):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.1")  # fmt: skip
    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")  # fmt: skip
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # and the lock made at /admin/ holds at /login/ too
    assert sign_in(client, "ada", PASSWORD).status_code == 429


def test_failures_at_the_sign_in_page_lock_the_admin_too(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    for _ in range(3):
        sign_in(client, "ada", "wrong")
    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")  # fmt: skip
    assert response.status_code == 429


def test_logout_needs_post(client, controller):
    client.force_login(controller)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_signed_in_pages_offer_a_logout_form_with_csrf(client, controller):
    client.force_login(controller)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("logout")}"' in html
    assert 'method="post"' in html
