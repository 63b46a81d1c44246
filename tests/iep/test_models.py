import datetime

import pytest
from django.db import IntegrityError, transaction

from iep.models import IEP, Section
from iep.models.iep import default_end
from tests.factories import EvaluationFactory, IEPFactory, SectionFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_end_must_follow_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        IEPFactory(start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 9, 1))


def test_status_must_be_a_listed_choice():
    with pytest.raises(IntegrityError), transaction.atomic():
        IEPFactory(status="lost")


def test_each_kind_but_goal_is_unique_per_iep():
    iep = IEPFactory()
    SectionFactory(iep=iep, kind=Section.Kind.GOAL, position=1)
    SectionFactory(iep=iep, kind=Section.Kind.GOAL, position=2)
    SectionFactory(iep=iep, kind=Section.Kind.VISION)
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionFactory(iep=iep, kind=Section.Kind.VISION)


def test_default_end_is_a_year_less_a_day_and_handles_leap_day():
    assert default_end(datetime.date(2026, 9, 1)) == datetime.date(2027, 8, 31)
    assert default_end(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 27)


@pytest.mark.parametrize(("born", "strand"), [(datetime.date(2022, 1, 1), "3-5"), (datetime.date(2021, 8, 1), "5-14"),
                                               (datetime.date(2012, 8, 26), "5-14"),
                                               (datetime.date(2012, 8, 25), "14-22")])
def test_age_strand_comes_from_the_age_on_the_meeting_date(born, strand):
    iep = IEPFactory(student=StudentFactory(date_of_birth=born), meeting_date=datetime.date(2026, 8, 25))
    assert iep.age_strand == strand


def test_derived_dates():
    iep = IEPFactory(last_evaluation_date=datetime.date(2024, 2, 29))
    assert iep.next_annual_review == iep.end_date
    assert iep.next_reevaluation == datetime.date(2027, 2, 28)
    assert IEPFactory(last_evaluation_date=None).next_reevaluation is None


def test_evaluation_cannot_complete_before_consent():
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationFactory(consent_date=datetime.date(2026, 3, 1), completion_date=datetime.date(2026, 2, 1))


def test_str_names_status():
    assert "Draft" in str(IEPFactory()) and IEP.Status.DRAFT.label == "Draft"
