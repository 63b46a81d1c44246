import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from students.disabilities import Disability
from students.models import age_on
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_disability_categories_are_those_of_603_cmr_28_02_7():
    assert len(Disability.choices) == 12  # ten categories, sensory impairment in its three subtypes
    labels = {label for _, label in Disability.choices}
    assert "Sensory Impairment: Deafblind" in labels
    assert "Specific Learning Disability" in labels


def test_secondary_disability_must_differ_from_primary_in_the_database():
    student = StudentFactory(primary_disability=Disability.AUTISM)
    student.secondary_disability = Disability.AUTISM
    with pytest.raises(IntegrityError), transaction.atomic():
        student.save()


def test_secondary_disability_same_as_primary_is_a_form_error():
    student = StudentFactory.build(primary_disability=Disability.AUTISM, secondary_disability=Disability.AUTISM,
                                   school=SchoolFactory())
    with pytest.raises(ValidationError) as error:
        student.full_clean()
    assert "secondary_disability" in error.value.message_dict


@pytest.mark.parametrize("sasid", ["123456789", "12345678901", "12345abcde"])
def test_sasid_is_exactly_ten_digits(sasid):
    student = StudentFactory.build(sasid=sasid, school=SchoolFactory())
    with pytest.raises(ValidationError) as error:
        student.full_clean()
    assert "sasid" in error.value.message_dict


def test_school_of_another_district_is_refused():
    student = StudentFactory.build(school=SchoolFactory())
    student.district = SchoolFactory().district
    with pytest.raises(ValidationError) as error:
        student.full_clean()
    assert "school" in error.value.message_dict


def test_developmental_delay_only_to_age_nine():
    student = StudentFactory.build(school=SchoolFactory(), primary_disability=Disability.DEVELOPMENTAL_DELAY,
                                   date_of_birth=datetime.date.today() - datetime.timedelta(days=365 * 12))
    with pytest.raises(ValidationError):
        student.full_clean()


def test_age_counts_a_leap_day_birthday_on_28_february():
    assert age_on(datetime.date(2012, 2, 29), datetime.date(2026, 2, 28)) == 14
    assert age_on(datetime.date(2012, 2, 29), datetime.date(2026, 2, 27)) == 13
