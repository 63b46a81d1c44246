from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import access
from accounts.serializers import AccessLogEntrySerializer
from config.query import IdField, query_filters

from .disabilities import Disability, Grade
from .models import Student
from .selectors import access_log_for, students_search
from .serializers import StudentDetailSerializer, StudentSerializer


class StudentListFilter(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    school = IdField()
    grade = forms.ChoiceField(choices=[("", "All"), *Grade.choices], required=False)
    disability = forms.ChoiceField(choices=[("", "All"), *Disability.choices], required=False)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("q", str, description="Name or SASID prefix"),
    OpenApiParameter("school", int), OpenApiParameter("grade", str), OpenApiParameter("disability", str),
]))
class StudentViewSet(viewsets.ReadOnlyModelViewSet):
    """Students the signed-in user may see. Others answer 404."""

    queryset = Student.objects.none()

    def get_serializer_class(self):
        return StudentDetailSerializer if self.action == "retrieve" else StudentSerializer

    def get_queryset(self):
        students = access.visible_students(self.request.user).select_related("school")
        if self.action == "list":
            params = query_filters(self.request, StudentListFilter)
            students = students_search(students, query=params["q"], school_id=params["school"],
                                       grade=params["grade"], disability=params["disability"])
        else:
            students = students.prefetch_related("guardians")
        return students.order_by("last_name", "first_name", "pk")

    def retrieve(self, request, *args, **kwargs):
        student = self.get_object()
        access.log_read(request, student, "record")
        return Response(self.get_serializer(student).data)

    @extend_schema(responses=AccessLogEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        """The student's access log, newest first (district administrators; reading it is logged)."""
        student = self.get_object()
        if not access.can(request.user, "view_access_log", student):
            raise PermissionDenied
        access.log_read(request, student, "access_log")
        page = self.paginate_queryset(access_log_for(student))
        return self.get_paginated_response(AccessLogEntrySerializer(page, many=True).data)
