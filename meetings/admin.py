from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Attendance, ContactAttempt, EvaluationConsent, Excusal, Invitation, Meeting


class _PartInline(admin.TabularInline):
    extra = 0
    show_change_link = True


class InvitationInline(_PartInline):
    model = Invitation
    fields = ["sent_on", "method", "status"]
    readonly_fields = ["status"]


class ContactAttemptInline(_PartInline):
    model = ContactAttempt
    fields = ["attempted_on", "method", "outcome", "note"]


class ExcusalInline(_PartInline):
    model = Excusal
    fields = ["member", "parent_agreed_on", "area_discussed", "written_input_on"]
    raw_id_fields = ["member"]


class AttendanceInline(_PartInline):
    model = Attendance
    fields = ["kind", "user", "name", "role", "language"]
    raw_id_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "student", "meeting_type", "date", "start_time", "status"]
    list_filter = ["status", "meeting_type"]
    raw_id_fields = ["student", "iep", "scheduled_by", "held_recorded_by"]
    inlines = [InvitationInline, ContactAttemptInline, ExcusalInline, AttendanceInline]


@admin.register(EvaluationConsent)
class EvaluationConsentAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "student", "kind", "sent_on", "response", "responded_on"]
    list_filter = ["response", "kind"]
    raw_id_fields = ["student", "meeting", "recorded_by"]
