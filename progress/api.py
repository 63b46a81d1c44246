"""Progress reporting in the API: marking periods, reports, documents (docs/progress-reports.md).

Scope first (404): periods of the districts the user works in; reports and documents of students they may see.
Then the verb (403): district administrators manage periods; Team members write reports; the chair finalises
and records sending; everyone in scope (administrators too) reads.
"""

from django.db import transaction
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import access
from accounts.api_logging import StudentListLogging
from iep.access_log import log_read
from iep.models import Section
from students.models import District, Guardian, School

from . import services
from .exceptions import InvalidInput, ProgressError
from .models import MarkingPeriod, ProgressDocument, ProgressReport
from .serializers import (
    FinaliseSerializer,
    MarkingPeriodSerializer,
    MarkingPeriodWriteSerializer,
    PeriodImportSerializer,
    ProgressDocumentSerializer,
    ProgressReportSerializer,
    ReasonSerializer,
    ReportStartSerializer,
    ReportWriteSerializer,
    SentSerializer,
)


class Conflict(APIException):
    status_code, default_code = 409, "conflict"


CONFLICT = OpenApiResponse(description="Finalised (read-only), being written by someone else, a stale revision, "
                                       "or not every report is ready")


def run(call):
    """Call a service, answering its refusals: field errors 400, state conflicts 409."""
    try:
        return call()
    except InvalidInput as exc:
        raise ValidationError(exc.errors) from exc
    except ProgressError as exc:
        raise Conflict(str(exc)) from exc


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19 else None


def _district_for(user, pk: int) -> District:
    """A district the user works in (404 otherwise); managing it needs its district administrators (403)."""
    if pk not in access.staff_districts(user):
        raise Http404("No such district.")
    district = District.objects.get(pk=pk)
    if not access.can(user, "manage_district", district):
        raise PermissionDenied("Only the district's administrators manage marking periods.")
    return district


