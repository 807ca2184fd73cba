"""Pages of the workbench. Each topic's views module brings its own patterns."""

from django.urls import path

from . import views, views_entries, views_settings, views_todos

app_name = "communications"

urlpatterns = [
    path("customers/<int:pk>/entries/", views_entries.customer_entries, name="customer-entries"),
    path(
        "customers/<int:pk>/entries/update/",
        views_entries.entries_update_view,
        name="entries-update",
    ),
    path("entries/<int:entry_id>/", views_entries.entry_detail, name="entry-detail"),
    path("entries/<int:entry_id>/dispute/", views_entries.dispute_edit, name="dispute-edit"),
    path(
        "customers/<int:pk>/communications/",
        views.customer_communications,
        name="customer-communications",
    ),
    path("customers/<int:pk>/timeline/", views.customer_timeline, name="customer-timeline"),
    path(
        "customers/<int:pk>/communications/new/",
        views.communication_create_view,
        name="communication-create",
    ),
    path("communications/<int:pk>/", views.communication_detail, name="communication-detail"),
    path("communications/<int:pk>/edit/", views.communication_edit, name="communication-edit"),
    path(
        "communications/<int:pk>/complete/",
        views.communication_complete_toggle,
        name="communication-complete",
    ),
    path(
        "communications/<int:pk>/actions/new/", views.call_action_create, name="call-action-create"
    ),
    path("todos/", views_todos.todo_list, name="todo-list"),
    path("todos/new/", views_todos.todo_create_view, name="todo-create"),
    path("todos/<int:pk>/", views_todos.todo_detail, name="todo-detail"),
    path("todos/<int:pk>/close/", views_todos.todo_close_toggle, name="todo-close"),
    path("settings/lists/<slug:kind>/", views_settings.settings_list, name="settings-list"),
    path(
        "settings/lists/<slug:kind>/new/",
        views_settings.settings_item_create,
        name="settings-item-create",
    ),
    path(
        "settings/lists/<slug:kind>/<int:pk>/edit/",
        views_settings.settings_item_edit,
        name="settings-item-edit",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
]
