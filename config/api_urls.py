"""The API's router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from students.api import StudentViewSet

router = DefaultRouter()
router.register("students", StudentViewSet, basename="student")

urlpatterns = router.urls

# IEPs, sections (goals, service lines, history) and evaluations (issue 4)
from iep.api import EvaluationViewSet, IEPViewSet, SectionViewSet  # noqa: E402

router.register("ieps", IEPViewSet, basename="iep")
router.register("sections", SectionViewSet, basename="section")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
urlpatterns = router.urls

# A trivial authenticated endpoint (issue 5's bench compares lock operations with it)
from django.urls import path  # noqa: E402

from config.ping import ping  # noqa: E402

urlpatterns += [path("ping/", ping, name="ping")]
