"""Doors of the printed documents: start a render (page button and API), follow its status, download it.

Scope first: an IEP or document whose student the user may not see is a 404; in scope, `can(user, "view")`
decides (403). Each start and download is logged as a read of the student's record (decision 14).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts import access
from jobs.services import outbox_enqueue

from .access_log import log_read
from .models import IEP, RenderedDocument
from .pdf.filenames import content_disposition, download_names
from .pdf.services import KINDS, document_request
from .tasks import iep_pdf_render_task


def _iep_for(user, pk) -> IEP:
    iep = access.get_in_scope_or_404(user, IEP.objects.select_related("student"), pk)
    if not access.can(user, "view", iep):
        raise PermissionDenied
    return iep


def _document_for(user, pk) -> RenderedDocument:
    document = access.get_in_scope_or_404(user, RenderedDocument.objects.select_related("iep__student"), pk,
                                          student_path="iep__student")
    if not access.can(user, "view", document.iep):
        raise PermissionDenied
    return document


def _start(request, iep: IEP, kind: str) -> RenderedDocument:
    with transaction.atomic():  # the request and its outbox row commit together (decision 3)
        document, must_render = document_request(iep=iep, kind=kind, user=request.user)
        if must_render:
            outbox_enqueue(task=iep_pdf_render_task.name, args=[document.pk])
    log_read(request, iep.student, "pdf", obj=document)  # POST: asked for; the object names the kind
    return document


def _download(request, document: RenderedDocument) -> FileResponse:
    if not document.is_ready:
        raise Http404("The document is not ready.")
    log_read(request, document.iep.student, "pdf", obj=document)  # GET: downloaded
    iep = document.iep
    ascii_name, utf8_name = download_names(last_name=iep.student.last_name, kind=document.kind,
                                           meeting_date=iep.meeting_date, printed_at=document.rendered_at)
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(ascii_name=ascii_name, utf8_name=utf8_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = document.sha256
    return response


@login_required
@require_POST
def document_start(request, pk: int):
    iep = _iep_for(request.user, pk)
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        return render(request, "iep/pdf_status.html", {"iep": iep, "error": "Choose a document to print."},
                      status=400)
    document = _start(request, iep, kind)
    return redirect("iep_pdf:status", pk=document.pk)


@login_required
@require_GET
def document_status(request, pk: int):
    document = _document_for(request.user, pk)
    if not request.headers.get("HX-Request"):  # the page, not its every-2-seconds status poll
        log_read(request, document.iep.student, "pdf", obj=document)
    template = "iep/pdf_status.html#document" if request.headers.get("HX-Request") else "iep/pdf_status.html"
    return render(request, template, {"document": document, "iep": document.iep})


@login_required
@require_GET
def document_download(request, pk: int):
    return _download(request, _document_for(request.user, pk))


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = RenderedDocument
        fields = ["id", "iep", "kind", "status", "cache_key", "sha256", "error", "created_at", "rendered_at",
                  "download_url"]

    def get_download_url(self, document) -> str | None:
        return f"/api/documents/{document.pk}/download/" if document.is_ready else None


class DocumentRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RenderedDocument.Kind.choices)


@extend_schema(request=DocumentRequestSerializer, responses={200: DocumentSerializer, 202: DocumentSerializer},
               summary="Print a document of the IEP (200 when the stored file is current, 202 when a job started)")
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def api_document_start(request, pk: int):
    iep = _iep_for(request.user, pk)
    body = DocumentRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    document = _start(request, iep, body.validated_data["kind"])
    code = status.HTTP_200_OK if document.is_ready else status.HTTP_202_ACCEPTED
    return Response(DocumentSerializer(document).data, status=code)


@extend_schema(responses=DocumentSerializer, summary="Status of a printed document")
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def api_document_status(request, pk: int):
    document = _document_for(request.user, pk)
    log_read(request, document.iep.student, "pdf", obj=document)
    return Response(DocumentSerializer(document).data)


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, summary="Download a ready document")
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def api_document_download(request, pk: int):
    return _download(request, _document_for(request.user, pk))
