"""Every worked example of spec section 5, as data: the exact output (key, due, error) in output order."""

from __future__ import annotations

from typing import Any

import pytest

from ._spec_data import run

EXHAUSTED = "calendar_exhausted"

EXAMPLE_4_EVENTS = {
    "team_meeting": "2027-06-10",
    "eligibility_determined": "2027-06-10",
    "placement_meeting_scheduled": "2027-09-08",
}
EXAMPLE_4_FACTS = {
    "summary_given_at_meeting": True,
    "parent_requested_complete_iep": True,
    "placement_decision_pending": True,
    "other_district_responsible": True,
}

EXAMPLES: list[tuple[str, dict[str, Any], list[tuple[str, str | None, str | None]]]] = [
    (
        "1: school days across a vacation",
        {"events": {"referral_received": "2027-04-16"}},
        [("referral_notice", "2027-04-30", None)],
    ),
    (
        "2: trigger on a weekend; calendar days do not roll",
        {"events": {"iee_requested": "2027-05-29"}},
        [("iee_district_response", "2027-06-07", None), ("iee_report", "2027-06-28", None)],
    ),
    (
        "3a: end-of-year rule at k = 30",
        {"events": {"consent_received": "2027-05-03"}},
        [("evaluation_complete", "2027-06-15", None), ("iep_proposal", "2027-06-29", None)],
    ),
    (
        "3b: end-of-year rule does not apply at k = 29",
        {"events": {"consent_received": "2027-05-04"}},
        [("evaluation_complete", "2027-09-01", None), ("iep_proposal", "2027-09-23", None)],
    ),
    (
        "4: eligible Team meeting near the end of the year",
        {"events": EXAMPLE_4_EVENTS, "facts": {"eligibility": "eligible", **EXAMPLE_4_FACTS}},
        [
            ("complete_iep_on_request", "2027-06-15", None),
            ("placement_meeting_notice", "2027-06-15", None),
            ("initial_iep_meeting_idea", "2027-07-10", None),
            ("complete_iep", "2027-09-02", None),
            ("placement_meeting", "2027-09-10", None),
        ],
    ),
    (
        "4 variant: the same meeting with a finding of no eligibility",
        {"events": EXAMPLE_4_EVENTS, "facts": {"eligibility": "not_eligible", **EXAMPLE_4_FACTS}},
        [("placement_meeting_notice", "2027-06-15", None), ("ineligibility_notice", "2027-06-20", None)],
    ),
    (
        "5: calendar_exhausted",
        {
            "events": {
                "removal_decision": "2027-10-20",
                "referral_received": "2027-03-15",
                "records_requested": "2027-10-20",
            }
        },
        [
            ("records_access", "2027-10-30", None),
            ("manifestation_determination", None, EXHAUSTED),
            ("referral_notice", None, EXHAUSTED),
        ],
    ),
    (
        "6: months, years and ages",
        {
            "student": {"date_of_birth": "2016-02-29"},
            "events": {
                "iep_start": "2032-02-29",
                "disputed_evaluation_date": "2029-10-31",
                "last_evaluation": "2028-02-29",
            },
            "facts": {"eligibility": "eligible"},
        },
        [
            ("transition_planning", "2030-02-28", None),
            ("iee_right_expires", "2031-02-28", None),
            ("reevaluation", "2031-02-28", None),
            ("annual_review", "2033-02-27", None),
            ("age_of_majority_notice", "2033-02-28", None),
        ],
    ),
]


@pytest.mark.parametrize(("case", "expected"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES])
def test_worked_example_gives_exactly_the_spec_output(case, expected):
    assert run(case) == expected


def test_summary_given_at_meeting_changes_nothing_in_example_4():
    without = {"events": EXAMPLE_4_EVENTS, "facts": {"eligibility": "eligible", **EXAMPLE_4_FACTS}}
    with_false = {**without, "facts": {**without["facts"], "summary_given_at_meeting": False}}
    assert run(without) == run(with_false)
