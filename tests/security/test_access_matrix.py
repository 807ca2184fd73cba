"""The access matrix, generated from the URL configuration: every page, export, PDF and
API endpoint, requested as each role and as a manager of another company, against one of
every kind of record in the first company.

Each URL must have a rule below (``RULES``): the outcome per role, in ``ROLES`` order,
as ``ok`` (answered), ``login`` (sent to sign in), ``no`` (refused: 401, 403, 404 or 405),
``bad`` (400: the empty POST refused as malformed before any record was read).
A new URL without a rule fails the test, so whoever adds one decides who may use it.
Beside the rules, two invariants: the other company's manager is never answered on a
record of the first company and never sees its data anywhere, and nothing answers 500.

A URL answering 405 to GET is tried with an empty POST (what a forged form would send).
"""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from creditcontrol import roles
from inbound.models import InboundMessage
from tests.factories import user_in
from tests.security.access_world import MARKER, build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "integrator", "controller", "manager", "administrator"]
# Reached without a session: a token in the address (the customer's self-service page, a
# password link), a shared secret (the mail provider's hook), or an old address redirected.
PUBLIC = {"login", "api-schema", "api-docs", "api-redoc", "followups:worklist", "portal:page",
          "portal:dispute", "portal:promise", "portal:statement", "portal:copy",
          "team:set-password", "inbound-email"}  # fmt: skip

# Signing out (here or everywhere) or resetting a password by POST would end the sessions
# the next URLs are tried with: these are tried by GET only.
NO_POST = {"logout", "sign-out-everywhere", "team:user-reset"}
# Server errors known and left for later (none).
KNOWN_500: set[str] = set()

# URL name -> the world's record its <pk> (or <entry_id>) names.
OBJECT_OF = {
    "ledger:mail-list-delete": "mail_list", "communications:entry-detail": "entry",
    "communications:dispute-edit": "entry", "communications:todo-detail": "todo",
    "communications:todo-close": "todo", "communications:notification-read": "notification",
    "communications:settings-item-edit": "outcome", "followups:outbox-act": "outbox",
    "followups:document": "document", "company-detail": "company",
    "ledger-entry-detail": "entry", "audit-event-detail": "audit", "mail-list-detail": "mail_list",
    "entry-status-detail": "entry", "entry-note-detail": "entry_note",
    "status-code-detail": "status_code", "outcome-detail": "outcome",
    "action-type-detail": "action_type", "customer-response-detail": "customer_response",
    "followup-plan-detail": "plan", "followup-exclusion-detail": "entry",
    "followup-history-detail": "history", "call-action-detail": "call_action",
    "followup-run-detail": "run", "mass-email-detail": "mass_email",
    "followups:mass-email-batch": "mass_email", "communications:communication-create": "customer",
    "ledger:contact-edit": "contact", "ledger:contact-delete": "contact",
    "ledger-entry-document": "entry", "team:user-edit": "user", "team:user-active": "user",
    "team:user-reset": "user", "team:token-create": "user",
    # Records the world does not build: an id nobody has (the refusal path only).
    "webhooks:endpoint-delete": "nothing", "webhooks:delivery-replay": "nothing",
    "webhook-endpoint-detail": "nothing", "webhook-delivery-detail": "nothing",
    "webhook-delivery-replay": "nothing", "inbound-attachment": "nothing",
    "team:token-revoke": "nothing", "portal:copy": "entry", "portal-links-revoke": "customer",
    "ledger:entry-document": "entry", "ledger:entry-document-upload": "entry",
    "charges:plan-charges": "plan", "charges:customer-charges": "customer",
    "charges:plan-summary": "plan",
    "charge-terms-detail": "plan", "charge-terms-preset": "plan",
    "inbound:unmatched-detail": "unmatched_mail", "inbound:unmatched-assign": "unmatched_mail",
    "inbound:unmatched-discard": "unmatched_mail",
}  # fmt: skip
PREFIX_OBJECT = [
    ("communications:communication-", "communication"), ("communications:call-action", "communication"),
    ("followups:proposal-", "proposal"), ("followups:level-", "level"), ("communication-", "communication"),
    ("promise-", "promise"), ("dispute-", "dispute"), ("todo-", "todo"), ("notification-", "notification"),
    ("followup-level-", "level"), ("followup-proposal-", "proposal"), ("outbox-message-", "outbox"),
    ("contact-", "contact"), ("application-", "application"), ("customer-", "customer"),
    ("ledger:", "customer"), ("communications:", "customer"), ("followups:", "customer"),
]  # fmt: skip


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = ":".join(filter(None, [namespace, p.name])) if p.name else ""
            yield name, prefix + str(p.pattern)


