from rest_framework import serializers

from .models import Deadline, TimelineEvent


class DeadlineSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "student", "key", "label", "cycle", "trigger", "due", "error", "citation", "basis", "status",
                  "met_on", "computed_at"]


class TimelineEventSerializer(serializers.ModelSerializer):
    """The student is looked up among those the requester may see: an id outside that scope is answered like one
    that does not exist (docs/security.md)."""

    recorded_by = serializers.StringRelatedField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not fields["student"].read_only:
            from accounts import access

            fields["student"].queryset = access.visible_students(request.user)
        return fields

    class Meta:
        model = TimelineEvent
        fields = ["id", "student", "key", "date", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]
