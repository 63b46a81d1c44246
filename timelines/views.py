from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from students.models import District

from . import selectors, services
from .exceptions import CalendarImportError
from .forms import CalendarImportForm, SchoolCalendarForm, StudentFactsForm, TimelineEventForm
from .models import Deadline, SchoolCalendar, StudentFacts, TimelineEvent


def _timeline_context(request, student, *, event_form=None, facts_form=None, status=200):
    today = timezone.localdate()
    deadlines = list(selectors.student_deadlines(student))
    may_record = access.can(request.user, "record_event", student)
    facts = StudentFacts.objects.filter(student=student).first() or StudentFacts(student=student)
    context = {
        "student": student, "today": today, "deadlines": deadlines, "may_record": may_record,
        "overdue": [d for d in deadlines if d.status == Deadline.Status.OVERDUE],
        "calendar_missing": [d for d in deadlines if d.status == Deadline.Status.CALENDAR_MISSING],
        "next_deadline": selectors.next_deadline(deadlines, today),
        "events": selectors.student_events(student),
        "derived_events": _derived_events(student),
        "facts": facts,
        "event_form": event_form or (TimelineEventForm(student=student, today=today) if may_record else None),
        "facts_form": facts_form or (StudentFactsForm(instance=facts) if may_record else None),
    }
    return render(request, "timelines/student_timeline.html", context, status=status)


def _derived_events(student):
    from meetings.selectors import derived_events  # events held meetings and consents supply (docs/meetings.md)

    return derived_events(student)


@login_required
@require_http_methods(["GET", "POST"])
def student_timeline(request, pk):
    student = access.get_student_or_404(request.user, pk)
    if request.method != "POST":
        access.log_read(request, student, "timeline")
        return _timeline_context(request, student)
    if not access.can(request.user, "record_event", student):
        raise PermissionDenied("Only the student's Team may record timeline events.")
    form = TimelineEventForm(request.POST, student=student, today=timezone.localdate())
    if not form.is_valid():
        return _timeline_context(request, student, event_form=form, status=400)
    event = services.timeline_event_record(student=student, key=form.cleaned_data["key"], on=form.cleaned_data["date"],
                                           note=form.cleaned_data["note"], user=request.user)
    when = f"{event.date:%B} {event.date.day}, {event.date.year}"
    messages.success(request, f"Recorded: {event.get_key_display()} on {when}. Deadlines are being updated.")
    return redirect("timelines:student", pk=student.pk)


@login_required
@require_POST
def student_facts(request, pk):
    student = access.get_student_or_404(request.user, pk)
    if not access.can(request.user, "record_event", student):
        raise PermissionDenied("Only the student's Team may record facts.")
    facts = StudentFacts.objects.filter(student=student).first() or StudentFacts(student=student)
    form = StudentFactsForm(request.POST, instance=facts)
    if not form.is_valid():
        return _timeline_context(request, student, facts_form=form, status=400)
    services.student_facts_update(student=student, user=request.user,
                                  **{name: form.cleaned_data[name] for name in form.Meta.fields})
    messages.success(request, "Facts saved. Deadlines are being updated.")
    return redirect("timelines:student", pk=student.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_correct(request, pk, event_pk):
    student = access.get_student_or_404(request.user, pk)
    event = get_object_or_404(TimelineEvent, pk=event_pk, student=student)
    if not access.can(request.user, "record_event", student):
        raise PermissionDenied("Only the student's Team may correct timeline events.")
    form = TimelineEventForm(request.POST or None, instance=event, student=student, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        services.timeline_event_correct(event=event, on=form.cleaned_data["date"], note=form.cleaned_data["note"],
                                        user=request.user)
        messages.success(request, "Correction saved; the earlier version is kept in the event's history.")
        return redirect("timelines:student", pk=student.pk)
    access.log_read(request, student, "timeline", obj=event)
    history = event.history.select_related("history_user").order_by("-history_date")
    return render(request, "timelines/event_correct.html", {"student": student, "event": event, "form": form,
                                                             "history": history},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- district calendars

def _district_or_404(user, district_pk) -> District:
    """The district if `user` manages it; 403 for its own staff who do not; 404 for everyone else."""
    district = District.objects.filter(pk=district_pk).first()
    if district is None:
        raise Http404("No district found.")
    if access.can(user, "manage_district", district):
        return district
    if user.district_id == district.pk:
        raise PermissionDenied("Only district administrators manage the school calendar.")
    raise Http404("No district found.")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_list(request, district_pk):
    district = _district_or_404(request.user, district_pk)
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = services.calendar_import(district=district, data=form.cleaned_data["parsed"],
                                                     user=request.user)
            except CalendarImportError as exc:
                form.add_error(None, f"Nothing was imported: {exc}.")
            else:
                messages.success(request, f"Imported {len(saved)} school year{'s' if len(saved) != 1 else ''}. "
                                          "Deadlines in the district are being recomputed.")
                return redirect("timelines:calendars", district_pk=district.pk)
        status = 400
    return render(request, "timelines/calendar_list.html", {
        "district": district, "calendars": selectors.district_calendars(district), "import_form": form},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, district_pk, pk=None):
    district = _district_or_404(request.user, district_pk)
    calendar = get_object_or_404(SchoolCalendar, pk=pk, district=district) if pk else None
    form = SchoolCalendarForm(request.POST or None, instance=calendar, district=district)
    if request.method == "POST":
        if "delete" in request.POST and calendar is not None:
            services.calendar_delete(calendar=calendar, user=request.user)
            messages.success(request, f"Deleted school year {calendar.label}.")
            return redirect("timelines:calendars", district_pk=district.pk)
        if form.is_valid():
            saved = services.calendar_save(calendar=form.instance, user=request.user)
            messages.success(request, f"Saved school year {saved.label}. Deadlines in the district are being "
                                      "recomputed.")
            return redirect("timelines:calendars", district_pk=district.pk)
    return render(request, "timelines/calendar_edit.html", {"district": district, "calendar": calendar, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def calendar_export_json(request, district_pk):
    district = _district_or_404(request.user, district_pk)
    response = JsonResponse(services.calendar_to_json(district), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="calendar-{district.org_code}.json"'
    return response


@login_required
@require_GET
def calendar_export_ics(request, district_pk):
    district = _district_or_404(request.user, district_pk)
    response = HttpResponse(services.calendar_to_ics(district), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="calendar-{district.org_code}.ics"'
    return response
