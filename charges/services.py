"""Reading and changing charge terms, the charges of a customer's entries, the proposed
charges the integrator reads, and acknowledging one as posted.

Decisions:
- A level's fee is a reminder fee: charged once with each reminder sent at that level
  (one per proposal, not per invoice), in the base currency; the proposal, its letter and
  the work list show it. Interest and compensation are per entry (``charges.rules``).
- Proposed charges are computed as of *D* (the company's today unless given) and each has
  a stable reference: ``INT-<entry>-<first day>-<last day>`` for the interest not posted
  yet, ``CMP-<entry>`` for the compensation. Acknowledging a reference records it as
  posted (``PostedCharge``): the next proposal of interest for that entry starts the day
  after, the compensation is never proposed again, and the ledger entry the sync brings
  back with ``posted_ref`` as its external reference is linked to it and carries no
  charges itself. Acknowledging the same reference again answers the first answer and
  changes nothing; an interest reference that no longer starts where the posted interest
  ends (a stale read) is refused with the date to fetch again from.
- Terms are per plan, changed by managers of its company only, every change audited.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from creditcontrol.roles import can_edit_ledger, is_manager
from ledger.audit import audit_record, diff, snapshot
from ledger.models import AuditEvent, Company, LedgerEntry
from ledger.services import require_company

from . import rules
from .models import (
    ChargeKind,
    ChargeTerms,
    CompensationBand,
    InterestBasis,
    LevelFee,
    PostedCharge,
    RateSeries,
    ReferenceRate,
    ReminderFee,
)
from .queries import with_charges

ZERO = Decimal("0.00")
REFERENCE_RE = re.compile(
    r"^(?:INT-(?P<ientry>\d+)-(?P<first>\d{8})-(?P<last>\d{8})|CMP-(?P<centry>\d+)"
    r"|FEE-(?P<action>\d+))$"
)
TERM_FIELDS = ("interest", "fixed_rate", "reference_series", "margin")


# Terms ---------------------------------------------------------------------------------


def terms_of(plan: Any) -> ChargeTerms | None:
    return ChargeTerms.objects.filter(plan=plan).prefetch_related("bands").first()


def rules_terms(terms: ChargeTerms | None) -> tuple[rules.InterestTerms | None, list]:
    """The terms as ``charges.rules`` takes them: interest terms (None: no interest) and
    the compensation bands."""
    if terms is None:
        return None, []
    bands = [(b.from_amount, b.amount) for b in terms.bands.all()]
    if terms.interest == InterestBasis.FIXED:
        return rules.InterestTerms(fixed_rate=terms.fixed_rate), bands
    if terms.interest == InterestBasis.REFERENCE:
        rates = list(
            ReferenceRate.objects.filter(series=terms.reference_series).values_list(
                "valid_from", "rate"
            )
        )
        return rules.InterestTerms(rates=rates, margin=terms.margin), bands
    return None, bands


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("“%(value)s” is not an amount.") % {"value": value}}
        ) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Give an amount of zero or more, in cents at most.")})
    return amount


@transaction.atomic
def terms_update(*, user: Any, plan: Any, data: dict[str, Any], source: str = "web") -> ChargeTerms:
    """Set a plan's interest terms, and its compensation bands and level fees when given
    (``bands``: [{from_amount, amount}], replacing them all; ``level_fees``:
    {sequence: fee}). All or nothing; audited."""
    require_company(user, plan.company, check=is_manager)
    terms, _created = ChargeTerms.objects.select_for_update().get_or_create(plan=plan)
    before = {**snapshot(terms), "bands": _bands_repr(terms), "level_fees": _fees_repr(plan)}
    for name in TERM_FIELDS:
        if name in data:
            setattr(terms, name, data[name])
    if terms.interest != InterestBasis.FIXED:
        terms.fixed_rate = None if terms.interest == InterestBasis.NONE else terms.fixed_rate
    if terms.interest != InterestBasis.REFERENCE and "reference_series" not in data:
        terms.reference_series = ""
    if data.get("preset") is not None:
        terms.preset = data["preset"]
    elif any(name in data for name in (*TERM_FIELDS, "bands")):
        terms.preset = ""
    terms.full_clean(exclude=["plan"])
    terms.save()
    if "bands" in data:
        _bands_replace(terms, data["bands"] or [])
    if "level_fees" in data:
        _fees_set(plan, data["level_fees"] or {})
    after = {**snapshot(terms), "bands": _bands_repr(terms), "level_fees": _fees_repr(plan)}
    old, new = diff(before, after)
    audit_record(user=user, obj=terms, action=AuditEvent.Action.UPDATE, before=old, after=new,
                 source=source, company_id=plan.company_id)  # fmt: skip
    return terms


def _bands_repr(terms: ChargeTerms) -> list[list[str]]:
    return [[str(b.from_amount), str(b.amount)] for b in terms.bands.order_by("from_amount")]


def _fees_repr(plan: Any) -> dict[str, str]:
    return {str(f.level.sequence): str(f.fee)
            for f in LevelFee.objects.filter(level__plan=plan).select_related("level")}  # fmt: skip


def _bands_replace(terms: ChargeTerms, bands: list[dict[str, Any]]) -> None:
    rows = []
    for n, band in enumerate(bands):
        try:
            low = _money(band.get("from_amount"), "from_amount")
            fixed = _money(band.get("amount"), "amount")
        except ValidationError as exc:
            raise ValidationError({"bands": _("Band %(n)s: %(problem)s") % {
                "n": n + 1, "problem": " ".join(m for ms in exc.message_dict.values() for m in ms)}}) from None  # fmt: skip
        rows.append((low, fixed))
    lows = [low for low, _fixed in rows]
    if len(set(lows)) != len(lows):
        raise ValidationError({"bands": _("Two bands start at the same amount.")})
    terms.bands.all().delete()
    CompensationBand.objects.bulk_create(
        CompensationBand(terms=terms, from_amount=low, amount=fixed) for low, fixed in rows
    )


def _fees_set(plan: Any, fees: dict[Any, Any]) -> None:
    levels = {lvl.sequence: lvl for lvl in plan.levels.all()}
    for sequence, fee in fees.items():
        try:
            level = levels[int(sequence)]
        except (KeyError, ValueError):
            raise ValidationError(
                {"level_fees": _("The plan has no level %(n)s.") % {"n": sequence}}
            ) from None
        amount = _money(fee, "level_fees")
        LevelFee.objects.update_or_create(level=level, defaults={"fee": amount})


def fee_record(*, action: Any, level: Any, on: dt.date, currency: str) -> ReminderFee | None:
    """Charge the fee of ``level`` for the reminder ``action`` (the follow-up history line
    of an executed proposal), at the fee in force now; nothing when the level has none."""
    fee = level_fee(level)
    if fee <= 0:
        return None
    return ReminderFee.objects.create(
        company_id=action.company_id, customer_id=action.customer_id, action=action,
        level_sequence=level.sequence, level_name=level.name, fee=fee,
        currency=currency,
        charged_on=on,
    )  # fmt: skip


def unposted_fees(company: Company, customer: int | None = None) -> Any:
    """The reminder fees of ``company`` not yet acknowledged as posted."""
    reference = Concat(Value("FEE-"), Cast(OuterRef("action_id"), CharField()))
    posted = PostedCharge.objects.filter(company=company, kind=ChargeKind.FEE, reference=reference)
    fees = ReminderFee.objects.filter(company=company).exclude(Exists(posted))
    return fees.filter(customer_id=customer) if customer is not None else fees


def level_fee(level: Any) -> Decimal:
    """The fee of a reminder at ``level`` (zero when none is set)."""
    if level is None:
        return ZERO
    try:  # no query when the caller selected ``charge_fee`` with the level
        return level.charge_fee.fee
    except ObjectDoesNotExist:
        return ZERO


def overview(plan: Any) -> dict[str, Any]:
    """What the plan page shows of the plan's charges."""
    terms = terms_of(plan)
    fees = {k: v for k, v in _fees_repr(plan).items() if Decimal(v) > 0}
    return {"terms": terms, "bands": list(terms.bands.all()) if terms else [], "fees": fees}


