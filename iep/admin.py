from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_logging import StudentReadLoggedAdmin

from .models import IEP, Evaluation, Section


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["kind", "position", "version", "updated_by", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(IEP)
class IEPAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    """Read-mostly: IEPs are written through the app's services, which enforce the rules."""

    list_display = ["__str__", "student", "meeting_type", "status", "start_date", "end_date"]
    list_filter = ["status", "meeting_type"]
    search_fields = ["student__last_name", "student__sasid"]
    raw_id_fields = ["student", "case_manager", "amends", "previous"]
    readonly_fields = ["status", "amends", "previous", "created_at", "updated_at"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    access_log_part, student_path = "section", "iep.student"
    list_display = ["__str__", "iep", "kind", "position", "version", "updated_by", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["iep", "updated_by"]
    readonly_fields = ["version", "updated_by", "updated_at"]


@admin.register(Evaluation)
class EvaluationAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    access_log_part = "evaluation"
    list_display = ["__str__", "student", "area", "consent_date", "completion_date"]
    list_filter = ["area"]
    raw_id_fields = ["student"]
