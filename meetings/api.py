"""API of Team meetings: meetings, invitations, contact attempts, excusals, attendance, consent to evaluate.

Scope comes from get_queryset (404) and from the related-object choices, which list only what the caller may
see (so an id outside the scope reads like one that does not exist: 400 on a write). accounts.access decides
the rest (403): the chair and administrators schedule; Team members read and may record attendance.
"""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import access
from accounts.api_logging import StudentListLogging
from config.input_checks import GuardedJSONParser
from config.query import IdField, StudentFilter, query_filters
from iep.models import IEP
from students.models import Guardian

from . import selectors, services
from .exceptions import MeetingRefusal
from .models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting
from .serializers import (
    AttendanceSerializer,
    ConsentResponseSerializer,
    ContactAttemptSerializer,
    EvaluationConsentSerializer,
    ExcusalSerializer,
    HoldSerializer,
    InvitationSerializer,
    MeetingChangeSerializer,
    MeetingCreatedSerializer,
    MeetingSerializer,
)

ERRORS = {400: OpenApiResponse(description="Bad input or a rule refused it (field errors); nothing written"),
          403: OpenApiResponse(description="In scope, but your role may not do this"),
          404: OpenApiResponse(description="No such object, or outside your scope")}
STUDENT_FILTER = [OpenApiParameter("student", int, description="Only this student's records")]
MEETING_FILTER = [OpenApiParameter("meeting", int, description="Only this meeting's records")]


def refused(refusal: MeetingRefusal) -> serializers.ValidationError:
    return serializers.ValidationError({("non_field_errors" if field == "__all__" else field): messages
                                        for field, messages in refusal.errors.items()})


def require(user, verb: str, obj) -> None:
    if not access.can(user, verb, obj):
        raise PermissionDenied("Only the Team chair and administrators schedule meetings."
                               if verb == "schedule_meeting" else "You may not do this for this meeting.")


class LoggedRetrieveMixin:
    """Retrieve one record, and write the read of that student's record to the access log."""

    def retrieve(self, request, *args, **kwargs):
        found = self.get_object()
        student = found.student if hasattr(found, "student") else found.meeting.student
        access.log_read(request, student, "other", obj=found)
        return Response(self.get_serializer(found).data)


class MeetingListFilter(StudentFilter):
    meeting = IdField()


class ScopedViewSet(viewsets.GenericViewSet):
    """Related-object fields list only objects in the caller's scope; ?student= and ?meeting= filter lists."""

    permission_classes = [permissions.IsAuthenticated]
    student_path = "student"

    def scoped(self, queryset):
        return queryset.filter(**{f"{self.student_path}__in": access.visible_students(self.request.user)})

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        students = access.visible_students(self.request.user)
        choices = {"student": students, "meeting": Meeting.objects.filter(student__in=students),
                   "iep": IEP.objects.filter(student__in=students),
                   "guardian": Guardian.objects.filter(student__in=students),
                   "member": access.visible_staff(self.request.user),
                   "user": access.visible_staff(self.request.user)}
        for name, queryset in choices.items():
            field = fields.get(name)
            if field is not None and not field.read_only and hasattr(field, "queryset"):
                field.queryset = queryset
        return serializer

    def filtered(self, queryset):
        params = query_filters(self.request, MeetingListFilter)  # a bad id answers 400, never reaches the database
        if params["student"]:
            queryset = queryset.filter(**{f"{self.student_path}_id": params["student"]})
        if params["meeting"] and self.student_path == "meeting__student":
            queryset = queryset.filter(meeting_id=params["meeting"])
        return queryset


@extend_schema_view(list=extend_schema(parameters=STUDENT_FILTER, summary="Meetings of the students you see"),
                    retrieve=extend_schema(responses={200: MeetingSerializer, 404: ERRORS[404]}),
                    create=extend_schema(request=MeetingSerializer,
                                         responses={201: MeetingCreatedSerializer, **ERRORS},
                                         summary="Schedule a meeting (the chair and administrators); overlaps of "
                                                 "the same people are returned as a warning"),
                    partial_update=extend_schema(request=MeetingChangeSerializer,
                                                 responses={200: MeetingSerializer, **ERRORS},
                                                 summary="Reschedule a meeting that is not yet held"))
