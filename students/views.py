from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access

from .forms import StudentFilterForm
from .models import School
from .selectors import access_log_for, access_log_rows, students_search


@login_required
@require_GET
def student_list(request):
    visible = access.visible_students(request.user)
    schools = School.objects.filter(pk__in=visible.values("school_id")).order_by("name")
    form = StudentFilterForm(request.GET or None, schools=schools)
    students = visible
    if not (form.is_valid() and form.cleaned_data["show"] == StudentFilterForm.SHOW_EVERYONE):
        students = students.with_special_education_record()  # the default: roster-only students are hidden
    if form.is_valid():
        data = form.cleaned_data
        students = students_search(students, query=data["q"], school_id=data["school"] and data["school"].pk,
                                   grade=data["grade"], disability=data["disability"])
    page = Paginator(students.select_related("school").order_by("last_name", "first_name", "pk"), 25,
                     allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "students/list.html#results" if request.htmx else "students/list.html"
    return render(request, template, context)


@login_required
@require_GET
def student_detail(request, pk):
    student = access.get_student_or_404(request.user, pk)
    access.log_read(request, student, "record")
    team = student.team_memberships.select_related("user").order_by("-team_role", "user__last_name")
    return render(request, "students/detail.html", {"student": student, "team": team,
                                                     "guardians": student.guardians.all(),
                                                     "can_view_access_log": access.can(request.user, "view_access_log",
                                                                                       student),
                                                     "can_manage_team": access.can(request.user, "manage_team",
                                                                                   student),
                                                     "can_confirm_suggestions": access.can(
                                                         request.user, "confirm_team_suggestion", student)})


@login_required
@require_GET
def student_access_log(request, pk):
    """The student's access log, newest first: district administrators only (reading it is logged too)."""
    student = access.get_student_or_404(request.user, pk)
    if not access.can(request.user, "view_access_log", student):
        raise PermissionDenied
    access.log_read(request, student, "access_log")
    entries = access_log_for(student)
    page = Paginator(entries, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    return render(request, "students/access_log.html", {"student": student, "page": page, "query": "",
                                                        "rows": access_log_rows(page.object_list)})
