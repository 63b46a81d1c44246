"""The management API for district administrators: staff accounts, role assignments, Team membership.

Same rules as the /manage/ pages: outside the requester's districts (or students they cannot see) 404,
in scope without the district administrator role 403, invalid input 400 with field errors.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.query import StudentFilter, query_filters
from students.models import District, Student

from . import access, services
from .api_logging import StudentReadLogging
from .models import RoleAssignment, TeamMembership, User
from .serializers import RoleAssignmentSerializer, StaffSerializer, TeamMembershipSerializer


def _as_api_error(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class DistrictAdminOnly(permissions.BasePermission):
    """Lists and creates need the district administrator role somewhere; objects need it in their district."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if view.action in ("list", "create"):
            return bool(access.administered_districts(request.user))
        return True

    def has_object_permission(self, request, view, obj):
        return access.is_district_admin(request.user, obj.district_id)


class StaffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Staff accounts of the districts the user administers. Create makes an account with no usable password."""

    serializer_class = StaffSerializer
    permission_classes = [DistrictAdminOnly]
    queryset = User.objects.none()

    def get_queryset(self):
        if self.action == "list":
            return (User.objects.filter(district_id__in=access.administered_districts(self.request.user))
                    .order_by("last_name", "first_name", "pk"))
        return access.visible_staff(self.request.user)

    def perform_create(self, serializer):
        district = serializer.validated_data.get("district")
        if district is None or district.pk not in access.administered_districts(self.request.user):
            raise serializers.ValidationError({"district": "Choose a district you administer."})
        data = {k: serializer.validated_data.get(k, "") for k in ("username", "first_name", "last_name", "email",
                                                                  "job_title")}
        try:
            serializer.instance = services.user_create(district=district, **data)
        except ValidationError as error:
            raise _as_api_error(error) from error

    @extend_schema(request=None, responses=StaffSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Deactivate the account (it can no longer sign in); its records are kept."""
        user = self.get_object()
        if user.pk == request.user.pk:
            raise serializers.ValidationError({"detail": "You cannot deactivate your own account."})
        try:
            services.user_deactivate(user=user)
        except ValidationError as error:
            raise _as_api_error(error) from error
        return Response(StaffSerializer(user).data)


class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Role assignments in the districts the user administers. The district is the staff member's own."""

    serializer_class = RoleAssignmentSerializer
    permission_classes = [DistrictAdminOnly]
    queryset = RoleAssignment.objects.none()

    def get_queryset(self):
        user = self.request.user
        districts = access.administered_districts(user) if self.action == "list" else access.staff_districts(user)
        return (RoleAssignment.objects.filter(district_id__in=districts).select_related("district", "school")
                .order_by("user_id", "role", "pk"))

    def perform_create(self, serializer):
        target = serializer.validated_data["user"]
        if target.district_id not in access.administered_districts(self.request.user):
            raise serializers.ValidationError({"user": "Choose a staff member of a district you administer."})
        try:
            serializer.instance = services.role_assignment_add(
                user=target, role=serializer.validated_data["role"], district=District.objects.get(
                    pk=target.district_id), school=serializer.validated_data.get("school"))
        except ValidationError as error:
            raise _as_api_error(error) from error

    def perform_destroy(self, instance):
        try:
            services.role_assignment_remove(assignment=instance, by=self.request.user)
        except ValidationError as error:
            raise _as_api_error(error) from error


class TeamMembershipAccess(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if view.action == "create":
            return bool(access.administered_districts(request.user))
        return True

    def has_object_permission(self, request, view, obj):
        verb = "view" if request.method in permissions.SAFE_METHODS else "manage_team"
        return access.can(request.user, verb, obj.student)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("student", int)]))
class TeamMembershipViewSet(StudentReadLogging, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Team memberships of the students the user sees (filter with ?student=). Adding, changing the chair
    (team_role "chair" demotes the previous chair) and removing are for district administrators, through
    accounts.services so the object permissions follow."""

    serializer_class = TeamMembershipSerializer
    access_log_part = "team"
    permission_classes = [TeamMembershipAccess]
    queryset = TeamMembership.objects.none()

    def get_queryset(self):
        memberships = TeamMembership.objects.filter(student__in=access.visible_students(self.request.user))
        if self.action == "list" and (student := query_filters(self.request, StudentFilter)["student"]):
            memberships = memberships.filter(student_id=student)
        return memberships.select_related("student", "user").order_by("student_id", "-team_role", "user_id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        student: Student = data["student"]
        if not access.visible_students(request.user).filter(pk=student.pk).exists():
            raise serializers.ValidationError({"student": "No such student."})
        if not access.can(request.user, "manage_team", student):
            raise PermissionDenied
        if data["user"].district_id != student.district_id:
            raise serializers.ValidationError({"user": "Only staff of the student's district can join the Team."})
        with transaction.atomic():
            if data.get("team_role") == TeamMembership.TeamRole.CHAIR:
                services.team_chair_set(student=student, user=data["user"])
            membership = services.team_membership_add(student=student, user=data["user"],
                                                      team_role=data.get("team_role", TeamMembership.TeamRole.MEMBER),
                                                      responsibility=data.get("responsibility", ""))
        return Response(TeamMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.team_membership_remove(student=instance.student, user=instance.user)
