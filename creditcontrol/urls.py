"""URL configuration: pages, the API under /api/v1/, its schema and docs."""

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from communications.views_customer_list import customer_list
from ledger.urls import ledger_patterns

from . import views
from .api import router

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
