"""URL configuration: pages, the API under /api/v1/, its schema and docs."""

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from communications.views_customer_list import customer_list
from inbound.views import attachment as inbound_attachment
from inbound.views import inbound_email
from ledger.urls import ledger_patterns
from portal.settings_views import links_revoke_view, portal_settings
from team.urls import account_patterns

from . import views
from .api import router

# Errors no view handled, wherever raised: 503 when the database is out of reach, else 500.
handler500 = "creditcontrol.outage.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", include("creditcontrol.page_urls")),
    # The customer list shows workbench figures, so its view is the workbench's; its URL
    # name stays ledger:customer-list (see ledger/urls.py).
    path("customers/", include(ledger_patterns(customer_list))),
    path("", include("communications.urls")),
    path("", include("followups.urls")),
    # The customers' self-service page: no login, a link per customer (portal app).
    path("self-service/", include("portal.urls")),
    path("settings/self-service/", portal_settings, name="portal-settings"),
    path("customers/<int:pk>/self-service/revoke/", links_revoke_view, name="portal-links-revoke"),
    path("settings/webhooks/", include("webhooks.urls")),
    path("api/v1/inbound/email/", inbound_email, name="inbound-email"),
    path("inbound/attachments/<int:pk>/", inbound_attachment, name="inbound-attachment"),
    path("inbound/unmatched/", include("inbound.urls")),
    path("team/", include("team.urls")),
    *account_patterns,
    path("admin/", admin.site.urls),
    path("api/v1/", include("ledger.api.urls")),
    path("api/v1/reports/", include("reports.api.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The documentation viewers start themselves with inline script: no CSP on them.
    path(
        "api/docs/",
        csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_exempt()(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
