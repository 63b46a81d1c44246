"""Deadline dashboards (issue 7): one /dashboard/ page with a section per role, the district and building
pages, the chair's caseload, the Team member's upcoming deadlines, and the drill-down list with its CSV export.

Scope: every number and row comes from `accounts.access.visible_students` (dashboard_selectors). The district
page answers 404 for a district the user does not work in and 403 to anyone there but its district
administrators; the building page the same for a school (building administrators of it, district administrators).
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from accounts import access
from accounts.security import client_ip
from config.exports import csv_response
from students.models import District, School

from . import dashboard_selectors as sel
from .dashboard_charts import bar_chart, line_chart
from .dashboard_forms import DeadlineFilterForm
from .dashboard_services import export_log

CHAIR_ROWS = 50  # a large district has over a thousand chairs: the page shows those with the most overdue
# Students are identified by their state (SASID) and district (local) ids, never by a database id: a database id
# means nothing outside this application and would only be a needless internal reference in a spreadsheet.
CSV_COLUMNS = ["Student", "SASID", "Local ID", "Deadline", "Due date", "Days left", "Status", "Team chair", "School"]


def _cell_links(today: date, **narrowing) -> dict:
    """The drill-down links behind one row of counts (overdue, due within 7 days, within 30 days). Built with
    the standard library's urlencode and one reverse per call: a district page has hundreds of them."""
    base = f"{reverse('dashboard:deadlines')}?"
    rest = urlencode(narrowing)
    rest = f"&{rest}" if rest else ""
    return {"overdue": f"{base}status=overdue{rest}", "due_7": f"{base}status=due_soon{rest}",
            "due_30": f"{base}status=pending&due_to={(today + timedelta(days=sel.WINDOW_DAYS)).isoformat()}{rest}"}


def summary_context(user, *, title: str, district_id: int | None = None, schools: list[School] | None = None,
                    today: date) -> dict:
    """Counts, links and charts of one district or of some schools, as the summary template draws them."""
    school_ids = [school.pk for school in schools] if schools is not None else None
    summary = sel.deadline_summary(user, district_id=district_id, school_ids=school_ids, today=today)
    base = {"district": district_id} if district_id is not None else {}
    one_school = {"school": school_ids[0]} if school_ids and len(school_ids) == 1 else {}
    trend = sel.overdue_trend(district_id=district_id, school_ids=school_ids, today=today)
    return {
        "title": title, "summary": summary, "today": today,
        "total_links": _cell_links(today, **base, **one_school),
        "schools": [{"label": school.name, "counts": counts, "links": _cell_links(today, **base, school=school.pk)}
                    for school, counts in summary.by_school],
        "keys": [{"label": label, "counts": counts, "links": _cell_links(today, **base, **one_school, key=key)}
                 for key, label, counts in summary.by_key],
        "chairs": [{"label": (chair.get_full_name() or chair.username) if chair else "No chair assigned",
                    "counts": counts,
                    "links": _cell_links(today, **base, **one_school, chair=chair.pk if chair else 0)}
                   for chair, counts in summary.by_chair[:CHAIR_ROWS]],
        "chairs_more": max(0, len(summary.by_chair) - CHAIR_ROWS),
        "bars": bar_chart([(school.name, counts.overdue, counts.due_30) for school, counts in summary.by_school]),
        "trend": trend, "line": line_chart(trend) if len(trend) >= 2 else None,
        "chart_id": f"d{district_id}" if district_id is not None else "s" + "-".join(map(str, school_ids or [])),
    }