def url_routes() -> list[tuple[str, str]]:
    """Every (name, route) but the admin's (Django's own, staff only) and the API's
    duplicate format-suffix routes."""
    seen, out = set(), []
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or "format" in route or (name, route) in seen:
            continue
        seen.add((name, route))
        out.append((name or route, route))
    return out


def _object(name: str) -> str | None:
    if name in OBJECT_OF:
        return OBJECT_OF[name]
    return next((key for prefix, key in PREFIX_OBJECT if name.startswith(prefix)), None)


def concrete(name: str, route: str, world: dict) -> str:
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"<slug:kind>", "outcomes", path)
    path = re.sub(r"<slug:verb>", "cancel", path)
    path = re.sub(r"<str:token>|<token>", "not-a-token", path)
    path = re.sub(r"<uidb64>", "MQ", path)
    if "<int:entry_id>" in path and "<int:pk>" in path:
        path = path.replace("<int:entry_id>", str(world["entry"].pk))
    for param in (r"<int:pk>", r"<int:entry_id>", r"\(\?P<pk>[^)]*\)", r"\(\?P<entry>[^)]*\)"):
        if re.search(param, path):
            key = _object(name)
            assert key, f"{name}: say in OBJECT_OF which record its {param} names"
            path = re.sub(param, str(world[key].pk), path)
    batch = str(world["mass_email"].batch)
    path = re.sub(r"<uuid:batch>|\(\?P<batch>[^)]*\)", batch, path)
    path = path.replace("<drf_format_suffix:format>", "")
    return "/" + path


def outcome_of(response) -> str:
    if response.status_code >= 500:
        return "500"
    if response.status_code in (301, 302) and "/login/" in response.get("Location", ""):
        return "login"
    if response.status_code in (401, 403, 404, 405):
        return "no"
    if response.status_code == 400:
        return "bad"  # refused as malformed (an empty POST): no record was looked at
    return "ok"


@pytest.fixture
def people(company, other_company):
    return {
        "controller": user_in(company, roles.CONTROLLER, username="carol"),
        "manager": user_in(company, roles.MANAGER, username="mike"),
        "administrator": user_in(company, roles.ADMINISTRATOR, username="ada"),
        "integrator": user_in(company, roles.INTEGRATOR, username="ivan"),
        "outsider": user_in(other_company, roles.MANAGER, username="otto"),
    }


def observe(world, people) -> dict[str, tuple[str, ...]]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in people.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    seen: dict[str, tuple[str, ...]] = {}
    leaks = []
    for name, route in url_routes():
        url = concrete(name, route, world)
        outcomes = []
        for role in ROLES:
            response = clients[role].get(url)
            # (Signing out by POST would end the session the next URLs are tried with.)
            if response.status_code == 405 and name not in NO_POST:
                response = clients[role].post(url, {})
            outcomes.append(outcome_of(response))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if role in ("outsider", "anonymous") and MARKER.encode() in body:
                leaks.append((role, url))
        seen[name] = tuple(outcomes)
    return seen, leaks


def test_every_url_has_a_rule_and_keeps_it(company, other_company, people):
    world = build_world(company, people)
    from tests.factories import _default

    world["action_type"] = _default("ActionType", name="Call")
    world["user"] = people["controller"]
    world["nothing"] = type("Nothing", (), {"pk": 987654321})()
    world["customer_response"] = _default("CustomerResponse", name="Agreed to pay")
    world["unmatched_mail"] = InboundMessage.objects.create(
        message_id="<stranger@example.com>", company=company, kind="unmatched",
        source="api", sender="stranger@example.com", subject=MARKER, text=MARKER,
    )  # fmt: skip
    seen, leaks = observe(world, people)
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        for name, outcomes in seen.items():
            print(f'    "{name}": {outcomes!r},')  # noqa: T201
    assert not leaks, f"the first company's data was shown to: {leaks}"
    assert not [n for n, o in seen.items() if "500" in o and n not in KNOWN_500], "server errors"
    missing = sorted(set(seen) - set(RULES))
    assert not missing, f"URLs without an access rule (add them to RULES): {missing}"
    for name, outcomes in seen.items():
        if name in KNOWN_500 or name in PUBLIC or name in NO_POST:
            continue  # (NO_POST: tried by GET only, which proves little either way)
        anonymous, outsider = outcomes[0], outcomes[1]
        if name not in PUBLIC:
            assert anonymous in ("login", "no"), (name, "anonymous answered")
        if "<" in dict(url_routes()).get(name, "") or "(?P" in dict(url_routes()).get(name, ""):
            per_record = name not in {
                "communications:settings-list",
                "communications:settings-item-create",
            }
            if per_record and _object(name) not in ("outcome", "status_code", "action_type",
                                                     "customer_response"):  # fmt: skip
                assert outsider in ("no", "bad"), (name, "the other company's manager was answered")
    changed = {n: (RULES[n], o) for n, o in seen.items() if RULES.get(n) != o}
    assert not changed, f"access changed (rule, now): {changed}"


