import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from progress import services
from progress.exceptions import ReportLocked
from progress.models import MarkingPeriod, ProgressDocument, ProgressReport

from .conftest import filled

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_team_members_write_the_chair_finalises_and_administrators_read(world):
    period = world["periods"][0]
    sped, chair, admin = _api(world["team_sped"]), _api(world["team_chair"]), _api(world["building_admin"])
    ids = []
    for goal in world["goals"]:
        started = sped.post("/api/progress-reports/", {"goal": goal.pk, "period": period.pk}, format="json")
        assert started.status_code == 201
        ids.append(started.json()["id"])
    answer = admin.patch(f"/api/progress-reports/{ids[0]}/", {"revision": 0, "narrative": "x"}, format="json")
    assert answer.status_code == 403
    for pk in ids:
        answer = sped.patch(f"/api/progress-reports/{pk}/", {"revision": 0, "ready": True,
                                                             **filled({"measured_on": "2025-11-10"})}, format="json")
        assert answer.status_code == 200 and answer.json()["status"] == "ready"
    assert sped.post("/api/progress-documents/", {"student": world["student"].pk, "period": period.pk},
                     format="json").status_code == 403
    finalised = chair.post("/api/progress-documents/", {"student": world["student"].pk, "period": period.pk},
                           format="json")
    assert finalised.status_code == 201 and finalised.json()["version"] == 1
    edit = sped.patch(f"/api/progress-reports/{ids[0]}/", {"revision": 1, "narrative": "late edit"}, format="json")
    assert edit.status_code == 409
    assert ProgressReport.objects.get(pk=ids[0]).narrative.startswith("Reads 78")
    listed = admin.get(f"/api/progress-documents/?student={world['student'].pk}").json()
    assert [d["id"] for d in listed["results"]] == [finalised.json()["id"]]
    outsider = _api(world["other_district_admin"])
    assert outsider.get(f"/api/progress-reports/{ids[0]}/").status_code == 404


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(world):
    sped, admin = _api(world["team_sped"]), _api(world["district_admin"])
    later = MarkingPeriod.objects.create(district=world["district"], school_year="2026-27", name="T1",
                                         start="2026-09-01", end="2026-11-13", report_due="2026-11-20")
    answer = sped.post("/api/progress-reports/", {"goal": world["goals"][0].pk, "period": later.pk}, format="json")
    assert answer.status_code == 400 and "period" in answer.json()
    answer = admin.post("/api/marking-periods/", {"district": world["district"].pk, "school_year": "2026-27",
                                                  "name": "Bad", "start": "2026-12-01", "end": "2026-11-01",
                                                  "report_due": "2026-12-10"}, format="json")
    assert answer.status_code == 400 and "end" in answer.json()
    answer = admin.post("/api/marking-periods/", {"district": world["district"].pk, "school_year": "2025-26",
                                                  "name": "Overlap", "start": "2025-11-01", "end": "2025-12-01",
                                                  "report_due": "2025-12-10", "colour": "red"}, format="json")
    assert answer.status_code == 400 and "colour" in answer.json()
    answer = admin.post("/api/marking-periods/", {"district": world["district"].pk, "school_year": "2025-26",
                                                  "name": "Overlap", "start": "2025-11-01", "end": "2025-12-01",
                                                  "report_due": "2025-12-10"}, format="json")
    assert answer.status_code == 400 and "Term 1" in answer.json()["start"][0]
    assert not ProgressReport.objects.exists() and MarkingPeriod.objects.count() == 4
    assert not ProgressDocument.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locking")
@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_ten_racers_gets_a_goals_report(world):
    from accounts.services import team_membership_add
    from tests.factories import UserFactory

    report = services.report_start(goal=world["goals"][0], period=world["periods"][0], user=world["team_sped"])
    users = UserFactory.create_batch(10)
    for user in users:
        team_membership_add(student=world["student"], user=user)
    start = threading.Barrier(len(users))

    def race(user):
        start.wait()
        try:
            services.report_check_out(report=report, user=user)
            return True
        except ReportLocked:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(len(users)) as pool:
        assert list(pool.map(race, users)).count(True) == 1
