from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LeaseQuerySet(models.QuerySet):
    def live(self, at=None):
        return self.filter(holder__isnull=False, expires_at__gt=at or timezone.now())


SectionLockQuerySet = LeaseQuerySet


class Lease(models.Model):
    """The lease on one editable unit (a section, a goal's progress report): one row per unit, kept; no holder
    means free. A concrete lease adds a one-to-one `unit` field naming what it holds; `iep.services.locks` takes,
    renews and releases every kind of lease with the same code (`lease_take`, `lease_renew`, `lease_release`).

    `generation` is the fencing token: it goes up on every check-out, takeover and break, and every write
    must present the current one, so a holder whose lease was taken can never write again with the old one.
    """

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    generation = models.PositiveBigIntegerField(default=0)

    objects = LeaseQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_live(self, at=None) -> bool:
        return self.holder_id is not None and self.expires_at is not None and self.expires_at > (at or timezone.now())


class SectionLock(Lease):
    """The lease on one editable section (see Lease)."""

    UNIT_FIELD = "section"
    section = models.OneToOneField("iep.Section", on_delete=models.CASCADE, related_name="lock")

    class Meta:
        constraints = [models.CheckConstraint(name="held_lock_has_expiry",
                                              condition=Q(holder__isnull=True) | Q(expires_at__isnull=False))]

    def __str__(self):
        return f"{self.section}: {self.holder or 'free'}"


class SectionDraft(models.Model):
    """A holder's autosaved, unsaved edits of a section, visible only to them.

    Never deleted by expiry, takeover or a break: only by the user's own check-in or discard.
    """

    section = models.ForeignKey("iep.Section", on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content = models.JSONField(default=dict, blank=True)
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "user"], name="one_draft_per_section_user")]

    def __str__(self):
        return f"Draft of {self.section} by {self.user}"


class SectionLockEvent(models.Model):
    """The lock's history: who checked out, checked in, discarded, took over a lapsed lease, or broke it (why)."""

    class Kind(models.TextChoices):
        CHECKED_OUT = "checked_out", "Checked out"
        CHECKED_IN = "checked_in", "Checked in"
        DISCARDED = "discarded", "Discarded"
        TAKEN_OVER = "taken_over", "Lease expired and taken over"
        BROKEN = "broken", "Lock broken"

    section = models.ForeignKey("iep.Section", on_delete=models.CASCADE, related_name="lock_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    previous_holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    generation = models.PositiveBigIntegerField()
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["section", "at"])]

    def __str__(self):
        return f"{self.section}: {self.get_kind_display()} by {self.user}"


class LockNoticeQuerySet(models.QuerySet):
    def unseen(self):
        return self.filter(seen_at__isnull=True)


class LockNotice(models.Model):
    """A message for a former holder (lock broken, lease taken over), shown once on their next page or API call."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey("iep.Section", on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)

    objects = LockNoticeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "seen_at"])]

    def __str__(self):
        return self.message
