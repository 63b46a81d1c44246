from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import access

from .access_log import log_read
from .exceptions import IEPError, InvalidContent, NotLocked, SectionLocked, SectionNotHeld, StaleVersion
from .forms import BreakLockForm, EvaluationForm, IEPHeaderForm
from .models import IEP, Evaluation, Section, SectionDraft, SectionLock
from .models.sections import ACCESS_AND_PARTICIPATION
from .section_schemas import (
    ACCOMMODATION_COLUMNS,
    ACCOMMODATION_ROWS,
    GRID_GROUPS,
    MODIFICATION_COLUMNS,
    GoalForm,
    ResponseForm,
    ServiceLineForm,
    content_rows,
    form_for,
)
from .selectors import iep_sections, section_history, service_grid_summary
from .services import copy_forward as copy_services
from .services import evaluations as evaluation_services
from .services import locks as lock_services
from .services import sections as services


def _is_number(value: str) -> bool:
    """Plain ASCII digits that fit an integer column ("²".isdigit() is True, but int("²") fails)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _iep_or_404(user, pk) -> IEP:
    return access.get_in_scope_or_404(user, IEP.objects.select_related("student__school", "student__district",
                                                                       "case_manager"), pk)


def _section_or_404(user, pk) -> Section:
    return access.get_in_scope_or_404(user, Section.objects.select_related("iep__student__district", "updated_by"),
                                      pk, student_path="iep__student")


def _require(user, verb: str, obj) -> None:
    if not access.can(user, verb, obj):
        raise PermissionDenied(f"You may not {verb.replace('_', ' ')} here.")


def _add_errors(form, exc: InvalidContent) -> None:
    for name, messages_ in exc.errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _iep_url(iep, section=None) -> str:
    url = reverse("iep:detail", args=[iep.pk])
    return f"{url}#section-{section.pk}" if section is not None else url


def _goal_numbers(sections) -> dict[int, int]:
    return {s.pk: s.position for s in sections if s.kind == Section.Kind.GOAL}


def _lines(grid: Section, goal_numbers: dict[int, int]) -> list[dict]:
    groups = dict(GRID_GROUPS)
    def shown(value: str) -> str:
        return date.fromisoformat(value).strftime("%m/%d/%Y") if value else ""

    return [{**line, "group_label": groups.get(line.get("group"), ""), "total": line["frequency"] * line["minutes"],
             "start_shown": shown(line.get("start_date", "")), "end_shown": shown(line.get("end_date", "")),
             "goal_numbers": ", ".join(str(goal_numbers.get(g, "?")) for g in line.get("goals", []))}
            for line in grid.content.get("lines", [])]


def _card(section: Section, goal_numbers: dict[int, int]) -> dict:
    card = {"section": section, "rows": content_rows(section.kind, section.content)}
    if section.kind == Section.Kind.SERVICE_GRID:
        card["lines"] = _lines(section, goal_numbers)
        card["summary"] = service_grid_summary(section.iep, section.content)
    return card


def _student_tabs(student, active: str) -> dict:
    return {"student": student, "active_tab": active}


@login_required
@require_http_methods(["GET", "POST"])
def student_ieps(request, student_pk):
    student = access.get_student_or_404(request.user, student_pk)
    can_manage = access.can(request.user, "manage_iep", student)
    form = IEPHeaderForm(request.POST or None, student=student) if can_manage else None
    if request.method == "POST":
        _require(request.user, "manage_iep", student)
        if form.is_valid():
            try:
                iep = services.iep_create(student=student, user=request.user, **form.cleaned_data)
            except InvalidContent as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Draft IEP created.")
                return redirect(_iep_url(iep))
    log_read(request, student, "iep")
    ieps = student.ieps.select_related("case_manager").order_by("-start_date", "-pk")
    page = Paginator(ieps, 20).get_page(request.GET.get("page"))
    return render(request, "iep/student_ieps.html", {**_student_tabs(student, "ieps"), "page": page, "form": form,
                                                     "query": ""})


@login_required
@require_GET
def iep_detail(request, pk):
    iep = _iep_or_404(request.user, pk)
    log_read(request, iep.student, "iep", obj=iep)
    sections = list(iep_sections(iep))
    for section in sections:
        section.iep = iep
    numbers = _goal_numbers(sections)
    cards = [_card(s, numbers) for s in sections]
    user = request.user
    # Who holds what: one query for all the IEP's live leases, holders joined.
    locks = {lock.section_id: lock for lock in SectionLock.objects.live(timezone.now()).filter(section__iep=iep)
             .select_related("holder")}
    can_break = bool(locks) and access.can(user, "break_lock", iep)
    for card in cards:
        card["lock"] = locks.get(card["section"].pk)
        card["can_break"] = can_break
    context = {
        "iep": iep, "student": iep.student, "cards": cards, "ap_kinds": ACCESS_AND_PARTICIPATION,
        "can_edit": access.can(user, "edit", iep), "can_manage": access.can(user, "manage_iep", iep),
        "can_propose": access.can(user, "propose", iep), "can_respond": access.can(user, "respond", iep),
        "active_tab": "ieps",
    }
    return render(request, "iep/iep_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def iep_header(request, pk):
    iep = _iep_or_404(request.user, pk)
    _require(request.user, "manage_iep", iep)
    form = IEPHeaderForm(request.POST or None, instance=None if request.method == "POST" else iep,
                         initial=None, student=iep.student)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "end_date" or v}
        try:
            services.iep_update_header(iep=iep, user=request.user, **changes)
        except InvalidContent as exc:
            _add_errors(form, exc)
        except IEPError as exc:
            messages.error(request, str(exc))
            return redirect(_iep_url(iep))
        else:
            messages.success(request, "IEP header saved.")
            return redirect(_iep_url(iep))
    log_read(request, iep.student, "iep", obj=iep)
    return render(request, "iep/form_page.html", {"title": "Edit the IEP header", "form": form, "iep": iep,
                                                  "back": _iep_url(iep), "button": "Save header"})


def _card_response(request, section: Section, iep: IEP, status_message: str):
    """The section's card (the htmx answer to a save or a discard), announcing `status_message`."""
    section.iep = iep
    numbers = _goal_numbers(iep.sections.goals())
    return render(request, "iep/iep_detail.html#section_card",
                  {"card": _card(section, numbers), "iep": iep, "can_edit": True, "status_message": status_message})


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk):
    """Editing a section checks it out (one editor at a time); saving checks it in as a new version."""
    section = _section_or_404(request.user, pk)
    iep = section.iep
    _require(request.user, "edit", section)
    if section.kind in (Section.Kind.RESPONSE, Section.Kind.SERVICE_GRID):
        # The response is recorded by the chair; the grid is edited line by line.
        return redirect(_iep_url(iep, section))
    version, expires = section.version, None
    if request.method == "POST" and "discard" in request.POST:
        lock_services.section_discard(section=section, user=request.user)
        discarded = f"Your changes to {section.title} were discarded and the section is free again."
        if request.htmx:  # back to the card in place, not a whole page swapped into it
            return _card_response(request, section, iep, discarded)
        messages.info(request, discarded)
        return redirect(_iep_url(iep, section))
    if request.method == "POST":
        form = form_for(section.kind, request.POST, iep=iep)
        version = _posted_version(request)
        if version < 0:  # a form without its version cannot be checked against the current one
            form.add_error(None, "This form is out of date: open the section again to edit it.")
        generation = int(request.POST["generation"]) if _is_number(request.POST.get("generation", "")) else -1
        if form.is_valid() and version >= 0:
            try:
                saved = lock_services.section_check_in(section=section, user=request.user,
                                                       content=form.to_content(), base_version=version,
                                                       generation=generation)
            except InvalidContent as exc:
                _add_errors(form, exc)
            except (SectionNotHeld, StaleVersion) as exc:
                form.add_error(None, f"{exc} Your text is below and kept as your draft: copy it before leaving.")
                version = Section.objects.get(pk=section.pk).version
            except IEPError as exc:
                form.add_error(None, str(exc))
            else:
                if request.htmx:
                    return _card_response(request, saved, iep, f"{saved.title} saved and checked in.")
                messages.success(request, f"{saved.title} saved and checked in.")
                return redirect(_iep_url(iep, saved))
    else:
        try:
            lock = lock_services.section_check_out(section=section, user=request.user)
        except SectionLocked as exc:
            messages.warning(request, f"{exc} You can read it, but not edit it until it is checked in.")
            if request.htmx:  # a full page load shows the message, instead of a page swapped into the card
                return HttpResponseClientRedirect(_iep_url(iep, section))
            return redirect(_iep_url(iep, section))
        generation, expires = lock.generation, lock.expires_at
        log_read(request, iep.student, "section", obj=section)
        draft = SectionDraft.objects.filter(section=section, user=request.user).first()
        if draft is not None:
            messages.info(request, "Your unsaved draft of this section was restored.")
        form = form_for(section.kind, iep=iep, initial=draft.content if draft else section.content)
    if expires is None and generation >= 0:  # a form shown again: the lease, if the user still holds it
        expires = SectionLock.objects.filter(section=section, holder=request.user, generation=generation).values_list(
            "expires_at", flat=True).first()
    context = {"section": section, "iep": iep, "form": form, "version": version, "generation": generation,
               "lease_minutes": int(settings.IEP_LOCK_LEASE.total_seconds() // 60), "lease_expires": expires}
    return render(request, "iep/section_edit.html#form" if request.htmx else "iep/section_edit.html", context)


def _raw_content(form) -> dict:
    """The fields as typed (lists for multiple choices), for a draft of a form that does not validate yet."""
    return {name: form[name].value() for name in form.fields}


@login_required
@require_POST
def section_autosave(request, pk):
    """Autosave the open editor's form as the holder's private draft and renew their lease (static/js/locks.js).

    Answers JSON: 200 with the new lease end, or 409 when the user no longer holds the section (their text is
    still kept as their draft and stays in their form), 400 for a form without version or generation.
    """
    section = _section_or_404(request.user, pk)
    _require(request.user, "edit", section)
    version = _posted_version(request)
    generation = request.POST.get("generation", "")
    if version < 0 or not _is_number(generation):
        return JsonResponse({"detail": "This form is out of date: open the section again to edit it."}, status=400)
    form = form_for(section.kind, request.POST, iep=section.iep)
    content = form.to_content() if form.is_valid() else _raw_content(form)
    try:
        draft = lock_services.section_save_draft(section=section, user=request.user, content=content,
                                                 base_version=version, generation=int(generation))
    except SectionNotHeld as exc:
        return JsonResponse({"detail": f"{exc} Your text stays in this form: copy it before leaving.",
                             "code": "not_held"}, status=409)
    except IEPError as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    lease = SectionLock.objects.filter(section=section).values_list("expires_at", flat=True).first()
    return JsonResponse({"saved_at": draft.saved_at.isoformat(), "expires_at": lease.isoformat() if lease else None})


@login_required
@require_http_methods(["GET", "POST"])
def section_break_lock(request, pk):
    """The chair or an administrator takes a section from its holder, with a reason; the holder's draft stays."""
    section = _section_or_404(request.user, pk)
    _require(request.user, "break_lock", section)
    form = BreakLockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lock_services.section_break_lock(section=section, user=request.user, reason=form.cleaned_data["reason"])
        except InvalidContent as exc:
            _add_errors(form, exc)
        except NotLocked as exc:
            messages.info(request, str(exc))
            return redirect(_iep_url(section.iep, section))
        else:
            messages.success(request, f"The lock on {section.title} was broken; its holder will be told why. "
                                      "Their unsaved draft is kept for them.")
            return redirect(_iep_url(section.iep, section))
    log_read(request, section.iep.student, "section", obj=section)
    lock = SectionLock.objects.live().filter(section=section).select_related("holder").first()
    held_by = f" (checked out by {lock.holder.get_full_name() or lock.holder.username})" if lock else ""
    return render(request, "iep/form_page.html", {"title": f"Break the lock on {section.title}{held_by}",
                                                  "form": form, "iep": section.iep, "button": "Break the lock",
                                                  "back": _iep_url(section.iep, section)})


@login_required
@require_GET
def section_history_page(request, pk):
    section = _section_or_404(request.user, pk)
    log_read(request, section.iep.student, "history", obj=section)
    records = section_history(section)
    return render(request, "iep/section_history.html", {"section": section, "iep": section.iep, "records": records,
                                                        "can_edit": access.can(request.user, "edit", section)})


@login_required
@require_http_methods(["GET", "POST"])
def section_restore(request, pk, history_id):
    section = _section_or_404(request.user, pk)
    _require(request.user, "edit", section)
    record = section.history.filter(history_id=history_id).first()
    if record is None:
        raise Http404("No such version.")
    if request.method == "POST":
        try:
            with lock_services.section_briefly_held(section=section, user=request.user):
                services.section_restore(section=section, history_id=history_id, user=request.user)
        except IEPError as exc:
            messages.error(request, f"Not restored: {exc}")
        else:
            messages.success(request, f"Version {record.version} of {section.title} restored as a new version.")
        return redirect("iep:section_history", pk=section.pk)
    log_read(request, section.iep.student, "history", obj=section)
    return render(request, "iep/confirm.html", {
        "title": f"Restore version {record.version} of {section.title}?", "iep": section.iep,
        "message": "The section will show this version's content again, saved as a new version. "
                   "Nothing is lost: the current version stays in the history.",
        "button": f"Restore version {record.version}", "back": reverse("iep:section_history", args=[section.pk])})


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request, pk):
    iep = _iep_or_404(request.user, pk)
    _require(request.user, "edit", iep)
    form = GoalForm(request.POST or None, iep=iep)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_add(iep=iep, user=request.user, content=form.to_content())
        except InvalidContent as exc:
            _add_errors(form, exc)
        except IEPError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Goal {goal.position} added.")
            return redirect(_iep_url(iep, goal))
    log_read(request, iep.student, "iep", obj=iep)
    return render(request, "iep/form_page.html", {"title": "Add a goal", "form": form, "iep": iep,
                                                  "back": _iep_url(iep), "button": "Add goal"})


@login_required
@require_http_methods(["GET", "POST"])
def goal_remove(request, pk):
    goal = _section_or_404(request.user, pk)
    if not goal.is_goal:
        raise Http404("Not a goal.")
    _require(request.user, "edit", goal)
    if request.method == "POST":
        try:
            services.goal_remove(goal=goal, user=request.user)
        except IEPError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{goal.title} removed; the other goals were renumbered.")
        return redirect(_iep_url(goal.iep))
    log_read(request, goal.iep.student, "section", obj=goal)
    return render(request, "iep/confirm.html", {
        "title": f"Remove {goal.title}?", "iep": goal.iep, "button": "Remove goal", "back": _iep_url(goal.iep, goal),
        "message": "The goals after it are renumbered. Its history is kept."})


@login_required
@require_POST
def goal_move(request, pk):
    goal = _section_or_404(request.user, pk)
    if not goal.is_goal:
        raise Http404("Not a goal.")
    _require(request.user, "edit", goal)
    order = list(goal.iep.sections.goals().order_by("position", "pk").values_list("pk", flat=True))
    index = order.index(goal.pk)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        try:
            services.goal_reorder(iep=goal.iep, user=request.user, order=order)
        except IEPError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Goal moved to number {other + 1}.")
    return redirect(_iep_url(goal.iep, goal))


def _grid_or_404(user, pk) -> Section:
    grid = _section_or_404(user, pk)
    if grid.kind != Section.Kind.SERVICE_GRID:
        raise Http404("Not a service delivery grid.")
    _require(user, "edit", grid)
    return grid


def _posted_version(request) -> int:
    value = request.POST.get("version", "")
    return int(value) if _is_number(value) else -1


@login_required
@require_http_methods(["GET", "POST"])
def line_form(request, pk, line_id=None):
    grid = _grid_or_404(request.user, pk)
    iep = grid.iep
    lines = {line["id"]: line for line in grid.content.get("lines", [])}
    if line_id is not None and line_id not in lines:
        raise Http404("No such service line.")
    initial = lines.get(line_id) or {"start_date": iep.start_date, "end_date": iep.end_date}
    form = ServiceLineForm(request.POST or None, iep=iep, initial=initial)
    version = grid.version
    if request.method == "POST":
        version = _posted_version(request)
        if form.is_valid():
            line = form.to_content()
            try:
                with lock_services.section_briefly_held(section=grid, user=request.user):
                    if line_id is None:
                        services.service_line_add(grid=grid, user=request.user, line=line, expected_version=version)
                    else:
                        services.service_line_update(grid=grid, user=request.user, line_id=line_id, line=line,
                                                     expected_version=version)
            except InvalidContent as exc:
                _add_errors(form, exc)
            except IEPError as exc:
                form.add_error(None, str(exc))
                version = Section.objects.get(pk=grid.pk).version
            else:
                messages.success(request, "Service line saved.")
                return redirect(_iep_url(iep, grid))
    log_read(request, iep.student, "section", obj=grid)
    return render(request, "iep/form_page.html", {
        "title": "Add a service line" if line_id is None else "Edit a service line", "form": form, "iep": iep,
        "back": _iep_url(iep, grid), "button": "Save service line", "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def line_remove(request, pk, line_id):
    grid = _grid_or_404(request.user, pk)
    if request.method == "POST":
        try:
            with lock_services.section_briefly_held(section=grid, user=request.user):
                services.service_line_remove(grid=grid, user=request.user, line_id=line_id,
                                             expected_version=_posted_version(request))
        except IEPError as exc:
            messages.error(request, f"Not removed: {exc}")
        else:
            messages.success(request, "Service line removed.")
        return redirect(_iep_url(grid.iep, grid))
    line = next((x for x in grid.content.get("lines", []) if x["id"] == line_id), None)
    if line is None:
        raise Http404("No such service line.")
    log_read(request, grid.iep.student, "section", obj=grid)
    return render(request, "iep/confirm.html", {
        "title": f"Remove the service line “{line['service_type']}”?", "iep": grid.iep, "button": "Remove line",
        "back": _iep_url(grid.iep, grid), "version": grid.version,
        "message": "The grid's totals and the derived placement are recomputed. The history keeps the line."})


@login_required
@require_POST
def line_move(request, pk, line_id):
    grid = _grid_or_404(request.user, pk)
    order = [line["id"] for line in grid.content.get("lines", [])]
    if line_id not in order:
        raise Http404("No such service line.")
    index = order.index(line_id)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        try:
            with lock_services.section_briefly_held(section=grid, user=request.user):
                services.service_lines_reorder(grid=grid, user=request.user, order=order,
                                               expected_version=_posted_version(request))
        except IEPError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Service line moved.")
    return redirect(_iep_url(grid.iep, grid))


@login_required
@require_POST
def iep_propose(request, pk):
    iep = _iep_or_404(request.user, pk)
    _require(request.user, "propose", iep)
    try:
        services.iep_propose(iep=iep, user=request.user)
    except InvalidContent as exc:
        for message in exc.errors.get("__all__", []):
            messages.error(request, message)
    else:
        messages.success(request, "The IEP is proposed: its sections are now read-only.")
    return redirect(_iep_url(iep))


@login_required
@require_http_methods(["GET", "POST"])
def iep_respond(request, pk):
    iep = _iep_or_404(request.user, pk)
    _require(request.user, "respond", iep)
    form = ResponseForm(request.POST or None, iep=iep)
    if request.method == "POST" and form.is_valid():
        try:
            iep = services.iep_record_response(iep=iep, user=request.user, content=form.to_content())
        except InvalidContent as exc:
            _add_errors(form, exc)
        except IEPError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Response recorded: the IEP is {iep.get_status_display().lower()}.")
            return redirect(_iep_url(iep))
    log_read(request, iep.student, "iep", obj=iep)
    return render(request, "iep/form_page.html", {"title": "Record the parent's response", "form": form, "iep": iep,
                                                  "back": _iep_url(iep), "button": "Record response"})


def _start_draft_from(request, pk, start, done: str):
    """Start a new draft from IEP `pk` (an amendment, or next year's IEP): the chair's or a district
    administrator's action; a refusal goes back to the IEP with its reason."""
    iep = _iep_or_404(request.user, pk)
    _require(request.user, "manage_iep", iep)
    try:
        made = start(iep=iep, user=request.user)
    except IEPError as exc:
        messages.error(request, str(exc))
        return redirect(_iep_url(iep))
    messages.success(request, done)
    return redirect(_iep_url(made))


@login_required
@require_POST
def iep_amend(request, pk):
    return _start_draft_from(request, pk, services.iep_amend, "Amendment started: a draft copy of the IEP.")


@login_required
@require_POST
def iep_copy_forward(request, pk):
    return _start_draft_from(request, pk, copy_services.iep_copy_forward,
                             "Next annual IEP started as a draft, copied from this one.")


@login_required
@require_GET
def iep_glance(request, pk):
    iep = _iep_or_404(request.user, pk)
    log_read(request, iep.student, "iep", obj=iep)
    sections = list(iep_sections(iep))
    by_kind = {s.kind: s for s in sections if not s.is_goal}
    goals = [s for s in sections if s.is_goal]
    acc = by_kind[Section.Kind.ACCOMMODATIONS].content
    grid = by_kind[Section.Kind.SERVICE_GRID]
    grid.iep = iep

    def table(prefix, columns):
        return [{"label": row_label, "cells": [acc.get(f"{prefix}_{row}_{col}", "") for col, _l in columns]}
                for row, row_label in ACCOMMODATION_ROWS]

    return render(request, "iep/glance.html", {
        "iep": iep, "student": iep.student, "goals": goals,
        "acc_columns": [label for _c, label in ACCOMMODATION_COLUMNS], "acc_rows": table("acc", ACCOMMODATION_COLUMNS),
        "mod_columns": [label for _c, label in MODIFICATION_COLUMNS], "mod_rows": table("mod", MODIFICATION_COLUMNS),
        "lines": _lines(grid, _goal_numbers(sections)), "summary": service_grid_summary(iep, grid.content)})


@login_required
@require_http_methods(["GET", "POST"])
def student_evaluations(request, student_pk):
    student = access.get_student_or_404(request.user, student_pk)
    can_record = access.can(request.user, "record_event", student)
    form = EvaluationForm(request.POST or None) if can_record else None
    if request.method == "POST":
        _require(request.user, "record_event", student)
        if form.is_valid():
            try:
                evaluation_services.evaluation_create(student=student, user=request.user, **form.cleaned_data)
            except InvalidContent as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Evaluation added.")
                return redirect("iep:student_evaluations", student_pk=student.pk)
    log_read(request, student, "evaluation")
    page = Paginator(student.evaluations.all(), 25).get_page(request.GET.get("page"))
    return render(request, "iep/evaluations.html", {**_student_tabs(student, "evaluations"), "page": page,
                                                    "form": form, "can_record": can_record, "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk):
    evaluation = access.get_in_scope_or_404(request.user, Evaluation.objects.select_related("student"), pk)
    _require(request.user, "record_event", evaluation)
    log_read(request, evaluation.student, "evaluation", obj=evaluation)
    form = EvaluationForm(request.POST or None, instance=None if request.method == "POST" else evaluation)
    back = reverse("iep:student_evaluations", args=[evaluation.student_id])
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_services.evaluation_update(evaluation=evaluation, user=request.user, **form.cleaned_data)
        except InvalidContent as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Evaluation saved.")
            return redirect(back)
    return render(request, "iep/form_page.html", {"title": f"Edit: {evaluation}", "form": form, "back": back,
                                                  "button": "Save evaluation", "student": evaluation.student})


