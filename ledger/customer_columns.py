"""The customer list's columns, each user's layout of them, and the search across them.

Every column is declared here, the workbench's too (Follow-up, Promised payment, live
communications, last contact), so that a layout can be checked without importing the
workbench: ``ledger`` knows the keys and labels; how a workbench figure is computed and
sorted on lives in ``communications.customer_columns`` (imports run one way).

Search looks for the typed text in the shown columns the user did not leave out of it.
On PostgreSQL a trigram index over every text column of the customer (``SEARCH_BLOB_SQL``,
created by migration 0003) first narrows 100,000 customers to the few that contain the
text anywhere; the per-column test then keeps those where a searched column contains it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CustomerListLayout

MIN_WIDTH, MAX_WIDTH = 40, 800


@dataclass(frozen=True)
class Column:
    """One column the customer list can show."""

    key: str
    label: str
    css: str = ""
    width: int = 120  # pixels, until the user drags the header edge
    sort: tuple[str, ...] = ()  # Customer fields to order by; empty: a derived figure
    search: tuple[str, ...] = ()  # Customer text fields searched with "contains"
    figure: str = ""  # "ledger" (balances) or "workbench": computed per page, sorted apart
    title: str = ""  # the header's tooltip when the label is short


COLUMNS: tuple[Column, ...] = (
    Column("debtor_rating", gettext_lazy("Rating"), "w-dot", 56, sort=("rating_rank",), title=gettext_lazy("Debtor rating")),
    Column("account_code", gettext_lazy("Account"), "mono", 110, sort=("account_code",), search=("account_code",)),
    Column("name", gettext_lazy("Name"), "", 240, sort=("name",), search=("name",)),
    Column("address", gettext_lazy("Address"), "", 200, sort=("address_line1",), search=("address_line1",)),
    Column("city", gettext_lazy("City"), "", 120, sort=("city",), search=("city",)),
    Column("postcode", gettext_lazy("Postcode"), "nowrap", 100, sort=("postcode",), search=("postcode",)),
    Column("country", gettext_lazy("Country"), "", 80, sort=("country",), search=("country",)),
    Column("controller", gettext_lazy("Controller"), "", 140,
           sort=("controller__first_name", "controller__last_name", "controller__username"),
           search=("controller",)),
    Column("currency", gettext_lazy("Ccy"), "", 60, sort=("currency",), search=("currency",), title=gettext_lazy("Currency")),
    Column("credit_limit", gettext_lazy("Credit limit"), "num", 110, sort=("credit_limit",)),
    Column("balance", gettext_lazy("Balance"), "num", 135, figure="ledger"),
    Column("overdue", gettext_lazy("Overdue"), "num", 135, figure="ledger"),
    Column("on_hold", gettext_lazy("Hold"), "center", 64, sort=("on_hold",), title=gettext_lazy("On hold")),
    Column("payment_terms", gettext_lazy("Terms"), "num", 70, sort=("payment_terms_days",),
           title=gettext_lazy("Payment terms (days)")),
    Column("phone", gettext_lazy("Phone"), "nowrap", 140, sort=("phone",), search=("phone",)),
    Column("email", gettext_lazy("Email"), "", 200, sort=("email",), search=("email",)),
    Column("next_follow_up", gettext_lazy("Follow-up"), "nowrap", 115, figure="workbench",
           title=gettext_lazy("Next follow-up: the earliest over live communications and open to-dos")),
    Column("promised_amount", gettext_lazy("Promised"), "num", 110, figure="workbench",
           title=gettext_lazy("Promised payment (LCY) over live promises")),
    Column("promised_on", gettext_lazy("Promised date"), "nowrap", 120, figure="workbench",
           title=gettext_lazy("The earliest promised date over live promises")),
    Column("live_communications", gettext_lazy("Live comms"), "num", 90, figure="workbench",
           title=gettext_lazy("Communications not yet completed")),
    Column("last_contact", gettext_lazy("Last contact"), "nowrap", 120, figure="workbench",
           title=gettext_lazy("The latest communication")),
)  # fmt: skip
BY_KEY = {c.key: c for c in COLUMNS}

DEFAULT_COLUMNS = (
    "debtor_rating", "account_code", "name", "city", "postcode", "controller", "currency",
    "credit_limit", "balance", "overdue", "on_hold", "next_follow_up", "promised_amount",
    "promised_on",
)  # fmt: skip
DEFAULT_SEARCHED = ("account_code", "name", "city", "postcode")

# Every text column of the customer, in one expression: the trigram index is built on it
# (migration 0003 holds the same text; a test compares them). ``||`` on NOT NULL columns
# is immutable, so PostgreSQL accepts it in an index.
SEARCH_BLOB_COLUMNS = (
    "account_code", "name", "address_line1", "city", "postcode", "country", "currency",
    "email", "phone",
)  # fmt: skip


def search_blob_sql(table: str = "") -> str:
    """The indexed expression; qualified by ``table`` in queries that join other tables
    (the planner matches the index whether or not the columns are qualified)."""
    prefix = f'"{table}".' if table else ""
    return "(" + " || ' ' || ".join(f"{prefix}{name}" for name in SEARCH_BLOB_COLUMNS) + ")"


SEARCH_BLOB_SQL = search_blob_sql()


@dataclass
class ShownColumn:
    """A column as one user shows it."""

    column: Column
    width: int
    searched: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.column, name)


@dataclass
class Layout:
    """A user's layout, resolved against ``COLUMNS`` (unknown keys dropped)."""

    shown: list[ShownColumn]
    unsearched: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.shown]

    @property
    def searched_keys(self) -> list[str]:
        return [c.key for c in self.shown if c.searched]

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": [{"key": c.key, "width": c.width} for c in self.shown],
            "unsearched": list(self.unsearched),
        }


