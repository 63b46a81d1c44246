import datetime

import pytest
from rest_framework.test import APIClient

from iep.models import IEP, Section
from iep.services.sections import iep_propose, section_update
from tests.factories import EvaluationFactory
from tests.iep.conftest import GOAL, held, line, section_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    return APIClient()


def as_(api_client, personas, who):
    api_client.force_authenticate(personas[who])
    return api_client


def check_out(client, section) -> int:
    """Check the section out through the API; writes need the lease."""
    return client.post(f"/api/sections/{section.pk}/check-out/").status_code


@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 200), ("building_admin", 200),
                                                 ("same_school_teacher", 404), ("other_district_admin", 404)])
def test_retrieve_an_iep(api_client, personas, iep, persona, status):
    response = as_(api_client, personas, persona).get(f"/api/ieps/{iep.pk}/")
    assert response.status_code == status
    if status == 200:
        kinds = [s["kind"] for s in response.json()["sections"]]
        assert kinds[:3] == ["concerns", "vision", "profile"] and kinds.count("goal") == 2
        assert response.json()["age_strand"] == "5-14"


def test_list_is_scoped_and_filtered(api_client, personas, iep, django_assert_max_num_queries):
    client = as_(api_client, personas, "team_teacher")
    with django_assert_max_num_queries(6):
        body = client.get("/api/ieps/", {"student": personas["student"].pk}).json()
    assert [row["id"] for row in body["results"]] == [iep.pk]
    assert as_(api_client, personas, "same_school_teacher").get("/api/ieps/").json()["count"] == 0


@pytest.mark.parametrize(("persona", "status"), [("team_chair", 201), ("district_admin", 201),
                                                 ("team_teacher", 403), ("building_admin", 403),
                                                 ("other_district_admin", 404)])
def test_create_an_iep(api_client, personas, persona, status):
    response = as_(api_client, personas, persona).post(
        "/api/ieps/", {"student": personas["student"].pk, "start_date": "2026-09-01", "meeting_type": "initial"},
        format="json")
    assert response.status_code == status
    if status == 201:
        assert response.json()["end_date"] == "2027-08-31"
        assert IEP.objects.get(pk=response.json()["id"]).sections.count() == 18


def test_create_answers_field_errors(api_client, personas):
    response = as_(api_client, personas, "team_chair").post(
        "/api/ieps/", {"student": personas["student"].pk, "start_date": "2026-09-01", "end_date": "2026-01-01",
                       "case_manager": personas["same_school_teacher"].pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"end_date", "case_manager"}


@pytest.mark.parametrize(("persona", "status"), [("team_chair", 200), ("team_sped", 403),
                                                 ("other_district_admin", 404)])
def test_header_update(api_client, personas, iep, persona, status):
    response = as_(api_client, personas, persona).patch(f"/api/ieps/{iep.pk}/", {"meeting_date": "2026-08-27"},
                                                        format="json")
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 200), ("team_chair", 200),
                                                 ("building_admin", 403), ("same_school_teacher", 404),
                                                 ("other_district_teacher", 404)])
def test_section_update_access(api_client, personas, iep, persona, status):
    vision = section_of(iep, "vision")
    check_out(as_(api_client, personas, persona), vision)
    response = as_(api_client, personas, persona).put(f"/api/sections/{vision.pk}/",
                                                      {"content": {"learn_this_year": "Fractions"}, "version": 0},
                                                      format="json")
    assert response.status_code == status


