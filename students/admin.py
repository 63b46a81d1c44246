from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_logging import StudentReadLoggedAdmin

from .models import District, Guardian, School, Student


class SchoolInline(admin.TabularInline):
    model = School
    extra = 0


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "org_code", "cycle_length_days", "school_day_minutes"]
    search_fields = ["name", "org_code"]
    inlines = [SchoolInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district"]
    list_filter = ["district"]
    search_fields = ["name", "code"]


class GuardianInline(admin.StackedInline):
    model = Guardian
    extra = 0


@admin.register(Student)
class StudentAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    student_path = ""
    list_display = ["sasid", "last_name", "first_name", "grade", "school", "primary_disability", "active"]
    list_filter = ["district", "school", "grade", "primary_disability", "active"]
    search_fields = ["sasid", "local_id", "last_name", "first_name"]
    list_select_related = ["school"]
    autocomplete_fields = ["school"]
    inlines = [GuardianInline]
    show_full_result_count = False  # counting a 200,000-row table on every page is slow


@admin.register(Guardian)
class GuardianAdmin(StudentReadLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "relationship", "student", "preferred_language"]
    search_fields = ["name", "student__sasid"]
    autocomplete_fields = ["student"]
