"""Every write to an IEP and its sections. Services enforce the IEP rules; whether the user may act at all is
the door's question (accounts.access.can)."""

import secrets
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import TeamMembership, User
from students.models import Student

from ..exceptions import GoalInUse, InvalidContent, NotADraft, SectionNotHeld, StaleVersion, WrongStatus
from ..models import IEP, Section, SectionLock
from ..models.iep import default_end
from ..models.sections import KIND_ORDER
from ..section_schemas import ResponseForm, form_for

RESPONSE_STATUS = {"accept": IEP.Status.ACCEPTED, "reject_portions": IEP.Status.PARTIALLY_ACCEPTED,
                   "reject": IEP.Status.REJECTED}
HEADER_FIELDS = ("meeting_type", "start_date", "end_date", "meeting_date", "last_evaluation_date", "case_manager")


def errors_of(form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _check_header(*, student: Student, start_date: date, end_date: date, case_manager: User | None,
                  meeting_type: str) -> None:
    errors: dict[str, list[str]] = {}
    if end_date <= start_date:
        errors["end_date"] = ["The IEP period must end after it starts."]
    if meeting_type not in IEP.MeetingType.values:
        errors["meeting_type"] = [f"Choose one of: {', '.join(IEP.MeetingType.values)}."]
    if case_manager is not None and not TeamMembership.objects.filter(student=student, user=case_manager).exists():
        errors["case_manager"] = ["The case manager must be a member of the student's Team."]
    if errors:
        raise InvalidContent(errors)


def new_sections(iep: IEP) -> list[Section]:
    """One empty section of every kind but goals, in the form's order (unsaved)."""
    return [Section(iep=iep, kind=kind, order=KIND_ORDER[kind]) for kind in Section.Kind.values
            if kind != Section.Kind.GOAL]


@transaction.atomic
def iep_create(*, student: Student, user: User, start_date: date, end_date: date | None = None,
               meeting_type: str = IEP.MeetingType.ANNUAL_REVIEW, meeting_date: date | None = None,
               last_evaluation_date: date | None = None, case_manager: User | None = None) -> IEP:
    """A new draft IEP with every section, empty, in the form's order.

    The district's cycle length and school-day minutes are copied onto the IEP, so a later change of the
    district setting does not rewrite the grids of IEPs already written.
    """
    end_date = end_date or default_end(start_date)
    _check_header(student=student, start_date=start_date, end_date=end_date, case_manager=case_manager,
                  meeting_type=meeting_type)
    district = student.district
    iep = IEP(student=student, start_date=start_date, end_date=end_date, meeting_type=meeting_type,
              meeting_date=meeting_date, last_evaluation_date=last_evaluation_date, case_manager=case_manager,
              cycle_length_days=district.cycle_length_days, school_day_minutes=district.school_day_minutes)
    iep._history_user = user
    iep.save()
    bulk_create_with_history(new_sections(iep), Section, default_user=user)
    return iep


@transaction.atomic
def iep_update_header(*, iep: IEP, user: User, **changes) -> IEP:
    """Change the header fields given (period, meeting, last evaluation, case manager) of a draft."""
    iep = IEP.objects.select_for_update().select_related("student").get(pk=iep.pk)
    if not iep.is_draft:
        raise NotADraft(iep)
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise InvalidContent({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    for name, value in changes.items():
        setattr(iep, name, value)
    _check_header(student=iep.student, start_date=iep.start_date, end_date=iep.end_date,
                  case_manager=iep.case_manager, meeting_type=iep.meeting_type)
    grid = iep.sections.filter(kind=Section.Kind.SERVICE_GRID).first()
    period = (iep.start_date.isoformat(), iep.end_date.isoformat())
    outside = [number for number, line in enumerate(grid.content.get("lines", []) if grid else [], start=1)
               if not period[0] <= line["start_date"] <= line["end_date"] <= period[1]]
    if outside:
        raise InvalidContent({"start_date" if "start_date" in changes else "end_date": [
            f"Service line(s) {', '.join(map(str, outside))} would fall outside the new IEP period; "
            "change their dates first."]})
    iep._history_user = user
    iep.save()
    return iep


def _write(section: Section, user: User, content: dict, reason: str | None = None) -> Section:
    section.content = content
    section.version += 1
    section.updated_by = user
    section.updated_at = timezone.now()
    section._history_user = user
    if reason:
        section._change_reason = reason
    section.save()
    return section


def _locked_section(section: Section) -> Section:
    # NO KEY UPDATE: rows that only reference the section (lock events, drafts) may still be inserted meanwhile,
    # so a check-out holding the lock row never deadlocks with a check-in holding the section row.
    return (Section.objects.select_for_update(no_key=True, of=("self",)).select_related("iep__student")
            .get(pk=section.pk))


def _validated(section: Section, content) -> dict:
    if not isinstance(content, dict):
        raise InvalidContent({"content": ["Give the section's fields as an object."]})
    form = form_for(section.kind, content, iep=section.iep)
    if not form.is_valid():
        raise InvalidContent(errors_of(form))
    return form.to_content()


def _require_lease(section: Section, user: User, generation: int | None, now: datetime | None) -> SectionLock:
    """The user's lease on `section`, row-locked until the transaction ends (a takeover waits for it).

    Without a generation the lease must be live. With one it must be the current generation, and a lapsed lease
    nobody took still counts (decision 5): nobody else can have written, since taking it bumps the generation.
    """
    lock = SectionLock.objects.select_for_update().filter(section=section).first()
    held = lock is not None and lock.holder_id == user.pk
    if held and generation is None:
        held = lock.is_live(now)
    elif held:
        held = lock.generation == generation
    if not held:
        raise SectionNotHeld(section, lock)
    return lock


@transaction.atomic
def section_update(*, section: Section, user: User, content: dict, expected_version: int,
                   reason: str | None = None, generation: int | None = None, now: datetime | None = None) -> Section:
    """Replace the section's content with `content`, validated for its kind, as version + 1.

    Refuses a writer who does not hold the section's lease (SectionNotHeld; with `generation`, the fencing token
    of iep.services.locks), when the IEP is not a draft (NotADraft) and when someone saved since the writer
    loaded `expected_version` (StaleVersion): the row locks make check and write one step, so of two writers
    holding the same version exactly one wins. The response section is written only by iep_record_response.
    """
    return section_update_in_transaction(section=section, user=user, content=content,
                                         expected_version=expected_version, reason=reason, generation=generation,
                                         now=now)


def section_update_in_transaction(*, section: Section, user: User, content: dict, expected_version: int,
                                  reason: str | None = None, generation: int | None = None,
                                  now: datetime | None = None) -> Section:
    """section_update for a caller that already opened the transaction (no savepoint round trips); a refusal
    must roll that whole transaction back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("section_update_in_transaction needs an open transaction (transaction.atomic).")
    section = _locked_section(section)
    if not section.iep.is_draft:
        raise NotADraft(section.iep)
    _require_lease(section, user, generation, now)
    if section.kind == Section.Kind.RESPONSE:
        raise InvalidContent({"__all__": ["The chair records the response once the IEP is proposed."]})
    if section.version != expected_version:
        raise StaleVersion(section, expected_version)
    return _write(section, user, _validated(section, content), reason)


@transaction.atomic
def section_restore(*, section: Section, history_id: int, user: User) -> Section:
    """Make an earlier version of the section current again, as a new version (history keeps both).

    The old content is validated again, against today's IEP (a goal it names may be gone).
    """
    record = section.history.filter(history_id=history_id).first()
    if record is None:
        raise InvalidContent({"history_id": ["No such version of this section."]})
    current = _locked_section(section)
    return section_update(section=current, user=user, content=record.content, expected_version=current.version,
                          reason=f"Restored version {record.version}")


def _draft(iep: IEP) -> IEP:
    iep = IEP.objects.select_for_update().select_related("student").get(pk=iep.pk)
    if not iep.is_draft:
        raise NotADraft(iep)
    return iep


def _renumber(iep: IEP, order: list[int], user: User) -> None:
    goals = {goal.pk: goal for goal in iep.sections.goals()}
    for number, pk in enumerate(order, start=1):
        goal = goals[pk]
        if goal.position != number:
            goal.position = number
            goal._history_user = user
            goal._change_reason = f"Renumbered as goal {number}"
            goal.save(update_fields=["position"])


@transaction.atomic
def goal_add(*, iep: IEP, user: User, content: dict) -> Section:
    """A new goal, numbered after the last one, of a draft IEP."""
    iep = _draft(iep)
    goal = Section(iep=iep, kind=Section.Kind.GOAL, order=KIND_ORDER[Section.Kind.GOAL],
                   position=iep.sections.goals().count() + 1)
    goal.content = _validated(goal, content)
    goal.version, goal.updated_by, goal.updated_at, goal._history_user = 1, user, timezone.now(), user
    goal.save()
    return goal


@transaction.atomic
def goal_remove(*, goal: Section, user: User) -> None:
    """Delete a goal of a draft and renumber the rest. Refuses while a service line serves it (GoalInUse)."""
    iep = _draft(goal.iep)
    goal = _locked_section(goal)
    grid = iep.sections.filter(kind=Section.Kind.SERVICE_GRID).first()
    if grid and any(goal.pk in line.get("goals", []) for line in grid.content.get("lines", [])):
        raise GoalInUse(goal)
    goal._history_user = user
    goal.delete()
    _renumber(iep, list(iep.sections.goals().order_by("position", "pk").values_list("pk", flat=True)), user)


@transaction.atomic
def goal_reorder(*, iep: IEP, user: User, order: list[int]) -> list[Section]:
    """Number the draft's goals in the order given; `order` must name every goal exactly once."""
    iep = _draft(iep)
    existing = set(iep.sections.goals().values_list("pk", flat=True))
    if sorted(order) != sorted(existing) or len(set(order)) != len(order):
        raise InvalidContent({"order": ["Give every goal of this IEP exactly once."]})
    _renumber(iep, order, user)
    return list(iep.sections.goals().order_by("position"))


def _grid_lines(grid: Section) -> list[dict]:
    if grid.kind != Section.Kind.SERVICE_GRID:
        raise InvalidContent({"section": ["Service lines belong to the service delivery grid."]})
    return [dict(line) for line in grid.content.get("lines", [])]


def _line_index(lines: list[dict], line_id: str) -> int:
    for index, line in enumerate(lines):
        if line.get("id") == line_id:
            return index
    raise InvalidContent({"line": ["No such service line in this grid."]})


def service_line_add(*, grid: Section, user: User, line: dict, expected_version: int) -> Section:
    """Append a line to the grid (one new version of the grid section)."""
    lines = _grid_lines(grid)
    lines.append({**line, "id": secrets.token_hex(4)})
    return section_update(section=grid, user=user, content={"lines": lines}, expected_version=expected_version)


def service_line_update(*, grid: Section, user: User, line_id: str, line: dict, expected_version: int) -> Section:
    """Replace one line of the grid, keeping its place and id."""
    lines = _grid_lines(grid)
    lines[_line_index(lines, line_id)] = {**line, "id": line_id}
    return section_update(section=grid, user=user, content={"lines": lines}, expected_version=expected_version)


def service_line_remove(*, grid: Section, user: User, line_id: str, expected_version: int) -> Section:
    """Remove one line of the grid."""
    lines = _grid_lines(grid)
    del lines[_line_index(lines, line_id)]
    return section_update(section=grid, user=user, content={"lines": lines}, expected_version=expected_version)


def service_lines_reorder(*, grid: Section, user: User, order: list[str], expected_version: int) -> Section:
    """Put the grid's lines in the order of their ids; `order` must name every line exactly once."""
    lines = {line["id"]: line for line in _grid_lines(grid)}
    if sorted(order) != sorted(lines) or len(set(order)) != len(order):
        raise InvalidContent({"order": ["Give every service line of this grid exactly once."]})
    return section_update(section=grid, user=user, content={"lines": [lines[i] for i in order]},
                          expected_version=expected_version)


@transaction.atomic
def iep_propose(*, iep: IEP, user: User) -> IEP:
    """Send the draft to the parent: its sections become read-only (decision 1).

    Refuses an IEP that lacks what the form requires: transition planning and the postsecondary vision in
    the 14-22 strand, a schedule of progress reporting when there are goals.
    """
    iep = _draft(iep)
    sections = {s.kind: s for s in iep.sections.exclude(kind=Section.Kind.GOAL)}
    problems = []
    if iep.age_strand == "14-22":
        if not any(sections[Section.Kind.TRANSITION].content.values()):
            problems.append("Transition planning is required for students 14 and older.")
        vision = sections[Section.Kind.VISION].content
        if not vision.get("postsecondary_education"):
            problems.append("The Vision's postsecondary goals are required for students 14 and older.")
    if iep.sections.goals().exists() and not sections[Section.Kind.PROGRESS_REPORTING].content.get("schedule"):
        problems.append("The schedule of progress reporting is missing.")
    if problems:
        raise InvalidContent({"__all__": problems})
    iep.status, iep.proposed_at, iep._history_user = IEP.Status.PROPOSED, timezone.now(), user
    iep.save()
    return iep


@transaction.atomic
def iep_record_response(*, iep: IEP, user: User, content: dict) -> IEP:
    """Record the parent's response (from the signed paper or e-signature) and move the IEP out of "proposed":
    accept → accepted, reject portions → partially accepted, reject → rejected (decision 1).

    An accepted or partially accepted IEP supersedes the student's earlier accepted ones.
    """
    iep = IEP.objects.select_for_update().select_related("student").get(pk=iep.pk)
    if iep.status != IEP.Status.PROPOSED:
        raise WrongStatus(f"Only a proposed IEP takes a response; this one is {iep.get_status_display().lower()}.")
    form = ResponseForm(content, iep=iep)
    if not form.is_valid():
        raise InvalidContent(errors_of(form))
    section = _locked_section(iep.sections.get(kind=Section.Kind.RESPONSE))
    _write(section, user, form.to_content())
    iep.status, iep.responded_at, iep._history_user = RESPONSE_STATUS[form.cleaned_data["response"]], \
        timezone.now(), user
    iep.save()
    if iep.status in (IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED):
        for older in IEP.objects.current().filter(student=iep.student).exclude(pk=iep.pk).select_for_update():
            older.status, older._history_user = IEP.Status.SUPERSEDED, user
            older.save()
    # The response feeds the deadline engine: a rejection (in full or in part) starts the rejection timelines
    # (`iep_rejected`, spec 2.1); an acceptance changes the current IEP (`iep_start`, ...). Both recompute the
    # student's deadlines after commit.
    from timelines.services import timeline_event_record, timelines_refresh_student

    if iep.status in (IEP.Status.REJECTED, IEP.Status.PARTIALLY_ACCEPTED):
        timeline_event_record(student=iep.student, key="iep_rejected", on=form.cleaned_data["response_date"],
                              user=user, note="Recorded with the parent's response to the proposed IEP.")
    else:
        timelines_refresh_student(student_id=iep.student_id)
    return iep


@transaction.atomic
def iep_amend(*, iep: IEP, user: User, meeting_date: date | None = None) -> IEP:
    """A new draft amending an accepted (or partially accepted) IEP: same period, a copy of every section."""
    from .copy_forward import copy_sections

    source = IEP.objects.select_for_update().select_related("student").get(pk=iep.pk)
    if source.status not in (IEP.Status.ACCEPTED, IEP.Status.PARTIALLY_ACCEPTED):
        raise WrongStatus("Only an accepted or partially accepted IEP can be amended.")
    amendment = IEP(student=source.student, meeting_type=IEP.MeetingType.AMENDMENT, start_date=source.start_date,
                    end_date=source.end_date, meeting_date=meeting_date, case_manager=source.case_manager,
                    last_evaluation_date=source.last_evaluation_date, amends=source,
                    cycle_length_days=source.cycle_length_days, school_day_minutes=source.school_day_minutes)
    amendment._history_user = user
    amendment.save()
    copy_sections(source=source, target=amendment, user=user)
    return amendment
