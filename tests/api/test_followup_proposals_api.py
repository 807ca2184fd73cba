"""Follow-up proposals through the API: the work list's filters, the texts, and the verbs
execute (once), skip, postpone, and execute over several ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from creditcontrol import roles
from followups.models import Channel, FollowUpAction, OutboxMessage, Proposal, ProposalStatus
from tests.conftest import api_as
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    proposal_with_lines,
    user_in,
)

TODAY = dt.date(2026, 11, 23)
PROPOSALS = "/api/v1/followup-proposals/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def invoice(customer, days_late: int, amount: str = "100.00", **kwargs):
    due = TODAY - dt.timedelta(days=days_late)
    return EntryFactory(customer=customer, due_date=due, document_date=due - dt.timedelta(days=30),
                        amount=Decimal(amount), **kwargs)  # fmt: skip


def chased(company, *, name: str, level: int = 2, amount: str = "100.00", **fields):
    """A customer with a credit contact and one open proposal at ``level`` (one invoice)."""
    customer = CustomerFactory(company=company, name=name)
    ContactFactory(customer=customer, first_name="Jo", email=f"ap@{name.lower()}.example",
                   is_credit_contact=True)  # fmt: skip
    days = {1: -3, 2: 10, 3: 25, 4: 40, 5: 70}[level]
    entry = invoice(customer, days, amount)
    return proposal_with_lines(customer, level, [(entry, level)], **fields)


def errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def ids(client, **query) -> list[int]:
    response = client.get(PROPOSALS, query)
    assert response.status_code == 200, response.json()
    return [p["id"] for p in response.json()["results"]]


@pytest.fixture
def proposal(company):
    return chased(company, name="Bolt", amount="240.00")


# --- list and read -----------------------------------------------------------------------------


def test_list_shows_the_proposals_due_largest_first_with_their_level(company, controller):
    small = chased(company, name="Small", amount="50.00")
    large = chased(company, name="Large", level=3, amount="900.00")
    body = api_as(controller).get(PROPOSALS).json()["results"]
    assert [p["id"] for p in body] == [large.pk, small.pk]
    first = body[0]
    assert (first["customer_name"], first["level_sequence"], first["level_name"]) == (
        "Large", 3, "Telephone call",
    )  # fmt: skip
    assert (first["total_lcy"], first["base_currency"], first["entry_count"]) == (
        "900.00",
        "GBP",
        1,
    )
    assert first["channels"] == ["manual action", "email"]
    assert first["status"] == "open"


def test_postponed_proposals_come_back_on_their_day_and_closed_ones_stay_out(company, controller):
    open_one = chased(company, name="Open")
    later = chased(company, name="Later", status=ProposalStatus.POSTPONED,
                   postponed_until=TODAY + dt.timedelta(days=3))  # fmt: skip
    back = chased(company, name="Back", status=ProposalStatus.POSTPONED, postponed_until=TODAY)
    done = chased(company, name="Done", status=ProposalStatus.EXECUTED)
    client = api_as(controller)
    assert set(ids(client)) == {open_one.pk, back.pk}
    assert set(ids(client, show="live")) == {open_one.pk, later.pk, back.pk}
    assert ids(client, show="closed") == [done.pk]
    assert set(ids(client, show="all")) == {open_one.pk, later.pk, back.pk, done.pk}
    assert set(ids(client, status="postponed")) == {later.pk, back.pk}
    assert set(ids(client, status=["executed", "open"])) == {open_one.pk, done.pk}
    assert client.get(PROPOSALS, {"show": "someday"}).status_code == 400
    assert client.get(PROPOSALS, {"status": "lost"}).status_code == 400


def test_list_filters_by_customer_level_mine_and_total(company, controller):
    mine = chased(company, name="Mine", level=3, amount="500.00")
    mine.customer.controller = controller
    mine.customer.save()
    other = chased(company, name="Other", level=2, amount="80.00")
    client = api_as(controller)
    assert ids(client, customer=other.customer_id) == [other.pk]
    assert ids(client, level=3) == [mine.pk]
    assert ids(client, mine=True) == [mine.pk]
    assert ids(client, mine=False) == [other.pk]
    assert ids(client, min_total="100") == [mine.pk]
    assert ids(client, company=company.pk, min_total="80.00") == [mine.pk, other.pk]
    assert client.get(PROPOSALS, {"min_total": "lots"}).status_code == 400


def test_read_a_proposal_with_its_lines_and_texts(company, controller):
    customer = CustomerFactory(company=company, name="Lines")
    overdue, due, disputed = (
        invoice(customer, 3, "50.00"),
        invoice(customer, 10),
        invoice(customer, 12),
    )
    proposal = proposal_with_lines(customer, 2, [(due, 2), (overdue, None), (disputed, 2)])
    proposal.lines.filter(entry=disputed).update(disputed_lcy=Decimal("40.00"))
    body = api_as(controller).get(f"{PROPOSALS}{proposal.pk}/").json()
    assert [line["entry"] for line in body["lines"]] == [disputed.pk, due.pk, overdue.pk]
    assert body["lines"][0] == {
        "entry": disputed.pk, "document_no": disputed.document_no, "entry_type": "invoice",
        "due_date": "2026-11-11", "level": 2, "remaining_lcy": "100.00", "disputed_lcy": "40.00",
    }  # fmt: skip
    assert body["lines"][2]["level"] is None
    assert body["email_subject"] == "{company}: payment reminder, {overdue} overdue"
    assert body["texts_edited"] is False


def test_outsiders_see_no_proposal_and_read_none(proposal, outsider):
    client = api_as(outsider)
    assert ids(client, show="all") == []
    assert client.get(f"{PROPOSALS}{proposal.pk}/").status_code == 404
    for verb in ("execute", "skip", "postpone"):
        assert client.post(f"{PROPOSALS}{proposal.pk}/{verb}/", {}).status_code == 404
    assert client.patch(f"{PROPOSALS}{proposal.pk}/", {"email_body": "x"}).status_code == 404


# --- texts -------------------------------------------------------------------------------------


def test_controller_edits_the_texts_before_sending(proposal, controller):
    response = api_as(controller).patch(
        f"{PROPOSALS}{proposal.pk}/", {"email_body": "Dear {contact}, please pay {total}."}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["email_body"] == "Dear {contact}, please pay {total}."
    assert body["email_subject"] == "{company}: payment reminder, {overdue} overdue"  # untouched
    assert body["texts_edited"] is True


def test_a_subject_too_long_is_refused(proposal, controller):
    response = api_as(controller).patch(f"{PROPOSALS}{proposal.pk}/", {"email_subject": "x" * 201})
    assert response.status_code == 400
    assert "200" in errors(response)["email_subject"]


# --- execute -----------------------------------------------------------------------------------


def test_execute_sends_through_the_outbox_and_answers_with_the_history_line(proposal, controller):
    response = api_as(controller).post(f"{PROPOSALS}{proposal.pk}/execute/",
                                       {"email_subject": "Bolt: {total} overdue"})  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["proposal"]["status"] == "executed"
    action = body["action"]
    assert (action["channel"], action["by"], action["level_sequence"]) == (
        "email",
        controller.pk,
        2,
    )
    assert (action["total_lcy"], action["base_currency"]) == ("240.00", "GBP")
    assert [e["entry"] for e in action["entries"]] == [proposal.lines.get().entry_id]
    message = OutboxMessage.objects.get()
    assert (message.key, message.to) == (f"proposal:{proposal.pk}:email", ["ap@bolt.example"])
    assert message.subject == "Bolt: 240.00 GBP overdue"


def test_executing_twice_answers_409_with_the_first_execution_and_sends_nothing(
    proposal, controller, manager
):
    first = api_as(controller).post(f"{PROPOSALS}{proposal.pk}/execute/")
    assert first.status_code == 200
    retry = api_as(manager).post(f"{PROPOSALS}{proposal.pk}/execute/")
    assert retry.status_code == 409
    assert retry.json()["action"] == first.json()["action"]["id"]
    message = errors(retry)[""]
    assert "already executed" in message and "carol" in message
    assert OutboxMessage.objects.count() == 1
    assert FollowUpAction.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [(ProposalStatus.SKIPPED, "was skipped"), (ProposalStatus.WITHDRAWN, "no longer due")],
)
def test_verbs_on_a_closed_proposal_answer_409(company, controller, status, words):
    closed = chased(company, name="Closed", status=status)
    client = api_as(controller)
    for verb, body in (("execute", {}), ("skip", {}), ("postpone", {"until": "2026-12-01"})):
        response = client.post(f"{PROPOSALS}{closed.pk}/{verb}/", body)
        assert response.status_code == 409, (verb, response.json())
        assert words in errors(response)[""]
    assert client.patch(f"{PROPOSALS}{closed.pk}/", {"email_body": "x"}).status_code == 409
    assert not OutboxMessage.objects.exists()


def test_an_execution_the_service_refuses_names_the_reason(company, controller):
    silent = CustomerFactory(company=company, name="Silent")  # no email address anywhere
    proposal = proposal_with_lines(silent, 2, [(invoice(silent, 10), 2)])
    response = api_as(controller).post(f"{PROPOSALS}{proposal.pk}/execute/")
    assert response.status_code == 400
    assert "email" in response.json()["errors"][0]["message"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


@pytest.mark.parametrize("verb", ["execute", "skip", "postpone"])
def test_integrators_only_read_proposals(proposal, integrator, verb):
    client = api_as(integrator)
    assert client.get(f"{PROPOSALS}{proposal.pk}/").status_code == 200
    assert (
        client.post(f"{PROPOSALS}{proposal.pk}/{verb}/", {"until": "2026-12-01"}).status_code == 403
    )
    refused = client.post(f"{PROPOSALS}execute/", {"ids": [proposal.pk]})
    assert refused.status_code == 403
    assert "an integrator's token reads" in errors(refused)[""]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


# --- skip and postpone --------------------------------------------------------------------------


def test_skip_records_the_levels_without_sending(proposal, controller):
    response = api_as(controller).post(f"{PROPOSALS}{proposal.pk}/skip/",
                                       {"note": "Customer in administration"})  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["proposal"]["status"] == "skipped"
    assert (body["action"]["channel"], body["action"]["note"]) == (
        Channel.SKIPPED, "Customer in administration",
    )  # fmt: skip
    assert not OutboxMessage.objects.exists()


def test_postpone_hides_the_proposal_until_the_day(proposal, controller):
    client = api_as(controller)
    response = client.post(f"{PROPOSALS}{proposal.pk}/postpone/", {"until": "2026-11-30"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["postponed_until"]) == (
        "postponed", "2026-11-30",
    )  # fmt: skip
    assert ids(client) == []
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), tick=False):
        assert ids(client) == [proposal.pk]


@pytest.mark.parametrize(
    ("until", "words"),
    [("2026-11-23", "2026"), ("2028-01-01", "2027"), ("tomorrow", "format"), (None, "null")],
)
def test_bad_postpone_dates_name_the_field(proposal, controller, until, words):
    response = api_as(controller).post(f"{PROPOSALS}{proposal.pk}/postpone/", {"until": until})
    assert response.status_code == 400, response.json()
    assert "until" in errors(response)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


# --- execute several ---------------------------------------------------------------------------


def test_execute_several_answers_for_each_id(company, other_company, controller):
    good = chased(company, name="Good")
    also = chased(company, name="Also", level=4)
    done = chased(company, name="Done", status=ProposalStatus.EXECUTED)
    silent = CustomerFactory(company=company, name="Silent")
    no_address = proposal_with_lines(silent, 2, [(invoice(silent, 10), 2)])
    theirs = chased(other_company, name="Theirs")
    wanted = [good.pk, done.pk, theirs.pk, no_address.pk, also.pk, good.pk, 999999]
    response = api_as(controller).post(f"{PROPOSALS}execute/", {"ids": wanted})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["executed"], body["refused"]) == (2, 4)
    results = {r["id"]: r for r in body["results"]}
    assert [r["id"] for r in body["results"]] == [good.pk, done.pk, theirs.pk, no_address.pk,
                                                  also.pk, 999999]  # fmt: skip
    assert results[good.pk]["result"] == results[also.pk]["result"] == "executed"
    assert FollowUpAction.objects.get(pk=results[good.pk]["action"]).proposal == good
    assert "already executed" in results[done.pk]["message"]
    assert "visible to you" in results[theirs.pk]["message"]
    assert "visible to you" in results[999999]["message"]
    assert "email" in results[no_address.pk]["message"]
    assert results[no_address.pk]["action"] is None
    assert Proposal.objects.get(pk=theirs.pk).status == ProposalStatus.OPEN
    assert OutboxMessage.objects.filter(kind="letter").count() == 1  # level 4 is a letter


@pytest.mark.parametrize(
    ("body", "words"),
    [({"ids": []}, "at least one"), ({"ids": "7"}, "list"), ({"ids": ["x"]}, "numbers"),
     ({"ids": [0]}, "positive"), ({"ids": list(range(1, 502))}, "At most 500"), ({}, "required")],
)  # fmt: skip
def test_bad_execute_several_requests_are_refused(controller, body, words):
    response = api_as(controller).post(f"{PROPOSALS}execute/", body)
    assert response.status_code == 400
    assert words in response.json()["errors"][0]["message"]


def test_a_controller_of_another_company_too_executes_only_what_they_see(
    company, other_company, proposal
):
    both = user_in(company, roles.CONTROLLER, username="bea")
    other_company.members.add(both)
    theirs = chased(other_company, name="Theirs")
    body = api_as(both).post(f"{PROPOSALS}execute/", {"ids": [proposal.pk, theirs.pk]}).json()
    assert body["executed"] == 2


def test_list_query_count_does_not_grow_with_proposals(company, controller,
                                                       django_assert_max_num_queries):  # fmt: skip
    for n in range(3):
        chased(company, name=f"P{n}")
    client = api_as(controller)
    with django_assert_max_num_queries(8):
        assert len(client.get(PROPOSALS).json()["results"]) == 3
    for n in range(30):
        chased(company, name=f"Q{n}", level=2 + n % 3)
    with django_assert_max_num_queries(8):
        assert len(client.get(PROPOSALS, {"page_size": 100}).json()["results"]) == 33
    with django_assert_max_num_queries(10):
        assert client.get(f"{PROPOSALS}{Proposal.objects.first().pk}/").status_code == 200
