from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from accounts import access

from .models import Student
from .selectors import students_search
from .serializers import StudentDetailSerializer, StudentSerializer


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
            params = self.request.query_params
            school = params.get("school", "")
            students = students_search(students, query=params.get("q", "")[:100],
                                       school_id=int(school) if school.isdigit() else None,
                                       grade=params.get("grade", ""), disability=params.get("disability", ""))
        else:
            students = students.prefetch_related("guardians")
        return students.order_by("last_name", "first_name", "pk")
