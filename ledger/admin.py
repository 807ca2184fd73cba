"""Django admin: administrators manage companies and their members here.

Customers, entries and applications are shown read-only: their changes must go
through the services (and the audit trail), i.e. the pages, the API or the sync.
"""

from django.contrib import admin

from .models import Application, AuditEvent, Company, Contact, Customer, LedgerEntry


class CompanyScopedAdmin(admin.ModelAdmin):
    """The admin, too, shows a staff member only the companies they belong to."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset.filter(company__in=Company.objects.visible_to(request.user))


@admin.register(Company)
class CompanyAdmin(CompanyScopedAdmin):
    list_display = ["code", "name", "base_currency", "time_zone", "date_style"]
    search_fields = ["code", "name"]
    filter_horizontal = ["members"]


class ReadOnlyAdmin(CompanyScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["account_code", "name", "company", "controller", "on_hold", "debtor_rating"]
    list_filter = ["company", "on_hold", "debtor_rating"]
    search_fields = ["account_code", "name", "postcode"]
    list_select_related = ["company", "controller"]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "customer", "email", "is_credit_contact"]
    search_fields = ["last_name", "email"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["document_no", "entry_type", "customer", "due_date", "currency", "amount",
                    "remaining"]  # fmt: skip
    list_filter = ["company", "entry_type"]
    search_fields = ["document_no", "external_ref"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["applied_on", "credit_entry", "debit_entry", "amount"]
    raw_id_fields = ["credit_entry", "debit_entry"]
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "model", "object_repr", "source"]
    list_filter = ["action", "model", "source"]
    show_full_result_count = False
