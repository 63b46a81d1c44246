from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class SectionQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("order", "position", "pk")

    def goals(self):
        return self.filter(kind=Section.Kind.GOAL)


KINDS = ["concerns", "vision", "profile", "ap_academics", "ap_behavior", "ap_communication", "ap_additional",
         "accommodations", "participation", "goal", "progress_reporting", "service_grid", "transportation",
         "assessments", "schedule_esy", "transition", "additional_info", "response", "placement"]


class Section(models.Model):
    """One editable unit of an IEP (one lock, one history). Goals are one row each; every other kind is unique.

    `content` is the section's data, validated by `iep.section_schemas` for its kind. `version` goes up on
    every save: it is the optimistic version a writer must present.
    """

    class Kind(models.TextChoices):  # in the order of the form (spec: iep-form.md)
        CONCERNS = "concerns", "Student and parent concerns"
        VISION = "vision", "Vision"
        PROFILE = "profile", "Student profile"
        AP_ACADEMICS = "ap_academics", "Present levels: academics"
        AP_BEHAVIOR = "ap_behavior", "Present levels: behavioral, social and emotional"
        AP_COMMUNICATION = "ap_communication", "Present levels: communication"
        AP_ADDITIONAL = "ap_additional", "Present levels: additional areas"
        ACCOMMODATIONS = "accommodations", "Accommodations and modifications"
        PARTICIPATION = "participation", "Participation in the general education setting"
        GOAL = "goal", "Measurable annual goal"
        PROGRESS_REPORTING = "progress_reporting", "Schedule of progress reporting"
        SERVICE_GRID = "service_grid", "Service delivery grid"
        TRANSPORTATION = "transportation", "Transportation"
        ASSESSMENTS = "assessments", "State and district-wide assessments"
        SCHEDULE_ESY = "schedule_esy", "Schedule modification and extended school year"
        TRANSITION = "transition", "Transition planning and age of majority"
        ADDITIONAL_INFO = "additional_info", "Additional information"
        RESPONSE = "response", "Response section"
        PLACEMENT = "placement", "Placement"

    iep = models.ForeignKey("iep.IEP", on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(help_text="The kind's place in the form.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Goal number (goals only).")
    content = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["iep", "kind"], condition=~Q(kind="goal"), name="one_section_per_kind"),
            models.CheckConstraint(name="section_kind_valid", condition=Q(kind__in=KINDS)),
        ]
        indexes = [models.Index(fields=["iep", "order", "position"])]

    def __str__(self):
        if self.kind == self.Kind.GOAL:
            return f"Goal {self.position}"
        return self.get_kind_display()

    @property
    def is_goal(self) -> bool:
        return self.kind == self.Kind.GOAL

    @property
    def title(self) -> str:
        if self.is_goal:
            area = (self.content or {}).get("area")
            return f"Goal {self.position}" + (f": {area}" if area else "")
        return self.get_kind_display()

    @property
    def in_access_and_participation(self) -> bool:
        return self.kind in ACCESS_AND_PARTICIPATION


ACCESS_AND_PARTICIPATION = (Section.Kind.AP_ACADEMICS, Section.Kind.AP_BEHAVIOR, Section.Kind.AP_COMMUNICATION,
                            Section.Kind.AP_ADDITIONAL, Section.Kind.ACCOMMODATIONS, Section.Kind.PARTICIPATION)
assert KINDS == Section.Kind.values
KIND_ORDER = {kind.value: number for number, kind in enumerate(Section.Kind, start=1)}
