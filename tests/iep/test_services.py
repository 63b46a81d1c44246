import datetime

import pytest

from iep.exceptions import GoalInUse, InvalidContent, NotADraft, StaleVersion, WrongStatus
from iep.models import IEP, Section
from iep.selectors import service_grid_summary
from iep.services.copy_forward import iep_copy_forward
from iep.services.sections import (
    goal_add,
    goal_remove,
    goal_reorder,
    iep_amend,
    iep_create,
    iep_propose,
    iep_record_response,
    iep_update_header,
    section_restore,
    section_update,
    service_line_add,
    service_line_remove,
    service_line_update,
    service_lines_reorder,
)
from tests.iep.conftest import GOAL, held, line, section_of

pytestmark = pytest.mark.django_db
ACCEPT = {"response": "accept", "response_date": "2026-08-30"}


def test_create_makes_every_section_in_order_empty(iep, personas):
    kinds = list(iep.sections.exclude(kind="goal").order_by("order").values_list("kind", flat=True))
    assert kinds == [k for k in Section.Kind.values if k != "goal"]
    assert all(s.version == 0 and s.content == {} for s in iep.sections.exclude(kind="goal"))
    assert iep.cycle_length_days == personas["district"].cycle_length_days
    assert iep.end_date == datetime.date(2027, 8, 31)


def test_case_manager_must_be_on_the_team(personas):
    with pytest.raises(InvalidContent) as refused:
        iep_create(student=personas["student"], user=personas["team_chair"], start_date=datetime.date(2026, 9, 1),
                   case_manager=personas["same_school_teacher"])
    assert "case_manager" in refused.value.errors


def test_header_update_checks_the_period(iep, personas):
    with pytest.raises(InvalidContent) as refused:
        iep_update_header(iep=iep, user=personas["team_chair"], end_date=datetime.date(2026, 8, 1))
    assert "end_date" in refused.value.errors
    iep_update_header(iep=iep, user=personas["team_chair"], meeting_type="initial")
    iep.refresh_from_db()
    assert iep.meeting_type == "initial"


def test_section_update_bumps_the_version_and_records_history(iep, personas):
    vision = section_of(iep, "vision")
    saved = section_update(section=held(vision, personas["team_teacher"]),
                           user=personas["team_teacher"], content={"learn_this_year": "Fractions"},
                           expected_version=0)
    assert saved.version == 1 and saved.updated_by == personas["team_teacher"]
    record = saved.history.first()
    assert record.history_user == personas["team_teacher"] and record.content["learn_this_year"] == "Fractions"


def test_stale_version_is_refused(iep, personas):
    vision = section_of(iep, "vision")
    section_update(section=held(vision, personas["team_teacher"]),
                   user=personas["team_teacher"], content={}, expected_version=0)
    with pytest.raises(StaleVersion):
        section_update(section=held(vision, personas["team_sped"]),
                       user=personas["team_sped"], content={}, expected_version=0)


def test_not_a_draft_is_refused(iep, personas):
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"],
                   content={"schedule": "Quarterly, with report cards"}, expected_version=0)
    iep_propose(iep=iep, user=personas["team_chair"])
    with pytest.raises(NotADraft):
        section_update(section=held(section_of(iep, "vision"), personas["team_teacher"]),
                       user=personas["team_teacher"], content={},
                       expected_version=0)
    with pytest.raises(NotADraft):
        goal_add(iep=iep, user=personas["team_sped"], content=GOAL)


def test_invalid_content_names_the_fields(iep, personas):
    with pytest.raises(InvalidContent) as refused:
        section_update(section=held(section_of(iep, "participation"), personas["team_sped"]),
                       user=personas["team_sped"],
                       content={"needs_met_in_general_education": "no", "aids_considered": "x" * 5000},
                       expected_version=0)
    assert set(refused.value.errors) == {"nonparticipation_extent", "aids_considered"}
    with pytest.raises(InvalidContent) as refused:
        section_update(section=held(section_of(iep, "transportation"), personas["team_sped"]),
                       user=personas["team_sped"],
                       content={"mode": "helicopter"}, expected_version=0)
    assert "mode" in refused.value.errors


def test_grid_lines_must_serve_existing_goals_inside_the_period(iep, personas):
    grid, goals = section_of(iep, "service_grid"), list(iep.sections.goals().values_list("pk", flat=True))
    for bad in (line([]), line([999_999]), line(goals, start_date="2026-08-01"),
                line(goals, start_date="2027-01-01", end_date="2026-12-01"), line(goals, end_date="2027-09-30")):
        with pytest.raises(InvalidContent) as refused:
            service_line_add(grid=held(grid, personas["team_sped"]),
                             user=personas["team_sped"], line=bad, expected_version=0)
        assert "lines" in refused.value.errors
    saved = service_line_add(grid=held(grid, personas["team_sped"]),
                             user=personas["team_sped"], line=line(goals[:1]), expected_version=0)
    assert saved.content["lines"][0]["goals"] == goals[:1]


