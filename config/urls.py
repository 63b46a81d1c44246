from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api_docs import ApiDocsView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("students/", include("students.urls")),
    path("account/", include("accounts.urls")),
    path("manage/", include("accounts.manage_urls")),
    path("ieps/", include("iep.urls")),
    path("", include("timelines.urls")),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),  # CSP-clean Swagger UI
    # Redoc needs inline scripts and styles and a font CDN, which the CSP refuses: one documentation page.
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=False), name="api-redoc"),
    path("admin/", admin.site.urls),
]

# Printed IEP documents (issue 8): pages under /ieps/<id>/documents/ and /documents/, API under /api/
urlpatterns.append(path("", include("iep.pdf_urls")))

handler404 = "config.views.not_found"  # issue 10: JSON 404s under /api/

# Deadline dashboards (issue 7): /dashboard/ pages and drill-down lists; API under /api/dashboard/
urlpatterns.append(path("dashboard/", include("timelines.dashboard_urls")))
urlpatterns.append(path("roster/", include("roster.urls")))  # roster import (docs/roster-import.md)