class MeetingViewSet(StudentListLogging, mixins.ListModelMixin, LoggedRetrieveMixin, ScopedViewSet):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return self.filtered(self.scoped(Meeting.objects.select_related("student"))).order_by("-date", "-pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        student = data.pop("student")
        require(request.user, "schedule_meeting", student)
        try:
            meeting = services.meeting_schedule(student=student, user=request.user, **data)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        pairs = selectors.overlaps(student=student, on=meeting.date, start_time=meeting.start_time,
                                   duration_minutes=meeting.duration_minutes, scheduler=request.user,
                                   exclude_pk=meeting.pk)
        answer = MeetingCreatedSerializer(meeting).data
        answer["overlaps"] = [f"{person.get_full_name() or person.username}: meeting {other.pk} at "
                              f"{other.start_time:%H:%M}" for person, other in pairs]
        return Response(answer, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        require(request.user, "schedule_meeting", meeting)
        body = MeetingChangeSerializer(data=request.data, partial=True)
        body.fields["iep"].queryset = IEP.objects.filter(student=meeting.student)
        body.is_valid(raise_exception=True)
        try:
            meeting = services.meeting_reschedule(meeting=meeting, user=request.user, **body.validated_data)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=HoldSerializer, responses={200: MeetingSerializer, **ERRORS},
                   summary="Record the meeting as held, with who attended (supplies the team_meeting event)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        meeting = self.get_object()
        require(request.user, "schedule_meeting", meeting)
        body = HoldSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        attendees = [{"kind": a["kind"], "attendee": a.get("user"), "guardian": a.get("guardian"),
                      "name": a.get("name", ""), "role": a.get("role", ""), "language": a.get("language", "")}
                     for a in body.validated_data["attendees"]]
        try:
            meeting = services.meeting_hold(meeting=meeting, user=request.user, attendees=attendees)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=None, responses={200: MeetingSerializer, **ERRORS}, summary="Cancel a scheduled meeting")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        require(request.user, "schedule_meeting", meeting)
        try:
            meeting = services.meeting_cancel(meeting=meeting, user=request.user)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(MeetingSerializer(meeting).data)


class MeetingPartViewSet(StudentListLogging, mixins.ListModelMixin, LoggedRetrieveMixin, ScopedViewSet):
    """A record that belongs to a meeting: listed where the student is visible, written as `verb` allows."""

    student_path = "meeting__student"
    verb = "schedule_meeting"
    model = None

    def get_queryset(self):
        return self.filtered(self.scoped(self.model.objects.select_related("meeting__student"))).order_by("-pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting = data.pop("meeting")
        require(request.user, self.verb, meeting)
        try:
            created = self.perform(meeting, data)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


def _part_schema(what: str, serializer):
    return extend_schema_view(
        list=extend_schema(parameters=[*STUDENT_FILTER, *MEETING_FILTER], summary=f"{what} of the students you see"),
        retrieve=extend_schema(responses={200: serializer, 404: ERRORS[404]}),
        create=extend_schema(responses={201: serializer, **ERRORS}, summary=f"Record {what.lower()}"))


@_part_schema("Invitations", InvitationSerializer)
class InvitationViewSet(MeetingPartViewSet):
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()
    model = Invitation

    def perform(self, meeting, data):
        return services.invitation_send(meeting=meeting, user=self.request.user, **data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERRORS[404]},
                   summary="Download the printed invitation (404 until it is ready)")
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        invitation = self.get_object()
        if not invitation.is_ready:
            raise Http404("The invitation is not printed yet.")
        access.log_read(request, invitation.meeting.student, "pdf", obj=invitation)
        response = FileResponse(invitation.file.open("rb"), content_type="application/pdf", as_attachment=True,
                                filename=invitation.filename)
        response["Cache-Control"] = "private, no-store"
        return response


@_part_schema("Contact attempts", ContactAttemptSerializer)
class ContactAttemptViewSet(MeetingPartViewSet):
    serializer_class = ContactAttemptSerializer
    queryset = ContactAttempt.objects.none()
    model = ContactAttempt

    def perform(self, meeting, data):
        return services.contact_attempt_record(meeting=meeting, user=self.request.user, **data)


@_part_schema("Excusals", ExcusalSerializer)
class ExcusalViewSet(MeetingPartViewSet):
    serializer_class = ExcusalSerializer
    queryset = Excusal.objects.none()
    model = Excusal
    parser_classes = [GuardedJSONParser, MultiPartParser, FormParser]

    def perform(self, meeting, data):
        return services.excusal_record(meeting=meeting, user=self.request.user,
                                       parent_agreed_on=data.get("parent_agreed_on"), member=data["member"],
                                       area_discussed=data.get("area_discussed", False),
                                       written_input_on=data.get("written_input_on"), agreement=data.get("agreement"))


@_part_schema("Attendance", AttendanceSerializer)
class AttendanceViewSet(MeetingPartViewSet):
    serializer_class = AttendanceSerializer
    queryset = Attendance.objects.none()
    model = Attendance
    verb = "record_attendance"

    def perform(self, meeting, data):
        return services.attendance_record(meeting=meeting, user=self.request.user, kind=data["kind"],
                                          attendee=data.get("user"), guardian=data.get("guardian"),
                                          name=data.get("name", ""), role=data.get("role", ""),
                                          language=data.get("language", ""))


@extend_schema_view(list=extend_schema(parameters=STUDENT_FILTER, summary="Consents to evaluate"),
                    retrieve=extend_schema(responses={200: EvaluationConsentSerializer, 404: ERRORS[404]}),
                    create=extend_schema(responses={201: EvaluationConsentSerializer, **ERRORS},
                                         summary="Record that the consent form was sent"))
class EvaluationConsentViewSet(StudentListLogging, mixins.ListModelMixin, LoggedRetrieveMixin, ScopedViewSet):
    serializer_class = EvaluationConsentSerializer
    queryset = EvaluationConsent.objects.none()

    def get_queryset(self):
        return self.filtered(self.scoped(EvaluationConsent.objects.all())).order_by("-sent_on", "-pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        student = data.pop("student")
        require(request.user, "schedule_meeting", student)
        try:
            consent = services.consent_send(student=student, user=request.user, **data)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentResponseSerializer, responses={200: EvaluationConsentSerializer, **ERRORS},
                   summary="Record the parent's answer: consent given (supplies consent_received) or refused")
    @action(detail=True, methods=["post"], parser_classes=[GuardedJSONParser, MultiPartParser, FormParser])
    def respond(self, request, pk=None):
        consent = self.get_object()
        require(request.user, "schedule_meeting", consent)
        body = ConsentResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            consent = services.consent_respond(consent=consent, user=request.user, **body.validated_data)
        except MeetingRefusal as refusal:
            raise refused(refusal) from refusal
        return Response(EvaluationConsentSerializer(consent).data)