def test_grid_totals_and_derived_placement(iep, personas):
    grid, goals = section_of(iep, "service_grid"), list(iep.sections.goals().values_list("pk", flat=True))
    grid = service_line_add(grid=held(grid, personas["team_sped"]),
                            user=personas["team_sped"], line=line(goals, group="A", frequency=1,
                                                                            minutes=30), expected_version=0)
    grid = service_line_add(grid=held(grid, personas["team_sped"]),
                            user=personas["team_sped"], line=line(goals, frequency=5, minutes=60),
                            expected_version=1)
    summary = service_grid_summary(iep)
    assert summary.minutes == {"A": 30, "B": 0, "C": 300}
    # decision 9: 300 / (360 × 5) = 16.7% → full inclusion
    assert str(summary.percent_outside) == "16.7" and summary.derived_placement == "full_inclusion"
    line_id = grid.content["lines"][1]["id"]
    grid = service_line_update(grid=held(grid, personas["team_sped"]), user=personas["team_sped"], line_id=line_id,
                               line=line(goals, frequency=5, minutes=240), expected_version=2)
    assert service_grid_summary(iep).derived_placement == "substantially_separate"  # 1200 / 1800
    first = grid.content["lines"][0]["id"]
    grid = service_lines_reorder(grid=held(grid, personas["team_sped"]),
                                 user=personas["team_sped"], order=[line_id, first], expected_version=3)
    assert [x["id"] for x in grid.content["lines"]] == [line_id, first]
    grid = service_line_remove(grid=held(grid, personas["team_sped"]),
                               user=personas["team_sped"], line_id=line_id, expected_version=4)
    assert len(grid.content["lines"]) == 1 and grid.version == 5


def test_placement_override_needs_a_reason(iep, personas):
    with pytest.raises(InvalidContent) as refused:
        section_update(section=held(section_of(iep, "placement"), personas["team_chair"]), user=personas["team_chair"],
                       content={"category": "substantially_separate"}, expected_version=0)
    assert "override_reason" in refused.value.errors
    section_update(section=held(section_of(iep, "placement"), personas["team_chair"]), user=personas["team_chair"],
                   content={"category": "full_inclusion"}, expected_version=0)


def test_goals_are_renumbered_on_reorder_and_remove(iep, personas):
    first, second = iep.sections.goals().order_by("position")
    goal_reorder(iep=iep, user=personas["team_sped"], order=[second.pk, first.pk])
    assert list(iep.sections.goals().order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    with pytest.raises(InvalidContent):
        goal_reorder(iep=iep, user=personas["team_sped"], order=[second.pk])
    goal_remove(goal=second, user=personas["team_sped"])
    first.refresh_from_db()
    assert first.position == 1 and iep.sections.goals().count() == 1


def test_a_goal_served_by_the_grid_cannot_be_removed(iep, personas):
    goal = iep.sections.goals().first()
    service_line_add(grid=held(section_of(iep, "service_grid"), personas["team_sped"]),
                     user=personas["team_sped"], line=line([goal.pk]),
                     expected_version=0)
    with pytest.raises(GoalInUse):
        goal_remove(goal=goal, user=personas["team_sped"])


def test_goal_needs_area_and_target(iep, personas):
    with pytest.raises(InvalidContent) as refused:
        goal_add(iep=iep, user=personas["team_sped"], content={"baseline": "x"})
    assert {"area", "target"} <= set(refused.value.errors)


def test_response_moves_the_status(iep, personas):
    with pytest.raises(WrongStatus):
        iep_record_response(iep=iep, user=personas["team_chair"], content=ACCEPT)
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"],
                   content={"schedule": "Quarterly"}, expected_version=0)
    iep_propose(iep=iep, user=personas["team_chair"])
    with pytest.raises(InvalidContent) as refused:
        iep_record_response(iep=iep, user=personas["team_chair"], content={"response": "reject_portions",
                                                                           "response_date": "2026-08-30"})
    assert "rejected_portions" in refused.value.errors
    iep_record_response(iep=iep, user=personas["team_chair"],
                        content={"response": "reject_portions", "rejected_portions": ["Goal 2"],
                                 "response_date": "2026-08-30"})
    iep.refresh_from_db()
    assert iep.status == IEP.Status.PARTIALLY_ACCEPTED
    assert section_of(iep, "response").content["rejected_portions"] == ["Goal 2"]


@pytest.mark.parametrize(("answer", "status"), [("accept", "accepted"), ("reject", "rejected")])
def test_each_response_maps_to_a_status(iep, personas, answer, status):
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"],
                   content={"schedule": "Quarterly"}, expected_version=0)
    iep_propose(iep=iep, user=personas["team_chair"])
    assert iep_record_response(iep=iep, user=personas["team_chair"],
                               content={"response": answer, "response_date": "2026-08-30"}).status == status


