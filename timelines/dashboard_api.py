"""The dashboards' data through the API (issue 7): summary counts and the drill-down list, for districts that
build their own reports. Same scope as the pages: only students in `accounts.access.visible_students`."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from students.models import District, School

from . import dashboard_selectors as sel
from .dashboard_forms import SORT_CHOICES, DeadlineFilterForm
from .dashboard_views import _days_text
from .models import Deadline

FILTER_PARAMETERS = [
    OpenApiParameter("district", int, description="Only this district (one you work in)."),
    OpenApiParameter("school", int, description="Only this school."),
    OpenApiParameter("key", str, description="Deadline type (see the `key` enum of deadlines)."),
    OpenApiParameter("status", str, enum=[value for value, _label in sel.STATUS_CHOICES],
                     description="A stored status, or open (default), pending (due soon or upcoming) or all."),
    OpenApiParameter("chair", int, description="Team chair's user id; 0 for students without a chair."),
    OpenApiParameter("due_from", OpenApiTypes.DATE), OpenApiParameter("due_to", OpenApiTypes.DATE),
    OpenApiParameter("scope", str, enum=["chair", "team"], description="chair: students whose Team I chair; "
                     "team: students on my Teams; omitted: every student I may see."),
    OpenApiParameter("sort", str, enum=[value for value, _label in SORT_CHOICES]),
    OpenApiParameter("dir", str, enum=["asc", "desc"]),
]


class CountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    due_7 = serializers.IntegerField(help_text="Due within 7 days (status due_soon).")
    due_30 = serializers.IntegerField(help_text="Not yet due and due within 30 days (includes due_7).")


class SchoolCountsSerializer(CountsSerializer):
    school = serializers.IntegerField()
    name = serializers.CharField()


class KeyCountsSerializer(CountsSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class ChairCountsSerializer(CountsSerializer):
    chair = serializers.IntegerField(allow_null=True, help_text="User id; null for students without a chair.")
    name = serializers.CharField()


class TrendPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    overdue = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    today = serializers.DateField()
    total = CountsSerializer()
    by_school = SchoolCountsSerializer(many=True)
    by_key = KeyCountsSerializer(many=True)
    by_chair = ChairCountsSerializer(many=True)
    trend = TrendPointSerializer(many=True, allow_null=True,
                                 help_text="Weekly overdue counts; null unless you administer the district or school.")


def _counts(counts: sel.Counts) -> dict:
    return {"overdue": counts.overdue, "due_7": counts.due_7, "due_30": counts.due_30}


def _filter_form(request) -> DeadlineFilterForm:
    form = DeadlineFilterForm(request.query_params, user=request.user)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return form


class DashboardSummaryView(APIView):
    """Overdue / due within 7 / within 30 days of the students you may see, in total and by school, deadline
    type and Team chair; narrowed by `district` or `school`. The weekly trend is included for the district or
    school you administer."""

    @extend_schema(parameters=FILTER_PARAMETERS[:2], responses=SummarySerializer)
    def get(self, request):
        form = _filter_form(request)
        today = timezone.localdate()
        district_id, school_id = form.cleaned_data.get("district"), form.cleaned_data.get("school")
        school_ids = [school_id] if school_id else None
        summary = sel.deadline_summary(request.user, district_id=district_id, school_ids=school_ids, today=today)
        trend = None
        if school_id and access.can(request.user, "view_dashboard", School.objects.get(pk=school_id)):
            trend = sel.overdue_trend(school_ids=school_ids, today=today)
        elif district_id and not school_id and access.can(request.user, "view_dashboard",
                                                          District.objects.get(pk=district_id)):
            trend = sel.overdue_trend(district_id=district_id, today=today)
        return Response(SummarySerializer({
            "today": today, "total": _counts(summary.total),
            "by_school": [{"school": s.pk, "name": s.name, **_counts(c)} for s, c in summary.by_school],
            "by_key": [{"key": k, "label": label, **_counts(c)} for k, label, c in summary.by_key],
            "by_chair": [{"chair": u.pk if u else None, "name": (u.get_full_name() or u.username) if u else "",
                          **_counts(c)} for u, c in summary.by_chair],
            "trend": [{"date": day, "overdue": n} for day, n in trend] if trend is not None else None,
        }).data)


class DashboardRowSerializer(serializers.ModelSerializer):
    student_name = serializers.SerializerMethodField()
    label = serializers.CharField(read_only=True)
    days_left = serializers.SerializerMethodField(help_text="Negative when overdue; null without a date.")
    days_text = serializers.SerializerMethodField()
    chair = serializers.IntegerField(source="chair_pk", allow_null=True, read_only=True)
    chair_name = serializers.SerializerMethodField()
    school = serializers.IntegerField(source="student.school_id", read_only=True)
    school_name = serializers.CharField(source="student.school.name", read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "student", "student_name", "key", "label", "due", "days_left", "days_text", "status",
                  "chair", "chair_name", "school", "school_name"]

    def get_student_name(self, obj) -> str:
        return f"{obj.student.last_name}, {obj.student.first_name}"

    def get_days_left(self, obj) -> int | None:
        return (obj.due - self.context["today"]).days if obj.due else None

    def get_days_text(self, obj) -> str:
        return _days_text(obj, self.context["today"])

    def get_chair_name(self, obj) -> str:
        return " ".join(p for p in (obj.chair_first, obj.chair_last) if p) if obj.chair_pk else ""


class DashboardPagination(PageNumberPagination):
    page_size = sel.PAGE_SIZE


@extend_schema(parameters=FILTER_PARAMETERS)
class DashboardDeadlineListView(generics.ListAPIView):
    """The drill-down list: deadlines of the students you may see, filtered and sorted like the page, 50 a page."""

    serializer_class = DashboardRowSerializer
    pagination_class = DashboardPagination
    queryset = Deadline.objects.none()

    def get_queryset(self):
        form = _filter_form(self.request)
        sort, descending = form.sorting()
        return sel.deadline_list(self.request.user, form.filters(), sort=sort, descending=descending)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
