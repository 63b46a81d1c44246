"""One student's case as the engine sees it: events, facts and date of birth (spec section 2).

Pure Python, no Django. `parse_case` builds these from JSON; the application may build them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Literal, NamedTuple

# 2.1: the only event keys, in the spec's order.
EVENT_KEYS: tuple[str, ...] = (
    "referral_received",
    "consent_received",
    "team_meeting",
    "eligibility_determined",
    "extended_evaluation_start",
    "iee_requested",
    "iee_report_received",
    "disputed_evaluation_date",
    "iep_received_by_parent",
    "iep_rejected",
    "placement_meeting_scheduled",
    "iep_start",
    "annual_review_meeting",
    "last_evaluation",
    "revocation_notice_sent",
    "removal_decision",
    "iaes_removal_decision",
    "records_requested",
    "mediation_requested",
    "hearing_requested",
)

# The trigger name of the `age` rules (2.2); it is not an event key.
DATE_OF_BIRTH = "student.date_of_birth"

Eligibility = Literal["eligible", "not_eligible"]
Filer = Literal["parent", "district"]

# 2.3: the allowed values of the two enumerated facts; every other fact is a boolean.
FACT_CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"eligibility": ("eligible", "not_eligible"), "hearing_filed_by": ("parent", "district")}
)


class Facts(NamedTuple):
    """The facts of 2.3, each at its "when absent" value by default.

    A NamedTuple rather than a frozen dataclass: just as immutable, and about three times faster to build,
    which counts when a district's whole caseload is recomputed.
    """

    eligibility: Eligibility | None = None
    summary_given_at_meeting: bool = False  # recorded only; changes no deadline (D1)
    parent_requested_complete_iep: bool = False
    placement_decision_pending: bool = False
    parent_requested_later_placement_meeting: bool = False
    other_district_responsible: bool = False
    reevaluation_waived: bool = False
    hearing_filed_by: Filer = "parent"
    resolution_meeting_waived: bool = False
    prior_written_notice_on_issues: bool = False


# 2.3: the only fact keys.
FACT_KEYS: tuple[str, ...] = Facts._fields


class Case(NamedTuple):
    """One student's current process: event dates (keys from `EVENT_KEYS`), facts, date of birth.

    `parse_case` validates the keys; a Case built directly with an unknown event key simply triggers nothing.
    Treat `events` as read-only. A NamedTuple for the same reason as `Facts`.
    """

    events: Mapping[str, date] = MappingProxyType({})
    facts: Facts = Facts()
    date_of_birth: date | None = None

    def trigger_dates(self) -> list[tuple[str, date]]:
        """The (trigger, date) pairs the rule table's triggers name: the events, then the date of birth."""
        if self.date_of_birth is None:
            return list(self.events.items())
        return [*self.events.items(), (DATE_OF_BIRTH, self.date_of_birth)]

    @property
    def eligible(self) -> bool:
        """The Team's most recent finding is "eligible" (2.3)."""
        return self.facts.eligibility == "eligible"

    @property
    def not_eligible(self) -> bool:
        """The Team's most recent finding is "not_eligible" (2.3)."""
        return self.facts.eligibility == "not_eligible"
