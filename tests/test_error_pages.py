"""The 404 and 403 pages never list the URL patterns, even with DEBUG on; the favicon."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_address_shows_our_page_not_the_url_map(client, controller, debug):
    client.force_login(controller)
    with override_settings(DEBUG=debug):
        response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in page
    assert (
        "URLconf" not in page
        and "api/v1/" not in page
        and "customers/" not in page.split("<main")[1]
    )


def test_unknown_address_signed_out_shows_our_page(client):
    with override_settings(DEBUG=True):
        response = client.get("/nothing-here/")
    assert response.status_code == 404 and "URLconf" not in response.content.decode()


def test_api_404_stays_json(client, controller):
    client.force_login(controller)
    with override_settings(DEBUG=True):
        response = client.get("/api/v1/customers/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_403_page_lists_nothing(client, controller):
    client.force_login(controller)
    with override_settings(DEBUG=True):
        response = client.get("/team/")
    assert response.status_code == 403 and "URLconf" not in response.content.decode()


def test_every_page_links_the_favicon(client, controller):
    client.force_login(controller)
    assert "img/favicon.svg" in client.get("/customers/").content.decode()


# --- The database out of reach, and errors nobody handled (creditcontrol/outage.py) ------


@pytest.fixture
def unhandled(settings):
    """A client that gets the answer a person would, not the exception (DEBUG off)."""
    from django.test import Client

    settings.DEBUG = False
    return Client(raise_request_exception=False)


def _database_down(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


def test_database_down_answers_a_503_page_from_the_first_middleware_that_needs_it(
    unhandled, controller, monkeypatch
):
    from django.contrib.sessions.backends.db import SessionStore

    unhandled.force_login(controller)
    monkeypatch.setattr(SessionStore, "_get_session_from_db", _database_down)
    response = unhandled.get("/customers/")
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "temporarily unavailable" in page and "Try again" in page
    assert "Traceback" not in page and "OperationalError" not in page and "5432" not in page


def test_database_down_answers_the_api_a_json_503(unhandled, integrator, monkeypatch):
    from rest_framework.authtoken.models import Token

    from ledger.api.views import CustomerViewSet

    monkeypatch.setattr(CustomerViewSet, "list", _database_down)
    token = Token.objects.create(user=integrator).key
    response = unhandled.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    (error,) = response.json()["errors"]
    assert "temporarily unavailable" in error["message"] and "5432" not in error["message"]


def test_any_other_unhandled_error_answers_our_500_page(unhandled, controller, monkeypatch):
    from communications import views_customer_list

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    unhandled.force_login(controller)
    monkeypatch.setattr(views_customer_list, "render", broken)
    response = unhandled.get("/customers/")
    page = response.content.decode()
    assert response.status_code == 500 and "Something went wrong on our side" in page
    assert "Traceback" not in page and "a bug" not in page and "Retry-After" not in response
