"""Pages of the ledger: the customer card, the CSV import, the list's actions.

The list itself (``customer-list``, at /customers/) shows workbench figures, so its view
lives in ``communications.views_customer_list``; ``creditcontrol/urls.py`` puts it into
this namespace (``ledger_patterns``).
"""

from django.urls import path

from . import views, views_customer_bulk, views_documents, views_import

app_name = "ledger"

urlpatterns = [
    path("import/", views_import.csv_import, name="csv-import"),
    path(
        "entries/<int:entry_id>/document.pdf",
        views_documents.document_download,
        name="entry-document",
    ),
    path(
        "entries/<int:entry_id>/document/",
        views_documents.document_upload,
        name="entry-document-upload",
    ),
    path("new/", views_customer_bulk.customer_create, name="customer-create"),
    path("bulk/", views_customer_bulk.customers_bulk, name="customers-bulk"),
    path("lists/<int:pk>/delete/", views_customer_bulk.mail_list_delete, name="mail-list-delete"),
    path("<int:pk>/", views.customer_card, name="customer-card"),
    path("<int:pk>/contacts/", views.customer_contacts, name="customer-contacts"),
]


def ledger_patterns(customer_list) -> tuple[list, str]:
    """This URLconf with the customer list at its root, for ``include()``."""
    return [path("", customer_list, name="customer-list"), *urlpatterns], app_name
