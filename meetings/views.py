"""Pages of Team meetings. Scope first (404 outside it), then accounts.access decides (403); the services
write and refuse (the refusal lands on the form's fields, nothing is written)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from . import selectors, services
from .exceptions import MeetingRefusal
from .forms import (
    AttendanceForm,
    ConsentRespondForm,
    ConsentSendForm,
    ContactAttemptForm,
    ExcusalForm,
    HoldForm,
    InvitationForm,
    MeetingForm,
    apply_refusal,
)
from .ics import meetings_ics
from .models import EvaluationConsent, Excusal, Invitation, Meeting


def _require(user, verb: str, obj) -> None:
    if not access.can(user, verb, obj):
        raise PermissionDenied("Only the Team chair and administrators schedule meetings."
                               if verb == "schedule_meeting" else "You may not do this for this meeting.")


def meeting_for(user, pk, verb: str = "view") -> Meeting:
    meeting = access.get_in_scope_or_404(
        user, Meeting.objects.select_related("student__school", "student__district", "iep", "scheduled_by"), pk)
    _require(user, verb, meeting)
    return meeting


def _run(form, call):
    """Call the service; on a refusal put its message on the form and answer None (nothing was written)."""
    try:
        return call()
    except MeetingRefusal as refusal:
        apply_refusal(form, refusal)
        return None


def _overlap_notes(pairs) -> list[str]:
    return [f"{person.get_full_name() or person.username} already has a Team meeting from "
            f"{timezone.localtime(meeting.starts):%I:%M %p} to {timezone.localtime(meeting.ends):%I:%M %p} that day."
            for person, meeting in pairs]


# ---------------------------------------------------------------- a student's meetings

@login_required
@require_http_methods(["GET", "POST"])
def student_meetings(request, student_pk):
    student = access.get_student_or_404(request.user, student_pk)
    may_schedule = access.can(request.user, "schedule_meeting", student)
    form, overlap_notes, status = None, [], 200
    if request.method == "POST":
        _require(request.user, "schedule_meeting", student)
        form = MeetingForm(request.POST, student=student)
        if form.is_valid():
            data = form.cleaned_data
            pairs = selectors.overlaps(student=student, on=data["date"], start_time=data["start_time"],
                                       duration_minutes=data["duration_minutes"], scheduler=request.user)
            if pairs and not data["confirm_overlap"]:
                overlap_notes = _overlap_notes(pairs)
            else:
                meeting = _run(form, lambda: services.meeting_schedule(
                    student=student, user=request.user, meeting_type=data["meeting_type"], date=data["date"],
                    start_time=data["start_time"], duration_minutes=data["duration_minutes"],
                    location=data["location"], video_link=data["video_link"], purpose=data["purpose"],
                    iep=data["iep"]))
                if meeting is not None:
                    messages.success(request, f"Scheduled the {meeting.get_meeting_type_display().lower()} meeting on "
                                              f"{meeting.date:%B} {meeting.date.day}, {meeting.date.year}.")
                    return redirect("meetings:detail", meeting_pk=meeting.pk)
        status = 200 if overlap_notes and not form.errors else 400
    elif may_schedule:
        form = MeetingForm(student=student, initial={"meeting_type": Meeting.Type.ANNUAL_REVIEW})
    access.log_read(request, student, "other")
    return render(request, "meetings/student_meetings.html", {
        "student": student, "meetings": selectors.student_meetings(student), "form": form,
        "may_schedule": may_schedule, "overlap_notes": overlap_notes}, status=status)


# ---------------------------------------------------------------- one meeting

def _detail(request, meeting: Meeting, status: int = 200, **forms):
    student = meeting.student
    may_schedule = access.can(request.user, "schedule_meeting", meeting)
    may_attend = access.can(request.user, "record_attendance", meeting)
    today = timezone.localdate()
    open_ = meeting.status == Meeting.Status.SCHEDULED
    context = {
        "meeting": meeting, "student": student, "may_schedule": may_schedule, "may_attend": may_attend,
        "today": today, "team": selectors.team_of(student), "transition": selectors.transition_age(meeting),
        "interpreter_languages": selectors.interpreter_languages(student),
        "invitations": meeting.invitations.select_related("sent_by"),
        "contact_attempts": meeting.contact_attempts.select_related("guardian", "recorded_by"),
        "excusals": meeting.excusals.select_related("member"),
        "attendance": selectors.meeting_attendance(meeting) if meeting.is_held else None,
        "overlap_notes": _overlap_notes(selectors.overlaps(
            student=student, on=meeting.date, start_time=meeting.start_time,
            duration_minutes=meeting.duration_minutes, exclude_pk=meeting.pk)) if open_ else [],
    }
    if may_schedule and meeting.status != Meeting.Status.CANCELLED:
        context["invitation_form"] = forms.get("invitation_form") or (
            InvitationForm(initial={"sent_on": today}) if open_ else None)
        context["contact_form"] = forms.get("contact_form") or ContactAttemptForm(student=student,
                                                                                  initial={"attempted_on": today})
        context["excusal_form"] = forms.get("excusal_form") or ExcusalForm(student=student)
    if may_attend and (meeting.is_held or "attendance_form" in forms):  # a refusal is shown where it was asked
        context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(student=student)
    return render(request, "meetings/detail.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk)
    access.log_read(request, meeting.student, "other", obj=meeting)
    return _detail(request, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    initial = {name: getattr(meeting, name) for name in ("meeting_type", "iep", "date", "start_time",
                                                         "duration_minutes", "location", "video_link", "purpose")}
    form = MeetingForm(request.POST or None, student=meeting.student, initial=initial)
    overlap_notes = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pairs = selectors.overlaps(student=meeting.student, on=data["date"], start_time=data["start_time"],
                                   duration_minutes=data["duration_minutes"], scheduler=request.user,
                                   exclude_pk=meeting.pk)
        if pairs and not data["confirm_overlap"]:
            overlap_notes = _overlap_notes(pairs)
        else:
            fields = {k: v for k, v in data.items() if k != "confirm_overlap"}
            if _run(form, lambda: services.meeting_reschedule(meeting=meeting, user=request.user, **fields)):
                messages.success(request, "Meeting changed. Send a new invitation if the date, time or place "
                                          "changed.")
                return redirect("meetings:detail", meeting_pk=meeting.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "meetings/edit.html", {"meeting": meeting, "student": meeting.student, "form": form,
                                                  "overlap_notes": overlap_notes}, status=status)


@login_required
@require_POST
def meeting_cancel(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    try:
        services.meeting_cancel(meeting=meeting, user=request.user)
    except MeetingRefusal as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Meeting cancelled.")
    return redirect("meetings:detail", meeting_pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_hold(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    team = selectors.team_of(meeting.student)
    initial = {"interpreter_language": ", ".join(selectors.interpreter_languages(meeting.student))}
    form = HoldForm(request.POST or None, meeting=meeting, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        held = _run(form, lambda: services.meeting_hold(meeting=meeting, user=request.user,
                                                        attendees=form.attendees()))
        if held is not None:
            messages.success(request, "The meeting is recorded as held, with its attendance. The Team meeting is on "
                                      "the student's timeline and the deadlines are being updated.")
            return redirect("meetings:detail", meeting_pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/hold.html", {"meeting": meeting, "student": meeting.student, "form": form,
                                                  "excusals": meeting.excusals.select_related("member")},
                  status=status)


@login_required
@require_POST
def invitation_create(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    form = InvitationForm(request.POST)
    if form.is_valid():
        invitation = _run(form, lambda: services.invitation_send(meeting=meeting, user=request.user,
                                                                 **form.cleaned_data))
        if invitation is not None:
            access.log_read(request, meeting.student, "pdf", obj=invitation)
            return redirect("meetings:invitation", invitation_pk=invitation.pk)
    return _detail(request, meeting, status=400, invitation_form=form)


def _invitation_for(user, pk) -> Invitation:
    invitation = access.get_in_scope_or_404(user, Invitation.objects.select_related("meeting__student"), pk,
                                            student_path="meeting__student")
    _require(user, "view", invitation.meeting)
    return invitation


@login_required
@require_GET
def invitation_status(request, invitation_pk):
    invitation = _invitation_for(request.user, invitation_pk)
    template = "meetings/invitation_status.html#document" if request.htmx else "meetings/invitation_status.html"
    return render(request, template, {"invitation": invitation, "meeting": invitation.meeting,
                                      "student": invitation.meeting.student})


def _file_response(request, student, stored, filename: str, obj) -> FileResponse:
    access.log_read(request, student, "pdf", obj=obj)
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invitation_download(request, invitation_pk):
    invitation = _invitation_for(request.user, invitation_pk)
    if not invitation.is_ready:
        raise Http404("The invitation is not printed yet.")
    return _file_response(request, invitation.meeting.student, invitation.file, invitation.filename, invitation)


@login_required
@require_POST
def contact_create(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    form = ContactAttemptForm(request.POST, student=meeting.student)
    if form.is_valid() and _run(form, lambda: services.contact_attempt_record(meeting=meeting, user=request.user,
                                                                              **form.cleaned_data)):
        messages.success(request, "Contact attempt logged.")
        return redirect(reverse("meetings:detail", kwargs={"meeting_pk": meeting.pk}) + "#contacts-heading")
    return _detail(request, meeting, status=400, contact_form=form)


@login_required
@require_POST
def excusal_create(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "schedule_meeting")
    form = ExcusalForm(request.POST, request.FILES, student=meeting.student)
    if form.is_valid() and _run(form, lambda: services.excusal_record(meeting=meeting, user=request.user,
                                                                      **form.cleaned_data)):
        messages.success(request, "Excusal recorded.")
        return redirect(reverse("meetings:detail", kwargs={"meeting_pk": meeting.pk}) + "#excusals-heading")
    return _detail(request, meeting, status=400, excusal_form=form)


@login_required
@require_GET
def excusal_agreement(request, excusal_pk):
    excusal = access.get_in_scope_or_404(request.user, Excusal.objects.select_related("meeting__student"),
                                         excusal_pk, student_path="meeting__student")
    _require(request.user, "view", excusal.meeting)
    if not excusal.agreement:
        raise Http404("No agreement was uploaded.")
    suffix = excusal.agreement.name.rsplit(".", 1)[-1]
    return _file_response(request, excusal.meeting.student, excusal.agreement,
                          f"excusal-agreement-{excusal.pk}.{suffix}", excusal)


@login_required
@require_POST
def attendance_create(request, meeting_pk):
    meeting = meeting_for(request.user, meeting_pk, "record_attendance")
    form = AttendanceForm(request.POST, student=meeting.student)
    if form.is_valid() and _run(form, lambda: services.attendance_record(meeting=meeting, user=request.user,
                                                                         **form.cleaned_data)):
        messages.success(request, "Attendance recorded.")
        return redirect(reverse("meetings:detail", kwargs={"meeting_pk": meeting.pk}) + "#attendance-heading")
    return _detail(request, meeting, status=400, attendance_form=form)


# ---------------------------------------------------------------- consent to evaluate

@login_required
@require_http_methods(["GET", "POST"])
def consents(request, student_pk):
    student = access.get_student_or_404(request.user, student_pk)
    may_schedule = access.can(request.user, "schedule_meeting", student)
    form, status = (ConsentSendForm(initial={"sent_on": timezone.localdate()}) if may_schedule else None), 200
    if request.method == "POST":
        _require(request.user, "schedule_meeting", student)
        form = ConsentSendForm(request.POST)
        if form.is_valid() and _run(form, lambda: services.consent_send(student=student, user=request.user,
                                                                        **form.cleaned_data)):
            messages.success(request, "Consent form recorded as sent.")
            return redirect("meetings:consents", student_pk=student.pk)
        status = 400
    access.log_read(request, student, "other")
    return render(request, "meetings/consents.html", {
        "student": student, "consents": student.evaluation_consents.select_related("recorded_by"), "form": form,
        "may_schedule": may_schedule}, status=status)


def _consent_for(user, pk, verb: str) -> EvaluationConsent:
    consent = access.get_in_scope_or_404(user, EvaluationConsent.objects.select_related("student"), pk)
    _require(user, verb, consent)
    return consent


@login_required
@require_http_methods(["GET", "POST"])
def consent_respond(request, consent_pk):
    consent = _consent_for(request.user, consent_pk, "schedule_meeting")
    form = ConsentRespondForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = _run(form, lambda: services.consent_respond(consent=consent, user=request.user, **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"{saved.get_response_display()} recorded. Deadlines are being updated.")
            return redirect("meetings:consents", student_pk=consent.student_id)
    return render(request, "meetings/consent_respond.html", {"consent": consent, "student": consent.student,
                                                             "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def consent_form(request, consent_pk):
    consent = _consent_for(request.user, consent_pk, "view")
    if not consent.signed_form:
        raise Http404("No signed form was uploaded.")
    suffix = consent.signed_form.name.rsplit(".", 1)[-1]
    return _file_response(request, consent.student, consent.signed_form, f"consent-{consent.pk}.{suffix}", consent)


# ---------------------------------------------------------------- calendar

@login_required
@require_GET
def my_meetings(request):
    return render(request, "meetings/calendar.html", {
        "meetings": selectors.upcoming_meetings(request.user)[:200], "today": timezone.localdate()})


@login_required
@require_GET
def month(request):
    today = timezone.localdate()
    try:
        year, number = (int(part) for part in request.GET.get("month", f"{today:%Y-%m}").split("-"))
        first = date(year, number, 1)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return render(request, "meetings/month.html", {"error": "Choose a month as YYYY-MM, e.g. 2026-09.",
                                                       "first": date(today.year, today.month, 1), "weeks": []},
                      status=400)
    previous = date(year - 1, 12, 1) if number == 1 else date(year, number - 1, 1)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return render(request, "meetings/month.html", {
        "first": first, "weeks": selectors.month_weeks(request.user, year, number), "today": today,
        "previous": previous, "following": following})


@login_required
@require_http_methods(["GET", "POST"])
def feed(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            revoked = services.calendar_feed_revoke(user=request.user)
            messages.success(request, "Your calendar address is revoked: calendars using it get nothing from now on."
                             if revoked else "You had no calendar address.")
            return redirect("meetings:feed")
        token = services.calendar_feed_issue(user=request.user)
    url = request.build_absolute_uri(reverse("meetings:feed_ics", kwargs={"token": token})) if token else None
    has_feed = hasattr(request.user, "meeting_feed") if token is None else True
    response = render(request, "meetings/feed.html", {"feed_url": url, "has_feed": has_feed})
    response["Cache-Control"] = "private, no-store"  # the address is a secret
    return response


@require_GET
def feed_ics(request, token):
    """The calendar feed: no sign-in (calendar apps cannot), the secret token is the key; 404 when unknown or
    revoked. docs/meetings.md says what it shows."""
    user = selectors.feed_user(token)
    if user is None:
        raise Http404("No such calendar.")
    body = meetings_ics(list(selectors.feed_meetings(user)), calendar_name="Team meetings",
                        base_url=request.build_absolute_uri("/").rstrip("/"), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
