"""Demo IEPs for the synthetic demo district: realistic statuses, goals with benchmarks, grids, accommodations
and evaluations, varied by disability and age. Synthetic text only; nothing describes a real person.

Fast by construction: rows go in with bulk_create, in batches (simple-history does not record bulk inserts,
which is fine for seed data). Deterministic for a seed: each student's IEPs come from a stream seeded by its
SASID. Safe to run again: students that already have an IEP are skipped.
"""

import json
import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import TeamMembership
from students.disabilities import Disability
from students.models import Student, age_on

from .models import IEP, Evaluation, Section
from .models.iep import add_years, default_end
from .models.sections import KIND_ORDER
from .selectors import placement_for_share

BATCH = 1000

# Per disability: goal areas with (baseline, target, benchmarks), present-level phrases, accommodations, services.
GOALS = {
    "reading": ("Reads grade-level passages at {a} words per minute with 88% accuracy.",
                "Will read grade-level passages at {b} words per minute with 95% accuracy.",
                ["{c} words per minute by the first progress report", "{d} words per minute by mid-year"]),
    "written expression": ("Writes two to three loosely connected sentences on a topic.",
                           "Will write a five-sentence paragraph with a topic sentence and details, scoring 3 of 4 "
                           "on the district rubric.",
                           ["Uses a graphic organizer to plan with prompts", "Writes a topic sentence independently"]),
    "mathematics": ("Solves single-step word problems with 50% accuracy.",
                    "Will solve two-step word problems involving fractions with 80% accuracy.",
                    ["Identifies the operation in single-step problems", "Solves two-step problems with a model"]),
    "social communication": ("Initiates a peer interaction about once per day with adult prompting.",
                             "Will initiate and sustain a three-turn conversation with a peer in 4 of 5 opportunities.",
                             ["Greets peers independently", "Asks a peer a follow-up question with a visual cue"]),
    "self-regulation": ("Uses a calming strategy in 1 of 5 observed moments of frustration.",
                        "Will choose and use a calming strategy in 4 of 5 moments of frustration without adult "
                        "prompting.",
                        ["Names the feeling with a visual scale", "Requests a break using the break card"]),
    "expressive language": ("Uses three- to four-word sentences to describe events.",
                            "Will retell a short story in sequence using complete sentences with 80% accuracy.",
                            ["Uses first/next/last with picture supports", "Retells with two details"]),
    "articulation": ("Produces /r/ in words with 40% accuracy.",
                     "Will produce /r/ in conversation with 80% accuracy.", ["/r/ in phrases at 70%",
                                                                            "/r/ in sentences at 75%"]),
    "fine motor": ("Forms letters legibly with frequent reversals.",
                   "Will write a legible sentence on lined paper with correct letter formation in 4 of 5 trials.",
                   ["Copies lowercase letters with correct formation", "Spaces words with a spacing tool"]),
    "executive functioning": ("Completes and submits about 40% of assignments on time.",
                              "Will use a planner to record and submit 85% of assignments on time.",
                              ["Records assignments daily with a check-in", "Breaks long tasks into steps"]),
    "functional academics": ("Identifies coins with 60% accuracy.",
                             "Will count coins and bills to pay for an item up to $10 in 4 of 5 trials.",
                             ["Counts coins to $1", "Uses the next-dollar strategy"]),
    "independent living": ("Follows a three-step visual schedule with prompts.",
                           "Will complete a morning routine of six steps using a visual checklist independently.",
                           ["Completes three steps independently", "Self-checks the checklist"]),
    "pre-academic skills": ("Names eight letters and counts to 10 with one-to-one correspondence.",
                            "Will name 20 letters and count objects to 20 in play-based activities.",
                            ["Names 12 letters", "Counts objects to 15"]),
    "auditory skills": ("Follows one-step directions in a quiet setting.",
                        "Will follow two-step classroom directions with the FM system in 4 of 5 opportunities.",
                        ["Follows one-step directions in the classroom", "Requests repetition when needed"]),
    "orientation and mobility": ("Moves between familiar rooms with a sighted guide.",
                                 "Will travel independently between the classroom, cafeteria and bus using a cane.",
                                 ["Uses trailing along a familiar hallway", "Travels to the cafeteria with cues"]),
}
PROFILES = {
    Disability.SPECIFIC_LEARNING: (["reading", "written expression", "mathematics"], ["ela", "math"],
                                   "decoding multisyllabic words and reading fluency"),
    Disability.COMMUNICATION: (["expressive language", "articulation", "social communication"], ["ela"],
                               "expressive language and intelligibility"),
    Disability.AUTISM: (["social communication", "self-regulation", "executive functioning"], ["ela", "history"],
                        "social communication and flexibility during transitions"),
    Disability.HEALTH: (["executive functioning", "written expression", "mathematics"], ["ela", "math", "science"],
                        "attention, task initiation and work completion"),
    Disability.DEVELOPMENTAL_DELAY: (["pre-academic skills", "expressive language", "fine motor"], ["ela"],
                                     "early language, pre-academic and fine motor skills"),
    Disability.EMOTIONAL: (["self-regulation", "social communication", "executive functioning"], ["ela", "history"],
                           "regulating emotions and sustaining attention in class"),
    Disability.NEUROLOGICAL: (["executive functioning", "reading", "fine motor"], ["ela", "math"],
                              "processing speed, memory and organization"),
    Disability.INTELLECTUAL: (["functional academics", "independent living", "reading"], ["ela", "math", "other"],
                              "functional academic and daily living skills"),
    Disability.PHYSICAL: (["fine motor", "independent living", "written expression"], ["ela"],
                          "fine and gross motor access to materials"),
    Disability.SENSORY_HEARING: (["auditory skills", "expressive language", "reading"], ["ela"],
                                 "access to spoken instruction and vocabulary"),
    Disability.SENSORY_VISION: (["orientation and mobility", "reading", "fine motor"], ["ela", "science"],
                                "access to print and navigating the school"),
    Disability.SENSORY_DEAFBLIND: (["orientation and mobility", "auditory skills", "independent living"], ["ela"],
                                   "access to communication and the environment"),
}
SERVICES = {  # goal area → (type of service, provided by, group, sessions, minutes)
    "reading": ("Specialized reading instruction", "Special Education Teacher", "C", 5, 45),
    "written expression": ("Writing support in class", "Special Education Teacher", "B", 3, 45),
    "mathematics": ("Math support", "Special Education Teacher", "B", 3, 40),
    "social communication": ("Social pragmatics group", "Speech-Language Pathologist", "C", 2, 30),
    "self-regulation": ("Counseling", "School Psychologist", "C", 1, 30),
    "expressive language": ("Speech and language therapy", "Speech-Language Pathologist", "C", 2, 30),
    "articulation": ("Speech therapy", "Speech-Language Pathologist", "C", 2, 30),
    "fine motor": ("Occupational therapy", "Occupational Therapist", "C", 1, 30),
    "executive functioning": ("Academic support", "Special Education Teacher", "C", 3, 45),
    "functional academics": ("Life skills instruction", "Special Education Teacher", "C", 10, 60),
    "independent living": ("Daily living skills", "Special Education Teacher", "C", 5, 60),
    "pre-academic skills": ("Early childhood special education", "Special Education Teacher", "B", 5, 60),
    "auditory skills": ("Itinerant services for the deaf and hard of hearing", "Teacher of the Deaf", "B", 2, 45),
    "orientation and mobility": ("Orientation and mobility", "O&M Specialist", "C", 2, 45),
}
ACCOMMODATIONS = ["Preferential seating near instruction", "Directions read aloud and repeated",
                  "Graphic organizers and visual supports", "Extended time (time and a half)",
                  "Breaks as needed, using a break card", "Small-group setting for tests",
                  "Speech-to-text for writing over a paragraph", "Copy of class notes",
                  "Check-in with the case manager at the start of the day", "Audio books and text-to-speech"]
