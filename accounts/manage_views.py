"""Pages for district administrators: users, role assignments and Team membership (under /manage/).

Scope first: objects outside the requester's districts answer 404; in scope without the district
administrator role, 403. Every write goes through accounts.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from students.models import District, School

from . import access, services
from .forms import RoleAssignmentForm, TeamChairForm, TeamMemberForm, UserCreateForm, UserSearchForm
from .models import TeamMembership, User


def _administered_or_403(user) -> list[int]:
    districts = access.administered_districts(user)
    if not districts:
        raise PermissionDenied
    return districts


def _managed_staff_or_404_403(request, user_pk) -> User:
    target = access.get_staff_or_404(request.user, user_pk)
    if target.district is None or not access.can(request.user, "manage_district", target.district):
        raise PermissionDenied
    return target


def _add_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
@require_GET
def index(request):
    districts = District.objects.filter(pk__in=_administered_or_403(request.user))
    return render(request, "manage/index.html", {"districts": districts})


@login_required
@require_GET
def users(request):
    districts = _administered_or_403(request.user)
    form = UserSearchForm(request.GET or None)
    people = User.objects.filter(district_id__in=districts).select_related("district")
    if form.is_valid() and form.cleaned_data["q"]:
        for word in form.cleaned_data["q"].split()[:4]:
            people = people.filter(Q(username__istartswith=word) | Q(first_name__istartswith=word)
                                   | Q(last_name__istartswith=word))
    page = Paginator(people.order_by("last_name", "first_name", "username"), 50,
                     allow_empty_first_page=True).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "manage/users.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    districts = District.objects.filter(pk__in=_administered_or_403(request.user))
    form = UserCreateForm(request.POST or None, districts=districts,
                          initial={"district": districts.first()})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Created the account {user.username}. Now give them a role.")
            return redirect("manage:user_detail", user_pk=user.pk)
    return render(request, "manage/user_create.html", {"form": form})


def _user_page(request, target, role_form=None, status=200):
    roles = target.role_assignments.select_related("district", "school").order_by("role", "school__name")
    role_form = role_form or RoleAssignmentForm(schools=School.objects.filter(district=target.district))
    return render(request, "manage/user_detail.html", {"target": target, "roles": roles, "role_form": role_form},
                  status=status)


@login_required
@require_GET
def user_detail(request, user_pk):
    return _user_page(request, _managed_staff_or_404_403(request, user_pk))


@login_required
@require_POST
def user_deactivate(request, user_pk):
    target = _managed_staff_or_404_403(request, user_pk)
    if target.pk == request.user.pk:
        messages.error(request, "You cannot deactivate your own account.")
    elif target.is_active:
        try:
            services.user_deactivate(user=target)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Deactivated {target.username}: they can no longer sign in.")
    else:
        services.user_reactivate(user=target)
        messages.success(request, f"Reactivated {target.username}.")
    return redirect("manage:user_detail", user_pk=target.pk)


@login_required
@require_POST
def role_add(request, user_pk):
    target = _managed_staff_or_404_403(request, user_pk)
    form = RoleAssignmentForm(request.POST, schools=School.objects.filter(district=target.district))
    if form.is_valid():
        try:
            services.role_assignment_add(user=target, role=form.cleaned_data["role"], district=target.district,
                                         school=form.cleaned_data["school"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Role added.")
            return redirect("manage:user_detail", user_pk=target.pk)
    return _user_page(request, target, role_form=form, status=400)


@login_required
@require_POST
def role_remove(request, role_pk):
    assignment = access.get_role_assignment_or_404(request.user, role_pk)
    if not access.can(request.user, "manage_district", assignment.district):
        raise PermissionDenied
    try:
        services.role_assignment_remove(assignment=assignment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed the role {assignment.get_role_display()}.")
    return redirect("manage:user_detail", user_pk=assignment.user_id)


def _team_student_or_404_403(request, pk):
    student = access.get_student_or_404(request.user, pk)
    if not access.can(request.user, "manage_team", student):
        raise PermissionDenied
    return student


def _team_page(request, student, member_form=None, chair_form=None, status=200):
    staff = User.objects.filter(district_id=student.district_id, is_active=True).order_by("last_name", "first_name")
    team = student.team_memberships.select_related("user").order_by("-team_role", "user__last_name")
    return render(request, "manage/team.html", {
        "student": student, "team": team,
        "member_form": member_form or TeamMemberForm(staff=staff, prefix="member"),
        "chair_form": chair_form or TeamChairForm(staff=staff, prefix="chair"),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team(request, pk):
    student = _team_student_or_404_403(request, pk)
    if request.method == "GET":
        access.log_read(request, student, "team")
        return _team_page(request, student)
    staff = User.objects.filter(district_id=student.district_id, is_active=True)
    form = TeamMemberForm(request.POST, staff=staff, prefix="member")
    if form.is_valid():
        data = form.cleaned_data
        if data["team_role"] == TeamMembership.TeamRole.CHAIR:
            services.team_chair_set(student=student, user=data["user"])
            if data["responsibility"]:
                services.team_membership_add(student=student, user=data["user"], team_role=data["team_role"],
                                             responsibility=data["responsibility"])
        else:
            services.team_membership_add(student=student, user=data["user"], team_role=data["team_role"],
                                         responsibility=data["responsibility"])
        messages.success(request, f"{data['user']} is on the Team.")
        return redirect("manage:team", pk=student.pk)
    return _team_page(request, student, member_form=form, status=400)


@login_required
@require_POST
def team_chair(request, pk):
    student = _team_student_or_404_403(request, pk)
    form = TeamChairForm(request.POST, staff=User.objects.filter(district_id=student.district_id, is_active=True),
                         prefix="chair")
    if form.is_valid():
        services.team_chair_set(student=student, user=form.cleaned_data["user"])
        messages.success(request, f"{form.cleaned_data['user']} chairs the Team.")
        return redirect("manage:team", pk=student.pk)
    return _team_page(request, student, chair_form=form, status=400)


@login_required
@require_POST
def team_remove(request, pk, user_pk):
    student = _team_student_or_404_403(request, pk)
    member = access.get_staff_or_404(request.user, user_pk)
    if member.district_id != student.district_id:
        raise PermissionDenied
    services.team_membership_remove(student=student, user=member)
    messages.success(request, f"{member} is no longer on the Team.")
    return redirect("manage:team", pk=student.pk)
