from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.models import User
from accounts.services import team_membership_add
from config.exports import csv_response
from students.models import District

from . import parse
from .exceptions import RosterInputError, RosterNotAllowed
from .forms import RosterMappingForm, RosterUploadForm, SuggestionConfirmForm
from .models import ImportRun, RosterMapping
from .selectors import roster_runs, suggested_teachers
from .services import roster_apply_start, roster_mapping_default, roster_progress, roster_run_start, roster_upload_store


def _district_or_404(user, district_pk) -> District:
    """The district if `user` administers it; 403 for its other staff; 404 for everyone else."""
    district = District.objects.filter(pk=district_pk).first()
    if district is None:
        raise Http404("No district found.")
    if access.can(user, "manage_district", district):
        return district
    if district.pk in access.staff_districts(user):
        raise PermissionDenied("Only district administrators import the roster.")
    raise Http404("No district found.")


@login_required
@require_http_methods(["GET", "POST"])
def district_page(request, district_pk):
    district = _district_or_404(request.user, district_pk)
    roster_mapping_default(district=district)
    form = RosterUploadForm(request.POST or None, request.FILES or None, district=district)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                folder = roster_upload_store(files=form.cleaned_data["files"])
                run = roster_run_start(district=district, user=request.user, mapping=form.cleaned_data["mapping"],
                                       upload_dir=folder, dry_run=True)
                return redirect("roster:run", district_pk=district.pk, pk=run.pk)
            except (RosterInputError, RosterNotAllowed) as exc:
                form.add_error("files", str(exc))
        status = 400
    page = Paginator(roster_runs(district), 20, allow_empty_first_page=True).get_page(request.GET.get("page"))
    return render(request, "roster/district.html", {
        "district": district, "form": form, "page": page, "query": "",
        "mappings": RosterMapping.objects.filter(district=district)}, status=status)


def _run_or_404(user, district_pk, pk) -> tuple[District, ImportRun]:
    district = _district_or_404(user, district_pk)
    return district, get_object_or_404(ImportRun.objects.select_related("started_by", "mapping"), pk=pk,
                                       district=district)


@login_required
@require_GET
def run_detail(request, district_pk, pk):
    district, run = _run_or_404(request.user, district_pk, pk)
    percent, step = roster_progress(run.pk)
    errors = Paginator(run.errors, 100, allow_empty_first_page=True).get_page(request.GET.get("page"))
    applied = ImportRun.objects.filter(applied_from=run).order_by("-pk").first() if run.dry_run else None
    context = {"district": district, "run": run, "percent": percent, "step": step, "errors": errors,
               "applied": applied, "query": "", "counts": sorted(run.counts.items())}
    template = "roster/run.html#status" if request.htmx else "roster/run.html"
    return render(request, template, context)


@login_required
@require_POST
def run_apply(request, district_pk, pk):
    district, run = _run_or_404(request.user, district_pk, pk)
    try:
        applied = roster_apply_start(dry_run=run, user=request.user)
    except RosterNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("roster:run", district_pk=district.pk, pk=run.pk)
    return redirect("roster:run", district_pk=district.pk, pk=applied.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request, district_pk, pk=None):
    district = _district_or_404(request.user, district_pk)
    mapping = get_object_or_404(RosterMapping, pk=pk, district=district) if pk else RosterMapping(district=district)
    form = RosterMappingForm(request.POST or None, instance=mapping)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.role_map = form.cleaned_data["role_map_text"]
        if RosterMapping.objects.filter(district=district, name=saved.name).exclude(pk=saved.pk).exists():
            form.add_error("name", "The district already has a mapping with this name.")
        else:
            saved.save()
            messages.success(request, f"Mapping “{saved.name}” saved.")
            return redirect("roster:district", district_pk=district.pk)
    return render(request, "roster/mapping.html", {"district": district, "form": form, "mapping": mapping},
                  status=400 if request.method == "POST" else 200)


def _template(name: str, columns: list[str], example: list[str]):
    return csv_response(filename=name, header=columns, rows=[example])  # the shared writer (config/exports.py)


@login_required
@require_GET
def template_students(request):
    columns = parse.STUDENT_COLUMNS + parse.STUDENT_OPTIONAL
    example = {"district_code": "00000000", "school_code": "00000001", "sis_id": "S-1001", "sasid": "1000000001",
               "first_name": "Alex", "last_name": "Example", "birth_date": "2015-09-01", "grade": "05",
               "middle_name": "", "home_language": "English", "status": "active", "guardian1_name": "Sam Example",
               "guardian1_relationship": "parent", "guardian1_email": "sam@example.org",
               "guardian1_phone": "617-555-0100"}
    return _template("students.csv", columns, [example.get(c, "") for c in columns])


@login_required
@require_GET
def template_staff(request):
    columns = parse.STAFF_COLUMNS + parse.STAFF_OPTIONAL
    example = {"district_code": "00000000", "school_codes": "00000001;00000002", "sis_id": "T-501",
               "first_name": "Jordan", "last_name": "Teacher", "email": "jordan.teacher@example.org",
               "role": "teacher", "username": "jordan.teacher", "status": "active"}
    return _template("staff.csv", columns, [example.get(c, "") for c in columns])


@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request, pk):
    student = access.get_student_or_404(request.user, pk)
    if not access.can(request.user, "confirm_team_suggestion", student):
        raise PermissionDenied("Only the Team chair or a district administrator adds suggested teachers.")
    suggested = suggested_teachers(student)
    if request.method == "POST":
        form = SuggestionConfirmForm(request.POST)
        chosen = form.is_valid() and next((u for u, _c in suggested if u.pk == form.cleaned_data["user"]), None)
        if not chosen:
            messages.error(request, "That teacher is not among the suggestions.")
            return render(request, "roster/suggestions.html", {"student": student, "suggested": suggested},
                          status=400)
        team_membership_add(student=student, user=chosen, responsibility="General education teacher")
        messages.success(request, f"{chosen} is now on the Team.")
        return redirect("roster:suggestions", pk=student.pk)
    access.log_read(request, student, "team")
    return render(request, "roster/suggestions.html", {"student": student, "suggested": suggested,
                                                        "User": User})