MODIFICATIONS = ["Reduced number of items per assignment", "Alternate grading using the IEP rubric",
                 "Content at an adjusted reading level", "Shortened written assignments"]
EVALUATIONS = [("educational", "Special Education Teacher",
                "Reading and written language below grade-level expectations; math within the average range."),
               ("psychological", "School Psychologist",
                "Cognitive abilities in the average range with a relative weakness in processing speed."),
               ("speech_language", "Speech-Language Pathologist",
                "Expressive language scores below average; receptive language within normal limits."),
               ("occupational_therapy", "Occupational Therapist",
                "Visual-motor integration below average; handwriting legibility affected."),
               ("health", "School Nurse", "Vision and hearing screenings passed; no health concerns affecting "
                                          "learning."),
               ("home", "School Adjustment Counselor", "Family reports strong routines and support with homework.")]
EVALUATORS = ["J. Moreau", "A. Castillo", "K. Osei", "R. Lindqvist", "M. Farrell", "D. Nakamura", "S. Haddad"]


def _iep_content(rng: random.Random, student: Student, age: int, iep: IEP, goal_ids: list[int],
                 goal_areas: list[str]) -> dict[str, dict]:
    areas, subjects, need = PROFILES.get(student.primary_disability, PROFILES[Disability.SPECIFIC_LEARNING])
    first = student.first_name
    lines = []
    for goal_id, area in zip(goal_ids, goal_areas, strict=True):
        kind, by, group, sessions, minutes = SERVICES[area]
        lines.append({"id": f"{goal_id:x}", "group": group, "goals": [goal_id], "service_type": kind,
                      "provided_by": by, "location": "General education classroom" if group == "B" else
                      "Special education setting", "frequency": sessions, "minutes": minutes,
                      "start_date": iep.start_date.isoformat(), "end_date": iep.end_date.isoformat()})
    lines.append({"id": "c0", "group": "A", "goals": goal_ids[:1], "service_type": "Consultation with the "
                  "classroom teacher", "provided_by": "Special Education Teacher", "location": "School",
                  "frequency": 1, "minutes": 15, "start_date": iep.start_date.isoformat(),
                  "end_date": iep.end_date.isoformat()})
    c_minutes = sum(line["frequency"] * line["minutes"] for line in lines if line["group"] == "C")
    share = c_minutes / (iep.school_day_minutes * iep.cycle_length_days)
    acc = rng.sample(ACCOMMODATIONS, 5)
    content = {
        "concerns": {"student_concerns": f"I want to get better at {goal_areas[0]} and feel less stressed in class.",
                     "parent_concerns": f"We want {first} to make progress in {need} and to be more independent."},
        "vision": {"learn_this_year": f"To get better at {goal_areas[0]}.",
                   "team_this_year": f"{first} will build confidence and use supports independently.",
                   "team_five_years": f"{first} will advocate for the supports that help them learn."},
        "profile": {"disabilities": [student.primary_disability] + ([student.secondary_disability]
                                                                    if student.secondary_disability else []),
                    "primary_disability": student.primary_disability,
                    "secondary_disability": student.secondary_disability,
                    "english_learner": "no" if student.primary_language == "English" else "yes",
                    "el_program": "" if student.primary_language == "English" else "Sheltered English Immersion",
                    "assistive_technology": "yes" if "text-to-speech" in " ".join(acc) else "no",
                    "at_sections": "Accommodations" if "text-to-speech" in " ".join(acc) else ""},
        "ap_academics": {"subjects": subjects, "subjects_other": "Functional life skills" if "other" in subjects
                         else "", "current_performance": f"{first} shows needs in {need}. "
                         f"Recent curriculum-based measures place {first} below grade-level benchmarks.",
                         "strengths": rng.choice(["Curious and eager to help others.", "Strong visual memory and "
                                                  "enjoys hands-on science.", "Persistent; loves art and music."]),
                         "impact": f"Needs in {need} limit {first}'s access to grade-level texts and tasks without "
                                   "specialized instruction and accommodations."},
        "ap_behavior": {"current_performance": f"{first} follows classroom routines with visual supports.",
                        "pbis_needed": "yes" if student.primary_disability in ("emotional", "autism") else "no",
                        "bullying_reasons": ["autism"] if Disability.AUTISM in (
                            student.primary_disability, student.secondary_disability) else [],
                        "bullying_skills": "Recognizing teasing and asking a trusted adult for help." if
                        "autism" in (student.primary_disability, student.secondary_disability) else "",
                        "bullying_addressed": "Social pragmatics group and a daily check-in." if
                        "autism" in (student.primary_disability, student.secondary_disability) else ""},
        "ap_communication": {"current_performance": "Communicates needs verbally in familiar settings.",
                             "aac_needed": "no"},
        "ap_additional": {},
        "accommodations": {"acc_classroom_presentation": "\n".join(acc[:2]), "acc_classroom_response": acc[2],
                           "acc_classroom_timing": acc[3], "acc_classroom_setting": acc[4],
                           "acc_nonacademic_setting": "Adult check-in at lunch and recess transitions",
                           "mod_classroom_output": rng.choice(MODIFICATIONS) if share > 0.2 else ""},
        "participation": ({"needs_met_in_general_education": "yes"} if share <= 0.6 else
                          {"needs_met_in_general_education": "no", "nonparticipation_extent":
                           f"{first} receives specialized instruction outside the general classroom for most of "
                           "the day.", "aids_considered": "Co-taught classes and in-class support were considered."}),
        "progress_reporting": {"schedule": "Written progress reports each term, at the same time as report cards."},
        "service_grid": {"lines": lines},
        "transportation": {"mode": "regular"} if share <= 0.6 else {"mode": "related_service",
                                                                    "vehicle": "special", "details": "Door to door"},
        "assessments": {"ela_mode": "accommodations", "ela_accommodations": "Test read aloud; separate setting",
                        "math_mode": "routine", "science_mode": "routine"},
        "schedule_esy": {"modified_schedule": "no", "esy": "no"},
        "transition": {},
        "additional_info": {"text": "Family prefers communication by email and text."},
        "response": {},
        "placement": {},
    }
    if age >= 14:
        content["vision"].update(postsecondary_education="Attend a community college program.",
                                 postsecondary_employment="Work in a field related to technology or health care.",
                                 postsecondary_independent_living="Live independently with family support nearby.",
                                 high_school_want="Take classes that help me get a job.")
        content["transition"] = {
            "graduation_date": date(iep.start_date.year + max(1, 19 - age), 6, 15).isoformat(),
            "postsecondary_vision": "Community college, then work in technology or health care.",
            "skills_needing_goals": "Self-advocacy, time management, workplace communication.",
            "course_of_study": "College and career preparation with a career technical elective.",
            "transition_services": "Career exploration with the transition specialist; a summer job program.",
            "community_connections": "Massachusetts Rehabilitation Commission; school liaison: transition "
                                     "specialist.",
            "ch688_discussed": "yes" if age >= 20 else "no", "ch688_referral": "not_applicable"}
        if age >= 17:
            content["transition"]["majority_informed_date"] = (iep.meeting_date or iep.start_date).isoformat()
        if age >= 18:
            content["transition"]["majority_decision"] = "own_behalf"
    if age <= 5:
        content["placement"] = {"category": "ec_inclusive", "ec_hours_per_week": 12.5, "ec_inclusive_share": "80_plus"}
    elif age <= 21:
        content["placement"] = {"category": placement_for_share(share)}
    return content