def test_section_update_stale_409_invalid_400_proposed_403(api_client, personas, iep):
    client = as_(api_client, personas, "team_teacher")
    vision = section_of(iep, "vision")
    url = f"/api/sections/{vision.pk}/"
    assert check_out(client, vision) == 200
    assert client.put(url, {"content": {"learn_this_year": "A"}, "version": 0}, format="json").json()["version"] == 1
    assert client.put(url, {"content": {"learn_this_year": "B"}, "version": 0}, format="json").status_code == 409
    bad = client.put(url, {"content": {"learn_this_year": "x" * 1001}, "version": 1}, format="json")
    assert bad.status_code == 400 and "learn_this_year" in bad.json()
    assert client.put(url, {"content": {}}, format="json").json() == {"version": ["This field is required."]}
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"],
                   content={"schedule": "Quarterly"}, expected_version=0)
    iep_propose(iep=iep, user=personas["team_chair"])
    assert client.put(url, {"content": {}, "version": 1}, format="json").status_code == 403
    assert client.get(url).status_code == 200


def test_goals_through_the_api(api_client, personas, iep):
    client = as_(api_client, personas, "team_sped")
    created = client.post(f"/api/ieps/{iep.pk}/goals/", {"content": {**GOAL, "area": "Math"}}, format="json")
    assert created.status_code == 201 and created.json()["position"] == 3
    missing = client.post(f"/api/ieps/{iep.pk}/goals/", {"content": {"baseline": "x"}}, format="json")
    assert missing.status_code == 400 and {"area", "target"} <= set(missing.json())
    ids = list(iep.sections.goals().order_by("position").values_list("pk", flat=True))
    reordered = client.post(f"/api/ieps/{iep.pk}/goals/reorder/", {"order": ids[::-1]}, format="json")
    assert [g["id"] for g in reordered.json()] == ids[::-1]
    assert client.delete(f"/api/sections/{ids[0]}/").status_code == 204
    assert client.delete(f"/api/sections/{section_of(iep, 'vision').pk}/").status_code == 400
    assert as_(api_client, personas, "building_admin").post(f"/api/ieps/{iep.pk}/goals/", {"content": GOAL},
                                                            format="json").status_code == 403


def test_service_lines_through_the_api(api_client, personas, iep):
    client = as_(api_client, personas, "team_sped")
    grid = section_of(iep, "service_grid")
    goals = list(iep.sections.goals().values_list("pk", flat=True))
    url = f"/api/sections/{grid.pk}/lines/"
    assert check_out(client, grid) == 200
    bad = client.post(url, {"line": line([12345]), "version": 0}, format="json")
    assert bad.status_code == 400 and "lines" in bad.json()
    first = client.post(url, {"line": line(goals), "version": 0}, format="json").json()
    second = client.post(url, {"line": line(goals[:1], group="B"), "version": 1}, format="json").json()
    ids = [x["id"] for x in second["content"]["lines"]]
    assert first["version"] == 1 and len(ids) == 2
    edited = client.put(f"{url}{ids[0]}/", {"line": line(goals, minutes=30), "version": 2}, format="json")
    assert edited.json()["content"]["lines"][0]["minutes"] == 30
    assert client.post(f"{url}reorder/", {"order": ids[::-1], "version": 3}, format="json").status_code == 200
    assert client.delete(f"{url}{ids[0]}/?version=3").status_code == 409
    assert client.delete(f"{url}{ids[0]}/?version=4").json()["content"]["lines"][0]["id"] == ids[1]
    summary = client.get(f"/api/ieps/{iep.pk}/").json()["grid"]
    assert summary["minutes"] == {"A": 0, "B": 225, "C": 0} and summary["derived_placement"] == "full_inclusion"


