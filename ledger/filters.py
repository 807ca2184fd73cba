"""FilterSets shared by the HTML lists, the API and the exports (one place each)."""

import django_filters as filters
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from creditcontrol.filters import UtcIsoDateTimeFilter

from .credit_limits import over_limit
from .models import (
    Application,
    AuditEvent,
    Contact,
    Customer,
    DebtorRating,
    EntryType,
    LedgerEntry,
    MailList,
)


class OverLimitWidget(filters.widgets.BooleanWidget):
    """true / false in the URL, said in words on the page."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", _("Over limit or not")),
            ("true", _("Over the credit limit")),
            ("false", _("Not over the limit")),
        ]


class OverLimitFilter(filters.BooleanFilter):
    """The "over limit" filter (issue 13 §3), the one definition the customer list, its API and every
    report use: customers whose balance in LCY is above a non-zero credit limit
    (``credit_limits.over_limit``), reached from the filtered rows through ``path``
    ("" when they are the customers)."""

    def __init__(self, *, path: str = "", **kwargs):
        kwargs.setdefault("label", _("Over limit"))
        kwargs.setdefault("widget", OverLimitWidget)
        super().__init__(**kwargs)
        self.path = path

    def filter(self, qs, value):
        if value is None:
            return qs
        over = {f"{self.path or 'pk'}__in": over_limit(Customer.objects.all()).values("pk")}
        return qs.filter(**over) if value else qs.exclude(**over)


class CustomerFilter(filters.FilterSet):
    """``q`` searches the columns in ``search_keys`` (the customer list sets them from the
    user's layout; the API searches code, name, city and postcode)."""

    search_keys: list[str] | None = None

    q = filters.CharFilter(method="search", label=gettext_lazy("Search"))
    mail_list = filters.NumberFilter(method="in_mail_list", label=gettext_lazy("Mail list (id)"))
    company = filters.NumberFilter(field_name="company_id")
    controller = filters.NumberFilter(field_name="controller_id")
    debtor_rating = filters.ChoiceFilter(choices=DebtorRating.choices)
    external_ref = filters.CharFilter()
    account_code = filters.CharFilter()
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    over_limit = OverLimitFilter()

    class Meta:
        model = Customer
        fields = ["on_hold", "exclude_from_followups", "currency"]

    def search(self, queryset, name, value):
        return queryset.search(value, keys=self.search_keys)

    def in_mail_list(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        lists = MailList.objects.visible_to(user).filter(pk=value)
        return queryset.filter(mail_lists__in=lists)


class ContactFilter(filters.FilterSet):
    customer = filters.NumberFilter(field_name="customer_id")
    company = filters.NumberFilter(field_name="customer__company_id")
    external_ref = filters.CharFilter()
    email = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Contact
        fields = ["is_credit_contact"]


class LedgerEntryFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    customer = filters.NumberFilter(field_name="customer_id")
    entry_type = filters.MultipleChoiceFilter(choices=EntryType.choices)
    is_open = filters.BooleanFilter(
        method="filter_open", label=gettext_lazy("Open (remaining not zero)")
    )
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lt")
    due_from = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    document_date_from = filters.DateFilter(field_name="document_date", lookup_expr="gte")
    document_date_to = filters.DateFilter(field_name="document_date", lookup_expr="lte")
    external_ref = filters.CharFilter()
    document_no = filters.CharFilter()
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = LedgerEntry
        fields = ["currency"]

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.filter(remaining=0)


class ApplicationFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    debit_entry = filters.NumberFilter(field_name="debit_entry_id")
    credit_entry = filters.NumberFilter(field_name="credit_entry_id")
    customer = filters.NumberFilter(field_name="debit_entry__customer_id")
    applied_from = filters.DateFilter(field_name="applied_on", lookup_expr="gte")
    applied_to = filters.DateFilter(field_name="applied_on", lookup_expr="lte")
    external_ref = filters.CharFilter()

    class Meta:
        model = Application
        fields = []


class AuditEventFilter(filters.FilterSet):
    company = filters.NumberFilter(field_name="company_id")
    model = filters.CharFilter()
    object_id = filters.NumberFilter()
    user = filters.NumberFilter(field_name="user_id")
    since = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = AuditEvent
        fields = ["action", "source"]
