"""The rule table of spec section 3, as data: one `Rule` per deadline key.

A rule names its trigger(s), an amount and a unit (how to count, spec 1.2 to 1.7), a condition (a small
predicate over the case; None = always) and the exact citation string that the output carries.
`compute.py` interprets the table; nothing else in the engine knows a deadline key. Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .case import DATE_OF_BIRTH, Case


class Unit(StrEnum):
    """How an amount is counted from the trigger date (spec section 3, "Units")."""

    CALENDAR_DAYS = "calendar_days"  # 1.2
    CALENDAR_DAYS_BEFORE = "calendar_days_before"  # 1.2
    SCHOOL_DAYS = "school_days"  # 1.5
    SCHOOL_DAYS_BEFORE = "school_days_before"  # 1.5
    SCHOOL_DAYS_EOY = "school_days_eoy"  # 1.5 with the end-of-school-year rule of 1.7
    MONTHS = "months"  # 1.6
    YEARS = "years"  # 1.6
    YEARS_PERIOD = "years_period"  # 1.6: last day of an N-year period
    AGE = "age"  # 1.6: N-th birthday


Condition = Callable[[Case], bool]

# 603 CMR 28.05(1), spec 1.7 and D3: consent received "within 30 to 45 school working days before the end of
# the school year" (both ends inclusive) moves `iep_proposal` to 14 calendar days after the last day of school.
END_OF_YEAR_WINDOW = (30, 45)
END_OF_YEAR_GRACE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rule table.

    With several triggers the anchor is the latest of those present (rule 18, `annual_review`).
    """

    key: str
    triggers: tuple[str, ...]
    amount: int
    unit: Unit
    condition: Condition | None
    citation: str


# Conditions (section 3, "condition" column; D9 explains where each comes from).
def evaluation_under_way(case: Case) -> bool:
    """Assessment summaries concern a meeting that reviews an evaluation: consent was received (rule 3)."""
    return "consent_received" in case.events


def not_eligible(case: Case) -> bool:
    """The Team found the student not eligible (rule 5)."""
    return case.not_eligible


def eligible(case: Case) -> bool:
    """The Team found the student eligible (rules 15, 17, 29, 30)."""
    return case.eligible


def placement_meeting_owed(case: Case) -> bool:
    """Eligible, placement deferred to a separate meeting, and the parent did not ask for it later (rule 13)."""
    facts = case.facts
    return case.eligible and facts.placement_decision_pending and not facts.parent_requested_later_placement_meeting


def other_district_responsible(case: Case) -> bool:
    """Another possibly responsible district must get notice of the placement meeting (rule 14)."""
    return case.facts.other_district_responsible


def complete_iep_requested(case: Case) -> bool:
    """Eligible, and the parent asked for the complete IEP right away (rule 16)."""
    return case.eligible and case.facts.parent_requested_complete_iep


def reevaluation_not_waived(case: Case) -> bool:
    """Parent and district did not agree that the three-year reevaluation is unnecessary (rule 19)."""
    return not case.facts.reevaluation_waived


def parent_filed_without_prior_notice(case: Case) -> bool:
    """The parent filed, and the district has not already sent prior written notice on the issues (rule 25)."""
    return case.facts.hearing_filed_by == "parent" and not case.facts.prior_written_notice_on_issues


def parent_filed_and_meeting_not_waived(case: Case) -> bool:
    """The parent filed, and the resolution meeting was not waived in writing (rules 27, 28)."""
    return case.facts.hearing_filed_by == "parent" and not case.facts.resolution_meeting_waived