def test_history_and_restore_through_the_api(api_client, personas, iep):
    client = as_(api_client, personas, "team_teacher")
    concerns = section_of(iep, "concerns")
    url = f"/api/sections/{concerns.pk}/"
    assert check_out(client, concerns) == 200
    client.put(url, {"content": {"parent_concerns": "Reading"}, "version": 0}, format="json")
    client.put(url, {"content": {"parent_concerns": "Writing"}, "version": 1}, format="json")
    history = client.get(f"{url}history/").json()
    assert [h["version"] for h in history] == [2, 1, 0]
    assert history[0]["changes"] == [{"field": "What concern(s) does the parent or guardian want this IEP to "
                                               "address?", "old": "Reading", "new": "Writing"}]
    assert history[0]["user"] == str(personas["team_teacher"])
    assert as_(api_client, personas, "building_admin").post(
        f"{url}restore/", {"history_id": history[1]["history_id"]}, format="json").status_code == 403
    assert as_(api_client, personas, "team_sped").post(f"{url}restore/", {"history_id": history[1]["history_id"]},
                                                       format="json").json()["code"] == "not_held"
    assert as_(api_client, personas, "team_teacher").post(f"{url}discard/").status_code == 200
    assert check_out(as_(api_client, personas, "team_sped"), concerns) == 200
    restored = as_(api_client, personas, "team_sped").post(f"{url}restore/", {"history_id": history[1]["history_id"]},
                                                           format="json")
    assert restored.json()["content"]["parent_concerns"] == "Reading" and restored.json()["version"] == 3


def test_propose_respond_amend_copy_forward(api_client, personas, iep):
    chair = as_(api_client, personas, "team_chair")
    assert chair.post(f"/api/ieps/{iep.pk}/propose/").status_code == 400  # no progress-reporting schedule
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"],
                   content={"schedule": "Quarterly"}, expected_version=0)
    assert as_(api_client, personas, "team_teacher").post(f"/api/ieps/{iep.pk}/propose/").status_code == 403
    assert as_(api_client, personas, "team_chair").post(f"/api/ieps/{iep.pk}/propose/").json()["status"] == "proposed"
    bad = chair.post(f"/api/ieps/{iep.pk}/respond/", {"response": "maybe"}, format="json")
    assert bad.status_code == 400 and {"response", "response_date"} <= set(bad.json())
    accepted = chair.post(f"/api/ieps/{iep.pk}/respond/", {"response": "accept", "response_date": "2026-08-30"},
                          format="json")
    assert accepted.json()["status"] == "accepted"
    assert chair.post(f"/api/ieps/{iep.pk}/respond/", {}, format="json").status_code == 403  # no longer proposed
    amendment = chair.post(f"/api/ieps/{iep.pk}/amend/", {}, format="json").json()
    assert amendment["amends"] == iep.pk and amendment["status"] == "draft"
    following = chair.post(f"/api/ieps/{iep.pk}/copy-forward/", {"meeting_date": "2027-08-20"}, format="json")
    assert following.status_code == 201 and following.json()["start_date"] == "2027-09-01"
    assert chair.post(f"/api/ieps/{amendment['id']}/amend/", {}, format="json").status_code == 409
    assert as_(api_client, personas, "team_teacher").post(f"/api/ieps/{iep.pk}/amend/").status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 201), ("team_chair", 201),
                                                 ("building_admin", 403), ("other_district_admin", 404)])
def test_create_an_evaluation(api_client, personas, persona, status):
    response = as_(api_client, personas, persona).post("/api/evaluations/", {
        "student": personas["student"].pk, "area": "psychological", "evaluator_name": "Dr. Rowe",
        "evaluator_role": "School Psychologist", "consent_date": "2026-01-05", "completion_date": "2026-02-10"},
        format="json")
    assert response.status_code == status


def test_evaluation_field_errors_and_update(api_client, personas):
    client = as_(api_client, personas, "team_sped")
    bad = client.post("/api/evaluations/", {"student": personas["student"].pk, "area": "astrology",
                                            "consent_date": "2026-03-01", "completion_date": "2026-02-01"},
                      format="json")
    assert bad.status_code == 400 and {"area", "evaluator_name"} <= set(bad.json())
    before_consent = client.post("/api/evaluations/", {
        "student": personas["student"].pk, "area": "health", "evaluator_name": "N", "evaluator_role": "Nurse",
        "consent_date": "2026-03-01", "completion_date": "2026-02-01"}, format="json")
    assert before_consent.status_code == 400 and "completion_date" in before_consent.json()
    evaluation = EvaluationFactory(student=personas["student"])
    assert client.patch(f"/api/evaluations/{evaluation.pk}/", {"key_results": "Average range"},
                        format="json").json()["key_results"] == "Average range"
    assert as_(api_client, personas, "building_admin").patch(f"/api/evaluations/{evaluation.pk}/", {},
                                                             format="json").status_code == 403
    listed = as_(api_client, personas, "team_teacher").get("/api/evaluations/", {"student": personas["student"].pk})
    assert listed.json()["count"] == 1
    assert as_(api_client, personas, "other_district_admin").get(
        f"/api/evaluations/{evaluation.pk}/").status_code == 404


