from django.urls import path

from . import views

app_name = "charges"
urlpatterns = [
    path("settings/charges/<int:pk>/", views.plan_charges, name="plan-charges"),
    path("settings/charges/<int:pk>/summary/", views.plan_summary, name="plan-summary"),
    path("customers/<int:pk>/charges/", views.customer_charges, name="customer-charges"),
]
