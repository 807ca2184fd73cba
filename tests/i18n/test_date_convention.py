"""Issue 13 §8: one date format, the company's convention, across pages, exports and
internal PDFs, with times in the company's zone; the API keeps ISO 8601.

Invariants: for every style and every date, ``format_day`` writes the day, the month and
the year of that date in the style's order; ``format_when`` shows the moment at the
company's clock, whatever the zone of the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditcontrol import dates
from creditcontrol.dates import DATE_STYLES, Convention, format_day, format_when
from ledger.models import Company
from tests.conftest import api_as
from tests.factories import (
    CommunicationFactory,
    CompanyFactory,
    CustomerFactory,
    EntryFactory,
    ToDoFactory,
)
from tests.followups.pdf_text import pdf_text

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
DUE = dt.date(2026, 3, 5)
# 23:30 in London on 4 March is 00:30 on 5 March in Berlin: the zone decides the day.
HOLD_AT = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)

# style: (the due date, the hold moment in Berlin)
CONVENTIONS = {
    "d_mon_y": ("05 Mar 2026", "05 Mar 2026 00:30"),
    "m/d/y": ("03/05/2026", "03/05/2026 12:30 AM"),
    "iso": ("2026-03-05", "2026-03-05 00:30"),
}


@pytest.fixture
def berlin(company):
    """The company in Berlin, on a day frozen after the entries fell due."""
    company.time_zone = "Europe/Berlin"
    company.save(update_fields=["time_zone"])
    with time_machine.travel(NOW, tick=False):
        yield company


@pytest.fixture
def overdue_customer(berlin, controller):
    customer = CustomerFactory(
        company=berlin, account_code="LATE", name="Late Payer GmbH", controller=controller,
        on_hold=True, hold_reason="Cheque bounced", hold_changed_at=HOLD_AT, exclude_until=DUE,
    )  # fmt: skip
    EntryFactory(customer=customer, document_no="INV-DATE", document_date=dt.date(2026, 2, 3),
                 due_date=DUE)  # fmt: skip
    return customer


def _use(company: Company, style: str) -> None:
    company.date_style = style
    company.save(update_fields=["date_style"])


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("style", sorted(CONVENTIONS))
def test_page_and_csv_export_show_a_date_in_the_company_convention(
    client, controller, berlin, overdue_customer, style
):
    day, moment = CONVENTIONS[style]
    _use(berlin, style)
    client.force_login(controller)

    entries = client.get(reverse("communications:customer-entries", args=[overdue_customer.pk]))
    row = entries.content.decode()
    row = row[row.index("INV-DATE") : row.index("</tr>", row.index("INV-DATE"))]
    assert day in row

    card = client.get(reverse("ledger:customer-card", args=[overdue_customer.pk])).content.decode()
    assert f"Since {moment}" in card  # the hold, at Berlin's clock
    assert f"until {day}" in card  # excluded from follow-ups until

    ToDoFactory(customer=overdue_customer, owner=controller, description="Ring them", due_on=DUE)
    timeline = client.get(reverse("communications:customer-timeline", args=[overdue_customer.pk]))
    assert f"Ring them · due {day}" in timeline.content.decode()  # written in Python

    export = client.post(
        reverse("ledger:customers-bulk"), {"action": "export", "ids": [overdue_customer.pk]}
    )
    (line,) = _csv(export)
    assert line["exclude_until"] == day
    assert line["hold_changed_at"] == moment


@pytest.mark.parametrize("style", sorted(CONVENTIONS))
def test_report_page_csv_and_pdf_show_the_same_date(
    client, manager, controller, berlin, overdue_customer, style
):
    """A report's page, CSV and internal PDF (Chase Debt: the earliest follow-up date)."""
    day, _moment = CONVENTIONS[style]
    CommunicationFactory(customer=overdue_customer, our_contact=controller, follow_up_on=DUE)
    _use(berlin, style)
    client.force_login(manager)
    page = client.get(reverse("reports:chase-debt")).content.decode()
    assert day in page
    (line,) = _csv(client.get(reverse("reports:chase-debt-csv")))
    assert day in line.values()
    assert day in pdf_text(client.get(reverse("reports:chase-debt-pdf")).content)


def test_the_api_keeps_iso_8601_whatever_the_convention(controller, berlin, overdue_customer):
    _use(berlin, "m/d/y")
    response = api_as(controller).get("/api/v1/ledger-entries/", {"customer": overdue_customer.pk})
    (entry,) = response.json()["results"]
    assert entry["due_date"] == "2026-03-05"


def test_the_default_convention_is_day_month_name_year(db):
    assert CompanyFactory().date_style == "d_mon_y"
    assert format_day(DUE) == "05 Mar 2026"


