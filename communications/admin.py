"""Django admin for the workbench, shaped like the ledger's.

Communications, promises, disputes, to-dos and the rest are shown read-only and only for
the staff member's companies: their changes go through the services (and the audit
trail), that is the pages or the API. The configurable lists are installation-wide and
may be edited here, but not deleted: old records keep using a retired item.
"""

from django.contrib import admin

from ledger.admin import ReadOnlyAdmin

from .models import (
    ActionType,
    CallAction,
    Communication,
    CustomerResponse,
    Dispute,
    EntryNote,
    EntryStatus,
    Notification,
    Outcome,
    Promise,
    PromiseEntry,
    StatusCode,
    ToDo,
)


class ConfigurableAdmin(admin.ModelAdmin):
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Outcome)
class OutcomeAdmin(ConfigurableAdmin):
    list_display = ["name", "creates_promise", "sort_order", "is_active"]


@admin.register(StatusCode)
class StatusCodeAdmin(ConfigurableAdmin):
    list_display = ["code", "description", "is_promised", "is_queried", "owner_defaults_to_user",
                    "sort_order", "is_active"]  # fmt: skip
    search_fields = ["code", "description"]


@admin.register(ActionType)
class ActionTypeAdmin(ConfigurableAdmin):
    list_display = ["name", "behaviour", "sort_order", "is_active"]


@admin.register(CustomerResponse)
class CustomerResponseAdmin(ConfigurableAdmin):
    list_display = ["name", "sort_order", "is_active"]


@admin.register(Communication)
class CommunicationAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "customer", "communication_type", "subject", "our_contact",
                    "outcome", "follow_up_on", "completed_at"]  # fmt: skip
    list_filter = ["company", "communication_type", "outcome"]
    search_fields = ["subject", "customer__account_code", "customer__name"]
    list_select_related = ["customer", "our_contact", "outcome"]
    raw_id_fields = ["customer", "contact", "entries"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(CallAction)
class CallActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "action_type", "entry", "response", "amount"]
    list_filter = ["company", "action_type"]
    list_select_related = ["customer", "action_type", "entry", "response"]
    raw_id_fields = ["customer", "communication", "entry", "dispute"]
    show_full_result_count = False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["opened_on", "entry", "customer", "amount", "owner", "ended_on"]
    list_filter = ["company", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["entry__document_no", "customer__account_code", "reason"]
    list_select_related = ["entry", "customer", "owner"]
    raw_id_fields = ["customer", "entry", "communication"]
    show_full_result_count = False


class PromiseEntryInline(admin.TabularInline):
    model = PromiseEntry
    raw_id_fields = ["entry"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin):
    list_display = ["promised_on", "customer", "amount", "currency", "status", "resolved_on"]
    list_filter = ["company", "status"]
    search_fields = ["customer__account_code", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "communication"]
    inlines = [PromiseEntryInline]
    show_full_result_count = False


@admin.register(EntryStatus)
class EntryStatusAdmin(ReadOnlyAdmin):
    list_display = ["entry", "status_code", "query_target_on", "query_owner", "updated_at"]
    list_filter = ["company", "status_code"]
    list_select_related = ["entry", "status_code", "query_owner"]
    raw_id_fields = ["entry"]
    show_full_result_count = False


@admin.register(EntryNote)
class EntryNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "entry", "text", "created_by"]
    list_select_related = ["entry", "created_by"]
    raw_id_fields = ["entry", "communication"]
    show_full_result_count = False


@admin.register(ToDo)
class ToDoAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "description", "customer", "owner", "kind", "status"]
    list_filter = ["company", "status", "kind"]
    search_fields = ["description", "customer__account_code"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "entries", "communication", "promise"]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "text", "read_at"]
    list_filter = ["company"]
    list_select_related = ["user"]
    raw_id_fields = ["customer", "call_action"]
    show_full_result_count = False