# ROLES: anonymous, outsider (another company's manager), integrator, controller,
# manager, administrator. "ok" on a POST-only URL tried with an empty body may be a 400 or
# a redirect with a refusal message: what matters there is that it was not a 403/404 for
# someone who must not get in, and not a 500. Records are those of tests/security/
# access_world.py; a list mail deleted by its owner is gone for the next roles.
RULES: dict[str, tuple[str, ...]] = {
    "home": ("login", "ok", "ok", "ok", "ok", "ok"),
    "start": ("login", "ok", "ok", "ok", "ok", "ok"),
    "login": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "logout": ("no", "no", "no", "no", "no", "no"),
    "reports": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:index": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:dashboard": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:chase-debt": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:chase-debt-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:chase-debt-pdf": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:disputed-invoices": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:disputed-invoices-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:disputed-invoices-pdf": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:aged-receivables": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:aged-receivables-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:aged-receivables-pdf": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:aged-receivables-entries": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:aged-receivables-entries-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:past-due-invoices": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:past-due-invoices-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:call-history": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:call-history-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:receipt-promises": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:receipt-promises-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:call-actions": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:call-actions-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "settings": ("login", "ok", "ok", "ok", "ok", "ok"),
    "date-conventions": ("login", "ok", "no", "no", "ok", "ok"),
    "ledger:customer-list": ("login", "ok", "ok", "ok", "ok", "ok"),
    "ledger:csv-import": ("login", "ok", "no", "no", "ok", "ok"),
    "ledger:customer-create": ("login", "ok", "ok", "no", "ok", "ok"),
    "ledger:customers-bulk": ("login", "ok", "ok", "ok", "ok", "ok"),
    "ledger:mail-list-delete": ("login", "no", "ok", "ok", "no", "no"),
    "ledger:customer-card": ("login", "no", "ok", "ok", "ok", "ok"),
    "ledger:customer-contacts": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:customer-entries": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:entries-update": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:entry-detail": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:dispute-edit": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:customer-communications": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:customer-timeline": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:communication-create": ("login", "no", "no", "ok", "ok", "ok"),
    "communications:communication-detail": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:communication-edit": ("login", "no", "no", "ok", "ok", "ok"),
    "communications:communication-complete": ("login", "no", "no", "ok", "ok", "ok"),
    "communications:call-action-create": ("login", "no", "no", "ok", "ok", "ok"),
    "communications:todo-list": ("login", "ok", "ok", "ok", "ok", "ok"),
    "communications:todo-create": ("login", "ok", "no", "ok", "ok", "ok"),
    "communications:todo-detail": ("login", "no", "ok", "ok", "ok", "ok"),
    "communications:todo-close": ("login", "no", "no", "ok", "ok", "ok"),
    "communications:settings-list": ("login", "ok", "no", "no", "ok", "ok"),
    "communications:settings-item-create": ("login", "no", "no", "no", "no", "ok"),
    "communications:settings-item-edit": ("login", "no", "no", "no", "no", "ok"),
    "communications:notifications": ("login", "ok", "ok", "ok", "ok", "ok"),
    "communications:notification-read": ("login", "no", "no", "ok", "no", "no"),
    "communications:notifications-read-all": ("login", "ok", "ok", "ok", "ok", "ok"),
    "followups:worklist": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "followups:proposals-execute": ("login", "ok", "no", "ok", "ok", "ok"),
    "followups:proposal-detail": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:proposal-execute": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:proposal-skip": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:proposal-postpone": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:proposal-letter": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:proposal-entries": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:proposal-exclude": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:proposal-rating": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:proposal-expected-date": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:plan": ("login", "ok", "no", "no", "ok", "ok"),
    "followups:level-create": ("login", "ok", "no", "no", "ok", "ok"),
    "followups:level-edit": ("login", "no", "no", "no", "ok", "ok"),
    "followups:level-delete": ("login", "no", "no", "no", "ok", "ok"),
    "followups:level-move": ("login", "no", "no", "no", "ok", "ok"),
    "followups:runs": ("login", "ok", "ok", "ok", "ok", "ok"),
    "followups:outbox": ("login", "ok", "no", "no", "ok", "ok"),
    "followups:outbox-act": ("login", "no", "no", "no", "ok", "ok"),
    "followups:customer-history": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:statement-pdf": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:statement-send": ("login", "no", "no", "ok", "ok", "ok"),
    "followups:document": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:mass-email": ("login", "ok", "no", "ok", "ok", "ok"),
    "followups:mass-email-batch": ("login", "no", "no", "ok", "no", "no"),  # its sender only
    "followups:mass-email-preview": ("login", "ok", "no", "ok", "ok", "ok"),
    "customer-sync": ("no", "bad", "bad", "no", "bad", "bad"),
    "contact-sync": ("no", "bad", "bad", "no", "bad", "bad"),
    "ledger-entry-sync": ("no", "bad", "bad", "no", "bad", "bad"),
    "application-sync": ("no", "bad", "bad", "no", "bad", "bad"),
    "customer-assign": ("no", "bad", "no", "no", "bad", "bad"),
    "customer-list-layout": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:chase-debt": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:disputed-invoices": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:aged-receivables": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:aged-receivables-entries": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:past-due-invoices": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:call-history": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:receipt-promises": ("no", "ok", "ok", "no", "ok", "ok"),
    "reports-api:call-actions": ("no", "ok", "ok", "no", "ok", "ok"),
    "company-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "company-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "customer-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "customer-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "contact-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "contact-detail": ("no", "no", "no", "no", "no", "no"),
    "ledger-entry-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "ledger-entry-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "application-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "application-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "audit-event-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "audit-event-detail": ("no", "no", "no", "no", "ok", "ok"),
    "mail-list-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "mail-list-detail": ("no", "no", "no", "no", "no", "no"),
    "communication-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "communication-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "communication-complete": ("no", "no", "no", "no", "ok", "ok"),
    "communication-reopen": ("no", "no", "no", "no", "ok", "ok"),
    "communication-update-entries": ("no", "no", "no", "no", "bad", "bad"),
    "call-action-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "call-action-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "promise-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "promise-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "promise-cancel": ("no", "no", "no", "no", "ok", "bad"),
    "dispute-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "dispute-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "todo-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "todo-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "todo-close": ("no", "no", "no", "no", "ok", "ok"),
    "todo-reopen": ("no", "no", "no", "no", "ok", "ok"),
    "entry-status-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "entry-status-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "entry-note-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "entry-note-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "status-code-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "status-code-detail": ("no", "ok", "ok", "no", "ok", "ok"),
    "outcome-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "outcome-detail": ("no", "ok", "ok", "no", "ok", "ok"),
    "action-type-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "action-type-detail": ("no", "ok", "ok", "no", "ok", "ok"),
    "customer-response-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "customer-response-detail": ("no", "ok", "ok", "no", "ok", "ok"),
    "notification-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "notification-detail": ("no", "no", "no", "no", "no", "no"),
    "notification-read": ("no", "no", "no", "no", "no", "no"),
    "followup-plan-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-plan-detail": ("no", "no", "ok", "no", "ok", "ok"),
    # Late-payment charges (charges/): managers set a plan's terms; integrators read the
    # proposed charges and acknowledge them; the outsider's 'bad' names no company of theirs.
    "reports:charges": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:charges-csv": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports:charges-pdf": ("login", "ok", "no", "ok", "ok", "ok"),
    "reports-api:charges": ("no", "ok", "ok", "no", "ok", "ok"),
    "charges:plan-charges": ("login", "no", "no", "no", "ok", "ok"),
    "charges:plan-summary": ("login", "no", "no", "no", "ok", "ok"),
    "charges:customer-charges": ("login", "no", "ok", "ok", "ok", "ok"),
    "charge-terms-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "charge-terms-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "charge-terms-preset": ("no", "no", "no", "no", "bad", "bad"),
    "reference-rate-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "proposed-charge-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "proposed-charge-acknowledge": ("no", "bad", "bad", "no", "bad", "bad"),
    "posted-charge-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-level-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-level-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "followup-run-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-run-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "followup-proposal-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-proposal-execute-many": ("no", "bad", "no", "no", "bad", "bad"),
    "followup-proposal-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "followup-proposal-execute": ("no", "no", "no", "no", "ok", "ok"),
    "followup-proposal-postpone": ("no", "no", "no", "no", "bad", "bad"),
    "followup-proposal-skip": ("no", "no", "no", "no", "ok", "ok"),
    "followup-exclusion-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-exclusion-include": ("no", "bad", "no", "no", "bad", "bad"),
    "followup-exclusion-detail": ("no", "no", "no", "no", "no", "no"),
    "expected-payment-date-list": ("no", "bad", "no", "no", "bad", "bad"),
    "followup-history-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "followup-history-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "outbox-message-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "outbox-message-detail": ("no", "no", "ok", "no", "ok", "ok"),
    "outbox-message-cancel": ("no", "no", "no", "no", "bad", "bad"),
    "outbox-message-mark-sent": ("no", "no", "no", "no", "bad", "bad"),
    "outbox-message-resend": ("no", "no", "no", "no", "ok", "bad"),
    "mass-email-detail": ("no", "no", "no", "no", "no", "no"),  # its sender only
    "mass-email-list": ("no", "bad", "no", "no", "bad", "bad"),
    "api-root": ("no", "ok", "ok", "no", "ok", "ok"),
    "api-schema": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "api-docs": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "api-redoc": ("ok", "ok", "ok", "ok", "ok", "ok"),
    # Came with the customer-record, reach-the-customer and team branches:
    "search": ("login", "ok", "ok", "ok", "ok", "ok"),
    "ledger:entry-document": ("login", "no", "no", "no", "no", "no"),
    "ledger:entry-document-upload": ("login", "no", "ok", "ok", "ok", "ok"),
    "ledger:customer-edit": ("login", "no", "ok", "ok", "ok", "ok"),
    "ledger:customer-hold": ("login", "no", "no", "no", "ok", "ok"),
    "ledger:customer-exclusion": ("login", "no", "no", "no", "ok", "ok"),
    "ledger:contact-create": ("login", "no", "ok", "ok", "ok", "ok"),
    "ledger:contact-edit": ("login", "no", "ok", "ok", "ok", "ok"),
    "ledger:contact-delete": ("login", "no", "ok", "no", "no", "no"),
    "followups:copies-send": ("login", "no", "ok", "ok", "ok", "ok"),
    "followups:level-texts": ("login", "no", "no", "no", "ok", "ok"),
    "portal:page": ("no", "no", "no", "no", "no", "no"),
    "portal:dispute": ("no", "no", "no", "no", "no", "no"),
    "portal:promise": ("no", "no", "no", "no", "no", "no"),
    "portal:statement": ("no", "no", "no", "no", "no", "no"),
    "portal:copy": ("no", "no", "no", "no", "no", "no"),
    "portal-settings": ("login", "ok", "no", "no", "ok", "ok"),
    "portal-links-revoke": ("login", "no", "no", "ok", "ok", "ok"),
    "webhooks:endpoints": ("login", "ok", "ok", "no", "ok", "ok"),
    "webhooks:endpoint-delete": ("login", "no", "no", "no", "no", "no"),
    "webhooks:delivery-replay": ("login", "no", "no", "no", "no", "no"),
    "inbound-email": ("no", "no", "no", "no", "no", "no"),
    "inbound-attachment": ("login", "no", "no", "no", "no", "no"),
    "inbound:unmatched": ("login", "ok", "no", "ok", "ok", "ok"),
    "inbound:unmatched-detail": ("login", "no", "no", "ok", "ok", "ok"),
    "inbound:unmatched-assign": ("login", "no", "no", "ok", "ok", "ok"),
    "inbound:unmatched-discard": ("login", "no", "no", "ok", "ok", "ok"),
    "team:users": ("login", "no", "no", "no", "no", "ok"),
    "team:user-invite": ("login", "no", "no", "no", "no", "ok"),
    "team:user-edit": ("login", "no", "no", "no", "no", "ok"),
    "team:user-active": ("login", "no", "no", "no", "no", "ok"),
    "team:user-reset": ("login", "no", "no", "login", "no", "no"),
    "team:token-create": ("login", "no", "no", "login", "no", "ok"),
    "team:token-revoke": ("login", "no", "no", "login", "no", "no"),
    "team:set-password": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "account": ("login", "ok", "ok", "login", "ok", "ok"),
    "sign-out-everywhere": ("login", "no", "no", "login", "no", "no"),
    "customer-hold": ("no", "bad", "bad", "no", "bad", "bad"),
    "customer-release": ("no", "bad", "bad", "no", "bad", "bad"),
    "ledger-entry-document": ("no", "no", "no", "no", "no", "no"),
    "entry-document-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "webhook-endpoint-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "webhook-endpoint-detail": ("no", "no", "no", "no", "no", "no"),
    "webhook-delivery-list": ("no", "ok", "ok", "no", "ok", "ok"),
    "webhook-delivery-detail": ("no", "no", "no", "no", "no", "no"),
    "webhook-delivery-replay": ("no", "no", "no", "no", "no", "no"),
}