def test_a_page_about_one_customer_follows_its_company_not_the_users_first(
    client, controller, company, overdue_customer
):
    """A user of two companies: their first company (by name) sets the default, but the
    card of a customer of the other company shows that company's convention."""
    _use(company, "iso")  # Acme Trading Ltd, the user's first company
    other = CompanyFactory(code="ZED", name="Zed Handel", date_style="d.m.y", time_zone="UTC")
    other.members.add(controller)
    theirs = CustomerFactory(company=other, account_code="Z1", exclude_until=DUE)
    EntryFactory(customer=theirs, document_no="INV-ZED", document_date=DUE, due_date=DUE)
    client.force_login(controller)
    entries = client.get(reverse("communications:customer-entries", args=[theirs.pk]))
    assert "05.03.2026" in entries.content.decode()
    assert "2026-03-05" not in entries.content.decode()
    own = client.get(reverse("communications:customer-entries", args=[overdue_customer.pk]))
    assert "2026-03-05" in own.content.decode()


def test_the_convention_is_chosen_on_the_company_in_the_admin(client, berlin):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get(reverse("admin:ledger_company_change", args=[berlin.pk])).content.decode()
    assert 'name="date_style"' in page
    for label, _d, _w in DATE_STYLES.values():
        assert str(label) in page


def test_a_company_convention_outside_the_list_falls_back_to_the_default():
    assert Convention(style="nonsense").day(DUE) == "05 Mar 2026"


# --- Invariants (Hypothesis) ----------------------------------------------------------

ORDER = {"d_mon_y": "dmy", "d/m/y": "dmy", "m/d/y": "mdy", "d.m.y": "dmy", "iso": "ymd"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       style=st.sampled_from(sorted(DATE_STYLES)))  # fmt: skip
def test_every_style_writes_day_month_and_year_in_its_order(day, style):
    text = Convention(style=style).day(day)
    parts = [p for p in text.replace("/", " ").replace(".", " ").replace("-", " ").split()]
    month = MONTHS[day.month - 1] if style == "d_mon_y" else f"{day.month:02d}"
    expected = {"d": f"{day.day:02d}", "m": month, "y": str(day.year)}
    assert parts == [expected[c] for c in ORDER[style]]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moment=st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2099, 12, 30),
                           timezones=st.just(dt.UTC)),
       zone=st.sampled_from(["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]))  # fmt: skip
def test_a_moment_is_shown_at_the_company_clock(moment, zone):
    company = Company(name="X", code="X", base_currency="GBP", time_zone=zone, date_style="iso")
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    assert format_when(moment, company) == local.strftime("%Y-%m-%d %H:%M")
    assert format_day(moment, company) == local.date().isoformat()


def test_override_sets_and_restores_the_convention():
    company = Company(name="X", code="X", base_currency="GBP", time_zone="UTC", date_style="iso")
    with dates.override(company):
        assert format_day(DUE) == "2026-03-05"
    assert format_day(DUE) == "05 Mar 2026"


# --- Settings → Dates -----------------------------------------------------------------

DATES_PAGE = "/settings/dates/"


def test_a_manager_sets_the_convention_and_every_page_follows(
    client, manager, controller, berlin, overdue_customer
):
    from ledger.models import AuditEvent

    client.force_login(manager)
    page = client.get(DATES_PAGE).content.decode()
    assert berlin.name in page and "now: 20 Mar 2026 10:00" in page  # 09:00 UTC in Berlin
    response = client.post(DATES_PAGE, {"company": berlin.pk, "date_style": "d.m.y"})
    assert response.status_code == 302
    berlin.refresh_from_db()
    assert berlin.date_style == "d.m.y"
    event = AuditEvent.objects.get(model="ledger.company", object_id=berlin.pk)
    assert (event.before, event.after, event.user) == (
        {"date_style": "d_mon_y"}, {"date_style": "d.m.y"}, manager)  # fmt: skip
    client.force_login(controller)
    entries = client.get(reverse("communications:customer-entries", args=[overdue_customer.pk]))
    assert "05.03.2026" in entries.content.decode()


def test_an_unknown_convention_is_refused_with_a_message_and_nothing_changes(
    client, manager, berlin
):
    client.force_login(manager)
    response = client.post(DATES_PAGE, {"company": berlin.pk, "date_style": "%Y"}, follow=True)
    assert "Choose one of the date conventions offered." in response.content.decode()
    berlin.refresh_from_db()
    assert berlin.date_style == "d_mon_y"


def test_controllers_may_not_set_it_and_nobody_sets_another_companys(
    client, controller, outsider, berlin
):
    client.force_login(controller)
    assert client.get(DATES_PAGE).status_code == 403
    assert client.post(DATES_PAGE, {"company": berlin.pk, "date_style": "iso"}).status_code == 403
    client.force_login(outsider)  # a manager of another company
    page = client.get(DATES_PAGE).content.decode()
    assert berlin.name not in page
    response = client.post(DATES_PAGE, {"company": berlin.pk, "date_style": "iso"}, follow=True)
    assert "Choose one of your companies." in response.content.decode()
    berlin.refresh_from_db()
    assert berlin.date_style == "d_mon_y"


def test_the_filters_show_blank_for_what_is_not_a_date():
    from django.template import Context, Template

    rendered = Template("{% load ui %}[{{ a|day }}|{{ b|when }}|{{ c|day }}]").render(
        Context({"a": "2026-03-05", "b": None, "c": DUE})
    )
    assert rendered == "[||05 Mar 2026]"