def series_choices() -> list[tuple[str, str]]:
    return list(RateSeries.choices)


# Figures -------------------------------------------------------------------------------


def entry_charges(entry: LedgerEntry, as_of: dt.date) -> rules.EntryCharges:
    """One entry's charges as of ``as_of``, by the Python definition (``charges.rules``)."""
    terms, bands = rules_terms(terms_of(entry.company.followup_plan)
                               if hasattr(entry.company, "followup_plan") else None)  # fmt: skip
    dispute = entry.disputes.filter(ended_on__isnull=True, amount__gt=0).first()
    posted = PostedCharge.objects.filter(entry=entry)
    interest_to = max((p.period_to for p in posted if p.kind == ChargeKind.INTEREST), default=None)
    is_charge = (
        bool(entry.external_ref)
        and PostedCharge.objects.filter(
            company_id=entry.company_id, posted_ref=entry.external_ref
        ).exists()
    )
    return rules.entry_charges(
        remaining=entry.remaining, disputed=dispute.amount if dispute else ZERO,
        amount_lcy=entry.amount_lcy, exchange_rate=entry.exchange_rate, due_date=entry.due_date,
        as_of=as_of, terms=terms, bands=bands, is_debit=entry.is_debit and not is_charge,
        interest_posted_to=interest_to,
        compensation_posted=any(p.kind == ChargeKind.COMPENSATION for p in posted),
    )  # fmt: skip


