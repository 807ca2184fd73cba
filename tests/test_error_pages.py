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
