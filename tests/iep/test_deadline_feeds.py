"""IEP records feed the deadline engine: the current IEP's dates, and the parent's rejection."""

import datetime

import pytest

from iep.models import IEP
from iep.services.sections import iep_propose, iep_record_response, section_update
from tests.iep.conftest import held, section_of
from timelines.models import Deadline, TimelineEvent
from timelines.services import case_events_from_ieps

pytestmark = pytest.mark.django_db


def _proposed(iep, personas):
    section_update(section=held(section_of(iep, "progress_reporting"), personas["team_sped"]),
                   user=personas["team_sped"], content={"schedule": "Quarterly"}, expected_version=0)
    return iep_propose(iep=iep, user=personas["team_chair"])


def test_the_current_accepted_iep_supplies_its_start_review_meeting_and_last_evaluation(iep, personas):
    IEP.objects.filter(pk=iep.pk).update(status=IEP.Status.ACCEPTED, meeting_type=IEP.MeetingType.ANNUAL_REVIEW,
                                         last_evaluation_date=datetime.date(2024, 5, 1))
    events = case_events_from_ieps([personas["student"].pk])
    assert events == {personas["student"].pk: {"iep_start": datetime.date(2026, 9, 1),
                                               "annual_review_meeting": datetime.date(2026, 8, 25),
                                               "last_evaluation": datetime.date(2024, 5, 1)}}


def test_drafts_and_superseded_ieps_supply_nothing(iep, personas):
    assert case_events_from_ieps([personas["student"].pk]) == {}
    IEP.objects.filter(pk=iep.pk).update(status=IEP.Status.SUPERSEDED)
    assert case_events_from_ieps([personas["student"].pk]) == {}


def test_accepting_the_iep_brings_the_annual_review_deadline(iep, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        iep_record_response(iep=_proposed(iep, personas), user=personas["team_chair"],
                            content={"response": "accept", "response_date": "2026-08-30"})
    assert Deadline.objects.filter(student=personas["student"], key="annual_review").exists()


def test_a_rejection_is_recorded_as_the_iep_rejected_event(iep, personas):
    iep_record_response(iep=_proposed(iep, personas), user=personas["team_chair"],
                        content={"response": "reject", "response_date": "2026-08-30"})
    event = TimelineEvent.objects.get(student=personas["student"], key="iep_rejected")
    assert event.date == datetime.date(2026, 8, 30) and event.recorded_by == personas["team_chair"]
