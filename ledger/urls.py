"""Pages of the ledger: the customer card and its edit pages, contacts, the CSV import,
the list's actions.

The list itself (``customer-list``, at /customers/) shows workbench figures, so its view
lives in ``communications.views_customer_list``; ``creditcontrol/urls.py`` puts it into
this namespace (``ledger_patterns``).
"""

from django.urls import path

from .views import card, contacts, customer_bulk, customer_edit, documents, imports

app_name = "ledger"

urlpatterns = [
    path("import/", imports.csv_import, name="csv-import"),
    path("entries/<int:entry_id>/document.pdf", documents.document_download, name="entry-document"),
    path(
        "entries/<int:entry_id>/document/", documents.document_upload, name="entry-document-upload"
    ),
    path("new/", customer_bulk.customer_create, name="customer-create"),
    path("bulk/", customer_bulk.customers_bulk, name="customers-bulk"),
    path("lists/<int:pk>/delete/", customer_bulk.mail_list_delete, name="mail-list-delete"),
    path("<int:pk>/", card.customer_card, name="customer-card"),
    path("<int:pk>/edit/", customer_edit.customer_edit, name="customer-edit"),
    path("<int:pk>/hold/", customer_edit.customer_hold, name="customer-hold"),
    path("<int:pk>/exclusion/", customer_edit.customer_exclusion, name="customer-exclusion"),
    path("<int:pk>/contacts/", card.customer_contacts, name="customer-contacts"),
    path("<int:pk>/contacts/new/", contacts.contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact-delete"),
]


def ledger_patterns(customer_list) -> tuple[list, str]:
    """This URLconf with the customer list at its root, for ``include()``."""
    return [path("", customer_list, name="customer-list"), *urlpatterns], app_name
