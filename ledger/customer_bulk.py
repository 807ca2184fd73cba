"""Writes on many customers at once, from the customer list and the API: delete, assign a
controller, export, and the mail lists users save. Access is checked first; every
change is audited in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from creditcontrol.csv_export import CsvLines
from creditcontrol.roles import can_edit_ledger, can_work_customers, is_manager

from .audit import audit_bulk, audit_event, snapshot
from .models import AuditEvent, Company, Contact, Customer, MailList


def _companies_of(customers: Iterable[Customer]) -> set[int]:
    return {c.company_id for c in customers}


def _require_member(user: Any, company_ids: set[int], check) -> None:
    visible = set(
        Company.objects.visible_to(user).filter(pk__in=company_ids).values_list("pk", flat=True)
    )
    if visible != company_ids:
        raise PermissionDenied(_("You do not have access to this company."))
    if not check(user):
        raise PermissionDenied(_("Your role does not allow this change."))


# --- Delete ----------------------------------------------------------------------------


@dataclass
class DeleteResult:
    """Who was deleted, and who was kept with the reason."""

    deleted: list[Customer] = field(default_factory=list)
    refused: list[tuple[Customer, str]] = field(default_factory=list)

    @property
    def refused_message(self) -> str:
        names = "; ".join(f"{c.account_code} {c.name} ({why})" for c, why in self.refused)
        return _("Not deleted: %(names)s.") % {"names": names}


def _kept_by(ids: list[int]) -> dict[int, str]:
    """Why each customer cannot go: the records that protect it (ledger entries first)."""
    reasons: dict[int, str] = {}
    related = [
        r for r in Customer._meta.related_objects
        if r.on_delete in (models.PROTECT, models.RESTRICT)
    ]  # fmt: skip
    related.sort(key=lambda r: r.related_model._meta.model_name != "ledgerentry")
    for relation in related:
        column = relation.field.attname
        held = relation.related_model._base_manager.filter(**{f"{column}__in": ids})
        for customer_id in held.values_list(column, flat=True).distinct():
            if customer_id not in reasons:
                noun = relation.related_model._meta.verbose_name_plural
                reasons[customer_id] = f"has {noun}"
    return reasons


@transaction.atomic
def customers_delete(
    *, user: Any, customers: Iterable[Customer], source: str = "web"
) -> DeleteResult:
    """Delete the customers nothing depends on, in one transaction; refuse, by name, those
    with ledger entries (or communications, promises, ... that must be kept)."""
    chosen = list(customers)
    _require_member(user, _companies_of(chosen), can_edit_ledger)
    locked = list(
        Customer.objects.select_for_update().filter(pk__in=[c.pk for c in chosen]).order_by("pk")
    )
    reasons = _kept_by([c.pk for c in locked])
    result = DeleteResult()
    for customer in locked:
        if customer.pk in reasons:
            result.refused.append((customer, reasons[customer.pk]))
        else:
            result.deleted.append(customer)
    if result.deleted:
        audit_bulk(
            audit_event(user=user, obj=c, action=AuditEvent.Action.DELETE,
                        before=snapshot(c), source=source)
            for c in result.deleted
        )  # fmt: skip
        Customer.objects.filter(pk__in=[c.pk for c in result.deleted]).delete()
    return result


# --- Assign ----------------------------------------------------------------------------


def assignable_controllers(company_ids: Iterable[int]) -> models.QuerySet:
    """Active credit controllers of every one of these companies (only they are offered
    and accepted as a customer's controller)."""
    from creditcontrol.roles import CONTROLLER

    users = get_user_model().objects.filter(is_active=True, groups__name=CONTROLLER)
    for company_id in set(company_ids):
        users = users.filter(pk__in=Company.members.through.objects.filter(
            company_id=company_id).values("user_id"))  # fmt: skip
    return users.distinct().order_by("first_name", "last_name", "username")


@transaction.atomic
def customers_assign(
    *, user: Any, customers: Iterable[Customer], controller: Any | None, source: str = "web"
) -> int:
    """Give these customers to ``controller`` (None: nobody). Managers only. Returns how
    many changed; customers already with that controller are left as they are."""
    chosen = list(customers)
    company_ids = _companies_of(chosen)
    _require_member(user, company_ids, is_manager)
    if controller is not None and not (
        can_work_customers(controller)
        and assignable_controllers(company_ids).filter(pk=controller.pk).exists()
    ):
        raise ValidationError(
            {"controller": _("%(get_username)s does not work customers in every company of the selection.") % {"get_username": controller.get_username()}}
        )  # fmt: skip
    new_id = controller.pk if controller is not None else None
    locked = Customer.objects.select_for_update().filter(pk__in=[c.pk for c in chosen])
    changing = [c for c in locked.order_by("pk") if c.controller_id != new_id]
    audit_bulk(
        audit_event(user=user, obj=c, action=AuditEvent.Action.UPDATE,
                    before={"controller_id": c.controller_id}, after={"controller_id": new_id},
                    source=source)
        for c in changing
    )  # fmt: skip
    Customer.objects.filter(pk__in=[c.pk for c in changing]).update(controller_id=new_id)
    return len(changing)


# --- Export ----------------------------------------------------------------------------

CUSTOMER_EXPORT_FIELDS = [
    f for f in Customer._meta.concrete_fields if f.name not in ("company", "controller")
]
CONTACT_EXPORT_FIELDS = [f for f in Contact._meta.concrete_fields if f.name != "customer"]


def export_header() -> list[str]:
    return [
        *(f.name for f in CUSTOMER_EXPORT_FIELDS[:1]), "company", "controller",
        *(f.name for f in CUSTOMER_EXPORT_FIELDS[1:]), "balance_lcy", "overdue_lcy",
        *(f"contact_{f.name}" for f in CONTACT_EXPORT_FIELDS),
    ]  # fmt: skip


def _value(value: Any) -> Any:
    """A field as the CSV writer takes it: dates and moments stay objects, so the writer
    puts them in the company's date convention (``creditcontrol/csv_export.py``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value
    return str(value)


def customers_export_csv(customers: models.QuerySet, *, as_of: Any) -> Iterator[str]:
    """CSV lines: every field of each customer (and its balances), one line per contact
    (a customer without contacts gets one line). Read in chunks, so 100,000 customers
    stream without being held in memory. Dates are in the convention of the request that
    asks (one convention per file, even when it holds several companies' customers)."""
    # Made now, inside the request: the lines are written after the view has returned.
    writer = CsvLines()  # formulas neutralised, see creditcontrol/csv_export.py
    return _export_lines(writer, customers, as_of)


def _export_lines(writer: CsvLines, customers: models.QuerySet, as_of: Any) -> Iterator[str]:
    yield writer.writerow(export_header())
    rows = (
        customers.with_balances(as_of)
        .select_related("company", "controller")
        .prefetch_related(models.Prefetch("contacts", Contact.objects.order_by(*Contact._meta.ordering)))
        .order_by("pk")
    )  # fmt: skip
    for c in rows.iterator(chunk_size=2000):
        own = [_value(getattr(c, f.attname)) for f in CUSTOMER_EXPORT_FIELDS]
        head = [own[0], c.company.code, c.controller.get_username() if c.controller else "",
                *own[1:], f"{c.balance_lcy:.2f}", f"{c.overdue_lcy:.2f}"]  # fmt: skip
        contacts = list(c.contacts.all())
        if not contacts:
            yield writer.writerow(head + [""] * len(CONTACT_EXPORT_FIELDS))
        for contact in contacts:
            yield writer.writerow(
                head + [_value(getattr(contact, f.attname)) for f in CONTACT_EXPORT_FIELDS]
            )


# --- Mail lists ------------------------------------------------------------------------


def _one_company(user: Any, customers: list[Customer]) -> Company:
    company_ids = _companies_of(customers)
    if not customers:
        raise ValidationError({"customers": _("Tick at least one customer for the list.")})
    if len(company_ids) > 1:
        raise ValidationError({"customers": _("A list holds the customers of one company: "
                               "choose the company first, then tick its customers.")})  # fmt: skip
    _require_member(user, company_ids, can_work_customers)
    return customers[0].company


@transaction.atomic
def mail_list_save(
    *, user: Any, name: str, customers: Iterable[Customer], shared: bool = False
) -> MailList:
    """Save the customers as the user's list ``name``; an own list of that name is replaced."""
    chosen = list(customers)
    company = _one_company(user, chosen)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A list needs a name.")})
    if len(name) > MailList._meta.get_field("name").max_length:
        raise ValidationError({"name": _("A list's name has at most 100 characters.")})
    mail_list, _created = MailList.objects.select_for_update().get_or_create(
        owner=user, company=company, name=name, defaults={"shared": shared}
    )
    if mail_list.shared != shared:
        mail_list.shared = shared
        mail_list.save(update_fields=["shared", "updated_at"])
    mail_list.customers.set(chosen)
    return mail_list


@transaction.atomic
def mail_list_update(
    *, user: Any, mail_list: MailList, name: str | None = None, shared: bool | None = None,
    customers: Iterable[Customer] | None = None,
) -> MailList:  # fmt: skip
    """Rename, share or refill one of the user's own lists."""
    if mail_list.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner of a list may change it."))
    if customers is not None:
        chosen = list(customers)
        if _one_company(user, chosen).pk != mail_list.company_id:
            raise ValidationError({"customers": _("These customers are of another company.")})
        mail_list.customers.set(chosen)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": _("A list needs a name.")})
        mail_list.name = name.strip()
    if shared is not None:
        mail_list.shared = shared
    mail_list.full_clean(exclude=["customers"])
    mail_list.save()
    return mail_list


@transaction.atomic
def mail_list_delete(*, user: Any, mail_list: MailList) -> None:
    if mail_list.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner of a list may delete it."))
    mail_list.delete()