def _school_of(district: District, pk: int | None) -> School | None:
    if pk is None:
        return None
    school = School.objects.filter(pk=pk, district=district).first()
    if school is None:
        raise ValidationError({"school": ["No such school in this district."]})
    return school


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("district", int), OpenApiParameter("school", int)]),
    create=extend_schema(request=MarkingPeriodWriteSerializer, responses={201: MarkingPeriodSerializer}),
    update=extend_schema(request=MarkingPeriodWriteSerializer, responses={200: MarkingPeriodSerializer}),
    destroy=extend_schema(responses={204: None}),
)
class MarkingPeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Marking periods of the districts the user works in (schools' and district-wide)."""

    serializer_class = MarkingPeriodSerializer
    queryset = MarkingPeriod.objects.none()
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        periods = MarkingPeriod.objects.shared().filter(district_id__in=access.staff_districts(self.request.user))
        params = self.request.query_params
        if (district := _int(params.get("district"))) is not None:
            periods = periods.filter(district_id=district)
        if (school := _int(params.get("school"))) is not None:
            periods = periods.filter(school_id=school)
        return periods.order_by("start", "pk")

    def _save(self, request, period=None):
        data = MarkingPeriodWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        district = _district_for(request.user, values["district"])
        if period is not None and period.district_id != district.pk:
            raise ValidationError({"district": ["A period stays in its district."]})
        school = _school_of(district, values.get("school"))
        saved = run(lambda: services.period_save(district=district, school=school, school_year=values["school_year"],
                                                 name=values["name"], start=values["start"], end=values["end"],
                                                 report_due=values["report_due"], period=period))
        return MarkingPeriodSerializer(saved).data

    def create(self, request):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        period = self.get_object()
        _district_for(request.user, period.district_id)
        return Response(self._save(request, period))

    def destroy(self, request, pk=None):
        period = self.get_object()
        _district_for(request.user, period.district_id)
        run(lambda: services.period_delete(period=period))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PeriodImportSerializer, responses={201: MarkingPeriodSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        data = PeriodImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        district = _district_for(request.user, data.validated_data["district"])
        made = run(lambda: services.periods_import_csv(district=district, text=data.validated_data["csv"]))
        return Response(MarkingPeriodSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


def _require(user, verb: str, obj, message: str) -> None:
    if not access.can(user, verb, obj):
        raise PermissionDenied(message)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("student", int), OpenApiParameter("period", int)]),
    create=extend_schema(request=ReportStartSerializer, responses={201: ProgressReportSerializer}),
    partial_update=extend_schema(request=ReportWriteSerializer, responses={200: ProgressReportSerializer,
                                                                           409: CONFLICT}),
)
class ProgressReportViewSet(StudentListLogging, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Reports on goals (every version), of the students the user may see."""

    serializer_class = ProgressReportSerializer
    queryset = ProgressReport.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        reports = ProgressReport.objects.filter(student__in=access.visible_students(self.request.user))
        params = self.request.query_params
        if (student := _int(params.get("student"))) is not None:
            reports = reports.filter(student_id=student)
        if (period := _int(params.get("period"))) is not None:
            reports = reports.filter(period_id=period)
        return reports.select_related("student", "iep", "lock__holder").order_by("student_id", "period_id",
                                                                                "goal__position", "version")

    def retrieve(self, request, pk=None):
        report = self.get_object()
        log_read(request, report.student, "iep", obj=report.iep)
        return Response(ProgressReportSerializer(report).data)

    def create(self, request):
        data = ReportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = (Section.objects.goals().filter(iep__student__in=access.visible_students(request.user))
                .select_related("iep__student").filter(pk=data.validated_data["goal"]).first())
        if goal is None:
            raise ValidationError({"goal": ["No such goal."]})
        _require(request.user, "write_progress", goal.iep.student, "Only the student's Team writes progress reports.")
        period = MarkingPeriod.objects.filter(pk=data.validated_data["period"],
                                              district_id=goal.iep.student.district_id).first()
        if period is None:
            raise ValidationError({"period": ["No such period in the student's district."]})
        report = run(lambda: services.report_start(goal=goal, period=period, user=request.user))
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        report = self.get_object()
        _require(request.user, "write_progress", report.student, "Only the student's Team writes progress reports.")
        data = ReportWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision, ready = values.pop("revision"), values.pop("ready", None)
        saved = run(lambda: services.report_save(report=report, user=request.user, data=values, revision=revision,
                                                 ready=ready))
        return Response(ProgressReportSerializer(saved).data)

    @extend_schema(request=None, responses={200: ProgressReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        report = self.get_object()
        _require(request.user, "write_progress", report.student, "Only the student's Team writes progress reports.")
        run(lambda: services.report_check_out(report=report, user=request.user))
        return Response(ProgressReportSerializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: ProgressReportSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        report = self.get_object()
        _require(request.user, "write_progress", report.student, "Only the student's Team writes progress reports.")
        services.report_release(report=report, user=request.user)
        return Response(ProgressReportSerializer(self.get_object()).data)

    @extend_schema(request=ReasonSerializer, responses={201: ProgressReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        report = self.get_object()
        _require(request.user, "write_progress", report.student, "Only the student's Team writes progress reports.")
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = run(lambda: services.report_correct(report=report, user=request.user,
                                                   reason=data.validated_data["reason"]))
        return Response(ProgressReportSerializer(copy).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("student", int), OpenApiParameter("period", int)]),
    create=extend_schema(request=FinaliseSerializer, responses={201: ProgressDocumentSerializer, 409: CONFLICT}),
)
class ProgressDocumentViewSet(StudentListLogging, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Finalised progress reports (every version): the chair finalises (POST) and records sending."""

    serializer_class = ProgressDocumentSerializer
    queryset = ProgressDocument.objects.none()

    def get_queryset(self):
        documents = ProgressDocument.objects.filter(student__in=access.visible_students(self.request.user))
        params = self.request.query_params
        if (student := _int(params.get("student"))) is not None:
            documents = documents.filter(student_id=student)
        if (period := _int(params.get("period"))) is not None:
            documents = documents.filter(period_id=period)
        return documents.select_related("student").order_by("student_id", "period_id", "version")

    def create(self, request):
        data = FinaliseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        student = access.visible_students(request.user).filter(pk=data.validated_data["student"]).first()
        if student is None:
            raise ValidationError({"student": ["No such student."]})
        _require(request.user, "finalise_progress", student, "Only the Team chair finalises progress reports.")
        period = MarkingPeriod.objects.filter(pk=data.validated_data["period"], district_id=student.district_id).first()
        if period is None:
            raise ValidationError({"period": ["No such period in the student's district."]})
        with transaction.atomic():
            document = run(lambda: services.reports_finalise(student=student, period=period, user=request.user))
        return Response(ProgressDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SentSerializer, responses={200: ProgressDocumentSerializer})
    @action(detail=True, methods=["post"])
    def sent(self, request, pk=None):
        document = self.get_object()
        _require(request.user, "finalise_progress", document.student, "Only the Team chair records sending.")
        data = SentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("email_to") is not None:
            guardian = Guardian.objects.filter(pk=values["email_to"], student_id=document.student_id).first()
            if guardian is None:
                raise ValidationError({"email_to": ["No such parent or guardian of this student."]})
            if values["method"] != ProgressDocument.Method.EMAIL:
                raise ValidationError({"method": ["Use email to email the report to a parent or guardian."]})
            saved = run(lambda: services.document_email(document=document, user=request.user, guardian=guardian))
            return Response(ProgressDocumentSerializer(saved).data)
        saved = run(lambda: services.document_mark_sent(document=document, user=request.user,
                                                        sent_on=values["sent_on"], method=values["method"],
                                                        note=values.get("note", "")))
        return Response(ProgressDocumentSerializer(saved).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        if not document.is_ready:
            raise Http404("The document is not ready.")
        log_read(request, document.student, "pdf", obj=document)
        response = FileResponse(document.file.open("rb"), content_type="application/pdf", as_attachment=True,
                                filename=document.filename)
        response["Cache-Control"] = "private, no-store"
        return response
