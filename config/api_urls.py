"""The API's router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from students.api import StudentViewSet

router = DefaultRouter()
router.register("students", StudentViewSet, basename="student")

urlpatterns = router.urls
