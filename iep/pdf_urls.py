"""Printed documents: include once at the site root (`path("", include("iep.pdf_urls"))`)."""

from django.urls import include, path

from . import pdf_views

pages = ([
    path("ieps/<int:pk>/documents/", pdf_views.document_start, name="start"),
    path("documents/<int:pk>/", pdf_views.document_status, name="status"),
    path("documents/<int:pk>/download/", pdf_views.document_download, name="download"),
], "iep_pdf")

api = ([
    path("ieps/<int:pk>/documents/", pdf_views.api_document_start, name="start"),
    path("documents/<int:pk>/", pdf_views.api_document_status, name="status"),
    path("documents/<int:pk>/download/", pdf_views.api_document_download, name="download"),
], "iep_pdf_api")

urlpatterns = [
    path("api/", include(api)),
    path("", include(pages)),
]
