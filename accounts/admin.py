from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLogEntry, RoleAssignment, StudentDeletion, TeamMembership, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("District", {"fields": ["district", "job_title"]})]
    list_display = ["username", "first_name", "last_name", "district", "job_title", "is_active"]
    list_filter = ["district", "is_active", "is_staff"]
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "district", "school"]
    list_filter = ["role", "district"]
    autocomplete_fields = ["user", "school"]
    search_fields = ["user__username", "user__last_name"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["student", "user", "team_role", "responsibility"]
    list_filter = ["team_role"]
    autocomplete_fields = ["student", "user"]
    search_fields = ["user__username", "student__sasid"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible to superusers, never added, changed or deleted here (the database
    refuses it anyway)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "student", "part", "purpose", "method", "ip"]
    list_filter = ["part"]
    search_fields = ["username", "student__sasid"]
    list_select_related = ["student"]
    date_hierarchy = "at"


@admin.register(StudentDeletion)
class StudentDeletionAdmin(ReadOnlyAdmin):
    list_display = ["at", "student_id", "sasid", "district", "deleted_by", "access_log_entries_removed"]
