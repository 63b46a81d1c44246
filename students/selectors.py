"""Reads of students that views and the API compose on top of accounts.access.visible_students."""

from django.db.models import Q, QuerySet

from .models import Student


def students_search(students: QuerySet[Student], *, query: str = "", school_id: int | None = None,
                    grade: str = "", disability: str = "", chair_id: int | None = None) -> QuerySet[Student]:
    """Narrow an already-scoped queryset by the student list's search box and filters."""
    query = query.strip()
    if query:
        if query.isascii() and query.isdigit():
            students = students.filter(Q(sasid__startswith=query) | Q(local_id=query))
        else:
            for word in query.split()[:4]:
                students = students.filter(Q(last_name__istartswith=word) | Q(first_name__istartswith=word))
    if school_id:
        students = students.filter(school_id=school_id)
    if grade:
        students = students.filter(grade=grade)
    if disability:
        students = students.filter(Q(primary_disability=disability) | Q(secondary_disability=disability))
    if chair_id:
        students = students.filter(team_memberships__user_id=chair_id, team_memberships__team_role="chair")
    return students


def access_log_for(student: Student) -> QuerySet:
    """The access log of one student, newest first (the caller has checked `view_access_log`)."""
    from accounts.models import AccessLogEntry

    return AccessLogEntry.objects.filter(student=student).order_by("-at", "-pk")
