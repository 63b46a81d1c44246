"""Pages of progress reporting (docs/progress-reports.md): the worklist (written in place with htmx), a student's
progress (chart, periods, finalising, sending), a goal's plan, the district's marking periods.

Scope first (404), then the verb (403), through accounts.access. Pages work without JavaScript; htmx swaps rows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from iep.access_log import log_read
from iep.models import IEP, Section
from students.models import District, Guardian

from . import services
from .charts import goal_chart
from .exceptions import InvalidInput, ProgressError, ReportLocked, StaleReport
from .forms import (
    GoalPlanForm,
    MarkingPeriodForm,
    PeriodImportForm,
    ReasonForm,
    ReportForm,
    ScheduleForm,
    SentForm,
    report_initial,
)
from .models import GoalPlan, MarkingPeriod, ProgressDocument, ProgressReport, ProgressSchedule, ReportLock
from .selectors import (
    STATUS_LABELS,
    WorkItem,
    goal_progress_series,
    goals_in_force,
    iep_in_force,
    periods_owed,
    work_status,
    worklist_for,
)


def _report_for(user, pk, verb: str = "view") -> ProgressReport:
    report = access.get_in_scope_or_404(
        user, ProgressReport.objects.select_related("student", "iep", "goal", "period"), pk)
    if not access.can(user, verb, report.student):
        raise PermissionDenied("Only the student's Team writes progress reports.")
    return report


def _document_for(user, pk, verb: str = "view") -> ProgressDocument:
    document = access.get_in_scope_or_404(user, ProgressDocument.objects.select_related("student", "period"), pk)
    if not access.can(user, verb, document.student):
        raise PermissionDenied("Only the Team chair finalises and records sending.")
    return document


def _put_errors(form, exc: ProgressError) -> None:
    """A service's refusal on the form: field errors on their fields (or the form's top), others on top."""
    if isinstance(exc, InvalidInput):
        for field, problems in exc.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, str(exc))


def _apply(form, call):
    """Run a service; put its refusals on the form; None when refused."""
    try:
        return call()
    except ProgressError as exc:
        _put_errors(form, exc)
    return None


# ---------------------------------------------------------------- worklist

def _item_for(report: ProgressReport, user) -> WorkItem:
    document = (ProgressDocument.objects.filter(student=report.student, period=report.period)
                .order_by("-version").first())
    lock = ReportLock.objects.live().filter(report=report).select_related("holder").first()
    item = WorkItem(student=report.student, iep=report.iep, period=report.period, goal=report.goal, report=report,
                    document=document, holder=lock.holder if lock else None)
    item.status = work_status(report, document)
    return item


def _row(request, item: WorkItem, message: str = "", status: int = 200):
    return render(request, "progress/worklist.html#row", {"item": _with_urls([item])[0], "message": message,
                                                          "start_url": reverse("progress:report_start")},
                  status=status)


def _with_urls(items: list[WorkItem]) -> list[WorkItem]:
    """Each row's links, built from one reversed URL per kind (a reverse per row and link costs more than the
    rest of the row's rendering)."""
    student_url = reverse("progress:student", args=[0])
    edit_url = reverse("progress:report_edit", args=[0])
    for item in items:
        item.student_url = student_url.replace("/0/", f"/{item.student.pk}/", 1)
        item.edit_url = edit_url.replace("/0/", f"/{item.report.pk}/", 1) if item.report else ""
    return items


@login_required
@require_GET
def worklist(request):
    today = timezone.localdate()
    work = worklist_for(request.user, today=today)
    return render(request, "progress/worklist.html", {
        "work": work, "items": _with_urls(work.items), "start_url": reverse("progress:report_start"),
        "counts": [(STATUS_LABELS[k], v) for k, v in work.counts().items()], "today": today})


