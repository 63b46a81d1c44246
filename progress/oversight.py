"""Oversight of progress reports on the dashboards: reports due this week and overdue, by school, by provider and
by Team chair, with the drill-down list and its CSV. Rows are the `progress_report` deadline rows of the students
the user may see (accounts.access.visible_students); providers are the staff who owe the period's reports."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import access
from accounts.models import TeamMembership
from accounts.security import client_ip
from config.exports import csv_response
from timelines.dashboard_services import export_log
from timelines.models import Deadline

from .selectors import goals_in_force, ieps_in_force, owes, responsible_ids

# Students are identified by SASID and local id, never by a database id (as in the deadline dashboard's CSV).
CSV_COLUMNS = ["Student", "SASID", "Local ID", "Report date", "Days overdue", "Status", "Period", "School",
               "Team chair", "Providers"]


def progress_rows(user, *, which: str, today) -> list[dict]:
    """The `progress_report` rows the user may see: "overdue" or "week" (due within 7 days, not met), each with
    its school, chair and providers. A fixed number of queries whatever the number of rows."""
    rows = Deadline.objects.filter(key="progress_report", student__in=access.visible_students(user),
                                   student__active=True)
    if which == "overdue":
        rows = rows.filter(status=Deadline.Status.OVERDUE)
    else:
        rows = rows.filter(due__gte=today, due__lte=today + timedelta(days=7)).exclude(
            status__in=[Deadline.Status.MET, Deadline.Status.NOT_APPLICABLE])
    rows = list(rows.select_related("student", "school").order_by("due", "student__last_name", "pk"))
    student_ids = {r.student_id for r in rows}
    chairs: dict[int, str] = {}
    team: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for membership in TeamMembership.objects.filter(student_id__in=student_ids).select_related("user"):
        team[membership.student_id].add(membership.user_id)
        names[membership.user_id] = membership.user.get_full_name() or membership.user.username
        if membership.team_role == TeamMembership.TeamRole.CHAIR:
            chairs[membership.student_id] = names[membership.user_id]
    found = []
    by_due: dict = defaultdict(list)
    for row in rows:
        by_due[row.due].append(row.student_id)
    ieps = {}
    for due, ids in by_due.items():
        for student_id, iep in ieps_in_force(ids, due).items():
            ieps[(student_id, due)] = iep
    goals = goals_in_force(list({iep.pk: iep for iep in ieps.values()}.values()))
    named = responsible_ids([g.pk for gs in goals.values() for g in gs])
    for row in rows:
        iep = ieps.get((row.student_id, row.due))
        providers = set()
        if iep is not None:
            for goal in goals.get(iep.pk, []):
                providers |= {u for u in team[row.student_id] if owes(u, goal, iep, named.get(goal.pk, set()),
                                                                        team[row.student_id])}
        found.append({"deadline": row, "student": row.student, "school": row.school.name,
                      "chair": chairs.get(row.student_id, ""), "providers": sorted(names.get(u, "") for u in providers),
                      "days": (today - row.due).days, "period": row.basis.split(" for the IEP")[0]})
    return found


@login_required
@require_GET
def overview(request):
    today = timezone.localdate()
    overdue = progress_rows(request.user, which="overdue", today=today)
    week = progress_rows(request.user, which="week", today=today)
    by_school = Counter(r["school"] for r in overdue)
    by_chair = Counter(r["chair"] or "No chair" for r in overdue)
    by_provider = Counter(p for r in overdue for p in (r["providers"] or ["Nobody named"]))
    return render(request, "progress/oversight.html", {
        "today": today, "overdue": len(overdue), "week": week,
        "by_school": sorted(by_school.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_chair": sorted(by_chair.items(), key=lambda kv: (-kv[1], kv[0]))[:50],
        "by_provider": sorted(by_provider.items(), key=lambda kv: (-kv[1], kv[0]))[:50]})


@login_required
@require_GET
def overdue_list(request):
    """The drill-down: overdue (or `which=week`) rows narrowed by school, chair or provider name; `format=csv`
    downloads them (one access-log entry per exported student)."""
    today = timezone.localdate()
    which = "week" if request.GET.get("which") == "week" else "overdue"
    rows = progress_rows(request.user, which=which, today=today)
    for key in ("school", "chair"):
        if request.GET.get(key):
            rows = [r for r in rows if r[key] == request.GET[key]]
    if request.GET.get("provider"):
        rows = [r for r in rows if request.GET["provider"] in r["providers"]]
    if request.GET.get("format") == "csv":
        export_log(user=request.user, student_ids=[r["student"].pk for r in rows], purpose="progress:overdue",
                   path=request.path, ip=client_ip(request))
        lines = ([f"{r['student'].last_name}, {r['student'].first_name}", r["student"].sasid, r["student"].local_id,
                  r["deadline"].due.isoformat(), max(r["days"], 0), r["deadline"].get_status_display(), r["period"],
                  r["school"], r["chair"], "; ".join(r["providers"])] for r in rows)
        return csv_response(filename=f"progress-reports-{which}-{today.isoformat()}.csv", header=CSV_COLUMNS,
                            rows=lines)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(request, "progress/overdue.html", {"rows": rows, "which": which, "today": today,
                                                     "csv_query": query.urlencode(), "filters": {
                                                         k: request.GET.get(k, "") for k in ("school", "chair",
                                                                                             "provider")}})
