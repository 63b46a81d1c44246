from django import forms
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import access
from accounts.api_logging import StudentReadLogging
from config.query import StudentFilter, query_filters

from . import services
from .forms import TimelineEventForm
from .models import Deadline, TimelineEvent
from .serializers import DeadlineSerializer, TimelineEventSerializer


class DeadlineListFilter(StudentFilter):
    status = forms.ChoiceField(choices=[("", "Any"), *Deadline.Status.choices], required=False)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("student", int),
                                                   OpenApiParameter("status", str, enum=Deadline.Status.values)]))
class DeadlineViewSet(StudentReadLogging, viewsets.ReadOnlyModelViewSet):
    """Stored deadlines of the students the signed-in user may see (others answer 404)."""

    serializer_class = DeadlineSerializer
    access_log_part = "timeline"
    queryset = Deadline.objects.none()

    def get_queryset(self):
        deadlines = Deadline.objects.filter(student__in=access.visible_students(self.request.user))
        if self.action == "list":
            params = query_filters(self.request, DeadlineListFilter)
            if params["student"]:
                deadlines = deadlines.filter(student_id=params["student"])
            if params["status"]:
                deadlines = deadlines.filter(status=params["status"])
        return deadlines.order_by("due", "student_id", "key", "pk")


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("student", int)]))
class TimelineEventViewSet(StudentReadLogging, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Timeline events: read where the student is visible; recording needs the student's Team (403)."""

    serializer_class = TimelineEventSerializer
    access_log_part = "timeline"
    permission_classes = [permissions.IsAuthenticated]
    queryset = TimelineEvent.objects.none()

    def get_queryset(self):
        events = TimelineEvent.objects.filter(student__in=access.visible_students(self.request.user))
        if self.action == "list" and (student := query_filters(self.request, StudentFilter)["student"]):
            events = events.filter(student_id=student)
        return events.select_related("recorded_by").order_by("-date", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        student = serializer.validated_data["student"]
        student = access.get_student_or_404(request.user, student.pk)
        if not access.can(request.user, "record_event", student):
            raise PermissionDenied("Only the student's Team may record timeline events.")
        form = TimelineEventForm({"key": serializer.validated_data["key"], "date": serializer.validated_data["date"],
                                  "note": serializer.validated_data.get("note", "")},
                                 student=student, today=timezone.localdate())
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        event = services.timeline_event_record(student=student, key=form.cleaned_data["key"],
                                               on=form.cleaned_data["date"], note=form.cleaned_data["note"],
                                               user=request.user)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)
