

def test_the_stored_basis_names_events_in_words():
    from timelines.services import readable_basis

    assert readable_basis("45 school days after consent_received (2025-10-06)") == \
        "45 school days after consent received (2025-10-06)"
    assert readable_basis("last day of the 1-year period beginning on iep_start (2026-08-07)") == \
        "last day of the 1-year period beginning on IEP start (2026-08-07)"
    assert readable_basis("14th birthday, from student.date_of_birth (2020-07-14)") == \
        "14th birthday, from date of birth (2020-07-14)"
