import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q


class RenderedDocumentQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=RenderedDocument.Status.READY)


class RenderedDocument(models.Model):
    """One printed document of an IEP (decision 13): the stored PDF of exactly what `cache_key` covers.

    `cache_key` is the sha256 of the template version, the kind and the complete HTML that is printed, so
    any change to anything printed (a section, the student's name, a Team member, a deadline) gives a new
    row, and an unchanged IEP gives the same row and the same file. `html` keeps what the key covers, so
    the render job prints exactly what was asked for, however often it runs.
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", "Meeting summary"
        FULL = "full", "Full IEP"
        GLANCE = "glance", "IEP at a glance"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    iep = models.ForeignKey("iep.IEP", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    cache_key = models.CharField(max_length=64, help_text="sha256 over the template version and the printed HTML.")
    html = models.TextField(blank=True)
    file = models.FileField(upload_to="iep-documents/%Y/%m/", blank=True)
    sha256 = models.CharField("sha256 of the file", max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = RenderedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["iep", "kind", "cache_key"], name="one_document_per_printed_content"),
            models.CheckConstraint(name="document_kind_valid", condition=Q(kind__in=["summary", "full", "glance"])),
            models.CheckConstraint(name="document_status_valid",
                                   condition=Q(status__in=["queued", "rendering", "ready", "failed"])),
            models.CheckConstraint(name="ready_document_has_file",
                                   condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256=""))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of IEP {self.iep_id} ({self.get_status_display()})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def filename(self) -> str:
        return f"iep-{self.iep_id}-{self.kind}-{self.cache_key[:8]}.pdf"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
