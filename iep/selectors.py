"""Reads of IEPs and their sections: composable querysets and computed summaries."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from accounts import access
from accounts.models import User

from .models import IEP, Evaluation, Section


def visible_ieps(user: User) -> QuerySet[IEP]:
    """IEPs of the students `user` may see."""
    return IEP.objects.filter(student__in=access.visible_students(user))


def visible_sections(user: User) -> QuerySet[Section]:
    return Section.objects.filter(iep__student__in=access.visible_students(user))


def visible_evaluations(user: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(student__in=access.visible_students(user))


def iep_sections(iep: IEP) -> QuerySet[Section]:
    """The IEP's sections in the form's order (goals by number), with who last changed them."""
    return iep.sections.select_related("updated_by").order_by("order", "position", "pk")


@dataclass
class GridSummary:
    minutes: dict[str, int] = field(default_factory=lambda: {"A": 0, "B": 0, "C": 0})
    cycle_length_days: int = 5
    school_day_minutes: int = 360
    share_outside: Decimal = Decimal(0)       # fraction of the cycle's school minutes in grid C
    derived_placement: str = ""               # ages 6-21 only; "" otherwise

    @property
    def percent_outside(self) -> Decimal:
        return (self.share_outside * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def placement_for_share(share: Decimal) -> str:
    """Placement category from the share of time outside the general classroom (iep-form.md, grid):
    under 21% full inclusion, 21-60% partial inclusion, over 60% substantially separate."""
    percent = share * 100
    if percent < 21:
        return "full_inclusion"
    return "partial_inclusion" if percent <= 60 else "substantially_separate"


def service_grid_summary(iep: IEP, content: dict | None = None) -> GridSummary:
    """Minutes per cycle for A, B and C, and the share of time outside the general classroom.

    Decision 9: share = C minutes per cycle / (the district's school-day minutes × cycle length), both
    copied onto the IEP. The placement category is derived only for ages 6-21.
    """
    if content is None:
        grid = iep.sections.filter(kind=Section.Kind.SERVICE_GRID).only("content").first()
        content = grid.content if grid else {}
    summary = GridSummary(cycle_length_days=iep.cycle_length_days, school_day_minutes=iep.school_day_minutes)
    for line in content.get("lines") or []:
        group = line.get("group")
        if group in summary.minutes:
            summary.minutes[group] += int(line.get("frequency") or 0) * int(line.get("minutes") or 0)
    cycle_minutes = iep.school_day_minutes * iep.cycle_length_days
    if cycle_minutes:
        summary.share_outside = Decimal(summary.minutes["C"]) / Decimal(cycle_minutes)
    if 6 <= iep.student_age <= 21:
        summary.derived_placement = placement_for_share(summary.share_outside)
    return summary


def section_history(section: Section) -> list:
    """The section's historical records, newest first, each with `changes` against the one before it."""
    from .section_schemas import content_diff

    records = list(section.history.select_related("history_user").order_by("-history_date", "-history_id"))
    for newer, older in zip(records, [*records[1:], None][:len(records)], strict=True):
        newer.changes = content_diff(section.kind, older.content if older else {}, newer.content)
        newer.is_current = newer is records[0]
    return records
