"""The API's router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from accounts.api import RoleAssignmentViewSet, StaffViewSet, TeamMembershipViewSet
from iep.api import EvaluationViewSet, IEPViewSet, SectionViewSet
from students.api import StudentViewSet
from timelines.api import DeadlineViewSet, TimelineEventViewSet

router = DefaultRouter()
router.include_format_suffixes = False  # no ".json" duplicates: they 500ed on actions; the API speaks JSON only
router.register("students", StudentViewSet, basename="student")
router.register("manage/users", StaffViewSet, basename="manage-user")
router.register("manage/role-assignments", RoleAssignmentViewSet, basename="manage-role")
router.register("team-memberships", TeamMembershipViewSet, basename="team-membership")
router.register("ieps", IEPViewSet, basename="iep")  # IEPs, sections (goals, service lines, history), evaluations
router.register("sections", SectionViewSet, basename="section")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("deadlines", DeadlineViewSet, basename="deadline")
router.register("timeline-events", TimelineEventViewSet, basename="timeline-event")

urlpatterns = router.urls

# A trivial authenticated endpoint (issue 5's bench compares lock operations with it)
from django.urls import path  # noqa: E402

from config.ping import ping  # noqa: E402

urlpatterns += [path("ping/", ping, name="ping")]

# Deadline dashboards (issue 7): summary counts and the drill-down list
from timelines.dashboard_api import DashboardDeadlineListView, DashboardSummaryView  # noqa: E402

urlpatterns += [path("dashboard/summary/", DashboardSummaryView.as_view(), name="dashboard-summary"),
                path("dashboard/deadlines/", DashboardDeadlineListView.as_view(), name="dashboard-deadlines")]

# Team meetings (docs/meetings.md): meetings, invitations, contact attempts, excusals, attendance, consents
from meetings.api import (  # noqa: E402
    AttendanceViewSet,
    ContactAttemptViewSet,
    EvaluationConsentViewSet,
    ExcusalViewSet,
    InvitationViewSet,
    MeetingViewSet,
)

meetings_router = DefaultRouter(trailing_slash=True)
meetings_router.include_format_suffixes = False  # as the main router: the API speaks JSON only
meetings_router.include_root_view = False
meetings_router.register("meetings", MeetingViewSet, basename="meeting")
meetings_router.register("meeting-invitations", InvitationViewSet, basename="meeting-invitation")
meetings_router.register("meeting-contact-attempts", ContactAttemptViewSet, basename="meeting-contact-attempt")
meetings_router.register("meeting-excusals", ExcusalViewSet, basename="meeting-excusal")
meetings_router.register("meeting-attendance", AttendanceViewSet, basename="meeting-attendance")
meetings_router.register("evaluation-consents", EvaluationConsentViewSet, basename="evaluation-consent")
urlpatterns += meetings_router.urls

# Progress reports (docs/progress-reports.md): marking periods, reports on goals, finalised documents
from progress.api import MarkingPeriodViewSet, ProgressDocumentViewSet, ProgressReportViewSet  # noqa: E402

progress_router = DefaultRouter(trailing_slash=True)
progress_router.include_format_suffixes = False
progress_router.include_root_view = False
progress_router.register("marking-periods", MarkingPeriodViewSet, basename="marking-period")
progress_router.register("progress-reports", ProgressReportViewSet, basename="progress-report")
progress_router.register("progress-documents", ProgressDocumentViewSet, basename="progress-document")
urlpatterns += progress_router.urls
