from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<int:pk>/delete/", views.endpoint_delete, name="endpoint-delete"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery-replay"),
]