def test_transition_is_required_to_propose_from_14(personas):
    personas["student"].date_of_birth = datetime.date(2010, 1, 1)
    personas["student"].save()
    draft = iep_create(student=personas["student"], user=personas["team_chair"], start_date=datetime.date(2026, 9, 1))
    with pytest.raises(InvalidContent) as refused:
        iep_propose(iep=draft, user=personas["team_chair"])
    assert "Transition planning" in " ".join(refused.value.errors["__all__"])


def _accepted(iep, personas):
    goals = list(iep.sections.goals().values_list("pk", flat=True))
    service_line_add(grid=held(section_of(iep, "service_grid"), personas["team_sped"]),
                     user=personas["team_sped"], line=line(goals),
                     expected_version=0)
    for kind, content in (("progress_reporting", {"schedule": "Quarterly"}),
                          ("concerns", {"parent_concerns": "Reading"})):
        section_update(section=held(section_of(iep, kind), personas["team_sped"]),
                       user=personas["team_sped"], content=content, expected_version=0)
    iep_propose(iep=iep, user=personas["team_chair"])
    return iep_record_response(iep=iep, user=personas["team_chair"], content=ACCEPT)


def test_amendment_links_and_copies_and_supersedes_on_acceptance(iep, personas):
    accepted = _accepted(iep, personas)
    amendment = iep_amend(iep=accepted, user=personas["team_chair"])
    assert amendment.amends == accepted and amendment.status == "draft" and amendment.meeting_type == "amendment"
    assert section_of(amendment, "concerns").content == section_of(accepted, "concerns").content
    assert section_of(amendment, "concerns").content["parent_concerns"] == "Reading"
    assert section_of(amendment, "response").content == {}
    new_goals = set(amendment.sections.goals().values_list("pk", flat=True))
    assert set(section_of(amendment, "service_grid").content["lines"][0]["goals"]) == new_goals
    iep_propose(iep=amendment, user=personas["team_chair"])
    iep_record_response(iep=amendment, user=personas["team_chair"], content=ACCEPT)
    accepted.refresh_from_db()
    assert accepted.status == IEP.Status.SUPERSEDED
    with pytest.raises(WrongStatus):
        iep_amend(iep=accepted, user=personas["team_chair"])


def test_copy_forward_copies_every_section_into_the_next_period(iep, personas):
    accepted = _accepted(iep, personas)
    following = iep_copy_forward(iep=accepted, user=personas["team_chair"])
    assert following.previous == accepted and following.start_date == datetime.date(2027, 9, 1)
    assert following.end_date == datetime.date(2028, 8, 31)
    old = {(s.kind, s.position): s.content for s in accepted.sections.exclude(kind__in=["service_grid", "response"])}
    new = {(s.kind, s.position): s.content for s in following.sections.exclude(kind__in=["service_grid", "response"])}
    assert old == new and following.sections.count() == accepted.sections.count()
    grid_line = section_of(following, "service_grid").content["lines"][0]
    assert grid_line["start_date"] == "2027-09-01" and grid_line["end_date"] == "2028-06-15"
    assert set(grid_line["goals"]) == set(following.sections.goals().values_list("pk", flat=True))
    with pytest.raises(WrongStatus):
        iep_copy_forward(iep=following, user=personas["team_chair"])


def test_restore_makes_an_old_version_current_as_a_new_version(iep, personas):
    vision = section_of(iep, "vision")
    vision = section_update(section=held(vision, personas["team_teacher"]),
                            user=personas["team_teacher"], content={"learn_this_year": "Fractions"},
                            expected_version=0)
    vision = section_update(section=held(vision, personas["team_sped"]),
                            user=personas["team_sped"], content={"learn_this_year": "Decimals"},
                            expected_version=1)
    old = vision.history.get(version=1)
    restored = section_restore(section=held(vision, personas["team_chair"]), history_id=old.history_id,
                               user=personas["team_chair"])
    assert restored.version == 3 and restored.content["learn_this_year"] == "Fractions"
    newest = restored.history.first()
    assert newest.history_user == personas["team_chair"] and newest.history_change_reason == "Restored version 1"
    with pytest.raises(InvalidContent):
        section_restore(section=held(vision, personas["team_chair"]), history_id=0, user=personas["team_chair"])


def test_response_section_is_not_written_by_section_update(iep, personas):
    with pytest.raises(InvalidContent):
        section_update(section=held(section_of(iep, "response"), personas["team_chair"]),
                       user=personas["team_chair"], content=ACCEPT,
                       expected_version=0)


def test_header_period_cannot_leave_service_lines_outside(iep, personas):
    goals = list(iep.sections.goals().values_list("pk", flat=True))
    service_line_add(grid=held(section_of(iep, "service_grid"), personas["team_sped"]), user=personas["team_sped"],
                     line=line(goals), expected_version=0)
    with pytest.raises(InvalidContent) as refused:
        iep_update_header(iep=iep, user=personas["team_chair"], end_date=datetime.date(2027, 3, 1))
    assert "end_date" in refused.value.errors
