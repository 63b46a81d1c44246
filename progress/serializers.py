from rest_framework import serializers

from .models import MarkingPeriod, ProgressDocument, ProgressReport


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (400 naming them), so a typo never passes silently."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class MarkingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarkingPeriod
        fields = ["id", "district", "school", "school_year", "name", "start", "end", "report_due"]
        read_only_fields = fields


class MarkingPeriodWriteSerializer(StrictSerializer):
    district = serializers.IntegerField(min_value=1, max_value=2**62)
    school = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True)
    school_year = serializers.CharField(max_length=9)
    name = serializers.CharField(max_length=60)
    start = serializers.DateField()
    end = serializers.DateField()
    report_due = serializers.DateField()


class PeriodImportSerializer(StrictSerializer):
    district = serializers.IntegerField(min_value=1, max_value=2**62)
    csv = serializers.CharField(max_length=500_000, trim_whitespace=False)


class BenchmarkSerializer(serializers.Serializer):
    text = serializers.CharField()
    status = serializers.CharField(allow_blank=True)


class ProgressReportSerializer(serializers.ModelSerializer):
    benchmarks = BenchmarkSerializer(many=True, read_only=True)
    sufficient = serializers.CharField(read_only=True, help_text="yes, no, or empty while not answered")
    holder = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "student", "iep", "goal", "period", "version", "current", "correction_reason", "status",
                  "narrative", "measured_value", "measured_on", "benchmarks", "sufficient", "sufficiency_reason",
                  "next_steps", "revision", "updated_at", "finalised_at", "holder"]
        read_only_fields = fields

    def get_holder(self, report) -> str | None:
        lock = getattr(report, "lock", None)
        if lock is None or not lock.is_live():
            return None
        return lock.holder.get_full_name() or lock.holder.username


class ReportStartSerializer(StrictSerializer):
    goal = serializers.IntegerField(min_value=1, max_value=2**62)
    period = serializers.IntegerField(min_value=1, max_value=2**62)


class ReportWriteSerializer(StrictSerializer):
    revision = serializers.IntegerField(min_value=0, max_value=2**31)
    narrative = serializers.CharField(max_length=4000, required=False, allow_blank=True, trim_whitespace=False)
    measured_value = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True)
    measured_on = serializers.DateField(required=False, allow_null=True)
    benchmarks = serializers.ListField(child=serializers.ChoiceField(
        choices=[("", "Not reported"), *ProgressReport.BenchmarkStatus.choices]), max_length=12, required=False)
    sufficient = serializers.ChoiceField(choices=[("", "Not answered"), *ProgressReport.Sufficient.choices],
                                         required=False)
    sufficiency_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    ready = serializers.BooleanField(required=False, allow_null=True, default=None,
                                     help_text="true: mark ready (all answers needed); false: back to draft")


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class ProgressDocumentSerializer(serializers.ModelSerializer):
    sent_method = serializers.CharField(read_only=True, help_text="mail, email, in_person, backpack, portal, or "
                                                                  "empty while not sent")

    class Meta:
        model = ProgressDocument
        fields = ["id", "student", "iep", "period", "version", "correction_reason", "status", "sha256", "finalised_at",
                  "rendered_at", "sent_on", "sent_method", "sent_note"]
        read_only_fields = fields


class FinaliseSerializer(StrictSerializer):
    student = serializers.IntegerField(min_value=1, max_value=2**62)
    period = serializers.IntegerField(min_value=1, max_value=2**62)


class SentSerializer(StrictSerializer):
    sent_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ProgressDocument.Method.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    email_to = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="A parent or guardian (id) of the student with an email address: the report is emailed now with the "
                  "PDF attached and recorded as sent today by email (method must be email; sent_on is today).")
