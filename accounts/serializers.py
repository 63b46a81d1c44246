from rest_framework import serializers

from .models import AccessLogEntry, RoleAssignment, TeamMembership, User


class AccessLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "user", "username", "part", "object_type", "object_id", "purpose", "path", "method",
                  "ip"]
        read_only_fields = fields


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "job_title", "district", "is_active"]
        read_only_fields = ["id", "is_active"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    """The staff member and the school are looked up only within the districts the requester administers, so an
    id outside them is answered exactly like one that does not exist (docs/security.md)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not fields["user"].read_only:
            from students.models import School

            from . import access

            districts = access.administered_districts(request.user)
            fields["user"].queryset = User.objects.filter(district_id__in=districts)
            fields["school"].queryset = School.objects.filter(district_id__in=districts)
        return fields

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "role", "district", "school"]
        read_only_fields = ["id", "district"]


class TeamMembershipSerializer(serializers.ModelSerializer):
    """Student and staff member are looked up only within what the requesting user may see, so an id outside
    their scope gets the same answer as an id that does not exist (existence is never revealed)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "student" in fields and not fields["student"].read_only:
            from . import access

            fields["student"].queryset = access.visible_students(request.user)
            fields["user"].queryset = access.visible_staff(request.user)
        return fields

    class Meta:
        model = TeamMembership
        fields = ["id", "student", "user", "team_role", "responsibility"]
        read_only_fields = ["id"]
        validators = []  # one chair / one membership per user: team_chair_set and update_or_create handle both
