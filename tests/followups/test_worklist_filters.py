"""The work list's filters, kept in the URL; the compact density; the automatic badge."""

from __future__ import annotations

import pytest

from creditcontrol import roles
from tests.factories import user_in
from tests.followups.test_worklist_pages import _frozen, debtor, home, proposals_section

pytestmark = pytest.mark.django_db
__all__ = ["_frozen"]


def names(html: str) -> list[str]:
    section = proposals_section(html)
    return sorted(n for n in ("Alpha Ltd", "Bravo Ltd", "Charlie Ltd") if n in section)


@pytest.fixture
def three(company, controller):
    a = debtor(company, "Alpha Ltd", controller=controller, amount="50.00", level=1)
    b = debtor(company, "Bravo Ltd", amount="500.00", level=2)
    c = debtor(company, "Charlie Ltd", amount="5000.00", level=2)
    c.customer.on_hold = True
    c.customer.save()
    return a, b, c


@pytest.mark.parametrize(("params", "expected"), [
    ({"level": "1"}, ["Alpha Ltd"]),
    ({"level": "2"}, ["Bravo Ltd", "Charlie Ltd"]),
    ({"min_total": "400"}, ["Bravo Ltd", "Charlie Ltd"]),
    ({"on_hold": "true"}, ["Charlie Ltd"]),
    ({"on_hold": "false", "level": "2"}, ["Bravo Ltd"]),
    ({"channel": "email"}, ["Alpha Ltd", "Bravo Ltd", "Charlie Ltd"]),
    ({"channel": "letter"}, []),
    ({"automatic": "true"}, ["Alpha Ltd"]),  # the default plan's first level is automatic
    ({"automatic": "false"}, ["Bravo Ltd", "Charlie Ltd"]),
])  # fmt: skip
def test_filters_from_the_url(client, controller, three, params, expected):
    client.force_login(controller)
    assert names(home(client, **params)) == expected


def test_manager_filters_by_controller(client, company, controller, three):
    manager = user_in(company, roles.MANAGER)
    client.force_login(manager)
    html = home(client, controller=str(controller.pk))
    assert names(html) == ["Alpha Ltd"]
    assert f'<option value="{controller.pk}" selected>' in html


def test_filter_is_kept_in_the_form_and_the_density_links(client, controller, three):
    client.force_login(controller)
    html = home(client, level="2", density="compact")
    assert '<option value="2" selected>' in html
    assert 'class="followup-proposals compact"' in html
    assert "level=2" in html.split('id="density-compact"')[0].rsplit("<a", 1)[1]


def test_automatic_badge_only_where_the_worker_will_send(client, controller, company):
    with_contact = debtor(company, "Alpha Ltd", level=1)
    without = debtor(company, "Bravo Ltd", level=1)
    without.customer.contacts.all().delete()
    level = with_contact.level
    level.execute_automatically = True
    level.save()
    client.force_login(controller)
    section = proposals_section(home(client))
    alpha = section.split(f'id="proposal-{with_contact.pk}"')[1].split("</tbody>")[0]
    bravo = section.split(f'id="proposal-{without.pk}"')[1].split("</tbody>")[0]
    assert ">automatic<" in alpha and ">automatic<" not in bravo


def test_a_rows_action_swaps_in_the_due_count_of_the_filtered_page(client, controller, three):
    """Skipping a row answers the row and, out of band, the heading's count as the page
    the row is on counts it (its filters taken from the URL htmx names)."""
    _, bravo, _ = three
    client.force_login(controller)
    response = client.post(f"/proposals/{bravo.pk}/skip/", HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL="http://testserver/?level=2")  # fmt: skip
    html = response.content.decode()
    count = html.split('id="proposals-due-count"')[1].split("</span>")[0]
    assert 'hx-swap-oob="true"' in count and count.endswith(">1")  # Charlie is left
    response = client.post(f"/proposals/{three[0].pk}/skip/", HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL="http://testserver/")  # fmt: skip
    assert response.content.decode().split('id="proposals-due-count"')[1].split("</span>")[0] \
        .endswith(">1")  # fmt: skip


def test_rating_changed_from_the_panel_swaps_the_rows_dot(client, controller, three):
    alpha = three[0]
    client.force_login(controller)
    response = client.post(f"/proposals/{alpha.pk}/rating/", {"rating": "bad"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    dot = html.split(f'id="dot-{alpha.pk}"')[1].split("</span></span>")[0]
    assert 'hx-swap-oob="true"' in dot and "dot-bad" in dot


def test_a_filter_that_matches_nothing_says_so_without_the_overdue_stand_in(
    client, controller, three
):
    client.force_login(controller)
    html = home(client, level="5")
    assert "No follow-up proposal due matches these filters." in html
    assert "Largest overdue balances" not in html
    assert names(html) == []


def test_a_manual_level_marked_done_brings_its_todo_into_todos_due(client, controller, company):
    """The row answers with "todos-changed"; the work list's section, asked again as htmx
    does (the home view, targeted at it), lists the new to-do and counts it."""
    call = debtor(company, "Delta Ltd", controller=controller, level=3)  # telephone call + email
    client.force_login(controller)
    before = client.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="todos-due").content.decode()
    assert before.lstrip().startswith("<section") and "Nothing due today." in before
    response = client.post(f"/proposals/{call.pk}/execute/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "todos-changed"
    after = client.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="todos-due").content.decode()
    assert "Telephone the customer about the overdue invoices" in after
    assert '<span class="count count-due">1</span>' in after
    assert 'id="followup-proposals"' not in after  # the section alone