U = Unit
# fmt: off
RULES: tuple[Rule, ...] = (
    Rule("referral_notice", ("referral_received",), 5, U.SCHOOL_DAYS, None,
         "603 CMR 28.04(1)(a)"),
    Rule("evaluation_complete", ("consent_received",), 30, U.SCHOOL_DAYS, None,
         "603 CMR 28.04(2); 603 CMR 28.05(1)"),
    Rule("assessment_summaries_available", ("team_meeting",), 2, U.CALENDAR_DAYS_BEFORE, evaluation_under_way,
         "603 CMR 28.04(2)(c); 603 CMR 28.05(1)"),
    Rule("iep_proposal", ("consent_received",), 45, U.SCHOOL_DAYS_EOY, None,
         "603 CMR 28.05(1); 603 CMR 28.05(7)"),
    Rule("ineligibility_notice", ("team_meeting",), 10, U.CALENDAR_DAYS, not_eligible,
         "603 CMR 28.05(2)(a)(2)"),
    # D4: eight school weeks read as 8 x 5 school days.
    Rule("extended_evaluation_limit", ("extended_evaluation_start",), 40, U.SCHOOL_DAYS, None,
         "603 CMR 28.05(2)(b); DESE Administrative Advisory SPED 2019-2"),
    Rule("iee_district_response", ("iee_requested",), 5, U.SCHOOL_DAYS, None,
         "603 CMR 28.04(5)(d)"),
    Rule("iee_report", ("iee_requested",), 30, U.CALENDAR_DAYS, None,
         "603 CMR 28.04(5)(e)"),
    Rule("iee_team_reconvene", ("iee_report_received",), 10, U.SCHOOL_DAYS, None,
         "603 CMR 28.04(5)(f)"),
    Rule("iee_right_expires", ("disputed_evaluation_date",), 16, U.MONTHS, None,
         "603 CMR 28.04(5)(c)(6)"),
    Rule("parent_response", ("iep_received_by_parent",), 30, U.CALENDAR_DAYS, None,
         "603 CMR 28.05(7)(a)"),
    Rule("bsea_copy", ("iep_rejected",), 5, U.CALENDAR_DAYS, None,
         "603 CMR 28.08(3)(b)"),
    Rule("placement_meeting", ("team_meeting",), 10, U.SCHOOL_DAYS, placement_meeting_owed,
         "603 CMR 28.06(2)(e)"),
    Rule("placement_meeting_notice", ("placement_meeting_scheduled",), 5, U.SCHOOL_DAYS_BEFORE,
         other_district_responsible,
         "603 CMR 28.06(2)(e)(1)"),
    # D1: DESE Policy Memo SY2024-2025-6 ("no later than 5 school days after the team meeting").
    Rule("complete_iep", ("team_meeting",), 5, U.SCHOOL_DAYS, eligible,
         "603 CMR 28.05(7); DESE Special Education Policy Memo SY2024-2025-6"),
    # D2: the end of the memorandum's "within 3-5 days of the Team meeting".
    Rule("complete_iep_on_request", ("team_meeting",), 5, U.CALENDAR_DAYS, complete_iep_requested,
         "603 CMR 28.05(7); DESE Memorandum on the Implementation of 603 CMR 28.05(7) "
         "(complete IEP on parent request)"),
    Rule("initial_iep_meeting_idea", ("eligibility_determined",), 30, U.CALENDAR_DAYS, eligible,
         "34 CFR 300.323(c)(1)"),
    # D5: "at least annually" = by the last day of the one-year IEP period.
    Rule("annual_review", ("iep_start", "annual_review_meeting"), 1, U.YEARS_PERIOD, None,
         "603 CMR 28.04(3)"),
    Rule("reevaluation", ("last_evaluation",), 3, U.YEARS, reevaluation_not_waived,
         "603 CMR 28.04(3); 34 CFR 300.303(b)(2)"),
    Rule("revocation_services_end", ("revocation_notice_sent",), 10, U.SCHOOL_DAYS, None,
         "603 CMR 28.07(1)(a)(4)"),
    Rule("manifestation_determination", ("removal_decision",), 10, U.SCHOOL_DAYS, None,
         "34 CFR 300.530(e)(1)"),
    Rule("iaes_limit", ("iaes_removal_decision",), 45, U.SCHOOL_DAYS, None,
         "34 CFR 300.530(g)"),
    Rule("records_access", ("records_requested",), 10, U.CALENDAR_DAYS, None,
         "603 CMR 23.07(2)"),
    Rule("mediation_session", ("mediation_requested",), 30, U.CALENDAR_DAYS, None,
         "603 CMR 28.08(4)(a)"),
    Rule("hearing_response", ("hearing_requested",), 10, U.CALENDAR_DAYS, parent_filed_without_prior_notice,
         "20 U.S.C. 1415(c)(2)(B)(i) (IDEA 615(c)(2)(B))"),
    Rule("sufficiency_challenge", ("hearing_requested",), 15, U.CALENDAR_DAYS, None,
         "20 U.S.C. 1415(c)(2)(A), (C) (IDEA 615(c)(2)(A), (C))"),
    Rule("resolution_meeting", ("hearing_requested",), 15, U.CALENDAR_DAYS, parent_filed_and_meeting_not_waived,
         "20 U.S.C. 1415(f)(1)(B)(i) (IDEA 615(f)(1)(B)(i))"),
    Rule("resolution_period_end", ("hearing_requested",), 30, U.CALENDAR_DAYS, parent_filed_and_meeting_not_waived,
         "20 U.S.C. 1415(f)(1)(B)(ii) (IDEA 615(f)(1)(B)(ii))"),
    Rule("transition_planning", (DATE_OF_BIRTH,), 14, U.AGE, eligible,
         "M.G.L. c. 71B, s. 2; DESE Technical Assistance Advisory SPED 2009-1"),
    Rule("age_of_majority_notice", (DATE_OF_BIRTH,), 17, U.AGE, eligible,
         "34 CFR 300.320(c); 34 CFR 300.520; DESE Administrative Advisory SPED 2011-1"),
)
# fmt: on
del U


def _index_by_trigger(rules: tuple[Rule, ...]) -> Mapping[str, tuple[Rule, ...]]:
    index: dict[str, list[Rule]] = {}
    for rule in rules:
        for trigger in rule.triggers:
            index.setdefault(trigger, []).append(rule)
    return MappingProxyType({trigger: tuple(found) for trigger, found in index.items()})


# The rules each trigger can start, so that a case only looks at the rules its events can trigger.
RULES_BY_TRIGGER: Mapping[str, tuple[Rule, ...]] = _index_by_trigger(RULES)
