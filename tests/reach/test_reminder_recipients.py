"""Who a reminder goes to, as the SMTP server receives it (issue 13 §2): the reachable
credit-control contact in To, the contacts marked "copy on reminders" in Cc; an inactive
contact or a bounced address gets nothing until corrected, and a customer whose only
credit contact bounced falls back to its own address. The work list's "automatic" badge
follows the same rule, so it shows only where the worker will really send."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.execution import proposal_execute, proposals_execute_automatic
from followups.models import ProposalStatus
from followups.outbox import outbox_deliver
from followups.plans import plan_for
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, proposal_with_lines
from tests.followups.test_worklist_pages import home, proposals_section
from tests.servers import smtp_server

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp(settings):
    with smtp_server() as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_USE_TLS = False
        yield handler


def _proposal(customer, level=2):
    entry = EntryFactory(customer=customer, amount="250.00", due_date=dt.date(2026, 10, 20))
    return proposal_with_lines(customer, level, [(entry, level)])


def _received(smtp):
    (envelope,) = smtp.messages
    return envelope, email.message_from_bytes(envelope.original_content,
                                              policy=email.policy.default)  # fmt: skip


def test_reminder_goes_to_reachable_contacts_with_copies_in_cc(smtp, customer, controller):
    bounced = timezone.now()
    ContactFactory(customer=customer, email="ap@client.example", is_credit_contact=True)
    ContactFactory(customer=customer, email="cfo@client.example", copy_on_reminders=True)
    ContactFactory(customer=customer, email="gone@client.example", copy_on_reminders=True,
                   is_active=False)  # fmt: skip
    ContactFactory(customer=customer, email="bad@client.example", copy_on_reminders=True,
                   email_bounced_at=bounced)  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        proposal_execute(user=controller, proposal=_proposal(customer))
        outbox_deliver()
    envelope, msg = _received(smtp)
    assert sorted(envelope.rcpt_tos) == ["ap@client.example", "cfo@client.example"]
    assert str(msg["To"]) == "ap@client.example"
    assert str(msg["Cc"]) == "cfo@client.example"


def test_bounced_credit_contact_falls_back_to_the_customers_own_address(smtp, customer,
                                                                         controller):  # fmt: skip
    customer.email = "accounts@client.example"
    customer.save()
    ContactFactory(customer=customer, email="old@client.example", is_credit_contact=True,
                   email_bounced_at=timezone.now())  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        proposal_execute(user=controller, proposal=_proposal(customer))
        outbox_deliver()
    envelope, msg = _received(smtp)
    assert envelope.rcpt_tos == ["accounts@client.example"]
    assert msg["Cc"] is None


@pytest.mark.parametrize(("contact", "own_email", "worker_sends"), [
    ({"email": "ap@client.example"}, "", True),
    ({"email": "ap@client.example", "email_bounced_at": NOW}, "", False),
    ({"email": "ap@client.example", "is_active": False}, "", False),
    ({"email": "ap@client.example", "email_bounced_at": NOW}, "accounts@client.example", True),
    (None, "accounts@client.example", True),
    (None, "", False),
])  # fmt: skip
def test_automatic_badge_matches_what_the_worker_does(client, customer, controller, contact,
                                                      own_email, worker_sends):  # fmt: skip
    """The badge on the work list, then the worker itself on the same proposal."""
    customer.email, customer.controller = own_email, controller
    customer.save()
    if contact:
        ContactFactory(customer=customer, is_credit_contact=True, **contact)
    level = plan_for(customer.company).levels.get(sequence=2)
    level.execute_automatically = True
    level.save()
    with time_machine.travel(NOW, tick=False):
        proposal = _proposal(customer)
        client.force_login(controller)
        row = proposals_section(home(client)).split(f'id="proposal-{proposal.pk}"')[1]
        row = row.split("</tbody>")[0]
        assert (">automatic<" in row) is worker_sends
        proposals_execute_automatic(company=customer.company, as_of=NOW.date())
    proposal.refresh_from_db()
    assert (proposal.status == ProposalStatus.EXECUTED) is worker_sends


CONTACT = st.fixed_dictionaries({
    "email": st.sampled_from(["", "a@x.example", "b@x.example", "B@X.example", "c@x.example"]),
    "is_active": st.booleans(),
    "bounced": st.booleans(),
    "copy_on_reminders": st.booleans(),
})  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(credit=st.one_of(st.none(), CONTACT), others=st.lists(CONTACT, max_size=4),
       own=st.sampled_from(["", "own@x.example", "a@x.example"]))  # fmt: skip
def test_reminder_addresses_invariants(company, credit, others, own):
    """Whatever the contacts: nobody inactive or bounced is written to; nobody twice (To
    and Cc do not overlap, whatever the case); To is the reachable credit contact, else
    the customer's own address; Cc only contacts marked to be copied."""
    from followups.placeholders import reminder_addresses

    customer = CustomerFactory(company=company, email=own)
    people = [(c, True) for c in [credit] if c] + [(c, False) for c in others]
    for spec, is_credit in people:
        ContactFactory(customer=customer, email=spec["email"], is_active=spec["is_active"],
                       email_bounced_at=NOW if spec["bounced"] else None,
                       copy_on_reminders=spec["copy_on_reminders"],
                       is_credit_contact=is_credit)  # fmt: skip
    to, cc = reminder_addresses(customer)
    reachable = {c["email"].lower() for c, _ in people
                 if c["email"] and not c["bounced"] and c["is_active"]}  # fmt: skip
    contact_to = [credit["email"]] if credit and credit["email"] and credit["is_active"] and (
        not credit["bounced"]) else []  # fmt: skip
    assert to == (contact_to or ([own] if own else []))
    assert not {a.lower() for a in to} & {a.lower() for a in cc}
    assert len({a.lower() for a in cc}) == len(cc)
    assert all(a.lower() in reachable for a in cc)
    assert all(a.lower() in reachable for a in contact_to)
    copied = {c["email"].lower() for c, _ in people if c["copy_on_reminders"]}
    assert all(a.lower() in copied for a in cc)
