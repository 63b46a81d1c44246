"""Reads behind the deadline dashboards (issue 7): counts, the overdue trend and the drill-down rows.

Every count and every row starts from `accounts.access.visible_students(user)`: nobody counts, lists or
exports a student outside their scope. Only active students count. "Due within 7 days" is the stored status
`due_soon`; "due within 30 days" is every deadline not yet due (due soon or upcoming) due on or before today + 30,
so it includes the 7-day ones. Overdue is the stored status `overdue` (the nightly recompute moves statuses on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum

from accounts import access
from accounts.models import Role, RoleAssignment, TeamMembership, User
from config.db_router import reporting_db
from students.models import District, School

from .models import DEADLINE_LABELS, Deadline, DeadlineSnapshot

S = Deadline.Status
OPEN = (S.OVERDUE, S.CALENDAR_MISSING, S.DUE_SOON, S.UPCOMING)
PENDING = (S.DUE_SOON, S.UPCOMING)
WINDOW_DAYS = 30
PAGE_SIZE = 50
TREND_WEEKS = 12

# The status filter: the stored statuses plus three groups. "open" is the default of every list.
STATUS_CHOICES = [("open", "Open (overdue, calendar missing, due soon or upcoming)"),
                  ("pending", "Not yet due (due within 7 days or upcoming)"),
                  *S.choices, ("all", "Any status")]
STATUS_GROUPS = {"open": OPEN, "pending": PENDING, "all": tuple(S.values)}
SORTS = {"due": ("due", "student__last_name", "student__first_name", "key"),
         "student": ("student__last_name", "student__first_name", "student_id", "due", "key"),
         "school": ("student__school__name", "due", "student__last_name", "key"),
         "key": ("key", "due", "student__last_name")}
SCOPES = [("", "Every student I may see"), ("chair", "Students whose Team I chair"),
          ("team", "Students on my Teams")]


@dataclass
class Counts:
    overdue: int = 0
    due_7: int = 0
    due_30: int = 0

    def add(self, other: Counts) -> None:
        self.overdue += other.overdue
        self.due_7 += other.due_7
        self.due_30 += other.due_30


@dataclass
class Summary:
    today: date
    total: Counts = field(default_factory=Counts)
    by_school: list[tuple[School, Counts]] = field(default_factory=list)
    by_key: list[tuple[str, str, Counts]] = field(default_factory=list)      # (key, label, counts)
    by_chair: list[tuple[User | None, Counts]] = field(default_factory=list)  # None: no chair assigned


@dataclass
class DeadlineFilters:
    district_id: int | None = None
    school_id: int | None = None
    key: str = ""
    status: str = "open"
    chair_id: int | None = None        # 0: students without a chair
    due_from: date | None = None
    due_to: date | None = None
    scope: str = ""                     # "", "chair" (I chair), "team" (on my Teams)


def _chair_relation():
    return FilteredRelation("student__team_memberships",
                            condition=Q(student__team_memberships__team_role=TeamMembership.TeamRole.CHAIR))


def scoped_deadlines(user: User, *, district_id: int | None = None, school_ids: list[int] | None = None,
                     scope: str = "") -> QuerySet[Deadline]:
    """Deadlines of the active students `user` may see, optionally of one district, some schools, or the
    students whose Team the user chairs ("chair") or is on ("team")."""
    deadlines = Deadline.objects.using(reporting_db()).filter(student__active=True)
    if district_id is not None and access.is_district_admin(user, district_id):
        # The access module says this user sees every student of the district: that IS the scope, so the
        # planner gets a plain indexed filter instead of semi-joining the whole visible set (no widening:
        # any further narrowing below only removes rows).
        deadlines = deadlines.filter(student__district_id=district_id)
    elif school_ids and not scope and all(access.is_building_admin(user, pk) for pk in school_ids):
        deadlines = deadlines.filter(student__school_id__in=school_ids)
    else:
        deadlines = deadlines.filter(student__in=access.visible_students(user))
        if district_id is not None:
            deadlines = deadlines.filter(student__district_id=district_id)
    if school_ids is not None:
        deadlines = deadlines.filter(student__school_id__in=school_ids)
    if scope == "chair":
        deadlines = deadlines.filter(student__in=TeamMembership.objects.filter(
            user=user, team_role=TeamMembership.TeamRole.CHAIR).values("student_id"))
    elif scope == "team":
        deadlines = deadlines.filter(student__in=TeamMembership.objects.filter(user=user).values("student_id"))
    return deadlines


def deadline_summary(user: User, *, district_id: int | None = None, school_ids: list[int] | None = None,
                     today: date) -> Summary:
    """Overdue / due within 7 / within 30 days, in total and by school, deadline type and Team chair.

    ONE grouped query with conditional counts (COUNT ... FILTER) over the scoped deadlines, narrowed first to
    the rows that can count at all (the (status, due) index), then rolled up here; plus one query for the
    schools and one for the chairs' names, whatever the number of students.
    """
    window = today + timedelta(days=WINDOW_DAYS)
    rows = (scoped_deadlines(user, district_id=district_id, school_ids=school_ids)
            .filter(Q(status=S.OVERDUE) | Q(status__in=PENDING, due__lte=window))
            .annotate(chair=_chair_relation())
            .values("student__school_id", "key", "chair__user_id").order_by()
            .annotate(overdue=Count("pk", filter=Q(status=S.OVERDUE)),
                      due_7=Count("pk", filter=Q(status=S.DUE_SOON)),
                      due_30=Count("pk", filter=Q(status__in=PENDING))))
    summary = Summary(today=today)
    by_school: dict[int, Counts] = {}
    by_key: dict[str, Counts] = {}
    by_chair: dict[int | None, Counts] = {}
    for row in rows:
        counts = Counts(row["overdue"], row["due_7"], row["due_30"])
        summary.total.add(counts)
        by_school.setdefault(row["student__school_id"], Counts()).add(counts)
        by_key.setdefault(row["key"], Counts()).add(counts)
        by_chair.setdefault(row["chair__user_id"], Counts()).add(counts)
    if school_ids is not None:
        schools = School.objects.using(reporting_db()).filter(pk__in=school_ids)
    elif district_id is not None:
        schools = School.objects.using(reporting_db()).filter(district_id=district_id)
    else:
        schools = School.objects.using(reporting_db()).filter(pk__in=list(by_school))
    summary.by_school = [(school, by_school.get(school.pk, Counts())) for school in schools.order_by("name")]
    summary.by_key = sorted(((key, DEADLINE_LABELS.get(key, key), counts) for key, counts in by_key.items()),
                            key=lambda item: (-item[2].overdue, -item[2].due_7, -item[2].due_30, item[1]))
    chair_ids = [pk for pk in by_chair if pk is not None]
    chairs = {user.pk: user for user in User.objects.using(reporting_db()).filter(pk__in=chair_ids)}
    summary.by_chair = sorted(((chairs.get(pk) if pk is not None else None, counts)
                               for pk, counts in by_chair.items()),
                              key=lambda item: (item[0] is None, -item[1].overdue, -item[1].due_7,
                                                item[0].get_full_name() if item[0] else ""))
    return summary


def overdue_trend(*, district_id: int | None = None, school_ids: list[int] | None = None, today: date,
                  weeks: int = TREND_WEEKS) -> list[tuple[date, int]]:
    """Overdue counts of the last `weeks` weeks from the stored snapshots: the latest snapshot of each week
    (weeks without one are left out, never shown as zero). The caller has checked the user's right to the
    district's or schools' dashboard (snapshots hold counts only, per school)."""
    snapshots = DeadlineSnapshot.objects.using(reporting_db()).filter(
        date__gt=today - timedelta(weeks=weeks), date__lte=today)
    if district_id is not None:
        snapshots = snapshots.filter(district_id=district_id)
    if school_ids is not None:
        snapshots = snapshots.filter(school_id__in=school_ids)
    per_day = snapshots.values("date").order_by("date").annotate(overdue=Sum("overdue"))
    latest_of_week: dict[date, tuple[date, int]] = {}
    for row in per_day:
        week = row["date"] - timedelta(days=row["date"].weekday())
        latest_of_week[week] = (row["date"], row["overdue"])  # rows come in date order: the last one wins
    return [latest_of_week[week] for week in sorted(latest_of_week)]


def deadline_list(user: User, filters: DeadlineFilters, *, sort: str = "due", descending: bool = False
                  ) -> QuerySet[Deadline]:
    """The drill-down rows: scoped deadlines narrowed by `filters`, with student, school and chair (one query
    per page), sorted by `sort` (a SORTS key) ascending or descending; deadlines without a date go last."""
    deadlines = scoped_deadlines(user, district_id=filters.district_id,
                                 school_ids=[filters.school_id] if filters.school_id else None, scope=filters.scope)
    deadlines = deadlines.filter(status__in=STATUS_GROUPS.get(filters.status, (filters.status,)))
    if filters.key:
        deadlines = deadlines.filter(key=filters.key)
    if filters.due_from:
        deadlines = deadlines.filter(due__gte=filters.due_from)
    if filters.due_to:
        deadlines = deadlines.filter(due__lte=filters.due_to)
    deadlines = deadlines.annotate(chair=_chair_relation())
    if filters.chair_id == 0:
        deadlines = deadlines.filter(chair__user_id__isnull=True)
    elif filters.chair_id:
        deadlines = deadlines.filter(chair__user_id=filters.chair_id)
    fields = SORTS.get(sort, SORTS["due"])
    order = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in fields]
    return (deadlines.select_related("student", "student__school")
            .annotate(chair_pk=F("chair__user_id"), chair_first=F("chair__user__first_name"),
                      chair_last=F("chair__user__last_name"))
            .only("key", "due", "status", "cycle", "student__first_name", "student__last_name",
                  "student__sasid", "student__local_id", "student__school__name", "student__school_id",
                  "student__district_id")
            .order_by(*order, "pk" if not descending else "-pk"))


def filter_districts(user: User) -> list[tuple[int, str]]:
    """Districts offered by the list filter: those the user works in."""
    return list(District.objects.filter(pk__in=access.staff_districts(user)).order_by("name").values_list("pk", "name"))


def filter_schools(user: User) -> QuerySet[School]:
    """Schools offered by the list filter: those of the districts the user works in (names, no students)."""
    return School.objects.filter(district_id__in=access.staff_districts(user)).order_by("name")


def filter_chairs(user: User) -> QuerySet[User]:
    """Chairs offered by the list filter: staff of the user's districts who chair at least one Team."""
    chairs = TeamMembership.objects.filter(team_role=TeamMembership.TeamRole.CHAIR).values("user_id")
    return access.visible_staff(user).filter(pk__in=chairs).order_by("last_name", "first_name", "pk")


def dashboard_roles(user: User) -> dict:
    """Which dashboard sections `user` is entitled to: the districts and schools they administer (checked
    with access.can "view_dashboard"), whether they chair a Team, whether they are on any Team."""
    districts = access.administered_districts(user)
    school_ids = list(RoleAssignment.objects.filter(user=user, role=Role.BUILDING_ADMIN)
                      .values_list("school_id", flat=True))
    schools = [school for school in School.objects.filter(pk__in=school_ids).order_by("name")
               if access.can(user, "view_dashboard", school)]
    memberships = set(TeamMembership.objects.filter(user=user).values_list("team_role", flat=True).distinct())
    return {"district_ids": districts, "schools": schools,
            "chair": TeamMembership.TeamRole.CHAIR in memberships, "team": bool(memberships)}
