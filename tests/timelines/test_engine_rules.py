"""The rule table of spec section 3: every key, trigger, amount, unit, citation and condition, and the
output contract of 4.5 (entries, order, `error` only on null)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from timelines.engine import (
    EVENT_KEYS,
    RULES,
    Case,
    compute,
    parse_calendar,
    parse_case,
    render_json,
    results_to_json,
)
from timelines.engine.demo_calendar import massachusetts_calendar

from ._spec_data import EXAMPLE_CALENDAR, dues

# Spec section 3, copied row by row: key, triggers, amount, unit, citation (exact output string).
# fmt: off
SPEC_TABLE = [
    ("referral_notice", ("referral_received",), 5, "school_days", "603 CMR 28.04(1)(a)"),
    ("evaluation_complete", ("consent_received",), 30, "school_days", "603 CMR 28.04(2); 603 CMR 28.05(1)"),
    ("assessment_summaries_available", ("team_meeting",), 2, "calendar_days_before",
     "603 CMR 28.04(2)(c); 603 CMR 28.05(1)"),
    ("iep_proposal", ("consent_received",), 45, "school_days_eoy", "603 CMR 28.05(1); 603 CMR 28.05(7)"),
    ("ineligibility_notice", ("team_meeting",), 10, "calendar_days", "603 CMR 28.05(2)(a)(2)"),
    ("extended_evaluation_limit", ("extended_evaluation_start",), 40, "school_days",
     "603 CMR 28.05(2)(b); DESE Administrative Advisory SPED 2019-2"),
    ("iee_district_response", ("iee_requested",), 5, "school_days", "603 CMR 28.04(5)(d)"),
    ("iee_report", ("iee_requested",), 30, "calendar_days", "603 CMR 28.04(5)(e)"),
    ("iee_team_reconvene", ("iee_report_received",), 10, "school_days", "603 CMR 28.04(5)(f)"),
    ("iee_right_expires", ("disputed_evaluation_date",), 16, "months", "603 CMR 28.04(5)(c)(6)"),
    ("parent_response", ("iep_received_by_parent",), 30, "calendar_days", "603 CMR 28.05(7)(a)"),
    ("bsea_copy", ("iep_rejected",), 5, "calendar_days", "603 CMR 28.08(3)(b)"),
    ("placement_meeting", ("team_meeting",), 10, "school_days", "603 CMR 28.06(2)(e)"),
    ("placement_meeting_notice", ("placement_meeting_scheduled",), 5, "school_days_before", "603 CMR 28.06(2)(e)(1)"),
    ("complete_iep", ("team_meeting",), 5, "school_days",
     "603 CMR 28.05(7); DESE Special Education Policy Memo SY2024-2025-6"),
    ("complete_iep_on_request", ("team_meeting",), 5, "calendar_days",
     "603 CMR 28.05(7); DESE Memorandum on the Implementation of 603 CMR 28.05(7) (complete IEP on parent request)"),
    ("initial_iep_meeting_idea", ("eligibility_determined",), 30, "calendar_days", "34 CFR 300.323(c)(1)"),
    ("annual_review", ("iep_start", "annual_review_meeting"), 1, "years_period", "603 CMR 28.04(3)"),
    ("reevaluation", ("last_evaluation",), 3, "years", "603 CMR 28.04(3); 34 CFR 300.303(b)(2)"),
    ("revocation_services_end", ("revocation_notice_sent",), 10, "school_days", "603 CMR 28.07(1)(a)(4)"),
    ("manifestation_determination", ("removal_decision",), 10, "school_days", "34 CFR 300.530(e)(1)"),
    ("iaes_limit", ("iaes_removal_decision",), 45, "school_days", "34 CFR 300.530(g)"),
    ("records_access", ("records_requested",), 10, "calendar_days", "603 CMR 23.07(2)"),
    ("mediation_session", ("mediation_requested",), 30, "calendar_days", "603 CMR 28.08(4)(a)"),
    ("hearing_response", ("hearing_requested",), 10, "calendar_days",
     "20 U.S.C. 1415(c)(2)(B)(i) (IDEA 615(c)(2)(B))"),
    ("sufficiency_challenge", ("hearing_requested",), 15, "calendar_days",
     "20 U.S.C. 1415(c)(2)(A), (C) (IDEA 615(c)(2)(A), (C))"),
    ("resolution_meeting", ("hearing_requested",), 15, "calendar_days",
     "20 U.S.C. 1415(f)(1)(B)(i) (IDEA 615(f)(1)(B)(i))"),
    ("resolution_period_end", ("hearing_requested",), 30, "calendar_days",
     "20 U.S.C. 1415(f)(1)(B)(ii) (IDEA 615(f)(1)(B)(ii))"),
    ("transition_planning", ("student.date_of_birth",), 14, "age",
     "M.G.L. c. 71B, s. 2; DESE Technical Assistance Advisory SPED 2009-1"),
    ("age_of_majority_notice", ("student.date_of_birth",), 17, "age",
     "34 CFR 300.320(c); 34 CFR 300.520; DESE Administrative Advisory SPED 2011-1"),
]
# fmt: on

MA_CALENDAR = massachusetts_calendar(2025)


def test_rule_table_is_the_spec_table_row_by_row():
    assert [(r.key, r.triggers, r.amount, str(r.unit), r.citation) for r in RULES] == SPEC_TABLE


def test_every_rule_trigger_is_an_event_key_or_the_date_of_birth():
    assert {t for r in RULES for t in r.triggers} <= set(EVENT_KEYS) | {"student.date_of_birth"}


def test_each_citation_is_emitted_exactly():
    everything = {
        "student": {"date_of_birth": "2012-05-02"},
        "events": {key: "2025-10-06" for key in EVENT_KEYS},
        "facts": {
            "eligibility": "eligible",
            "parent_requested_complete_iep": True,
            "placement_decision_pending": True,
            "other_district_responsible": True,
        },
    }
    out = results_to_json(compute(parse_case(everything), parse_calendar(MA_CALENDAR)))["deadlines"]
    expected = {key: citation for key, _, _, _, citation in SPEC_TABLE if key != "ineligibility_notice"}
    assert {e["key"]: e["citation"] for e in out} == expected


def test_no_trigger_no_deadline():
    assert dues({}) == {}
    assert dues({"facts": {"eligibility": "eligible", "placement_decision_pending": True}}) == {}


# --- conditions (section 3 "condition" column, D9) ------------------------------------------------------

TEAM = {"team_meeting": "2025-10-06", "eligibility_determined": "2025-10-06"}
HEARING = {"hearing_requested": "2025-10-06"}

# (events, facts, keys that must be present, keys that must be absent)
CONDITIONS: list[tuple[str, dict[str, str], dict[str, Any], set[str], set[str]]] = [
    (
        "eligibility unknown",
        TEAM,
        {},
        set(),
        {
            "ineligibility_notice",
            "complete_iep",
            "complete_iep_on_request",
            "placement_meeting",
            "initial_iep_meeting_idea",
            "assessment_summaries_available",
        },
    ),
    (
        "eligible",
        TEAM,
        {"eligibility": "eligible"},
        {"complete_iep", "initial_iep_meeting_idea"},
        {"ineligibility_notice", "complete_iep_on_request", "placement_meeting"},
    ),
    (
        "not eligible",
        TEAM,
        {"eligibility": "not_eligible", "parent_requested_complete_iep": True, "placement_decision_pending": True},
        {"ineligibility_notice"},
        {"complete_iep", "initial_iep_meeting_idea", "complete_iep_on_request", "placement_meeting"},
    ),
    (
        "complete IEP on request",
        TEAM,
        {"eligibility": "eligible", "parent_requested_complete_iep": True},
        {"complete_iep_on_request", "complete_iep"},
        set(),
    ),
    (
        "request is false",
        TEAM,
        {"eligibility": "eligible", "parent_requested_complete_iep": False},
        set(),
        {"complete_iep_on_request"},
    ),
    (
        "placement pending",
        TEAM,
        {"eligibility": "eligible", "placement_decision_pending": True},
        {"placement_meeting"},
        set(),
    ),
    (
        "placement pending, parent asked for later",
        TEAM,
        {
            "eligibility": "eligible",
            "placement_decision_pending": True,
            "parent_requested_later_placement_meeting": True,
        },
        set(),
        {"placement_meeting"},
    ),
    (
        "summaries with consent",
        {**TEAM, "consent_received": "2025-09-02"},
        {},
        {"assessment_summaries_available"},
        set(),
    ),
    (
        "placement notice without other district",
        {"placement_meeting_scheduled": "2025-10-20"},
        {},
        set(),
        {"placement_meeting_notice"},
    ),
    (
        "placement notice with other district",
        {"placement_meeting_scheduled": "2025-10-20"},
        {"other_district_responsible": True},
        {"placement_meeting_notice"},
        set(),
    ),
    (
        "placement notice regardless of eligibility",
        {"placement_meeting_scheduled": "2025-10-20"},
        {"other_district_responsible": True, "eligibility": "not_eligible"},
        {"placement_meeting_notice"},
        set(),
    ),
    ("reevaluation", {"last_evaluation": "2024-10-06"}, {}, {"reevaluation"}, set()),
    ("reevaluation waived", {"last_evaluation": "2024-10-06"}, {"reevaluation_waived": True}, set(), {"reevaluation"}),
    (
        "reevaluation not waived",
        {"last_evaluation": "2024-10-06"},
        {"reevaluation_waived": False},
        {"reevaluation"},
        set(),
    ),
    (
        "hearing by parent (default)",
        HEARING,
        {},
        {"hearing_response", "sufficiency_challenge", "resolution_meeting", "resolution_period_end"},
        set(),
    ),
    (
        "hearing by parent (explicit)",
        HEARING,
        {"hearing_filed_by": "parent"},
        {"hearing_response", "sufficiency_challenge", "resolution_meeting", "resolution_period_end"},
        set(),
    ),
    (
        "hearing by district",
        HEARING,
        {"hearing_filed_by": "district"},
        {"sufficiency_challenge"},
        {"hearing_response", "resolution_meeting", "resolution_period_end"},
    ),
    (
        "prior written notice sent",
        HEARING,
        {"prior_written_notice_on_issues": True},
        {"sufficiency_challenge", "resolution_meeting", "resolution_period_end"},
        {"hearing_response"},
    ),
    (
        "resolution meeting waived",
        HEARING,
        {"resolution_meeting_waived": True},
        {"hearing_response", "sufficiency_challenge"},
        {"resolution_meeting", "resolution_period_end"},
    ),
    (
        "district filed, notice sent, waived",
        HEARING,
        {"hearing_filed_by": "district", "prior_written_notice_on_issues": True, "resolution_meeting_waived": True},
        {"sufficiency_challenge"},
        {"hearing_response", "resolution_meeting", "resolution_period_end"},
    ),
]


@pytest.mark.parametrize(
    ("events", "facts", "present", "absent"), [c[1:] for c in CONDITIONS], ids=[c[0] for c in CONDITIONS]
)
def test_conditions(events, facts, present, absent):
    keys = set(dues({"events": events, "facts": facts}, MA_CALENDAR))
    assert present <= keys
    assert not (absent & keys)


@pytest.mark.parametrize("eligibility", [None, "eligible", "not_eligible"])
def test_ages_concern_eligible_students_only(eligibility):
    case: dict[str, Any] = {"student": {"date_of_birth": "2012-05-02"}}
    if eligibility:
        case["facts"] = {"eligibility": eligibility}
    expected = {"transition_planning": "2026-05-02", "age_of_majority_notice": "2029-05-02"}
    assert dues(case) == (expected if eligibility == "eligible" else {})


def test_placement_meeting_ignores_the_parent_request_only_when_it_is_true():
    facts = {
        "eligibility": "eligible",
        "placement_decision_pending": True,
        "parent_requested_later_placement_meeting": False,
    }
    assert "placement_meeting" in dues({"events": TEAM, "facts": facts}, MA_CALENDAR)


def test_calendar_day_rules_use_their_amounts():
    d = date(2025, 10, 6)
    events = {
        "iep_received_by_parent": d,
        "iep_rejected": d,
        "records_requested": d,
        "mediation_requested": d,
        "hearing_requested": d,
        "iee_requested": d,
    }
    out = {
        r.key: (r.due - d).days
        for r in compute(Case(events), parse_calendar(MA_CALENDAR))
        if r.key != "iee_district_response"
    }  # the one school-day rule among these triggers
    assert out == {
        "parent_response": 30,
        "bsea_copy": 5,
        "records_access": 10,
        "mediation_session": 30,
        "hearing_response": 10,
        "sufficiency_challenge": 15,
        "resolution_meeting": 15,
        "resolution_period_end": 30,
        "iee_report": 30,
    }


def test_school_day_rules_use_their_amounts():
    calendar = parse_calendar(MA_CALENDAR)
    d = date(2025, 9, 15)  # a Monday in a plain stretch of the 2025-26 year
    events = {
        "referral_received": d,
        "consent_received": d,
        "extended_evaluation_start": d,
        "iee_requested": d,
        "iee_report_received": d,
        "revocation_notice_sent": d,
        "removal_decision": d,
        "iaes_removal_decision": d,
    }
    counted = {
        r.key: calendar.school_days_between(d, r.due) for r in compute(Case(events), calendar) if r.key != "iee_report"
    }
    assert counted == {
        "referral_notice": 5,
        "evaluation_complete": 30,
        "iep_proposal": 45,
        "extended_evaluation_limit": 40,
        "iee_district_response": 5,
        "iee_team_reconvene": 10,
        "revocation_services_end": 10,
        "manifestation_determination": 10,
        "iaes_limit": 45,
    }


# --- annual_review: the later of two triggers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ({"iep_start": "2025-10-15"}, "2026-10-14"),
        ({"annual_review_meeting": "2025-11-03"}, "2026-11-02"),
        ({"iep_start": "2025-10-15", "annual_review_meeting": "2025-11-03"}, "2026-11-02"),
        ({"iep_start": "2025-11-03", "annual_review_meeting": "2025-10-15"}, "2026-11-02"),
        ({"iep_start": "2025-11-03", "annual_review_meeting": "2025-11-03"}, "2026-11-02"),
    ],
)
def test_annual_review_counts_from_the_later_of_its_triggers(events, expected):
    assert dues({"events": events}) == {"annual_review": expected}


def test_annual_review_appears_once_and_names_the_trigger_it_counted_from():
    case = parse_case({"events": {"iep_start": "2025-10-15", "annual_review_meeting": "2025-11-03"}})
    (result,) = compute(case, parse_calendar(MA_CALENDAR))
    assert (result.trigger, result.trigger_date) == ("annual_review_meeting", date(2025, 11, 3))


# --- output (4.5) ------------------------------------------------------------------------------------------


def test_output_is_sorted_by_due_then_key_with_nulls_last_by_key():
    case = {
        "events": {
            "removal_decision": "2027-10-20",
            "iaes_removal_decision": "2027-10-20",
            "referral_received": "2027-03-15",
            "records_requested": "2027-10-20",
            "iep_rejected": "2027-10-25",
            "mediation_requested": "2027-09-30",
        }
    }
    out = results_to_json(compute(parse_case(case), parse_calendar(massachusetts_calendar(2026, 1))))["deadlines"]
    keys = [(e["key"], e["due"]) for e in out]
    dated = [k for k in keys if k[1] is not None]
    undated = [k for k in keys if k[1] is None]
    assert keys == dated + undated
    assert dated == sorted(dated, key=lambda k: (k[1], k[0]))
    assert [k[0] for k in undated] == sorted(k[0] for k in undated)


def test_output_entries_carry_error_only_when_due_is_null():
    case = {"events": {"removal_decision": "2027-10-20", "records_requested": "2027-10-20"}}
    out = json.loads(render_json(compute(parse_case(case), parse_calendar(EXAMPLE_CALENDAR))))
    assert list(out) == ["deadlines"]
    for entry in out["deadlines"]:
        expected_keys = {"key", "due", "citation", "basis"} | ({"error"} if entry["due"] is None else set())
        assert set(entry) == expected_keys
        assert isinstance(entry["basis"], str) and entry["basis"]
        assert entry.get("error", "calendar_exhausted") == "calendar_exhausted"


def test_basis_names_amount_unit_trigger_and_date():
    (result,) = compute(parse_case({"events": {"referral_received": "2025-09-17"}}), parse_calendar(MA_CALENDAR))
    assert result.basis == "5 school days after referral_received (2025-09-17)"


def test_empty_case_gives_empty_deadlines():
    assert json.loads(render_json(compute(parse_case({}), parse_calendar(MA_CALENDAR)))) == {"deadlines": []}
