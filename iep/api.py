from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import access
from accounts.api_logging import StudentReadLogging
from accounts.models import User
from config.query import StudentFilter, query_filters

from .access_log import log_read
from .exceptions import (
    GoalInUse,
    InvalidContent,
    NotADraft,
    NotLocked,
    SectionLocked,
    SectionNotHeld,
    StaleVersion,
    WrongStatus,
)
from .lock_serializers import (
    BreakSerializer,
    DiscardSerializer,
    DraftWriteSerializer,
    GenerationSerializer,
    LockConflictSerializer,
    LockStateSerializer,
    SectionDraftSerializer,
    SectionLockSerializer,
    person,
)
from .models import IEP, Evaluation, Section, SectionDraft, SectionLock
from .selectors import section_history, visible_evaluations, visible_ieps, visible_sections
from .serializers import (
    EvaluationSerializer,
    GoalCreateSerializer,
    HistoryRecordSerializer,
    IEPCreateSerializer,
    IEPDetailSerializer,
    IEPHeaderSerializer,
    IEPSerializer,
    MeetingDateSerializer,
    OrderSerializer,
    RestoreSerializer,
    SectionSerializer,
    SectionWriteSerializer,
    ServiceLineOrderSerializer,
    ServiceLineWriteSerializer,
    VersionSerializer,
)
from .services import copy_forward as copy_services
from .services import evaluations as evaluation_services
from .services import locks as lock_services
from .services import sections as services


class Conflict(APIException):
    status_code, default_code = 409, "conflict"

    def __init__(self, detail=None, code=None):
        if isinstance(detail, dict):  # the body as built: null, ISO dates and numbers, not their str()
            self.detail = detail
        else:
            super().__init__(detail, code)


LOCK_CODES = {SectionLocked: "section_locked", SectionNotHeld: "not_held", StaleVersion: "stale_version",
              NotLocked: "not_locked", NotADraft: "not_a_draft"}


def conflict_body(exc) -> dict:
    """The 409 body of a lock or version refusal: who holds the section, since when, until when, and the
    writer's own text back when it was kept as their draft."""
    lock = getattr(exc, "lock", None)
    if lock is None and getattr(exc, "section", None) is not None:
        lock = SectionLock.objects.filter(section=exc.section).select_related("holder").first()
    held = lock is not None and lock.holder_id is not None
    body = {"detail": str(exc), "code": LOCK_CODES.get(type(exc), "conflict"),
            "holder": person(lock.holder) if held else None,
            "since": lock.acquired_at if held else None, "expires": lock.expires_at if held else None}
    if getattr(exc, "section", None) is not None:
        body["version"] = exc.section.version
    if getattr(exc, "draft", None) is not None:
        body["draft"] = SectionDraftSerializer(exc.draft).data
    return body


def run(call):
    """Call a service, answering its refusals: field errors 400, state conflicts 409."""
    try:
        return call()
    except InvalidContent as exc:
        raise ValidationError(exc.errors) from exc
    except (SectionLocked, SectionNotHeld, NotLocked) as exc:
        raise Conflict(conflict_body(exc)) from exc
    except StaleVersion as exc:
        raise Conflict(conflict_body(exc) if getattr(exc, "draft", None) is not None else str(exc)) from exc
    except (NotADraft, WrongStatus, GoalInUse) as exc:
        raise Conflict(str(exc)) from exc


def require(user, verb: str, obj) -> None:
    if not access.can(user, verb, obj):
        raise PermissionDenied(f"You may not {verb.replace('_', ' ')} here.")


def case_manager_from(data: dict) -> dict:
    if data.get("case_manager") is not None:
        data["case_manager"] = User.objects.filter(pk=data["case_manager"]).first()
        if data["case_manager"] is None:
            raise ValidationError({"case_manager": ["No such user."]})
    return data


class ReadOrVerb(permissions.BasePermission):
    """Scope comes from get_queryset (404). Reads need `view`; writes need the view's `write_verb` (403)."""

    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        verb = "view" if request.method in permissions.SAFE_METHODS else getattr(view, "write_verb", "edit")
        return access.can(request.user, verb, obj)


STUDENT_FILTER = OpenApiParameter("student", int, description="Only this student's records")
CONFLICT = OpenApiResponse(description="Stale version or the IEP's status does not allow this")
LOCK_CONFLICT = OpenApiResponse(LockConflictSerializer, description=(
    "Someone else holds the section (holder, since, expires), you no longer hold it (lease taken over after it "
    "ran out, or broken: your text is returned in `draft` and kept), or your version is stale"))


