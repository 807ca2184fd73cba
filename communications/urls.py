"""Pages of the workbench. Each topic's views module brings its own patterns."""

from django.urls import path

from . import views, views_entries, views_todos

app_name = "communications"

urlpatterns = [
    path("customers/<int:pk>/entries/", views_entries.customer_entries, name="customer-entries"),
    path(
        "customers/<int:pk>/communications/",
        views.customer_communications,
        name="customer-communications",
    ),
    path("customers/<int:pk>/timeline/", views.customer_timeline, name="customer-timeline"),
    path("todos/", views_todos.todo_list, name="todo-list"),
    path("notifications/", views.notifications, name="notifications"),
]
