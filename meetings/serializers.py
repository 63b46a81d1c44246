from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from students.models import Guardian

from .models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:30",
                     "maxLength": 5, "description": "Local time (America/New_York), HH:MM"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time as HH:MM. Not OpenAPI's "time" format, which demands a UTC offset a meeting's local
    time does not have."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class MeetingSerializer(serializers.ModelSerializer):
    start_time = LocalTimeField()

    class Meta:
        model = Meeting
        fields = ["id", "student", "iep", "meeting_type", "date", "start_time", "duration_minutes", "location",
                  "video_link", "purpose", "status", "scheduled_by", "created_at", "updated_at"]
        read_only_fields = ["status", "scheduled_by", "created_at", "updated_at"]
        extra_kwargs = {"duration_minutes": {"min_value": 15, "max_value": 480}}


class MeetingCreatedSerializer(MeetingSerializer):
    overlaps = serializers.ListField(child=serializers.CharField(), read_only=True,
                                     help_text="Other meetings of the same people at the same time (a warning).")

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "overlaps"]


class MeetingChangeSerializer(serializers.ModelSerializer):
    start_time = LocalTimeField(required=False)

    class Meta:
        model = Meeting
        fields = ["iep", "meeting_type", "date", "start_time", "duration_minutes", "location", "video_link", "purpose"]
        extra_kwargs = {"duration_minutes": {"min_value": 15, "max_value": 480}}


class _ScopedField(serializers.PrimaryKeyRelatedField):
    """Choices limited to what the requesting user may see (an id outside reads like one that does not exist)."""

    def get_queryset(self):
        from accounts import access

        request = self.context.get("request")
        if request is None:
            return self.empty.objects.none()
        return self.scope(access, request.user)


@extend_schema_field(OpenApiTypes.INT)
class _StaffField(_ScopedField):
    empty = User

    def scope(self, access, user):
        return access.visible_staff(user)


@extend_schema_field(OpenApiTypes.INT)
class _GuardianField(_ScopedField):
    empty = Guardian

    def scope(self, access, user):
        return Guardian.objects.filter(student__in=access.visible_students(user))


class AttendeeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Attendance.Kind.choices)
    user = _StaffField(required=False, allow_null=True, help_text="A staff member (kind staff).")
    guardian = _GuardianField(required=False, allow_null=True, help_text="One of the student's parents (kind parent).")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    language = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                     help_text="The language interpreted (kind interpreter).")


class HoldSerializer(serializers.Serializer):
    attendees = AttendeeSerializer(many=True, required=False, default=list)


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "meeting", "kind", "user", "guardian", "name", "role", "language", "recorded_by", "created_at"]
        read_only_fields = ["recorded_by", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "meeting", "sent_on", "method", "sent_by", "status", "sha256", "error", "created_at",
                  "rendered_at", "download_url"]
        read_only_fields = ["sent_by", "status", "sha256", "error", "created_at", "rendered_at"]

    def get_download_url(self, invitation) -> str | None:
        return f"/api/meeting-invitations/{invitation.pk}/download/" if invitation.is_ready else None


class ContactAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactAttempt
        fields = ["id", "meeting", "guardian", "attempted_on", "method", "outcome", "note", "recorded_by",
                  "created_at"]
        read_only_fields = ["recorded_by", "created_at"]


class ExcusalSerializer(serializers.ModelSerializer):
    parent_agreed_on = serializers.DateField(required=False, allow_null=True,
                                             help_text="Required: the date of the parent's written agreement.")
    agreement = serializers.FileField(required=False, allow_null=True, write_only=True,
                                      help_text="The signed agreement: PDF, PNG or JPEG, at most 5 MB (multipart).")
    has_agreement_file = serializers.SerializerMethodField()

    class Meta:
        model = Excusal
        fields = ["id", "meeting", "member", "area_discussed", "parent_agreed_on", "written_input_on", "agreement",
                  "has_agreement_file", "recorded_by", "created_at"]
        read_only_fields = ["recorded_by", "created_at"]
        validators = []  # the service says why a member cannot be excused twice, as a field error

    def get_has_agreement_file(self, excusal) -> bool:
        return bool(excusal.agreement)


class EvaluationConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationConsent
        fields = ["id", "student", "meeting", "kind", "sent_on", "response", "responded_on", "note", "recorded_by",
                  "created_at", "updated_at"]
        read_only_fields = ["response", "responded_on", "recorded_by", "created_at", "updated_at"]


class ConsentResponseSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=[("consented", "Consent given"), ("refused", "Consent refused")])
    responded_on = serializers.DateField()
    signed_form = serializers.FileField(required=False, allow_null=True,
                                        help_text="The signed form: PDF, PNG or JPEG, at most 5 MB (multipart).")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
