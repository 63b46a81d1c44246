from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from signin import views as signin_views

from . import views
from .api_docs import ApiDocsView, ApiSchemaView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", signin_views.SignInView.as_view(), name="login"),  # + single sign-on buttons
    path("accounts/logout/", signin_views.sign_out, name="logout"),  # + the provider's sign-out
    path("accounts/", include("signin.public_urls")),  # password reset (Django's views, sent via the outbox)
    path("signin/", include("signin.urls")),
    path("students/", include("students.urls")),
    path("account/", include("accounts.urls")),
    path("manage/", include("accounts.manage_urls")),
    path("ieps/", include("iep.urls")),
    path("", include("timelines.urls")),
    path("api/", include("config.api_urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),  # CSP-clean Swagger UI
    # Redoc needs inline scripts and styles and a font CDN, which the CSP refuses: one documentation page.
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=False), name="api-redoc"),
    path("admin/", admin.site.urls),
]

# Printed IEP documents (issue 8): pages under /ieps/<id>/documents/ and /documents/, API under /api/
urlpatterns.append(path("", include("iep.pdf_urls")))

handler404 = "config.views.not_found"  # issue 10: JSON 404s under /api/
handler500 = "config.views.server_error"  # an unreachable database answers 503 (docs/resilience.md)

# Deadline dashboards (issue 7): /dashboard/ pages and drill-down lists; API under /api/dashboard/
urlpatterns.append(path("dashboard/", include("timelines.dashboard_urls")))

# Team meetings (docs/meetings.md): /students/<id>/meetings/, /meetings/..., consents; API under /api/
urlpatterns.append(path("", include("meetings.urls")))

# Progress reports (docs/progress-reports.md): worklist, a student's progress, marking periods, oversight
urlpatterns.append(path("", include("progress.urls")))
urlpatterns.append(path("roster/", include("roster.urls")))  # roster import (docs/roster-import.md)
