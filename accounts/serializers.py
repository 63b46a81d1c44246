from rest_framework import serializers

from .models import AccessLogEntry


class AccessLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "user", "username", "part", "object_type", "object_id", "purpose", "path", "method",
                  "ip"]
        read_only_fields = fields