CHARGE_FIELDS = ("ch_interest", "ch_interest_lcy", "ch_compensation", "ch_total_lcy", "ch_days",
                 "ch_after")  # fmt: skip


def charges_by_entry(
    entries: Any, as_of: dt.date, limit: int | None = None
) -> dict[int, dict[str, Any]]:
    """{entry id: its charges, currency and document number} for the entries (ids or a
    queryset) that carry any, in due-date order (the first ``limit``); one query."""
    ids = entries if isinstance(entries, list | tuple | set) else None
    qs = LedgerEntry.objects.filter(pk__in=ids) if ids is not None else entries
    rows = (
        with_charges(qs.order_by(), as_of)
        .filter(ch_ok=1)
        .exclude(ch_total_lcy=0, ch_interest=0)
        .order_by("due_date", "pk")
        .values("pk", "currency", "document_no", *CHARGE_FIELDS)
    )
    return {row["pk"]: row for row in (rows[:limit] if limit else rows)}


def totals(entries: Any, as_of: dt.date) -> dict[str, Any]:
    """Interest (LCY), compensation and total (LCY) of the entries, and how many carry
    charges: one aggregate query."""
    sums = with_charges(entries.order_by(), as_of).filter(ch_ok=1).exclude(
        ch_total_lcy=0, ch_interest=0
    ).aggregate(count=Count("pk"), interest_lcy=Sum("ch_interest_lcy"),
                compensation=Sum("ch_compensation"), total_lcy=Sum("ch_total_lcy"))  # fmt: skip
    cent = Decimal("0.01")
    return {key: (Decimal(value or 0).quantize(cent) if key != "count" else value)
            for key, value in sums.items()}  # fmt: skip


def summary(entries: Any, as_of: dt.date, *, level: Any = None) -> dict[str, Any]:
    """The charges of a set of entries (and a reminder fee at ``level``), for a document:
    the lines, interest per currency, compensation and totals in the base currency."""
    lines = charges_by_entry(entries, as_of)
    interest: dict[str, Decimal] = {}
    for row in lines.values():
        interest[row["currency"]] = interest.get(row["currency"], ZERO) + row["ch_interest"]
    compensation = sum((row["ch_compensation"] for row in lines.values()), ZERO)
    fee = level_fee(level)
    total_lcy = sum((row["ch_total_lcy"] for row in lines.values()), ZERO) + fee
    return {
        "lines": lines, "interest": interest, "compensation": compensation, "fee": fee,
        "interest_lcy": sum((row["ch_interest_lcy"] for row in lines.values()), ZERO),
        "total_lcy": total_lcy, "any": bool(total_lcy),
    }  # fmt: skip