def _student_plan(rng: random.Random) -> list[tuple[str, int]]:
    """(status, years after the current IEP's start) of the student's IEPs, oldest first.

    Most students have a current accepted IEP; some have next year's IEP in draft or proposed, a few a rejected
    one; some are being evaluated for their first IEP (a draft only); a third have an older, superseded IEP.
    """
    roll = rng.random()
    if roll < 0.60:
        plan = [("accepted", 0)]
    elif roll < 0.72:
        plan = [("accepted", 0), ("draft", 1)]
    elif roll < 0.82:
        plan = [("accepted", 0), ("proposed", 1)]
    elif roll < 0.88:
        plan = [("partially_accepted", 0)]
    elif roll < 0.91:
        plan = [("accepted", 0), ("rejected", 1)]
    else:
        return [("draft", 0)]  # an initial IEP being written
    if rng.random() < 0.35:
        plan.insert(0, ("superseded", -1))
    return plan


def seed_ieps(*, result, seed: int, stdout=None, today: date | None = None) -> int:
    """Give every demo student without an IEP a realistic IEP history. Returns how many IEPs were created."""
    today = today or date.today()
    started = time.monotonic()
    students = (Student.objects.filter(district=result.district, ieps__isnull=True)
                .select_related("district").order_by("pk"))
    made = 0
    ids = list(students.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            made += _seed_batch(list(students.filter(pk__in=ids[start:start + BATCH])), seed, today)
    if stdout is not None:
        stdout.write(f"IEPs: {made:,} created in {time.monotonic() - started:.1f} s.")
    return made


def _seed_batch(students: list[Student], seed: int, today: date) -> int:
    chairs = dict(TeamMembership.objects.filter(student__in=students, team_role="chair")
                  .values_list("student_id", "user_id"))
    managers = dict(TeamMembership.objects.filter(student__in=students, team_role="member")
                    .exclude(responsibility="Classroom teacher").values_list("student_id", "user_id"))
    now = timezone.now()
    plans, ieps = [], []
    for student in students:
        rng = random.Random(f"{seed}:iep:{student.sasid}")
        plan = _student_plan(rng)
        # next year's IEP is in the works only when the current one is near its annual review
        upcoming = any(years == 1 for _status, years in plan)
        current_start = today - timedelta(days=rng.randint(270, 350) if upcoming else rng.randint(30, 330))
        for status, years in plan:
            start = add_years(current_start, years)
            meeting = start - timedelta(days=rng.randint(3, 20))
            if status == "proposed":
                meeting = today - timedelta(days=rng.randint(2, 12))
            initial = status == "draft" and years == 0
            iep = IEP(student=student, status=status, start_date=start, end_date=default_end(start),
                      meeting_date=None if initial else meeting,
                      meeting_type=IEP.MeetingType.INITIAL if initial else IEP.MeetingType.ANNUAL_REVIEW,
                      last_evaluation_date=None if initial else add_years(meeting, -rng.randint(0, 2)),
                      case_manager_id=managers.get(student.pk), cycle_length_days=student.district.cycle_length_days,
                      school_day_minutes=student.district.school_day_minutes,
                      proposed_at=now if status != "draft" else None,
                      responded_at=now if status not in ("draft", "proposed") else None)
            ieps.append(iep)
            plans.append((student, rng, iep))
    IEP.objects.bulk_create(ieps, batch_size=BATCH)
    goals, goal_plan = [], []
    for student, rng, iep in plans:
        areas = PROFILES.get(student.primary_disability, PROFILES[Disability.SPECIFIC_LEARNING])[0]
        chosen = areas[:rng.randint(2, 3)]
        goal_plan.append(chosen)
        for number, area in enumerate(chosen, start=1):
            baseline, target, benchmarks = GOALS[area]
            a = rng.randint(50, 90)
            values = {"a": a, "b": a + 30, "c": a + 10, "d": a + 20}
            goals.append((iep.pk, Section.Kind.GOAL.value, KIND_ORDER["goal"], number, {
                "area": area.capitalize(), "baseline": baseline.format(**values), "target": target.format(**values),
                "benchmarks": [b.format(**values) for b in benchmarks],
                "criteria": "80% accuracy across three consecutive probes",
                "method": "Curriculum-based measures and work samples", "schedule": "Every two weeks",
                "responsible": "Special education teacher"}, 1, chairs.get(student.pk), now))
    _insert(Section, SECTION_COLUMNS, goals)
    by_iep: dict[int, list[int]] = {}
    for iep_id, pk in (Section.objects.filter(iep__in=[iep.pk for iep in ieps], kind=Section.Kind.GOAL)
                       .order_by("iep_id", "position").values_list("iep_id", "pk")):
        by_iep.setdefault(iep_id, []).append(pk)
    sections, evaluations = [], []
    for (student, rng, iep), areas in zip(plans, goal_plan, strict=True):
        age = age_on(student.date_of_birth, iep.meeting_date or iep.start_date)
        content = _iep_content(rng, student, age, iep, by_iep[iep.pk], areas)
        if iep.status not in ("draft", "proposed"):
            answer = {"accepted": "accept", "superseded": "accept", "partially_accepted": "reject_portions",
                      "rejected": "reject"}[iep.status]
            content["response"] = {"response": answer, "response_date": (iep.start_date - timedelta(days=2))
                                   .isoformat(), "district_rep_name": "Demo Team Chair",
                                   "district_rep_role": "Team Chair", "placement_response": "consent",
                                   "placement_response_date": (iep.start_date - timedelta(days=2)).isoformat(),
                                   "rejected_portions": ["Goal 2"] if answer == "reject_portions" else []}
        for kind, data in content.items():
            written = bool(data) and not (iep.status == "draft" and kind in ("placement", "assessments") and
                                          rng.random() < 0.5)
            sections.append((iep.pk, kind, KIND_ORDER[kind], 0, data if written else {}, 1 if written else 0,
                             chairs.get(student.pk) if written else None, now if written else None))
    for student in students:
        rng = random.Random(f"{seed}:evaluation:{student.sasid}")
        completed = today - timedelta(days=rng.randint(60, 900))
        areas = [EVALUATIONS[0], EVALUATIONS[1 if rng.random() < 0.6 else 2], EVALUATIONS[rng.randint(2, 5)]]
        for area, role, results in {a[0]: a for a in areas}.values():
            consent = completed - timedelta(days=rng.randint(20, 40))
            evaluations.append((student.pk, area, rng.choice(EVALUATORS), role, consent, completed,
                                completed + timedelta(days=rng.randint(1, 2)), results, now, now))
    _insert(Section, SECTION_COLUMNS, sections)
    _insert(Evaluation, EVALUATION_COLUMNS, evaluations)
    return len(ieps)


SECTION_COLUMNS = ["iep_id", "kind", "order", "position", "content", "version", "updated_by_id", "updated_at"]
EVALUATION_COLUMNS = ["student_id", "area", "evaluator_name", "evaluator_role", "consent_date", "completion_date",
                      "summary_to_parents_date", "key_results", "created_at", "updated_at"]


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows (tuples in `columns` order) whose ids nobody needs: COPY on PostgreSQL, with no model
    instances (several times faster for the ~30 sections per student), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                                  batch_size=BATCH)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    json_at = columns.index("content") if "content" in columns else -1
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_at >= 0:
                row = (*row[:json_at], json.dumps(row[json_at]), *row[json_at + 1:])
            copy.write_row(row)