@extend_schema_view(list=extend_schema(parameters=[STUDENT_FILTER]),
                    create=extend_schema(request=IEPCreateSerializer, responses={201: IEPSerializer}),
                    partial_update=extend_schema(request=IEPHeaderSerializer, responses={200: IEPSerializer,
                                                                                         409: CONFLICT}),
                    update=extend_schema(request=IEPHeaderSerializer, responses={200: IEPSerializer, 409: CONFLICT}))
class IEPViewSet(StudentReadLogging, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                 mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """IEPs of the students the user may see. The header is the chair's (manage_iep); sections are separate."""

    queryset = IEP.objects.none()
    permission_classes = [ReadOrVerb]
    write_verb = "manage_iep"
    access_log_part = "iep"

    def get_serializer_class(self):
        return IEPDetailSerializer if self.action == "retrieve" else IEPSerializer

    def get_queryset(self):
        ieps = visible_ieps(self.request.user).select_related("student")
        if self.action == "list" and (student := query_filters(self.request, StudentFilter)["student"]):
            ieps = ieps.filter(student_id=student)
        if self.action == "retrieve":
            ieps = ieps.prefetch_related("sections__updated_by")
        return ieps.order_by("-start_date", "-pk")

    def retrieve(self, request, *args, **kwargs):
        iep = self.get_object()
        log_read(request, iep.student, "iep", obj=iep)
        return Response(IEPDetailSerializer(iep).data)

    def create(self, request, *args, **kwargs):
        data = IEPCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = case_manager_from(dict(data.validated_data))
        student = access.get_student_or_404(request.user, fields.pop("student"))
        require(request.user, "manage_iep", student)
        iep = run(lambda: services.iep_create(student=student, user=request.user, **fields))
        return Response(IEPSerializer(iep).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        iep = self.get_object()
        data = IEPHeaderSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        changes = case_manager_from(dict(data.validated_data))
        iep = run(lambda: services.iep_update_header(iep=iep, user=request.user, **changes))
        return Response(IEPSerializer(iep).data)

    def _act(self, verb: str):
        iep = self.get_object()  # 404 out of scope; the verb is checked here (403)
        require(self.request.user, verb, iep)
        return iep

    def get_object(self):
        iep = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if self.action in ("retrieve", "update", "partial_update"):
            self.check_object_permissions(self.request, iep)
        return iep

    @extend_schema(request=None, responses={200: IEPSerializer, 400: OpenApiResponse(description="Incomplete")})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        iep = self._act("propose")
        return Response(IEPSerializer(run(lambda: services.iep_propose(iep=iep, user=request.user))).data)

    @extend_schema(request=SectionWriteSerializer(partial=True), responses={200: IEPSerializer},
                   description="Body: the response section's fields (response, response_date, rejected_portions, "
                               "placement_response, ...).")
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        iep = self._act("respond")
        content = request.data.get("content", request.data)
        if not isinstance(content, dict):
            raise ValidationError({"content": ["Send the response section's fields as a JSON object."]})
        iep = run(lambda: services.iep_record_response(iep=iep, user=request.user, content=dict(content)))
        return Response(IEPSerializer(iep).data)

    @extend_schema(request=MeetingDateSerializer, responses={201: IEPSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        iep = self._act("manage_iep")
        data = MeetingDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = run(lambda: services.iep_amend(iep=iep, user=request.user, **data.validated_data))
        return Response(IEPSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingDateSerializer, responses={201: IEPSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="copy-forward")
    def copy_forward(self, request, pk=None):
        iep = self._act("manage_iep")
        data = MeetingDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = run(lambda: copy_services.iep_copy_forward(iep=iep, user=request.user, **data.validated_data))
        return Response(IEPSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GoalCreateSerializer, responses={201: SectionSerializer})
    @action(detail=True, methods=["post"])
    def goals(self, request, pk=None):
        iep = self._act("edit")
        data = GoalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = run(lambda: services.goal_add(iep=iep, user=request.user, content=data.validated_data["content"]))
        return Response(SectionSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrderSerializer, responses={200: SectionSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="goals/reorder")
    def reorder_goals(self, request, pk=None):
        iep = self._act("edit")
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goals = run(lambda: services.goal_reorder(iep=iep, user=request.user, order=data.validated_data["order"]))
        return Response(SectionSerializer(goals, many=True).data)


@extend_schema_view(update=extend_schema(request=SectionWriteSerializer, responses={200: SectionSerializer,
                                                                                   409: LOCK_CONFLICT}),
                    partial_update=extend_schema(request=SectionWriteSerializer,
                                                 responses={200: SectionSerializer, 409: LOCK_CONFLICT}),
                    destroy=extend_schema(description="Remove a goal (goals only); the rest are renumbered."))
class SectionViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                     viewsets.GenericViewSet):
    """One editable unit of an IEP. Writes need the section checked out (409 otherwise) and present the `version`
    they edited (409 when stale)."""

    serializer_class = SectionSerializer
    permission_classes = [ReadOrVerb]
    queryset = Section.objects.none()

    @property
    def write_verb(self) -> str:
        return "break_lock" if self.action == "break_lock" else "edit"

    def get_queryset(self):
        return visible_sections(self.request.user).select_related("iep__student", "updated_by")

    def retrieve(self, request, *args, **kwargs):
        section = self.get_object()
        log_read(request, section.iep.student, "section", obj=section)
        return Response(SectionSerializer(section).data)

    def update(self, request, *args, **kwargs):
        section = self.get_object()
        data = SectionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = run(lambda: services.section_update(section=section, user=request.user,
                                                    content=data.validated_data["content"],
                                                    expected_version=data.validated_data["version"]))
        return Response(SectionSerializer(saved).data)

    def destroy(self, request, *args, **kwargs):
        section = self.get_object()
        if not section.is_goal:
            raise ValidationError({"section": ["Only goals can be removed; other sections are emptied instead."]})
        run(lambda: services.goal_remove(goal=section, user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: HistoryRecordSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as answered
    def history(self, request, pk=None):
        section = self.get_object()
        log_read(request, section.iep.student, "history", obj=section)
        return Response(HistoryRecordSerializer(section_history(section), many=True).data)

    @extend_schema(request=RestoreSerializer, responses={200: SectionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        section = self.get_object()
        data = RestoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = run(lambda: services.section_restore(section=section, user=request.user,
                                                     history_id=data.validated_data["history_id"]))
        return Response(SectionSerializer(saved).data)

    @extend_schema(request=ServiceLineWriteSerializer, responses={201: SectionSerializer, 409: CONFLICT},
                   description="Add a line to a service delivery grid section.")
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        grid = self.get_object()
        data = ServiceLineWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = run(lambda: services.service_line_add(grid=grid, user=request.user, line=data.validated_data["line"],
                                                      expected_version=data.validated_data["version"]))
        return Response(SectionSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceLineWriteSerializer, responses={200: SectionSerializer, 409: CONFLICT},
                   parameters=[OpenApiParameter("line_id", str, OpenApiParameter.PATH)],
                   description="PUT replaces the line; DELETE (body or ?version=) removes it.")
    @action(detail=True, methods=["put", "delete"], url_path=r"lines/(?P<line_id>[0-9a-f]{1,16})")
    def line(self, request, pk=None, line_id=None):
        grid = self.get_object()
        if request.method == "DELETE":
            data = VersionSerializer(data=request.data or request.query_params)
            data.is_valid(raise_exception=True)
            saved = run(lambda: services.service_line_remove(grid=grid, user=request.user, line_id=line_id,
                                                             expected_version=data.validated_data["version"]))
        else:
            data = ServiceLineWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            saved = run(lambda: services.service_line_update(grid=grid, user=request.user, line_id=line_id,
                                                             line=data.validated_data["line"],
                                                             expected_version=data.validated_data["version"]))
        return Response(SectionSerializer(saved).data)

    @extend_schema(request=ServiceLineOrderSerializer, responses={200: SectionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="lines/reorder")
    def reorder_lines(self, request, pk=None):
        grid = self.get_object()
        data = ServiceLineOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = run(lambda: services.service_lines_reorder(grid=grid, user=request.user,
                                                           order=data.validated_data["order"],
                                                           expected_version=data.validated_data["version"]))
        return Response(SectionSerializer(saved).data)

    # Check-out / check-in (issue 5). Every action authorizes through get_object: 404 out of scope, 403 without
    # `edit` (`break_lock` for break).

    def _lock_response(self, request, section, lock=None, status_code=200):
        draft = SectionDraft.objects.filter(section=section, user=request.user).first()
        notices = lock_services.lock_notices_take(user=request.user)
        if lock is None:
            lock = SectionLock.objects.select_related("holder").filter(section=section).first()
        return Response(LockStateSerializer({"lock": lock, "draft": draft, "notices": notices}).data,
                        status=status_code)

    @extend_schema(responses={200: LockStateSerializer},
                   description="Who holds the section (since, until), your own draft if any, and your unseen notices.")
    @action(detail=True, methods=["get"])
    def lock(self, request, pk=None):
        section = self.get_object()
        log_read(request, section.iep.student, "section", obj=section)  # the answer carries the user's own draft
        return self._lock_response(request, section)

    @extend_schema(request=None, responses={200: LockStateSerializer, 409: LOCK_CONFLICT},
                   description="Take the section's lease (generation + 1). 409 names the live holder.")
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        section = self.get_object()
        lock = run(lambda: lock_services.section_check_out(section=section, user=request.user))
        return self._lock_response(request, section, lock)

    @extend_schema(request=GenerationSerializer, responses={200: SectionLockSerializer, 409: LOCK_CONFLICT},
                   description="Renew the lease. Send the header `X-IEP-Heartbeat: 1`: heartbeats are not session "
                               "activity (decision 4).")
    @action(detail=True, methods=["post"])
    def heartbeat(self, request, pk=None):
        section = self.get_object()
        data = GenerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lock = run(lambda: lock_services.section_heartbeat(section=section, user=request.user,
                                                           generation=data.validated_data["generation"]))
        return Response(SectionLockSerializer(lock).data)

    @extend_schema(request=DraftWriteSerializer, responses={200: SectionDraftSerializer, 409: LOCK_CONFLICT},
                   description="Autosave your draft (only you see it) and renew the lease. When you no longer hold "
                               "the section the answer is 409, and your text is kept and returned in `draft`.")
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        section = self.get_object()
        data = DraftWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = run(lambda: lock_services.section_save_draft(
            section=section, user=request.user, content=data.validated_data["content"],
            base_version=data.validated_data["version"], generation=data.validated_data["generation"]))
        return Response(SectionDraftSerializer(draft).data)

    @extend_schema(request=DraftWriteSerializer, responses={200: SectionSerializer, 409: LOCK_CONFLICT},
                   description="Save the section as a new version and release it; your draft is deleted.")
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        section = self.get_object()
        data = DraftWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = run(lambda: lock_services.section_check_in(
            section=section, user=request.user, content=data.validated_data["content"],
            base_version=data.validated_data["version"], generation=data.validated_data["generation"]))
        return Response(SectionSerializer(saved).data)

    @extend_schema(request=DiscardSerializer, responses={200: LockStateSerializer},
                   description="Release the section without saving and delete your draft.")
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        section = self.get_object()
        data = DiscardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run(lambda: lock_services.section_discard(section=section, user=request.user,
                                                  generation=data.validated_data.get("generation")))
        return self._lock_response(request, section)

    @extend_schema(request=BreakSerializer, responses={200: LockStateSerializer, 409: LOCK_CONFLICT},
                   description="Take the lock from its holder (Team chair or administrator), with a reason. The "
                               "holder's draft is kept and they are told; history records who and why.")
    @action(detail=True, methods=["post"], url_path="break")
    def break_lock(self, request, pk=None):
        section = self.get_object()
        data = BreakSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lock = run(lambda: lock_services.section_break_lock(section=section, user=request.user,
                                                            reason=data.validated_data["reason"]))
        return self._lock_response(request, section, lock)


@extend_schema_view(list=extend_schema(parameters=[STUDENT_FILTER]))
class EvaluationViewSet(StudentReadLogging, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The students' evaluation history. Team members and chairs record them (record_event)."""

    serializer_class = EvaluationSerializer
    permission_classes = [ReadOrVerb]
    queryset = Evaluation.objects.none()
    write_verb = "record_event"
    access_log_part = "evaluation"

    def get_queryset(self):
        evaluations = visible_evaluations(self.request.user).select_related("student")
        if self.action == "list" and (student := query_filters(self.request, StudentFilter)["student"]):
            evaluations = evaluations.filter(student_id=student)
        return evaluations

    def retrieve(self, request, *args, **kwargs):
        evaluation = self.get_object()
        log_read(request, evaluation.student, "evaluation", obj=evaluation)
        return Response(EvaluationSerializer(evaluation).data)

    def create(self, request, *args, **kwargs):
        student_id = request.data.get("student")
        if not (str(student_id or "").isascii() and str(student_id or "").isdigit()):
            raise ValidationError({"student": ["Give the student's id."]})
        student = access.get_student_or_404(request.user, int(student_id))
        require(request.user, "record_event", student)
        data = EvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "student"}
        with transaction.atomic():
            evaluation = run(lambda: evaluation_services.evaluation_create(student=student, user=request.user,
                                                                           **fields))
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        evaluation = self.get_object()
        data = EvaluationSerializer(evaluation, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "student"}
        evaluation = run(lambda: evaluation_services.evaluation_update(evaluation=evaluation, user=request.user,
                                                                       **fields))
        return Response(EvaluationSerializer(evaluation).data)

