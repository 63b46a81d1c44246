from rest_framework import serializers

from .models import Deadline, TimelineEvent


class DeadlineSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "student", "key", "label", "cycle", "trigger", "due", "error", "citation", "basis", "status",
                  "met_on", "computed_at"]


class TimelineEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "student", "key", "date", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]
