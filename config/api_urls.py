"""The API's router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from students.api import StudentViewSet
from timelines.api import DeadlineViewSet, TimelineEventViewSet

router = DefaultRouter()
router.register("students", StudentViewSet, basename="student")
router.register("deadlines", DeadlineViewSet, basename="deadline")
router.register("timeline-events", TimelineEventViewSet, basename="timeline-event")

urlpatterns = router.urls
