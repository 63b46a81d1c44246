"""Throughput of the pure deadline engine: cases per second in one process, one calendar.

`python -m bench.engine_throughput [N]` prints the figures and, as its last line, one JSON object.
Each case is a synthetic, random but realistic CASE.json dict (an initial evaluation, an annual review,
a discipline or dispute episode, or a mix) dated inside a Massachusetts 2025-26 + 2026-27 calendar. What
is timed is what the application does per student: validate the case dict (`parse_case`) and compute
its deadlines (`compute`); the calendar is parsed once, as it is shared by a district's students.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

from timelines.engine import compute, parse_calendar, parse_case, render_json
from timelines.engine.demo_calendar import massachusetts_calendar

FIRST_YEAR = 2025

# Episodes a student's current process may contain: (event key, days after the episode's start) lists.
_EPISODES: tuple[tuple[tuple[str, int], ...], ...] = (
    (("referral_received", 0), ("consent_received", 12), ("team_meeting", 60), ("eligibility_determined", 60)),
    (("iep_start", 0), ("annual_review_meeting", 340), ("last_evaluation", 0)),
    (("iep_received_by_parent", 0), ("iep_rejected", 20), ("placement_meeting_scheduled", 25)),
    (("iee_requested", 0), ("disputed_evaluation_date", -30), ("iee_report_received", 45)),
    (("removal_decision", 0), ("iaes_removal_decision", 3), ("revocation_notice_sent", 40)),
    (("hearing_requested", 0), ("mediation_requested", 5), ("records_requested", 1)),
    (("extended_evaluation_start", 0), ("consent_received", -20)),
)


def _random_case(rng: random.Random, span_start: date, span_days: int) -> dict[str, Any]:
    events: dict[str, str] = {}
    for episode in rng.sample(_EPISODES, rng.choice((1, 1, 2, 2, 3))):
        start = span_start + timedelta(days=rng.randrange(span_days))
        for key, offset in episode[: rng.randint(1, len(episode))]:
            events[key] = (start + timedelta(days=offset + rng.randint(-3, 3))).isoformat()
    case: dict[str, Any] = {"events": events}
    if rng.random() < 0.8:
        case["student"] = {"date_of_birth": (span_start - timedelta(days=rng.randint(3 * 365, 21 * 365))).isoformat()}
    facts: dict[str, Any] = {}
    if rng.random() < 0.7:
        facts["eligibility"] = rng.choice(("eligible", "eligible", "not_eligible"))
    for fact in (
        "parent_requested_complete_iep",
        "placement_decision_pending",
        "other_district_responsible",
        "summary_given_at_meeting",
        "reevaluation_waived",
        "resolution_meeting_waived",
    ):
        if rng.random() < 0.2:
            facts[fact] = rng.random() < 0.5
    if rng.random() < 0.1:
        facts["hearing_filed_by"] = rng.choice(("parent", "district"))
    if facts:
        case["facts"] = facts
    return case


def random_cases(n_cases: int, seed: int = 1) -> list[dict[str, Any]]:
    """`n_cases` random CASE.json dicts dated inside the bench calendar (deterministic for a seed)."""
    rng = random.Random(seed)
    span_start = date(FIRST_YEAR, 8, 1)
    return [_random_case(rng, span_start, 650) for _ in range(n_cases)]


def measure_engine(n_cases: int = 50_000, seed: int = 1) -> dict[str, float | int]:
    """Validate and compute `n_cases` random cases against one Massachusetts calendar, in this process.

    Returns {"engine_cases_per_s": cases per second (parse_case + compute), "cases": n_cases}: the median of
    three timed passes over the same cases, after a short untimed warm-up (the machine may be shared).
    """
    calendar = parse_calendar(massachusetts_calendar(FIRST_YEAR))
    cases = random_cases(n_cases, seed)
    for raw in cases[:2_000]:
        compute(parse_case(raw), calendar)
    rates = []
    for _ in range(3):
        started = time.perf_counter()
        for raw in cases:
            compute(parse_case(raw), calendar)
        rates.append(n_cases / (time.perf_counter() - started))
    return {"engine_cases_per_s": round(statistics.median(rates)), "cases": n_cases}


def _measure_detail(n_cases: int, seed: int) -> dict[str, float]:
    """Extra figures for the printout: compute alone, and the whole command pipeline without file I/O."""
    calendar = parse_calendar(massachusetts_calendar(FIRST_YEAR))
    cases = [parse_case(raw) for raw in random_cases(n_cases, seed)]
    started = time.perf_counter()
    deadlines = sum(len(compute(case, calendar)) for case in cases)
    compute_only = time.perf_counter() - started
    texts = [json.dumps(raw) for raw in random_cases(n_cases, seed)]
    started = time.perf_counter()
    for text in texts:
        render_json(compute(parse_case(json.loads(text)), calendar))
    pipeline = time.perf_counter() - started
    return {
        "compute_only_cases_per_s": n_cases / compute_only,
        "json_pipeline_cases_per_s": n_cases / pipeline,
        "deadlines_per_case": deadlines / n_cases,
    }


def main(argv: list[str]) -> None:
    n_cases = int(argv[0]) if argv else 50_000
    result = measure_engine(n_cases)
    detail = _measure_detail(n_cases, 1)
    print(f"cases:                              {result['cases']}")
    print(f"deadlines per case:                 {detail['deadlines_per_case']:.1f}")
    print(f"engine (parse_case + compute):      {result['engine_cases_per_s']:,} cases/s")
    print(f"compute only:                       {detail['compute_only_cases_per_s']:,.0f} cases/s")
    print(f"json.loads + parse + compute + json: {detail['json_pipeline_cases_per_s']:,.0f} cases/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
