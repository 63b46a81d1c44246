"""Reads of roster data: runs of a district, and the teachers enrollments suggest for a student's Team."""

from django.db.models import QuerySet

from accounts.models import User
from students.models import District, Student

from .models import Enrollment, ImportRun, RosterClass


def roster_runs(district: District) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(district=district).select_related("started_by", "mapping").order_by(
        "-created_at", "-pk")


def suggested_teachers(student: Student) -> list[tuple[User, list[str]]]:
    """Active teachers of the student's classes (per the SIS enrollments) who are not on the Team yet, each with
    the titles of the classes they share. Only a suggestion: the chair confirms each one."""
    classes = Enrollment.objects.filter(district_id=student.district_id, student=student, role="student").values(
        "class_sis_id")
    rows = (Enrollment.objects.filter(district_id=student.district_id, role="teacher", class_sis_id__in=classes,
                                      staff__is_active=True)
            .exclude(staff__team_memberships__student=student)
            .values_list("staff_id", "class_sis_id"))
    shared: dict[int, set[str]] = {}
    for staff_id, class_sis_id in rows:
        shared.setdefault(staff_id, set()).add(class_sis_id)
    titles = dict(RosterClass.objects.filter(district_id=student.district_id,
                                             sis_id__in={c for ids in shared.values() for c in ids})
                  .values_list("sis_id", "title"))
    users = User.objects.filter(pk__in=shared).order_by("last_name", "first_name", "pk")
    return [(user, sorted(titles.get(c, c) for c in shared[user.pk])) for user in users]