@login_required
@require_POST
def report_start(request):
    goal_pk, period_pk = request.POST.get("goal", ""), request.POST.get("period", "")
    if not (all(pk.isascii() and pk.isdigit() and len(pk) < 19 for pk in (goal_pk, period_pk))):
        return HttpResponseBadRequest("Choose a goal and a period.", content_type="text/plain; charset=utf-8")
    goal = access.get_in_scope_or_404(request.user, Section.objects.goals().select_related("iep__student"),
                                      int(goal_pk), student_path="iep__student")
    if not access.can(request.user, "write_progress", goal.iep.student):
        raise PermissionDenied("Only the student's Team writes progress reports.")
    period = MarkingPeriod.objects.filter(pk=int(period_pk), district_id=goal.iep.student.district_id).first()
    if period is None:
        raise Http404("No such period.")
    try:
        report = services.report_start(goal=goal, period=period, user=request.user)
    except InvalidInput as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("progress:worklist")
    if not access.can(request.user, "write_progress", report.student):
        raise PermissionDenied("Only the student's Team writes progress reports.")
    return _open(request, report)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """GET: check the report out and show its form (in place under htmx). POST: action=autosave (save the
    fields, answer the save status), ready (save and mark ready), draft (save), done (let go of it)."""
    report = _report_for(request.user, pk, "write_progress")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if report.is_finalised or not report.current:
        return _row(request, _item_for(report, request.user), "This report is finalised and read-only.",
                    status=200 if request.htmx else 409)
    if request.method == "GET" or action == "edit":
        return _open(request, report)
    if action == "done":
        services.report_release(report=report, user=request.user)
        return _after_write(request, report, "")
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        if action == "autosave":
            problems = [f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
                        for name, errors in form.errors.items()]
            return render(request, "progress/worklist.html#autosave", {"report": report,
                                                                       "error": "Not saved: " + "; ".join(problems)})
        return _editor(request, report, form, status=200 if request.htmx else 400)
    revision = report.revision if action == "autosave" else form.cleaned_data["revision"]
    ready = True if action == "ready" else False if action == "draft" else None
    try:
        saved = services.report_save(report=report, user=request.user, data=form.service_data(), revision=revision,
                                     ready=ready)
    except ProgressError as exc:
        if action == "autosave":
            return render(request, "progress/worklist.html#autosave", {"report": report, "error": str(exc)})
        _put_errors(form, exc)
        if isinstance(exc, StaleReport | ReportLocked):
            form.add_error(None, "Your text is still in the form: copy it before reloading.")
        return _editor(request, report, form, status=200 if request.htmx else getattr(exc, "status", 400))
    if action == "autosave":
        return render(request, "progress/worklist.html#autosave", {"report": saved, "saved_at": saved.updated_at})
    if action == "ready":
        return _after_write(request, saved, "Marked ready.")
    form = ReportForm(initial=report_initial(saved), report=saved)
    if request.htmx:
        return _editor(request, saved, form, message="Saved as a draft.")
    messages.success(request, "Saved as a draft.")
    return redirect("progress:worklist")


def _open(request, report):
    """Check the report out to the user and show its form (the row, naming the writer, if someone else has it)."""
    try:
        services.report_check_out(report=report, user=request.user)
    except ReportLocked as exc:
        return _row(request, _item_for(report, request.user), str(exc), status=200 if request.htmx else 409)
    except ProgressError as exc:
        return _row(request, _item_for(report, request.user), str(exc), status=200 if request.htmx else 409)
    return _editor(request, report, ReportForm(initial=report_initial(report), report=report))


def _after_write(request, report, message):
    report.refresh_from_db()
    if request.htmx:
        return _row(request, _item_for(report, request.user), message)
    if message:
        messages.success(request, message)
    return redirect("progress:worklist")


