"""Pages of the ledger: the customer list, the customer card and the CSV import."""

from django.urls import path

from . import views, views_import

app_name = "ledger"

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("import/", views_import.csv_import, name="csv-import"),
    path("<int:pk>/", views.customer_card, name="customer-card"),
    path("<int:pk>/contacts/", views.customer_contacts, name="customer-contacts"),
]
