"""The plan settings pages: options and levels, for managers and administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from followups.models import FollowUpLevel
from followups.plans import plan_for
from ledger.models import AuditEvent
from tests.factories import CustomerFactory, EntryFactory, proposal_with_lines

pytestmark = pytest.mark.django_db


def level_data(**overrides) -> dict:
    data = {
        "name": "Legal warning", "days": "90", "note": "", "manual_action": "",
        "manual_action_note": "", "send_email": "on", "email_subject": "{company}: legal action",
        "email_body": "Dear {contact},\n\n{entries}\n\n{controller}", "send_letter": "",
        "letter_style": "standard", "letter_text": "", "execute_automatically": "",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def names(company) -> list[str]:
    return list(plan_for(company).levels.order_by("sequence").values_list("name", flat=True))


def test_controller_gets_403_on_every_plan_page(client, controller, company):
    level = plan_for(company).levels.first()
    client.force_login(controller)
    assert client.get(reverse("followups:plan")).status_code == 403
    assert client.get(reverse("followups:level-create")).status_code == 403
    assert client.get(reverse("followups:level-edit", args=[level.pk])).status_code == 403
    for name in ("level-move", "level-delete"):
        assert client.post(reverse(f"followups:{name}", args=[level.pk]),
                           {"direction": "down"}).status_code == 403  # fmt: skip
    assert len(names(company)) == 5


def test_plan_page_requires_login(client, db):
    response = client.get(reverse("followups:plan"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_manager_sees_the_plan_options_and_levels_in_order(client, manager, company):
    client.force_login(manager)
    html = client.get(reverse("followups:plan")).content.decode()
    assert "Follow-up plan — Acme Trading Ltd" in html
    positions = [html.index(n) for n in ("Friendly reminder before due", "First reminder",
                                         "Telephone call", "Formal letter", "Final demand")]  # fmt: skip
    assert positions == sorted(positions)
    assert "(before due)" in html and 'name="min_days_between"' in html


def test_outsider_gets_404_for_another_companys_plan_and_levels(client, outsider, company):
    level = plan_for(company).levels.first()
    client.force_login(outsider)
    assert client.get(reverse("followups:plan"), {"company": company.pk}).status_code == 404
    assert client.get(reverse("followups:level-edit", args=[level.pk])).status_code == 404
    assert client.post(reverse("followups:level-delete", args=[level.pk])).status_code == 404
    own = client.get(reverse("followups:plan")).content.decode()
    assert "Euro Handel GmbH" in own and "Acme Trading Ltd" not in own


def test_saving_the_options_is_audited(client, manager, company):
    client.force_login(manager)
    url = f"{reverse('followups:plan')}?company={company.pk}"
    data = {"name": "Strict plan", "min_days_between": "10", "min_amount": "25.00",
            "run_at": "05:30"}  # pause_while_promised unticked  # fmt: skip
    assert client.post(url, data).status_code == 302
    plan = plan_for(company)
    assert (plan.name, plan.min_days_between, str(plan.min_amount), plan.run_at) == (
        "Strict plan",
        10,
        "25.00",
        dt.time(5, 30),
    )
    assert not plan.pause_while_promised
    assert AuditEvent.objects.filter(model="followups.followupplan", object_id=plan.pk).exists()
    bad = client.post(url, {**data, "min_days_between": "-3"})
    assert bad.status_code == 200 and "errors" in bad.content.decode()


def test_administrator_chooses_among_several_companies(client, administrator, company,
                                                       other_company):  # fmt: skip
    other_company.members.add(administrator)
    client.force_login(administrator)
    html = client.get(reverse("followups:plan"), {"company": other_company.pk}).content.decode()
    assert "Follow-up plan — Euro Handel GmbH" in html
    assert f'href="?company={company.pk}"' in html


def test_add_a_level_at_the_end(client, manager, company):
    client.force_login(manager)
    url = f"{reverse('followups:level-create')}?company={company.pk}"
    page = client.get(url).content.decode()
    assert "{customer}" in page and "{entries}" in page  # the placeholders are listed
    response = client.post(url, level_data())
    assert response.status_code == 302
    level = plan_for(company).levels.get(name="Legal warning")
    assert level.sequence == 6 and level.days == 90 and level.send_email


def test_a_new_level_due_sooner_than_the_last_is_refused(client, manager, company):
    client.force_login(manager)
    url = f"{reverse('followups:level-create')}?company={company.pk}"
    response = client.post(url, level_data(days="30"))
    html = response.content.decode()
    assert response.status_code == 200 and "may not be fewer" in html
    assert 'value="Legal warning"' in html  # what was typed is kept
    assert len(names(company)) == 5


def test_a_level_must_do_something_and_name_known_placeholders(client, manager, company):
    client.force_login(manager)
    url = f"{reverse('followups:level-create')}?company={company.pk}"
    html = client.post(url, level_data(send_email="")).content.decode()
    assert "Choose at least one action" in html
    html = client.post(url, level_data(email_subject="{custmer} owes")).content.decode()
    assert "Unknown placeholder {custmer}" in html
    assert len(names(company)) == 5


def test_edit_a_level_and_keep_the_days_in_order(client, manager, company):
    level = plan_for(company).levels.get(sequence=2)
    client.force_login(manager)
    url = reverse("followups:level-edit", args=[level.pk])
    fields = {f: getattr(level, f) for f in level_data()}
    current = {k: ("on" if v is True else "" if v is False else v) for k, v in fields.items()}
    response = client.post(url, level_data(**{**current, "name": "Gentle reminder", "days": "8"}))
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.name, level.days) == ("Gentle reminder", 8)
    response = client.post(url, level_data(**{**current, "days": "40"}))  # after level 3 (21)
    assert response.status_code == 200 and "may not be fewer" in response.content.decode()
    level.refresh_from_db()
    assert level.days == 8


def test_moving_a_level_past_one_with_other_days_is_refused(client, manager, company):
    level = plan_for(company).levels.get(sequence=2)
    client.force_login(manager)
    response = client.post(reverse("followups:level-move", args=[level.pk]),
                           {"direction": "down"}, follow=True)  # fmt: skip
    assert "was not moved" in response.content.decode()
    assert names(company)[1] == "First reminder"


def test_move_swaps_levels_with_the_same_days(client, manager, company):
    plan = plan_for(company)
    FollowUpLevel.objects.filter(plan=plan, sequence=3).update(days=7)
    level = plan.levels.get(sequence=3)
    client.force_login(manager)
    response = client.post(reverse("followups:level-move", args=[level.pk]),
                           {"direction": "up"}, follow=True)  # fmt: skip
    assert "is now level 2" in response.content.decode()
    assert names(company)[1:3] == ["Telephone call", "First reminder"]
    first = plan.levels.get(sequence=1)
    response = client.post(reverse("followups:level-move", args=[first.pk]),
                           {"direction": "up"}, follow=True)  # fmt: skip
    assert "already the first level" in response.content.decode()


def test_delete_an_unused_level_renumbers_the_rest(client, manager, company):
    level = plan_for(company).levels.get(sequence=4)
    client.force_login(manager)
    response = client.post(reverse("followups:level-delete", args=[level.pk]), follow=True)
    assert "deleted" in response.content.decode()
    assert names(company) == ["Friendly reminder before due", "First reminder", "Telephone call",
                              "Final demand"]  # fmt: skip
    sequences = list(plan_for(company).levels.values_list("sequence", flat=True))
    assert sorted(sequences) == [1, 2, 3, 4]


def test_a_level_proposals_use_cannot_be_deleted(client, manager, company):
    customer = CustomerFactory(company=company)
    proposal_with_lines(customer, 2, [(EntryFactory(customer=customer), 2)])
    level = plan_for(company).levels.get(sequence=2)
    client.force_login(manager)
    response = client.post(reverse("followups:level-delete", args=[level.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert len(names(company)) == 5


def test_settings_page_links_managers_to_the_plan(client, manager, controller):
    client.force_login(manager)
    html = client.get(reverse("settings")).content.decode()
    assert reverse("followups:plan") in html and reverse("followups:outbox") in html
    client.force_login(controller)
    html = client.get(reverse("settings")).content.decode()
    assert reverse("followups:plan") not in html and reverse("followups:runs") in html


def test_plan_page_query_count(client, manager, company, django_assert_max_num_queries):
    plan = plan_for(company)
    for n in range(6, 26):
        FollowUpLevel.objects.create(plan=plan, sequence=n, name=f"Level {n}", days=60 + n,
                                     send_email=True, email_subject="s", email_body="b")  # fmt: skip
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("followups:plan")).content.decode()
    assert "Level 25" in html
