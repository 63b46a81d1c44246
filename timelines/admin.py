from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_logging import StudentReadLoggedAdmin

from .models import Deadline, SchoolCalendar, StudentFacts, TimelineEvent


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["district", "label", "first_day", "last_day"]
    list_filter = ["district"]
    search_fields = ["label", "district__name"]

    def save_model(self, request, obj, form, change):
        from .services import calendar_save

        calendar_save(calendar=obj, user=request.user)

    def delete_model(self, request, obj):
        from .services import calendar_delete

        calendar_delete(calendar=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        from .services import calendar_delete

        for calendar in queryset:
            calendar_delete(calendar=calendar, user=request.user)


@admin.register(TimelineEvent)
class TimelineEventAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    access_log_part = "timeline"
    list_display = ["student", "key", "date", "recorded_by"]
    list_filter = ["key"]
    raw_id_fields = ["student", "recorded_by"]
    list_select_related = ["student", "recorded_by"]

    def save_model(self, request, obj, form, change):
        from .services import _recompute_student_on_commit

        super().save_model(request, obj, form, change)
        _recompute_student_on_commit(obj.student_id)


@admin.register(StudentFacts)
class StudentFactsAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    access_log_part = "timeline"
    list_display = ["student", "eligibility", "updated_at"]
    raw_id_fields = ["student", "updated_by"]


@admin.register(Deadline)
class DeadlineAdmin(StudentReadLoggedAdmin, admin.ModelAdmin):
    """Derived data: read-only here (recompute_deadlines rewrites it)."""

    list_display = ["student", "key", "due", "status", "met_on"]
    list_filter = ["status", "key"]
    raw_id_fields = ["student", "school"]
    list_select_related = ["student"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
