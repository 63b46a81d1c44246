"""The API's router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from students.api import StudentViewSet

router = DefaultRouter()
router.register("students", StudentViewSet, basename="student")

urlpatterns = router.urls

from accounts.api import RoleAssignmentViewSet, StaffViewSet, TeamMembershipViewSet  # noqa: E402

router.register("manage/users", StaffViewSet, basename="manage-user")
router.register("manage/role-assignments", RoleAssignmentViewSet, basename="manage-role")
router.register("team-memberships", TeamMembershipViewSet, basename="team-membership")
urlpatterns = router.urls
