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


def _day(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT") if value else "an unknown date"


# How the access log names what was read: words a district administrator understands, never an internal name
# ("iep.rendereddocument") or a database id. model label -> (related objects to load, description).
_DESCRIBE = {
    "iep.iep": ((), str),
    "iep.section": (("iep",), lambda s: f"{s} of the {s.iep}"),
    "iep.rendereddocument": (("iep",), lambda d: f"{d.get_kind_display()} (PDF) of the {d.iep}"),
    "iep.evaluation": ((), str),
    "meetings.meeting": ((), lambda m: f"{m.get_meeting_type_display()} meeting on {_day(m.date)}"),
    "meetings.invitation": (("meeting",), lambda i: f"Invitation to the {i.meeting.get_meeting_type_display()} "
                                                    f"meeting on {_day(i.meeting.date)}"),
    "progress.progressdocument": (("period",), lambda d: f"Progress report to the family, {d.period.name} "
                                                         f"({d.period.school_year})"),
    "progress.markingperiod": ((), str),
}

_KIND_NAMES = {"iep.iep": "IEP", "iep.section": "IEP section", "iep.rendereddocument": "Printed IEP document",
               "progress.progressdocument": "Progress report to the family"}


def access_log_rows(entries) -> list[dict]:
    """The access-log entries of one page, each with `what`: the object read, named in words (one query per kind
    of object). An object deleted since is named by its kind ("Printed document (since deleted)")."""
    from django.apps import apps

    entries = list(entries)
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_type:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names: dict[tuple[str, str], str] = {}
    kinds: dict[str, str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            kinds[label] = "Other record"
            continue
        kinds[label] = _KIND_NAMES.get(label) or str(model._meta.verbose_name).capitalize()
        related, describe = _DESCRIBE.get(label, ((), None))
        if describe is None:
            continue
        pks = [pk for pk in ids if pk.isdigit()]
        for obj in model._default_manager.filter(pk__in=pks).select_related(*related):
            names[(label, str(obj.pk))] = describe(obj)
    rows = []
    for entry in entries:
        if not entry.object_type:
            what = ""
        else:
            what = names.get((entry.object_type, entry.object_id))
            if what is None:
                known = entry.object_type in _DESCRIBE and entry.object_type in kinds
                what = kinds[entry.object_type] + (" (since deleted)" if known else "")
        rows.append({"entry": entry, "what": what})
    return rows
