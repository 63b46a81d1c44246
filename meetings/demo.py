"""seed_demo step: a few SYNTHETIC Team meetings for each demo Team chair, so the calendar and the meeting pages
show something. Light on purpose (about 3 students a chair): seeding stays fast. A chair who already scheduled a
meeting in the district gets none, and students that already have a meeting are left alone, so running it again
adds nothing."""

from datetime import time, timedelta

from django.utils import timezone

from accounts.models import Role, TeamMembership
from students.demo import SeedResult

from .models import Attendance, ContactAttempt, Meeting

PER_CHAIR = 3


def seed_meetings(*, result: SeedResult, seed: int, stdout=None) -> int:
    """For each demo chair: an annual review next week (one contact attempt logged) for their first students,
    and for the first one also a held meeting last month with its attendance. Returns the meetings added."""
    from timelines.services import deadlines_recompute

    today = timezone.localdate()
    chairs = (TeamMembership.objects.filter(team_role=TeamMembership.TeamRole.CHAIR,
                                            user__role_assignments__role=Role.TEAM_CHAIR,
                                            student__district=result.district)
              .values_list("user_id", flat=True).distinct())
    added, held_students = 0, []
    for number, chair_id in enumerate(sorted(set(chairs))):
        if Meeting.objects.filter(scheduled_by_id=chair_id, student__district=result.district).exists():
            continue  # seeded before (or the chair scheduled some): add nothing
        students = list(TeamMembership.objects.filter(user_id=chair_id, team_role=TeamMembership.TeamRole.CHAIR,
                                                      student__meetings__isnull=True)
                        .order_by("student_id").values_list("student_id", flat=True)[:PER_CHAIR])
        for index, student_id in enumerate(students):
            day = today + timedelta(days=7 + (number + index) % 10)
            meeting = Meeting.objects.create(
                student_id=student_id, meeting_type=Meeting.Type.ANNUAL_REVIEW, date=day,
                start_time=time(8 + index * 2, 30), location="Conference room", scheduled_by_id=chair_id,
                purpose="Review progress on the IEP goals and develop next year's IEP.")
            ContactAttempt.objects.create(meeting=meeting, attempted_on=today, method=ContactAttempt.Method.PHONE,
                                          outcome=ContactAttempt.Outcome.MESSAGE, recorded_by_id=chair_id)
            added += 1
            if index == 0:
                held = Meeting.objects.create(
                    student_id=student_id, meeting_type=Meeting.Type.OTHER, date=today - timedelta(days=30),
                    start_time=time(14, 0), location="Conference room", scheduled_by_id=chair_id,
                    purpose="Review progress mid-year.", status=Meeting.Status.HELD, held_recorded_by_id=chair_id)
                team = TeamMembership.objects.filter(student_id=student_id).select_related("user")
                Attendance.objects.bulk_create(
                    [Attendance(meeting=held, kind=Attendance.Kind.STAFF, user=m.user, recorded_by_id=chair_id,
                                role=m.user.job_title or m.get_team_role_display()) for m in team]
                    + [Attendance(meeting=held, kind=Attendance.Kind.PARENT, name="Parent (demo)", role="Parent",
                                  recorded_by_id=chair_id)])
                held_students.append(student_id)
                added += 1
    deadlines_recompute(student_ids=held_students)
    if stdout is not None:
        stdout.write(f"Meetings: {added:,} synthetic Team meetings added.")
    return added