def _editor(request, report, form, status=200, message=""):
    lock = ReportLock.objects.filter(report=report).first()
    item = _with_urls([_item_for(report, request.user)])[0]
    template = "progress/worklist.html#editor" if request.htmx else "progress/report_edit.html"
    return render(request, template, {"item": item, "report": report, "form": form, "lock": lock,
                                      "message": message, "goal_content": report.goal.content or {}}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_correct(request, pk):
    report = _report_for(request.user, pk, "write_progress")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        copy = _apply(form, lambda: services.report_correct(report=report, user=request.user,
                                                            reason=form.cleaned_data["reason"]))
        if copy is not None:
            messages.success(request, "A corrected version was opened as a draft; the finalised one is kept.")
            return redirect("progress:report_edit", pk=copy.pk)
    return render(request, "progress/confirm.html", {
        "form": form, "title": f"Correct the finalised report on {report.goal.title}",
        "intro": "A correction is a new version of the report; the finalised version stays as it was.",
        "button": "Open a correction", "student": report.student},
        status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- a student's progress

@login_required
@require_GET
def student_progress(request, pk):
    student = access.get_student_or_404(request.user, pk)
    log_read(request, student, "iep")
    today = timezone.localdate()
    iep = iep_in_force(student.pk, today) or student.ieps.current().order_by("-start_date").first()
    context = {"student": student, "iep": iep, "active_tab": "progress", "today": today,
               "can_write": access.can(request.user, "write_progress", student),
               "can_finalise": access.can(request.user, "finalise_progress", student)}
    if iep is not None:
        goals = goals_in_force([iep]).get(iep.pk, [])
        periods = periods_owed(iep)
        reports = list(ProgressReport.objects.filter(iep=iep, current=True).select_related("goal", "period"))
        documents = list(ProgressDocument.objects.filter(iep=iep).order_by("period__report_due", "version"))
        rows = []
        for period in periods:
            mine = [r for r in reports if r.period_id == period.pk]
            rows.append({"period": period, "reports": mine, "total": len(goals),
                         "ready": sum(r.status == "ready" for r in mine),
                         "finalised": sum(r.status == "finalised" for r in mine),
                         "documents": [d for d in documents if d.period_id == period.pk]})
        series = goal_progress_series(iep)
        for entry in series:
            entry["chart"] = goal_chart(entry)
        plans = {p.goal_id: p for p in GoalPlan.objects.filter(goal__iep=iep).prefetch_related("responsible")}
        schedule = ProgressSchedule.objects.filter(iep=iep).first()
        context.update(goals=goals, rows=rows, series=series, plans=plans,
                       schedule_label=schedule.get_mode_display() if schedule else "With report cards")
    return render(request, "progress/student.html", context)


def _student_period(request, pk, period_pk, verb):
    student = access.get_student_or_404(request.user, pk)
    if not access.can(request.user, verb, student):
        raise PermissionDenied("Only the Team chair finalises progress reports.")
    period = MarkingPeriod.objects.filter(pk=period_pk, district_id=student.district_id).first()
    if period is None:
        raise Http404("No such period.")
    return student, period


@login_required
@require_POST
def finalise(request, pk, period_pk):
    student, period = _student_period(request, pk, period_pk, "finalise_progress")
    try:
        with transaction.atomic():
            document = services.reports_finalise(student=student, period=period, user=request.user)
    except InvalidInput as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    except ProgressError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Finalised {period.name}: the progress report (version {document.version}) is "
                                  "being printed.")
    return redirect("progress:student", pk=student.pk)


@login_required
@require_GET
def document_download(request, pk):
    document = _document_for(request.user, pk)
    if not document.is_ready:
        raise Http404("The document is not ready.")
    log_read(request, document.student, "pdf", obj=document)
    response = FileResponse(document.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=document.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_sent(request, pk):
    document = _document_for(request.user, pk, "finalise_progress")
    guardians = Guardian.objects.filter(student_id=document.student_id).exclude(email="").order_by("name", "pk")
    form = SentForm(request.POST or None, initial={"sent_on": timezone.localdate(), "method": "mail"},
                    guardians=guardians)
    if request.method == "POST" and form.is_valid():
        guardian = form.cleaned_data.get("email_to")
        if guardian is not None:
            done = _apply(form, lambda: services.document_email(document=document, user=request.user,
                                                                guardian=guardian))
        else:
            done = _apply(form, lambda: services.document_mark_sent(
                document=document, user=request.user, sent_on=form.cleaned_data["sent_on"],
                method=form.cleaned_data["method"], note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "The progress report is being emailed; sending is recorded as today."
                             if guardian is not None else "Recorded when and how the progress report was sent.")
            return redirect("progress:student", pk=document.student_id)
    return render(request, "progress/confirm.html", {
        "form": form, "title": f"Record sending: {document.period.name} progress report (version {document.version})",
        "intro": "When and how did the family receive it?", "button": "Record", "student": document.student},
        status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def goal_plan(request, pk):
    goal = access.get_in_scope_or_404(request.user, Section.objects.goals().select_related("iep__student"), pk,
                                      student_path="iep__student")
    student = goal.iep.student
    if not access.can(request.user, "write_progress", student):
        raise PermissionDenied("Only the student's Team plans progress reporting.")
    plan = GoalPlan.objects.filter(goal=goal).first()
    initial = {"responsible": list(plan.responsible.all()) if plan else [],
               "target_value": plan.target_value if plan else None, "unit": plan.unit if plan else ""}
    form = GoalPlanForm(request.POST or None, initial=initial, student=student)
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda: services.goal_plan_update(
            goal=goal, responsible=list(form.cleaned_data["responsible"]),
            target_value=form.cleaned_data["target_value"], unit=form.cleaned_data["unit"]))
        if saved is not None:
            messages.success(request, f"Saved the plan of {goal.title}.")
            return redirect("progress:student", pk=student.pk)
    return render(request, "progress/confirm.html", {
        "form": form, "title": f"Progress reporting plan: {goal.title}", "student": student,
        "intro": f"Free-text “person(s) responsible” in the IEP: {(goal.content or {}).get('responsible') or '—'}",
        "button": "Save"}, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request, pk):
    iep = access.get_in_scope_or_404(request.user, IEP.objects.select_related("student"), pk)
    if not access.can(request.user, "write_progress", iep.student):
        raise PermissionDenied("Only the student's Team sets the schedule of progress reporting.")
    current = ProgressSchedule.objects.filter(iep=iep).first()
    dates = ", ".join(f"{p.report_due:%Y-%m-%d}" for p in iep.custom_periods.order_by("report_due"))
    form = ScheduleForm(request.POST or None, initial={"mode": current.mode if current else "report_cards",
                                                       "dates": dates})
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda: services.schedule_set(iep=iep, mode=form.cleaned_data["mode"],
                                                           dates=form.cleaned_data["date_list"]))
        if saved is not None:
            messages.success(request, "Saved the schedule of progress reporting.")
            return redirect("progress:student", pk=iep.student_id)
    return render(request, "progress/confirm.html", {
        "form": form, "title": "Schedule of progress reporting", "student": iep.student,
        "intro": f"IEP {iep.start_date:%m/%d/%Y}–{iep.end_date:%m/%d/%Y}: the report dates that fall inside the IEP "
                 "period are the reports owed.", "button": "Save"}, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- the district's marking periods

def _district_or_404(user, district_pk) -> District:
    district = District.objects.filter(pk=district_pk).first()
    if district is None:
        raise Http404("No district found.")
    if access.can(user, "manage_district", district):
        return district
    if district.pk in access.staff_districts(user):
        raise PermissionDenied("Only district administrators manage marking periods.")
    raise Http404("No district found.")


@login_required
@require_http_methods(["GET", "POST"])
def periods(request, district_pk):
    district = _district_or_404(request.user, district_pk)
    form = MarkingPeriodForm(request.POST if request.POST.get("form") == "add" else None, district=district)
    import_form = PeriodImportForm(request.POST if request.POST.get("form") == "import" else None,
                                   request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("form") == "import" and import_form.is_valid():
            made = _apply(import_form, lambda: services.periods_import_csv(district=district,
                                                                           text=import_form.cleaned_data["file"]))
            if made is not None:
                messages.success(request, f"Imported {len(made)} marking period{'s' if len(made) != 1 else ''}.")
                return redirect("progress:periods", district_pk=district.pk)
        elif request.POST.get("form") != "import" and form.is_bound and form.is_valid():
            data = form.cleaned_data
            made = _apply(form, lambda: services.period_save(
                district=district, school=data["school"], school_year=data["school_year"], name=data["name"],
                start=data["start"], end=data["end"], report_due=data["report_due"]))
            if made is not None:
                messages.success(request, f"Added {made.name} ({made.school_year}).")
                return redirect("progress:periods", district_pk=district.pk)
        elif not form.is_bound and request.POST.get("form") != "import":
            form = MarkingPeriodForm({}, district=district)
            form.is_valid()
    listed = MarkingPeriod.objects.shared().filter(district=district).select_related("school").order_by(
        "school_year", "school__name", "start")
    return render(request, "progress/periods.html", {"district": district, "periods": listed, "form": form,
                                                     "import_form": import_form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request, district_pk, pk):
    district = _district_or_404(request.user, district_pk)
    period = MarkingPeriod.objects.shared().filter(pk=pk, district=district).first()
    if period is None:
        raise Http404("No such period.")
    initial = {"school": period.school, "school_year": period.school_year, "name": period.name,
               "start": period.start, "end": period.end, "report_due": period.report_due}
    form = MarkingPeriodForm(request.POST or None, initial=initial, district=district)
    if request.method == "POST":
        if "delete" in request.POST:
            if _apply(form, lambda: services.period_delete(period=period) or True):
                messages.success(request, f"Removed {period.name} ({period.school_year}).")
                return redirect("progress:periods", district_pk=district.pk)
        elif form.is_valid():
            data = form.cleaned_data
            saved = _apply(form, lambda: services.period_save(
                district=district, school=data["school"], school_year=data["school_year"], name=data["name"],
                start=data["start"], end=data["end"], report_due=data["report_due"], period=period))
            if saved is not None:
                messages.success(request, f"Saved {saved.name} ({saved.school_year}).")
                return redirect("progress:periods", district_pk=district.pk)
    return render(request, "progress/period_edit.html", {"district": district, "period": period, "form": form},
                  status=400 if request.method == "POST" else 200)