def _resolve(columns: Iterable[dict[str, Any]], unsearched: Iterable[str]) -> Layout:
    skip = set(unsearched)
    shown, seen = [], set()
    for item in columns:
        column = BY_KEY.get(item.get("key", ""))
        if column is None or column.key in seen:
            continue
        seen.add(column.key)
        width = item.get("width") or column.width
        shown.append(
            ShownColumn(column, int(width), bool(column.search) and column.key not in skip)
        )
    return Layout(shown, [k for k in skip if k in BY_KEY])


def default_layout() -> Layout:
    return _resolve([{"key": k} for k in DEFAULT_COLUMNS], [])


def layout_for(user: Any) -> Layout:
    """The user's saved layout, or the default one."""
    saved = CustomerListLayout.objects.filter(user_id=user.pk).first()
    if saved is None or not saved.columns:
        return default_layout()
    layout = _resolve(saved.columns, saved.unsearched)
    return layout if layout.shown else default_layout()


def layout_check(columns: Any, unsearched: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Clean a layout sent by the page or the API; every fault named, by field."""
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    if not isinstance(columns, list) or not columns:
        errors["columns"] = [_("Choose at least one column.")]
        columns = []
    seen: set[str] = set()
    for index, item in enumerate(columns):
        if not isinstance(item, dict) or item.get("key") not in BY_KEY:
            key = item.get("key") if isinstance(item, dict) else item
            errors.setdefault("columns", []).append(
                _("Column %(index)s: “%(key)s” is not a column.") % {"index": index, "key": key}
            )
            continue
        key, width = item["key"], item.get("width")
        if key in seen:
            errors.setdefault("columns", []).append(
                _("Column %(index)s: “%(key)s” is listed twice.") % {"index": index, "key": key}
            )
            continue
        seen.add(key)
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, int)
            or not MIN_WIDTH <= width <= MAX_WIDTH
        ):  # fmt: skip
            errors.setdefault("columns", []).append(
                _(
                    "Column %(index)s: the width must be a whole number of pixels from "
                    "%(min)s to %(max)s."
                )
                % {"index": index, "min": MIN_WIDTH, "max": MAX_WIDTH}
            )
            continue
        cleaned.append({"key": key, "width": width or BY_KEY[key].width})
    if not isinstance(unsearched, list) or any(k not in BY_KEY for k in unsearched):
        errors["unsearched"] = ['Name columns by their keys, e.g. ["city"].']
        unsearched = []
    if errors:
        raise ValidationError(errors)
    return cleaned, sorted(set(unsearched))


@transaction.atomic
def layout_save(*, user: Any, columns: Any, unsearched: Any = ()) -> Layout:
    """Keep the user's columns (order and widths) and the columns they leave out of search."""
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("Sign in to keep a layout."))
    cleaned, skip = layout_check(columns, list(unsearched))
    CustomerListLayout.objects.update_or_create(
        user=user, defaults={"columns": cleaned, "unsearched": skip}
    )
    return _resolve(cleaned, skip)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(queryset: Any, text: str, keys: Sequence[str] | None = None) -> Any:
    """Customers where one of the columns ``keys`` (default: code, name, city, postcode)
    contains ``text``, ignoring case. No searched column: nothing matches."""
    text = text.strip()
    if not text:
        return queryset
    columns = [BY_KEY[k] for k in (DEFAULT_SEARCHED if keys is None else keys) if k in BY_KEY]
    fields = [f for c in columns for f in c.search]
    if not fields:
        return queryset.none()
    match = Q(pk__in=[])
    controllers = None
    for name in fields:
        if name == "controller":
            # Users are few: find the matching ones first, so that the customers are
            # filtered on an indexed list of ids rather than on a subquery per row.
            users = get_user_model().objects.filter(
                Q(username__icontains=text) | Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
            )  # fmt: skip
            ids = list(users.values_list("pk", flat=True)[:1000])
            if ids:
                controllers = Q(controller_id__in=ids)
                match |= controllers
        else:
            match |= Q(**{f"{name}__icontains": text})
    if connections[queryset.db].vendor == "postgresql":
        # The index narrows first; the columns decide. The controller's name is not in
        # the customer's row, so it joins the narrowing as its own (indexed) branch.
        blob = search_blob_sql(queryset.model._meta.db_table)
        narrow = Q(RawSQL(f"{blob} ILIKE %s", [_like_pattern(text)],
                          output_field=BooleanField()))  # fmt: skip
        if controllers is not None:
            narrow |= controllers
        return queryset.filter(narrow, match)
    return queryset.filter(match)
