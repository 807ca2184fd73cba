"""Completing a communication from the card updates the header's figures in place."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import CommunicationFactory

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-23 12:00:00+00:00", tick=False)
def test_completing_a_communication_swaps_the_header_figures(client, controller, customer):
    c = CommunicationFactory(customer=customer, our_contact=controller,
                             follow_up_on=dt.date(2026, 11, 30))  # fmt: skip
    client.force_login(controller)
    card = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="kpi-next-follow-up"' in card and "30 Nov 2026" in card
    response = client.post(f"/communications/{c.pk}/complete/", {"complete": "1"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    header = html.split('id="kpi-next-follow-up"')[1].split("</div>")[0]
    assert 'hx-swap-oob="true"' in header
    assert "30 Nov 2026" not in header and "none" in header