@login_required
@require_GET
def dashboard_home(request):
    """Every section the user is entitled to: districts, schools, caseload (chairs), Team deadlines."""
    today = timezone.localdate()
    roles = sel.dashboard_roles(request.user)
    districts = District.objects.filter(pk__in=roles["district_ids"]).order_by("name")
    sections = [summary_context(request.user, title=district.name, district_id=district.pk, today=today)
                for district in districts]
    district_of_admin = set(roles["district_ids"])
    sections += [summary_context(request.user, title=school.name, schools=[school], today=today)
                 for school in roles["schools"] if school.district_id not in district_of_admin]
    preview = {}
    links = [(f"{district.name} (district)", reverse("dashboard:district", args=[district.pk]))
             for district in districts]
    links += [(school.name, reverse("dashboard:school", args=[school.pk]))
              for school in School.objects.filter(district_id__in=district_of_admin).order_by("name")]
    links += [(school.name, reverse("dashboard:school", args=[school.pk]))
              for school in roles["schools"] if school.district_id not in district_of_admin]
    if roles["chair"]:
        preview["caseload"] = list(sel.deadline_list(request.user, sel.DeadlineFilters(scope="chair"))[:10])
    if roles["team"]:
        preview["team"] = list(sel.deadline_list(request.user, sel.DeadlineFilters(scope="team", status="pending"))
                               [:10])
    return render(request, "timelines/dashboard.html", {
        "sections": sections, "roles": roles, "today": today, "preview": preview, "links": links,
        "nothing": not sections and not roles["chair"] and not roles["team"]})


@login_required
@require_GET
def dashboard_district(request, district_pk):
    if district_pk not in access.staff_districts(request.user):
        raise Http404("No such district.")
    district = District.objects.filter(pk=district_pk).first()
    if district is None:
        raise Http404("No such district.")
    if not access.can(request.user, "view_dashboard", district):
        raise PermissionDenied("The district dashboard is for the district's administrators.")
    today = timezone.localdate()
    return render(request, "timelines/dashboard_summary_page.html", {
        "section": summary_context(request.user, title=district.name, district_id=district.pk, today=today),
        "heading": f"Deadlines: {district.name}"})


@login_required
@require_GET
def dashboard_school(request, school_pk):
    school = School.objects.filter(pk=school_pk, district_id__in=access.staff_districts(request.user)).first()
    if school is None:
        raise Http404("No such school.")
    if not access.can(request.user, "view_dashboard", school):
        raise PermissionDenied("The building dashboard is for the school's and the district's administrators.")
    today = timezone.localdate()
    return render(request, "timelines/dashboard_summary_page.html", {
        "section": summary_context(request.user, title=school.name, schools=[school], today=today),
        "heading": f"Deadlines: {school.name}"})


def _days_text(deadline, today: date) -> str:
    if deadline.due is None:
        return "No date (calendar missing)"
    days = (deadline.due - today).days
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "Due today"
    return f"{days} day{'s' if days != 1 else ''} left"


def _row(deadline, today: date) -> dict:
    student = deadline.student
    chair = " ".join(part for part in (deadline.chair_first, deadline.chair_last) if part) if deadline.chair_pk else ""
    return {"student": f"{student.last_name}, {student.first_name}", "student_id": student.pk,
            "sasid": student.sasid, "local_id": student.local_id,
            "key": deadline.key, "deadline": deadline.label, "due": deadline.due, "days": _days_text(deadline, today),
            "status": deadline.get_status_display(), "status_code": deadline.status, "chair": chair or "None",
            "school": student.school.name}


def _filtered(request, defaults: dict):
    form = DeadlineFilterForm(request.GET, user=request.user, defaults=defaults)
    if not form.is_valid():
        return form, None
    sort, descending = form.sorting()
    return form, sel.deadline_list(request.user, form.filters(), sort=sort, descending=descending)


# The empty state of the drill-down: "No overdue deadlines at Lincoln Elementary." An empty result is an answer,
# never an error: only a filter the form refuses answers 400.
EMPTY_WORDS = {"open": "open deadlines", "pending": "deadlines not yet due", "overdue": "overdue deadlines",
               "due_soon": "deadlines due within 7 days", "upcoming": "upcoming deadlines", "met": "met deadlines",
               "not_applicable": "deadlines that are no longer applicable",
               "calendar_missing": "deadlines waiting for a school calendar", "all": "deadlines"}