def test_team_teacher_writes_every_section_through_the_api(api_client, personas, iep):
    client = as_(api_client, personas, "team_teacher")
    goals = list(iep.sections.goals().values_list("pk", flat=True))
    for section in iep.sections.exclude(kind=Section.Kind.RESPONSE):
        content = SAMPLE[section.kind](goals)
        assert check_out(client, section) == 200
        response = client.put(f"/api/sections/{section.pk}/", {"content": content, "version": section.version},
                              format="json")
        assert response.status_code == 200, (section.kind, response.json())
        assert response.json()["version"] == section.version + 1


def test_schema_documents_the_iep_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/ieps/{id}/copy-forward/", "/api/sections/{id}/history/", "/api/sections/{id}/lines/",
                 "/api/evaluations/"):
        assert path in schema


SAMPLE = {
    "concerns": lambda g: {"student_concerns": "Reading is hard.", "parent_concerns": "Homework takes hours."},
    "vision": lambda g: {"learn_this_year": "To read chapter books.", "team_five_years": "Independent reader."},
    "profile": lambda g: {"disabilities": ["specific_learning"], "primary_disability": "specific_learning",
                          "english_learner": "no", "assistive_technology": "yes", "at_sections": "Accommodations"},
    "ap_academics": lambda g: {"subjects": ["ela"], "current_performance": "Reads at a grade 3 level.",
                               "strengths": "Curious", "impact": "Slow decoding limits access to texts."},
    "ap_behavior": lambda g: {"current_performance": "Follows routines.", "pbis_needed": "no"},
    "ap_communication": lambda g: {"current_performance": "Age-appropriate.", "aac_needed": "no"},
    "ap_additional": lambda g: {"areas": ["motor"], "motor_current_performance": "Fatigues when writing."},
    "accommodations": lambda g: {"acc_classroom_presentation": "Audio books", "mod_classroom_output": "Shorter "
                                 "writing assignments"},
    "participation": lambda g: {"needs_met_in_general_education": "yes"},
    "goal": lambda g: GOAL,
    "progress_reporting": lambda g: {"schedule": "Written progress reports each term, with report cards."},
    "service_grid": lambda g: {"lines": [line(g)]},
    "transportation": lambda g: {"mode": "regular"},
    "assessments": lambda g: {"ela_mode": "accommodations", "ela_accommodations": "Text-to-speech",
                              "math_mode": "routine"},
    "schedule_esy": lambda g: {"modified_schedule": "no", "esy": "yes", "esy_services": ["Reading instruction"],
                               "esy_dates": "July 6 to August 7"},
    "transition": lambda g: {"course_of_study": "Not yet required; started early."},
    "additional_info": lambda g: {"text": "Parent prefers email."},
    "placement": lambda g: {"category": "full_inclusion"},
}


def test_sample_covers_every_kind():
    assert set(SAMPLE) | {"response"} == set(Section.Kind.values)


def test_dates_are_kept_as_iso_strings(personas, iep):
    goals = list(iep.sections.goals().values_list("pk", flat=True))
    grid = section_update(section=held(section_of(iep, "service_grid"), personas["team_sped"]),
                          user=personas["team_sped"],
                          content={"lines": [line(goals)]}, expected_version=0)
    assert grid.content["lines"][0]["start_date"] == datetime.date(2026, 9, 1).isoformat()
