"""The work list's follow-up proposals: what it lists, and each action a controller takes
from it (execute, skip, postpone, bulk execute, edit text, letter PDF, the entries panel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import EntryNote, ToDo
from creditcontrol import roles
from followups.models import OutboxMessage, Proposal, ProposalStatus
from followups.plans import plan_for
from ledger.models import AuditEvent
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, UserFactory
from tests.factories import proposal_with_lines as make_proposal
from tests.followups.pdf_text import pdf_text

TODAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def invoice(customer, days_late: int, amount: str = "100.00", **kwargs):
    due = TODAY - dt.timedelta(days=days_late)
    return EntryFactory(customer=customer, due_date=due, document_date=due - dt.timedelta(days=30),
                        amount=Decimal(amount), **kwargs)  # fmt: skip


def debtor(company, name: str, *, controller=None, amount="100.00", level=2, days_late=10):
    """A customer with a credit contact and one late invoice, proposed at ``level``."""
    customer = CustomerFactory(company=company, name=name, controller=controller)
    ContactFactory(customer=customer, first_name="Pat", last_name=f"Payer {name[:4]}",
                   phone="0113 496 0000", email=f"pat@{name[:4].lower()}.example",
                   is_credit_contact=True)  # fmt: skip
    entry = invoice(customer, days_late, amount)
    return make_proposal(customer, level, [(entry, level)])


def home(client, **params) -> str:
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response.content.decode()


def proposals_section(html: str) -> str:
    start = html.index('id="followup-proposals"')
    return html[start : html.index("</section>", start)]


def htmx_post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


# --- What the work list shows -----------------------------------------------------------


def test_work_list_shows_proposals_due_with_contact_level_count_and_total(
    client, controller, company
):
    p = debtor(company, "Harbour Foods Ltd", amount="1250.50")
    client.force_login(controller)
    html = proposals_section(home(client))
    assert "Harbour Foods Ltd" in html and p.customer.account_code in html
    assert reverse("ledger:customer-card", args=[p.customer_id]) in html
    assert "Pat Payer Harb" in html and "0113 496 0000" in html and "pat@harb.example" in html
    assert "First reminder" in html and "email" in html
    assert "1,250.50" in html and "GBP" in html
    assert reverse("followups:proposal-detail", args=[p.pk]) in html
    assert '<span class="count count-due" id="proposals-due-count">1</span>' in html


def test_my_customers_come_first_then_the_largest_totals(client, controller, manager, company):
    debtor(company, "Small Mine Ltd", controller=controller, amount="10.00")
    debtor(company, "Big Theirs Ltd", controller=manager, amount="9000.00")
    debtor(company, "Middle Theirs Ltd", controller=manager, amount="500.00")
    client.force_login(controller)
    html = proposals_section(home(client))
    order = [html.index(n) for n in ("Small Mine Ltd", "Big Theirs Ltd", "Middle Theirs Ltd")]
    assert order == sorted(order)


def test_mine_shows_only_my_customers_proposals(client, controller, manager, company):
    debtor(company, "Mine Ltd", controller=controller)
    debtor(company, "Theirs Ltd", controller=manager)
    client.force_login(controller)
    html = proposals_section(home(client, mine="1"))
    assert "Mine Ltd" in html and "Theirs Ltd" not in html


def test_closed_and_postponed_proposals_stay_off_until_their_date(client, controller, company):
    debtor(company, "Open Ltd")
    for name, status in (("Done Ltd", ProposalStatus.EXECUTED), ("Gone Ltd", "withdrawn")):
        Proposal.objects.filter(pk=debtor(company, name).pk).update(status=status)
    later = debtor(company, "Later Ltd")
    Proposal.objects.filter(pk=later.pk).update(status=ProposalStatus.POSTPONED,
                                                 postponed_until=TODAY + dt.timedelta(days=2))  # fmt: skip
    client.force_login(controller)
    html = proposals_section(home(client))
    assert "Open Ltd" in html
    for absent in ("Done Ltd", "Gone Ltd", "Later Ltd"):
        assert absent not in html
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(controller)  # two days on: the idle session has ended
        assert "Later Ltd" in proposals_section(home(client))


def test_without_proposals_the_largest_overdue_balances_stand_in(client, controller, company):
    customer = CustomerFactory(company=company, name="Overdue Only Ltd")
    invoice(customer, 40, "700.00")
    client.force_login(controller)
    html = home(client)
    assert "No follow-up proposals are due" in html
    assert "Largest overdue balances" in html and "Overdue Only Ltd" in html


def test_outsider_sees_no_proposal_and_gets_404_on_its_actions(client, outsider, company):
    p = debtor(company, "Secret Ltd")
    client.force_login(outsider)
    assert "Secret Ltd" not in home(client)
    for name in ("proposal-execute", "proposal-skip", "proposal-postpone", "proposal-exclude",
                 "proposal-rating"):  # fmt: skip
        assert client.post(reverse(f"followups:{name}", args=[p.pk])).status_code == 404, name
    for name in ("proposal-detail", "proposal-letter", "proposal-entries"):
        assert client.get(reverse(f"followups:{name}", args=[p.pk])).status_code == 404, name
    entry_id = p.lines.get().entry_id
    url = reverse("followups:proposal-expected-date", args=[p.pk, entry_id])
    assert client.post(url, {"note": "x"}).status_code == 404
    client.post(reverse("followups:proposals-execute"), {"proposals": [p.pk]})
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN


def test_users_without_the_working_role_get_403_on_the_actions(client, company, integrator):
    p = debtor(company, "Guarded Ltd")
    nobody = UserFactory(companies=[company])
    client.force_login(nobody)
    assert client.get(reverse("followups:proposal-detail", args=[p.pk])).status_code == 403
    client.force_login(integrator)  # a role, but not one that works on customers
    assert client.post(reverse("followups:proposal-execute", args=[p.pk])).status_code == 403
    assert (
        client.post(reverse("followups:proposals-execute"), {"proposals": [p.pk]}).status_code
        == 403
    )
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN


def test_work_list_query_count_stays_flat(
    client, controller, company, django_assert_max_num_queries
):
    for i in range(30):
        debtor(company, f"Debtor {i:02d} Ltd", controller=controller if i % 2 else None,
               amount=f"{100 + i}.00")  # fmt: skip
    client.force_login(controller)
    with django_assert_max_num_queries(10):
        html = home(client)
    assert html.count('<tbody id="proposal-') == 30


# --- Execute, skip, postpone ------------------------------------------------------------


def test_execute_sends_and_the_row_says_so_in_place(client, controller, company):
    p = debtor(company, "Send Me Ltd")
    client.force_login(controller)
    response = htmx_post(client, reverse("followups:proposal-execute", args=[p.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="proposal-{p.pk}"' in html and "Executed" in html
    assert 'hx-swap-oob="true"' in html and "Send Me Ltd: First reminder executed (email)." in html
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.EXECUTED
    message = OutboxMessage.objects.get(customer=p.customer)
    assert message.kind == "email" and message.to == ["pat@send.example"]


def test_a_manual_only_level_is_marked_done_and_makes_the_todo(client, controller, company):
    level = plan_for(company).levels.get(sequence=3)
    level.send_email = False
    level.save()
    p = debtor(company, "Phone Them Ltd", level=3, days_late=25, controller=controller)
    client.force_login(controller)
    assert ">Mark done</button>" in proposals_section(home(client))
    html = htmx_post(client, reverse("followups:proposal-execute", args=[p.pk])).content.decode()
    assert "manual action done" in html
    assert ToDo.objects.filter(customer=p.customer, description__icontains="Telephone").exists()
    assert not OutboxMessage.objects.exists()


def test_executing_twice_is_refused_with_a_message(client, controller, company):
    p = debtor(company, "Once Ltd")
    client.force_login(controller)
    htmx_post(client, reverse("followups:proposal-execute", args=[p.pk]))
    html = htmx_post(client, reverse("followups:proposal-execute", args=[p.pk])).content.decode()
    assert "msg-error" in html
    assert OutboxMessage.objects.count() == 1


def test_skip_closes_the_proposal_without_sending(client, controller, company):
    p = debtor(company, "Skip Me Ltd")
    client.force_login(controller)
    html = htmx_post(client, reverse("followups:proposal-skip", args=[p.pk])).content.decode()
    assert "Skip Me Ltd: proposal skipped." in html and "Skipped" in html
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.SKIPPED
    assert not OutboxMessage.objects.exists()


def test_postpone_hides_the_proposal_until_the_date(client, controller, company):
    p = debtor(company, "Wait Ltd")
    client.force_login(controller)
    url = reverse("followups:proposal-postpone", args=[p.pk])
    html = htmx_post(client, url, {"until": "2026-11-30"}).content.decode()
    assert "postponed until 30 Nov 2026" in html and "Postponed until 30 Nov 2026" in html
    p.refresh_from_db()
    assert (p.status, p.postponed_until) == (ProposalStatus.POSTPONED, dt.date(2026, 11, 30))
    assert "Wait Ltd" not in proposals_section(home(client))


def test_postponing_to_a_past_date_is_refused_and_changes_nothing(client, controller, company):
    p = debtor(company, "Past Ltd")
    client.force_login(controller)
    url = reverse("followups:proposal-postpone", args=[p.pk])
    html = htmx_post(client, url, {"until": "2026-11-01"}).content.decode()
    assert "msg-error" in html and "cannot be before" in html
    assert htmx_post(client, url, {"until": ""}).content.decode().count("msg-error") == 1
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN


def test_without_htmx_an_action_redirects_back_with_the_message(client, controller, company):
    p = debtor(company, "Plain Ltd")
    client.force_login(controller)
    response = client.post(reverse("followups:proposal-skip", args=[p.pk]), {"next": "/?mine=1"})
    assert response.status_code == 302 and response["Location"] == "/?mine=1"
    response = client.post(reverse("followups:proposal-skip", args=[p.pk]),
                           {"next": "https://evil.example/"})  # fmt: skip
    assert response["Location"] == reverse("home")


def test_execute_selected_executes_each_and_reports_the_refused(client, controller, company):
    first, second = debtor(company, "Bulk One Ltd"), debtor(company, "Bulk Two Ltd")
    no_email = CustomerFactory(company=company, name="No Email Ltd")
    third = make_proposal(no_email, 2, [(invoice(no_email, 10), 2)])
    client.force_login(controller)
    response = client.post(reverse("followups:proposals-execute"),
                           {"proposals": [first.pk, second.pk, third.pk], "next": "/"},
                           follow=True)  # fmt: skip
    html = response.content.decode()
    assert "Executed 2 proposals." in html and "No Email Ltd:" in html
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == ProposalStatus.EXECUTED
    assert statuses[third.pk] == ProposalStatus.OPEN


def test_execute_selected_with_nothing_ticked_says_so(client, controller, company):
    client.force_login(controller)
    response = client.post(reverse("followups:proposals-execute"), {}, follow=True)
    assert "Tick the proposals to execute first." in response.content.decode()


# --- The proposal page: filled texts, edit, send -----------------------------------------


def test_edit_text_page_shows_the_placeholders_to_edit_and_the_texts_as_sent(client, controller,
                                                                           company):  # fmt: skip
    p = debtor(company, "Fill Me Ltd", amount="321.00")
    client.force_login(controller)
    html = client.get(reverse("followups:proposal-detail", args=[p.pk])).content.decode()
    form, preview = html.split("As it will be sent")
    # The form keeps the placeholders (an edit keeps them), the preview fills them in.
    assert "Dear {contact}," in form and "{overdue}" in form
    assert "Acme Trading Ltd: payment reminder, 321.00 GBP overdue" in preview
    assert "Dear Pat Payer Fill," in preview and "{contact}" not in preview
    assert "pat@fill.example" in html


def test_saved_texts_are_kept_and_sent(client, controller, company):
    p = debtor(company, "Edit Me Ltd")
    client.force_login(controller)
    url = reverse("followups:proposal-detail", args=[p.pk])
    data = {"email_subject": "About your account", "email_body": "Please pay, {customer}."}
    assert client.post(url, data).status_code == 302
    p.refresh_from_db()
    assert p.texts_edited and p.email_subject == "About your account"
    assert "About your account" in client.get(url).content.decode()
    response = client.post(url, {**data, "email_subject": "Final words", "send": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    message = OutboxMessage.objects.get(customer=p.customer)
    assert message.subject == "Final words" and "Please pay, Edit Me Ltd." in message.body


def test_edit_text_refuses_an_empty_subject_and_keeps_the_typing(client, controller, company):
    p = debtor(company, "Blank Ltd")
    client.force_login(controller)
    url = reverse("followups:proposal-detail", args=[p.pk])
    response = client.post(url, {"email_subject": "", "email_body": "Kept body text", "send": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "Kept body text" in html and "errors" in html
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN


def test_letter_pdf_is_the_proposals_letter(client, controller, company):
    p = debtor(company, "Letter Ltd", level=4, days_late=40, amount="840.00")
    client.force_login(controller)
    response = client.get(reverse("followups:proposal-letter", args=[p.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Letter Ltd" in text and "840.00" in text and "Pat Payer Lett" in text


# --- The entries panel: exclude, expected date, rating -------------------------------------


@pytest.fixture
def two_entries(company):
    customer = CustomerFactory(company=company, name="Panel Ltd")
    e1, e2 = invoice(customer, 25, "300.00"), invoice(customer, 10, "200.00")
    return make_proposal(customer, 3, [(e1, 3), (e2, 2)]), e1, e2


def test_entries_panel_lists_the_proposals_entries(client, controller, two_entries):
    p, e1, e2 = two_entries
    client.force_login(controller)
    html = client.get(reverse("followups:proposal-entries", args=[p.pk]),
                      HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert e1.document_no in html and e2.document_no in html
    assert "Level 3" in html and "Level 2" in html and ">25<" in html


def test_exclude_an_entry_for_two_weeks(client, controller, two_entries):
    p, e1, e2 = two_entries
    client.force_login(controller)
    url = reverse("followups:proposal-exclude", args=[p.pk])
    html = htmx_post(client, url, {"entries": [e1.pk], "period": "2w"}).content.decode()
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert e1.exclude_until == TODAY + dt.timedelta(days=14) and not e1.exclude_forever
    assert e2.exclude_until is None
    assert f"for 2 weeks: {e1.document_no}" in html
    # The proposal is brought in step at once: the excluded entry has left it, and the
    # row's count and total change in place (out of band), to the cent.
    p.refresh_from_db()
    assert list(p.lines.values_list("entry_id", flat=True)) == [e2.pk]
    assert (p.entry_count, p.total_lcy) == (1, Decimal("200.00"))
    assert f'id="line-{e1.pk}"' not in html and f'id="line-{e2.pk}"' in html
    assert f'<span id="count-{p.pk}" hx-swap-oob="true">1</span>' in html
    assert f'id="total-{p.pk}" hx-swap-oob="true"><strong>200.00</strong>' in html
    assert AuditEvent.objects.filter(model="ledger.ledgerentry", object_id=e1.pk).exists()


def test_exclude_forever_and_refusals(client, controller, two_entries, company):
    p, e1, _e2 = two_entries
    stranger = invoice(CustomerFactory(company=company), 30)
    client.force_login(controller)
    url = reverse("followups:proposal-exclude", args=[p.pk])
    html = htmx_post(client, url, {"entries": [stranger.pk], "period": "2w"}).content.decode()
    assert "not on this proposal" in html
    html = htmx_post(client, url, {"period": "2w"}).content.decode()
    assert "Tick the entries to exclude." in html
    htmx_post(client, url, {"entries": [e1.pk], "period": "forever"})
    e1.refresh_from_db()
    stranger.refresh_from_db()
    assert e1.exclude_forever and stranger.exclude_until is None


def test_change_an_expected_payment_date_with_a_note(client, controller, two_entries):
    p, e1, e2 = two_entries
    client.force_login(controller)
    url = reverse("followups:proposal-expected-date", args=[p.pk, e1.pk])
    html = htmx_post(client, url, {"on": "2026-12-05", "note": "Paying after their audit"}
                     ).content.decode()  # fmt: skip
    e1.refresh_from_db()
    assert e1.expected_payment_date == dt.date(2026, 12, 5)
    assert "expected payment date 05 Dec 2026" in html
    # Not chased before the 5th: it leaves the proposal at once.
    p.refresh_from_db()
    assert (p.entry_count, p.total_lcy) == (1, Decimal("200.00"))
    assert f'id="line-{e1.pk}"' not in html
    assert "Paying after their audit" in EntryNote.objects.get(entry=e1).text
    url = reverse("followups:proposal-expected-date", args=[p.pk, e2.pk])
    html = htmx_post(client, url, {"on": "2026-12-09", "note": ""}).content.decode()
    assert "Say why the date changed." in html
    e2.refresh_from_db()
    assert e2.expected_payment_date is None


def test_an_entry_not_on_the_proposal_gets_404(client, controller, two_entries, company):
    p, _e1, _e2 = two_entries
    stranger = invoice(CustomerFactory(company=company), 30)
    client.force_login(controller)
    url = reverse("followups:proposal-expected-date", args=[p.pk, stranger.pk])
    assert client.post(url, {"on": "2026-12-05", "note": "x"}).status_code == 404


def test_change_the_debtor_rating_from_the_panel(client, controller, two_entries):
    p, _e1, _e2 = two_entries
    client.force_login(controller)
    url = reverse("followups:proposal-rating", args=[p.pk])
    html = htmx_post(client, url, {"rating": "bad"}).content.decode()
    p.customer.refresh_from_db()
    assert p.customer.debtor_rating == "bad" and "debtor rating now bad" in html
    assert (
        "Choose good, normal or bad."
        in htmx_post(client, url, {"rating": "awful"}).content.decode()
    )


def test_a_manager_works_the_list_too(client, company):
    manager = UserFactory(role=roles.MANAGER, companies=[company])
    p = debtor(company, "Managed Ltd")
    client.force_login(manager)
    htmx_post(client, reverse("followups:proposal-skip", args=[p.pk]))
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.SKIPPED