NARROWING = ("key", "chair", "due_from")


def empty_text(user, form) -> str:
    """The sentence shown when the filtered list has no row: what was looked for, and where."""
    data = form.cleaned_data
    status = data.get("status") or "open"
    words = EMPTY_WORDS[status]
    if status == "pending" and data.get("due_to") and not data.get("due_from"):
        words = f"deadlines due on or before {date_format(data['due_to'])}"
    elif data.get("due_to"):
        words += " in the chosen dates"
    if data.get("school"):
        place = f" at {School.objects.get(pk=data['school']).name}"
    elif data.get("district"):
        place = f" in {District.objects.get(pk=data['district']).name}"
    elif data.get("scope") == "chair":
        place = " for the students whose Team you chair"
    elif data.get("scope") == "team":
        place = " for the students on your Teams"
    else:
        districts = sel.filter_districts(user)
        place = f" in {districts[0][1]}" if len(districts) == 1 else " for the students you may see"
    narrowed = any(data.get(name) not in (None, "") for name in NARROWING)
    return f"No {words}{place}{' match the other filters' if narrowed else ''}."


LISTS = {
    "deadlines": ("Deadlines", {}),
    "caseload": ("My caseload: every open deadline of the students whose Team I chair", {"scope": "chair"}),
    "teams": ("Upcoming deadlines of the students on my Teams", {"scope": "team", "status": "pending"}),
}


@login_required
@require_GET
def deadline_list(request, which: str = "deadlines"):
    title, defaults = LISTS[which]
    today = timezone.localdate()
    form, deadlines = _filtered(request, defaults)
    context = {"form": form, "title": title, "which": which, "today": today, "page": None}
    if deadlines is None:
        return render(request, "timelines/dashboard_list.html", context, status=400)
    page = Paginator(deadlines, sel.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort, descending = form.sorting()
    sort_links = {}
    for name in ("due", "student", "school", "key"):
        link = query.copy()
        link["sort"], link["dir"] = name, "desc" if sort == name and not descending else "asc"
        sort_links[name] = link.urlencode()
    context.update(page=page, rows=[_row(d, today) for d in page.object_list], query=query.urlencode(),
                   sort=sort, descending=descending, sort_links=sort_links,
                   export_url=reverse("dashboard:deadlines_csv"),
                   empty=empty_text(request.user, form) if not page.paginator.count else "")
    return render(request, "timelines/dashboard_list.html", context)


@login_required
@require_GET
def deadline_export(request):
    """The drill-down as CSV: the same filters and order as the list; with `page`, only that page (50 rows),
    without it every row of the filtered list. One access-log entry per exported student (part "export")."""
    today = timezone.localdate()
    form, deadlines = _filtered(request, LISTS.get(request.GET.get("list", ""), LISTS["deadlines"])[1])
    if deadlines is None:
        return HttpResponse("Invalid filters: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    if request.GET.get("page"):
        rows = list(Paginator(deadlines, sel.PAGE_SIZE).get_page(request.GET["page"]).object_list)
        student_ids = [d.student_id for d in rows]
    else:  # every row: streamed from the database in chunks, never the whole district in memory
        rows = deadlines.iterator(chunk_size=2000)
        student_ids = deadlines.values_list("student_id", flat=True).order_by().distinct().iterator(chunk_size=2000)
    export_log(user=request.user, student_ids=student_ids, purpose="dashboard:deadlines_csv",
               path=request.path, ip=client_ip(request))

    def lines():
        for deadline in rows:
            row = _row(deadline, today)
            yield [row["student"], row["sasid"], row["local_id"], row["deadline"],
                   row["due"].isoformat() if row["due"] else "", row["days"], row["status"], row["chair"],
                   row["school"]]

    return csv_response(filename=f"deadlines-{today.isoformat()}.csv", header=CSV_COLUMNS, rows=lines())
