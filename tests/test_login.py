"""Sign-in, its throttling by username and by client address, and sign-out by POST."""

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


def test_username_is_locked_after_the_limit_even_with_the_right_password(client, controller):
    for n in range(3):
        # A different address each time: the username alone must trigger the lock.
        sign_in(client, "carol", "wrong", ip=f"10.0.1.{n}")
    response = sign_in(client, "carol", PASSWORD, ip="10.0.9.9")
    assert response.status_code == 429
    assert f"{LOCKED} 15 minutes." in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert 'value="carol"' in response.content.decode()  # the form keeps the username
    assert "_auth_user_id" not in client.session


def test_username_lock_ignores_case_and_spaces(client, controller):
    for n, name in enumerate(["Carol", "CAROL ", "carol"]):
        sign_in(client, name, "wrong", ip=f"10.0.1.{n}")
    assert sign_in(client, "carol", PASSWORD, ip="10.0.9.9").status_code == 429


def test_the_attempt_that_reaches_the_limit_already_says_so(client, controller):
    sign_in(client, "carol", "wrong")
    sign_in(client, "carol", "wrong")
    response = sign_in(client, "carol", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_client_address_is_locked_after_the_limit_whatever_the_username(
    client, controller, manager
):
    for name in ["nobody", "someone", "mike"]:
        sign_in(client, name, "wrong", ip="192.0.2.7")
    response = sign_in(client, "carol", PASSWORD, ip="192.0.2.7")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Another address is not affected, nor is a username that failed only once.
    assert sign_in(client, "carol", PASSWORD, ip="192.0.2.8").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, controller):
    for n in range(3):
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
