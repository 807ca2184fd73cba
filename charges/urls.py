from django.urls import path

from . import views

app_name = "charges"
urlpatterns = [
    path("settings/charges/<int:pk>/", views.plan_charges, name="plan-charges"),
    path("customers/<int:pk>/charges/", views.customer_charges, name="customer-charges"),
]
