"""Ask for a printed document and render it. Whether the user may print at all is the door's question."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from ..models import IEP, RenderedDocument
from ..models.documents import sha256_hex
from .context import build_context
from .render import cache_key, render_html, render_pdf

KINDS = RenderedDocument.Kind.values


def document_request(*, iep: IEP, kind: str, user: User) -> tuple[RenderedDocument, bool]:
    """The document of `kind` for what `iep` prints now, and whether a render job must be started.

    The cache key covers the whole printed HTML (decision 13): if a document with that key exists (ready,
    queued or rendering) it is returned as it is, so an unchanged IEP is answered from the stored file and
    two clicks start one job. A failed one is queued again, and so is one still "queued" longer than
    IEP_PDF_REQUEUE_AFTER_SECONDS (its message may have been lost on the way to a worker; a duplicate render
    is harmless, see document_render), so asking again is never ignored for long. The unique constraint
    settles two requests racing for the same new key: the loser reads the winner's row.
    """
    html = render_html(build_context(iep, kind))
    key = cache_key(kind, html)
    document = RenderedDocument.objects.filter(iep=iep, kind=kind, cache_key=key).first()
    if document is None:
        try:
            with transaction.atomic():
                document = RenderedDocument.objects.create(iep=iep, kind=kind, cache_key=key, html=html,
                                                           requested_by=user)
            return document, True
        except IntegrityError:
            document = RenderedDocument.objects.get(iep=iep, kind=kind, cache_key=key)
    if document.status == RenderedDocument.Status.FAILED:
        RenderedDocument.objects.filter(pk=document.pk, status=RenderedDocument.Status.FAILED).update(
            status=RenderedDocument.Status.QUEUED, error="", requested_by=user, updated_at=timezone.now())
        document.refresh_from_db()
        return document, True
    stuck = timezone.now() - timedelta(seconds=settings.IEP_PDF_REQUEUE_AFTER_SECONDS)
    if document.status == RenderedDocument.Status.QUEUED and document.updated_at < stuck:
        # one conditional UPDATE: of two requests at once, one requeues
        requeued = RenderedDocument.objects.filter(pk=document.pk, status=RenderedDocument.Status.QUEUED,
                                                   updated_at__lt=stuck).update(updated_at=timezone.now())
        document.refresh_from_db()
        return document, bool(requeued)
    return document, False


def document_render(*, document_id: int) -> RenderedDocument | None:
    """Render the document's stored HTML to PDF, store the file and its sha256, mark it ready.

    Idempotent: a document already ready is left as it is, so a duplicate delivery renders nothing. A
    delivery after a worker died mid-render (acks_late) finds it "rendering" and renders it again; two
    workers rendering at once each save a file with its own sha256 in one UPDATE of the row, so the row
    always names a complete file and its checksum.
    """
    claimed = (RenderedDocument.objects.filter(pk=document_id)
               .exclude(status=RenderedDocument.Status.READY)
               .update(status=RenderedDocument.Status.RENDERING, updated_at=timezone.now()))
    document = RenderedDocument.objects.filter(pk=document_id).first()
    if document is None or not claimed:
        return document
    started = time.perf_counter()
    pdf = render_pdf(document.html)
    document.file.save(document.filename, ContentFile(pdf), save=False)
    document.sha256 = sha256_hex(pdf)
    document.status, document.error = RenderedDocument.Status.READY, ""
    document.render_ms = round((time.perf_counter() - started) * 1000)
    document.rendered_at = timezone.now()
    document.attempts += 1
    document.save(update_fields=["file", "sha256", "status", "error", "render_ms", "rendered_at", "attempts",
                                 "updated_at"])
    return document


def document_fail(*, document_id: int, error: str) -> None:
    """Mark a document failed after its last retry (asking again queues it anew)."""
    RenderedDocument.objects.filter(pk=document_id).exclude(status=RenderedDocument.Status.READY).update(
        status=RenderedDocument.Status.FAILED, error=error[:500], updated_at=timezone.now())
