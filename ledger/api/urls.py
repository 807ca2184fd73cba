"""Sync endpoints: POST a batch to /api/v1/<resource>/sync/ (before the router's detail routes)."""

from django.urls import path

from . import sync_views, views_customer_list

urlpatterns = [
    path("customers/sync/", sync_views.CustomerSyncView.as_view(), name="customer-sync"),
    path("contacts/sync/", sync_views.ContactSyncView.as_view(), name="contact-sync"),
    path(
        "ledger-entries/sync/", sync_views.LedgerEntrySyncView.as_view(), name="ledger-entry-sync"
    ),
    path("applications/sync/", sync_views.ApplicationSyncView.as_view(), name="application-sync"),
    path(
        "customers/assign/",
        views_customer_list.CustomerAssignView.as_view(),
        name="customer-assign",
    ),
    path(
        "customer-list-layout/",
        views_customer_list.CustomerListLayoutView.as_view(),
        name="customer-list-layout",
    ),
]