# Proposed charges and their acknowledgement ---------------------------------------------


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def chargeable_ids(entries: Any, as_of: dt.date) -> Any:
    """The ids of ``entries`` that carry a charge not yet posted, in id order."""
    return (
        with_charges(entries.order_by(), as_of)
        .filter(Q(ch_interest_c__gt=0) | Q(ch_compensation_c__gt=0), ch_ok=1)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def proposed_charges(entries: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """The charges not yet posted, one row per interest or compensation, in entry order."""
    rows = (
        with_charges(entries.order_by(), as_of)
        .filter(ch_ok=1)
        .values("pk", "company_id", "company__code", "company__base_currency", "customer_id",
                "customer__account_code", "document_no", "currency", *CHARGE_FIELDS)
        .order_by("pk")
    )  # fmt: skip
    out = []
    for row in rows:
        common = {"company": row["company_id"], "customer": row["customer_id"],
                  "account_code": row["customer__account_code"], "entry": row["pk"],
                  "document_no": row["document_no"], "as_of": as_of}  # fmt: skip
        if row["ch_interest"] > 0:
            first = row["ch_after"] + dt.timedelta(days=1)
            out.append({**common, "reference": f"INT-{row['pk']}-{_day(first)}-{_day(as_of)}",
                        "kind": ChargeKind.INTEREST.value, "period_from": first,
                        "period_to": as_of, "currency": row["currency"],
                        "amount": row["ch_interest"], "amount_lcy": row["ch_interest_lcy"]})  # fmt: skip
        if row["ch_compensation"] > 0:
            out.append({**common, "reference": f"CMP-{row['pk']}",
                        "kind": ChargeKind.COMPENSATION.value, "period_from": None,
                        "period_to": None, "currency": row["company__base_currency"],
                        "amount": row["ch_compensation"], "amount_lcy": row["ch_compensation"]})  # fmt: skip
    return out


def proposed_fees(company: Company, customer: int | None = None) -> list[dict[str, Any]]:
    """The reminder fees not yet posted, as proposed charges (no entry; ``as_of`` is the
    day the reminder was sent)."""
    rows = unposted_fees(company, customer).select_related("customer").order_by("id")
    return [{
        "reference": f"FEE-{fee.action_id}", "kind": ChargeKind.FEE.value, "company": company.pk,
        "customer": fee.customer_id, "account_code": fee.customer.account_code, "entry": None,
        "document_no": "", "period_from": None, "period_to": None, "currency": fee.currency,
        "amount": fee.fee, "amount_lcy": fee.fee, "as_of": fee.charged_on,
    } for fee in rows]  # fmt: skip


def _acknowledge_fee(*, user: Any, company: Company, reference: str, action_id: int,
                     posted_ref: str, amount: Any) -> tuple[PostedCharge, bool]:  # fmt: skip
    fee = (
        ReminderFee.objects.select_for_update().filter(company=company, action_id=action_id).first()
    )
    if fee is None:
        raise ValidationError(
            {"reference": _("No reminder fee %(ref)s in this company.") % {"ref": reference}}
        )
    existing = PostedCharge.objects.filter(company=company, reference=reference).first()
    if existing:
        return existing, False
    if amount not in (None, "") and _money(amount, "amount") != fee.fee:
        raise ValidationError({"amount": _("The fee is %(value)s %(currency)s, not %(amount)s.") % {
            "value": fee.fee, "currency": fee.currency, "amount": amount}})  # fmt: skip
    posted = PostedCharge.objects.create(
        company=company, customer_id=fee.customer_id, entry=None, reference=reference,
        kind=ChargeKind.FEE, currency=fee.currency, amount=fee.fee, amount_lcy=fee.fee,
        posted_ref=posted_ref, acknowledged_by=user,
    )  # fmt: skip
    audit_record(user=user, obj=posted, action=AuditEvent.Action.CREATE,
                 after={"reference": reference, "amount": str(fee.fee), "posted_ref": posted_ref},
                 source="api")  # fmt: skip
    return posted, True


def _parse(reference: str) -> tuple[int, str, dt.date | None, dt.date | None]:
    match = REFERENCE_RE.match(reference or "")
    if not match:
        raise ValidationError({"reference": _(
            "“%(ref)s” is not a proposed charge's reference (INT-<entry>-<from>-<to> or "
            "CMP-<entry> or FEE-<reminder>)."
        ) % {"ref": reference}})  # fmt: skip
    if match["action"]:
        return int(match["action"]), ChargeKind.FEE, None, None
    if match["centry"]:
        return int(match["centry"]), ChargeKind.COMPENSATION, None, None
    try:
        first = dt.date.fromisoformat(match["first"])
        last = dt.date.fromisoformat(match["last"])
    except ValueError:
        raise ValidationError({"reference": _("The reference's dates are not dates.")}) from None
    return int(match["ientry"]), ChargeKind.INTEREST, first, last


@transaction.atomic
def acknowledge(*, user: Any, company: Company, reference: str, posted_ref: str = "",
                amount: Any = None) -> tuple[PostedCharge, bool]:  # fmt: skip
    """Record the proposed charge ``reference`` as posted by the accounting system;
    (the posted charge, whether it was created now). Idempotent by reference."""
    require_company(user, company, check=can_edit_ledger)
    existing = PostedCharge.objects.filter(company=company, reference=reference).first()
    if existing:
        return existing, False
    entry_id, kind, first, last = _parse(reference)
    if kind == ChargeKind.FEE:
        if len(posted_ref) > 64:
            raise ValidationError({"posted_ref": _("At most 64 characters.")})
        return _acknowledge_fee(user=user, company=company, reference=reference,
                                action_id=entry_id, posted_ref=posted_ref, amount=amount)  # fmt: skip
    entry = (LedgerEntry.objects.select_for_update().filter(company=company, pk=entry_id)
             .select_related("company").first())  # fmt: skip
    if entry is None:
        raise ValidationError(
            {"reference": _("This company has no entry %(id)s.") % {"id": entry_id}}
        )
    existing = PostedCharge.objects.filter(company=company, reference=reference).first()
    if existing:  # acknowledged while we waited for the entry's lock
        return existing, False
    if len(posted_ref) > 64:
        raise ValidationError({"posted_ref": _("At most 64 characters.")})
    as_of = last if kind == ChargeKind.INTEREST else entry.company.today()
    row = (
        with_charges(LedgerEntry.objects.filter(pk=entry.pk), as_of)
        .values("ch_ok", "ch_after", "ch_interest", "ch_interest_lcy", "ch_compensation")
        .get()
    )
    if kind == ChargeKind.INTEREST:
        expected = row["ch_after"] + dt.timedelta(days=1)
        if first != expected or row["ch_interest"] <= 0:
            raise ValidationError({"reference": _(
                "Interest on this entry is now charged from %(day)s: fetch the proposed "
                "charges again."
            ) % {"day": expected.isoformat()}})  # fmt: skip
        value, value_lcy, currency = row["ch_interest"], row["ch_interest_lcy"], entry.currency
    else:
        if row["ch_compensation"] <= 0:
            raise ValidationError({"reference": _("No compensation is proposed for this entry.")})
        value = value_lcy = row["ch_compensation"]
        currency = entry.company.base_currency
    if amount not in (None, "") and _money(amount, "amount") != value:
        raise ValidationError({"amount": _(
            "The charge is %(value)s %(currency)s now, not %(amount)s: fetch it again."
        ) % {"value": value, "currency": currency, "amount": amount}})  # fmt: skip
    try:
        with transaction.atomic():
            posted = PostedCharge.objects.create(
                company=company, customer_id=entry.customer_id, entry=entry, reference=reference,
                kind=kind, period_from=first, period_to=last, currency=currency, amount=value,
                amount_lcy=value_lcy, posted_ref=posted_ref, acknowledged_by=user,
            )  # fmt: skip
    except IntegrityError:
        existing = PostedCharge.objects.filter(company=company, reference=reference).first()
        if existing:
            return existing, False
        raise
    audit_record(user=user, obj=posted, action=AuditEvent.Action.CREATE,
                 after={"reference": reference, "amount": str(value), "currency": currency,
                        "posted_ref": posted_ref}, source="api")  # fmt: skip
    return posted, True


def may_acknowledge(user: Any) -> None:
    if not can_edit_ledger(user):
        raise PermissionDenied(
            _("Only integrators, credit managers and administrators acknowledge posted charges.")
        )
