"""Which recorded event satisfies which deadline: the application's half of the rule table, as data.

The engine (spec section 3) says when a deadline is due and "whether a deadline was met is the
application's business". The spec's event keys (2.1) are the only record we have of what happened, so a
deadline is met on the date of the first satisfying event that happened on or after the date the deadline
was counted from (its cycle) and no later than today. Scheduled (future) events do not meet anything.

A deadline whose duty no spec event records has no satisfier: it turns overdue after its due date until
the process moves on (a new trigger date starts a new cycle; the old row is kept). Deadlines that are the
end of a period rather than a duty (`LAPSES`) are marked met on their due date once it has passed.
"""

from dataclasses import dataclass
from types import MappingProxyType

from .engine import RULES


@dataclass(frozen=True)
class Satisfier:
    """An event that meets a deadline; `only_if` = (fact, value) restricts it to cases where the fact holds.

    The event that triggered the deadline never meets it on its own date (an annual review meeting starts
    the next cycle, it does not meet it), unless `trigger_meets` (the meeting being held meets the duty to
    prepare for it).
    """

    event: str
    only_if: tuple[str, str] | None = None
    trigger_meets: bool = False
    # Count the event from this many days before the due date instead of from the cycle (age rules: the IEP
    # written at a meeting in the year before the birthday is the one that must contain the planning).
    window_days: int | None = None


S = Satisfier
# deadline key -> the events that meet it (spec section 3 row, regulation, why).
SATISFIED_BY = MappingProxyType({
    # 1, 603 CMR 28.04(1)(a): the notice seeks consent; consent received shows the notice went out.
    "referral_notice": (S("consent_received"),),
    # 2, 28.04(2)/28.05(1): the evaluation is complete when the Team meets on it / determines eligibility.
    "evaluation_complete": (S("team_meeting"), S("eligibility_determined")),
    # 3, 28.04(2)(c): summaries are due before the meeting; once the meeting is held the duty is moot.
    "assessment_summaries_available": (S("team_meeting", trigger_meets=True),),
    # 4, 28.05(1)/(7): met by the proposed IEP reaching the parent, or by the finding of no eligibility.
    "iep_proposal": (S("iep_received_by_parent"), S("eligibility_determined", ("eligibility", "not_eligible"))),
    # 5, 28.05(2)(a)(2): no spec event records the written notice.
    "ineligibility_notice": (),
    # 6, 28.05(2)(b): the extended evaluation ends when the Team reconvenes / decides.
    "extended_evaluation_limit": (S("team_meeting"), S("eligibility_determined")),
    # 7, 28.04(5)(d): the district either agrees (the IEE happens: report received) or files for a hearing.
    "iee_district_response": (S("iee_report_received"), S("hearing_requested")),
    # 8, 28.04(5)(e)
    "iee_report": (S("iee_report_received"),),
    # 9, 28.04(5)(f)
    "iee_team_reconvene": (S("team_meeting"),),
    # 10, 28.04(5)(c)(6): exercised when the parent requests the IEE; otherwise the right lapses (LAPSES).
    "iee_right_expires": (S("iee_requested"),),
    # 11, 28.05(7)(a): the parent answered by rejecting, or the IEP started (accepted); otherwise it lapses.
    "parent_response": (S("iep_rejected"), S("iep_start")),
    # 12, 28.08(3)(b): no spec event records the copy sent to the BSEA.
    "bsea_copy": (),
    # 13, 28.06(2)(e): the placement meeting is held on its scheduled date.
    "placement_meeting": (S("placement_meeting_scheduled"),),
    # 14, 28.06(2)(e)(1): no spec event records the notice.
    "placement_meeting_notice": (),
    # 15, 16, 28.05(7): the complete IEP reaches the parent.
    "complete_iep": (S("iep_received_by_parent"),),
    "complete_iep_on_request": (S("iep_received_by_parent"),),
    # 17, 34 CFR 300.323(c)(1): the meeting to develop the IEP is held.
    "initial_iep_meeting_idea": (S("team_meeting"),),
    # 18, 28.04(3): the annual review meeting is held.
    "annual_review": (S("annual_review_meeting"),),
    # 19, 28.04(3): a reevaluation is considered (or consent to reevaluate starts one).
    "reevaluation": (S("last_evaluation"), S("consent_received")),
    # 20, 28.07(1)(a)(4): no spec event records the end of services.
    "revocation_services_end": (),
    # 21, 34 CFR 300.530(e)(1): the manifestation determination is a Team meeting.
    "manifestation_determination": (S("team_meeting"),),
    # 22, 300.530(g): an end of a period (LAPSES).
    "iaes_limit": (),
    # 23, 603 CMR 23.07(2): no spec event records the access given.
    "records_access": (),
    # 24, 28.08(4)(a): the BSEA schedules mediation (a BSEA duty; LAPSES).
    "mediation_session": (),
    # 25, IDEA 615(c)(2)(B)(i): no spec event records the response.
    "hearing_response": (),
    # 26, IDEA 615(c)(2)(A): an optional right of the district (LAPSES).
    "sufficiency_challenge": (),
    # 27, IDEA 615(f)(1)(B)(i): the resolution meeting is a Team meeting.
    "resolution_meeting": (S("team_meeting"),),
    # 28, IDEA 615(f)(1)(B)(ii): an end of a period (LAPSES).
    "resolution_period_end": (),
    # 29, 30: counted from the date of birth, so "on or after the cycle" would let any meeting of early
    # childhood meet them: a Team meeting, annual review or IEP start in the year before the birthday (or
    # later: met late) is the IEP that must contain the transition plan / the notice (M.G.L. c. 71B, s. 2;
    # 34 CFR 300.320(c)).
    "transition_planning": (S("team_meeting", window_days=365), S("annual_review_meeting", window_days=365),
                            S("iep_start", window_days=365)),
    "age_of_majority_notice": (S("team_meeting", window_days=365), S("annual_review_meeting", window_days=365),
                               S("iep_start", window_days=365)),
})

# Ends of periods (no one has to act): once the due date has passed they are marked met on that date.
LAPSES = frozenset({"iee_right_expires", "parent_response", "iaes_limit", "mediation_session",
                    "sufficiency_challenge", "resolution_period_end"})

assert set(SATISFIED_BY) == {rule.key for rule in RULES}, "every rule needs a (possibly empty) satisfier entry"
assert LAPSES <= set(SATISFIED_BY)
