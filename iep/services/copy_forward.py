"""Starting the next IEP from the current one, so nobody retypes what has not changed."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from config.input_checks import MAX_YEAR, MIN_YEAR

from ..exceptions import InvalidContent, WrongStatus
from ..models import IEP, Section
from ..models.iep import add_years, default_end

NOT_COPIED = (Section.Kind.RESPONSE,)  # the parent answers each IEP anew


def _shift(value: str | None, days: int, start: date, end: date) -> str | None:
    """Move a line date as the period moved: by whole years when the period moved a year, else by days."""
    if not value:
        return value
    old = date.fromisoformat(value)
    try:
        moved = add_years(old, 1) if days in (365, 366) else old + timedelta(days=days)
    except OverflowError:  # a stored out-of-range date (docs/resilience.md): the period's bound instead
        moved = end
    return min(max(moved, start), end).isoformat()


def copy_sections(*, source: IEP, target: IEP, user: User) -> list[Section]:
    """Copy every section of `source` onto `target` (which has none yet), as version 1 of each.

    Goals get new rows, so the grid's lines are re-pointed at the new goals; line dates move by the
    difference of the periods and stay inside the new period. The response section starts empty.
    """
    now = timezone.now()
    old_sections = list(source.sections.order_by("order", "position", "pk"))
    goals = [s for s in old_sections if s.kind == Section.Kind.GOAL]
    new_goals = bulk_create_with_history(
        [Section(iep=target, kind=g.kind, order=g.order, position=g.position, content=g.content, version=1,
                 updated_by=user, updated_at=now) for g in goals], Section, default_user=user)
    if any(g.pk is None for g in new_goals):  # backends that do not return ids from bulk inserts
        new_goals = list(target.sections.goals().order_by("position", "pk"))
    goal_map = {old.pk: new.pk for old, new in zip(goals, new_goals, strict=True)}
    days = (target.start_date - source.start_date).days
    others = []
    for section in old_sections:
        if section.kind == Section.Kind.GOAL:
            continue
        content = {} if section.kind in NOT_COPIED else dict(section.content)
        if section.kind == Section.Kind.SERVICE_GRID:
            content["lines"] = [
                {**line, "goals": [goal_map[g] for g in line.get("goals", []) if g in goal_map],
                 "start_date": _shift(line.get("start_date"), days, target.start_date, target.end_date),
                 "end_date": _shift(line.get("end_date"), days, target.start_date, target.end_date)}
                for line in content.get("lines", [])]
        copied = section.kind not in NOT_COPIED
        others.append(Section(iep=target, kind=section.kind, order=section.order, content=content,
                              version=1 if copied else 0, updated_by=user if copied else None,
                              updated_at=now if copied else None))
    return [*new_goals, *bulk_create_with_history(others, Section, default_user=user)]


@transaction.atomic
def iep_copy_forward(*, iep: IEP, user: User, meeting_date: date | None = None) -> IEP:
    """The next annual IEP as a draft: the period starts the day after `iep` ends, every section is copied.

    The cycle length and school-day minutes come from the district as it is now.
    """
    source = IEP.objects.select_for_update().select_related("student__district").get(pk=iep.pk)
    if source.status not in (IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED):
        raise WrongStatus("Only the current (accepted or partially accepted) IEP can be copied forward.")
    if not MIN_YEAR <= source.end_date.year <= MAX_YEAR:  # stored before dates were range-checked
        raise InvalidContent({"end_date": [f"This IEP ends {source.end_date}, outside {MIN_YEAR}-{MAX_YEAR}: "
                                           "correct its end date first."]})
    start = source.end_date + timedelta(days=1)
    district = source.student.district
    target = IEP(student=source.student, meeting_type=IEP.MeetingType.ANNUAL_REVIEW, start_date=start,
                 end_date=default_end(start), meeting_date=meeting_date, case_manager=source.case_manager,
                 last_evaluation_date=source.last_evaluation_date, previous=source,
                 cycle_length_days=district.cycle_length_days, school_day_minutes=district.school_day_minutes)
    target._history_user = user
    target.save()
    copy_sections(source=source, target=target, user=user)
    return target
