from rest_framework import serializers

from .models import IEP, Evaluation, Section
from .section_schemas import GRID_GROUPS


class SectionSummarySerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    updated_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Section
        fields = ["id", "kind", "position", "title", "version", "updated_by", "updated_at"]


class SectionSerializer(SectionSummarySerializer):
    iep = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(SectionSummarySerializer.Meta):
        fields = [*SectionSummarySerializer.Meta.fields, "iep", "content"]


class SectionWriteSerializer(serializers.Serializer):
    content = serializers.JSONField(help_text="The section's fields; see the schema of its kind.")
    version = serializers.IntegerField(min_value=0, help_text="The version you edited; 409 if it is not current.")


class GridSummarySerializer(serializers.Serializer):
    minutes = serializers.DictField(child=serializers.IntegerField(), help_text="Minutes per cycle for A, B and C.")
    cycle_length_days = serializers.IntegerField()
    school_day_minutes = serializers.IntegerField()
    percent_outside = serializers.DecimalField(max_digits=5, decimal_places=1)
    derived_placement = serializers.CharField()


class IEPSerializer(serializers.ModelSerializer):
    age_strand = serializers.CharField(read_only=True)
    next_annual_review = serializers.DateField(read_only=True)
    next_reevaluation = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = IEP
        fields = ["id", "student", "meeting_type", "start_date", "end_date", "meeting_date", "last_evaluation_date",
                  "case_manager", "status", "amends", "previous", "cycle_length_days", "school_day_minutes",
                  "age_strand", "next_annual_review", "next_reevaluation", "created_at", "updated_at"]
        read_only_fields = ["status", "amends", "previous", "cycle_length_days", "school_day_minutes", "created_at",
                            "updated_at"]


class IEPDetailSerializer(IEPSerializer):
    sections = SectionSummarySerializer(many=True, read_only=True)
    grid = serializers.SerializerMethodField()

    class Meta(IEPSerializer.Meta):
        fields = [*IEPSerializer.Meta.fields, "sections", "grid"]

    def get_grid(self, iep) -> dict:
        from .selectors import service_grid_summary

        return GridSummarySerializer(service_grid_summary(iep)).data


class IEPCreateSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    meeting_type = serializers.ChoiceField(choices=IEP.MeetingType.choices, default=IEP.MeetingType.ANNUAL_REVIEW)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, help_text="Default: one year less a day after the start.")
    meeting_date = serializers.DateField(required=False, allow_null=True)
    last_evaluation_date = serializers.DateField(required=False, allow_null=True)
    case_manager = serializers.IntegerField(required=False, allow_null=True, help_text="A user on the Team.")


class IEPHeaderSerializer(serializers.Serializer):
    meeting_type = serializers.ChoiceField(choices=IEP.MeetingType.choices, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    meeting_date = serializers.DateField(required=False, allow_null=True)
    last_evaluation_date = serializers.DateField(required=False, allow_null=True)
    case_manager = serializers.IntegerField(required=False, allow_null=True, help_text="A user on the Team.")


class MeetingDateSerializer(serializers.Serializer):
    meeting_date = serializers.DateField(required=False, allow_null=True)


class GoalCreateSerializer(serializers.Serializer):
    content = serializers.JSONField(help_text="area, baseline, target, criteria, method, schedule, responsible, "
                                              "benchmarks (list of texts)")


class OrderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(), help_text="Goal section ids in the new order.")


class ServiceLineSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=GRID_GROUPS)
    goals = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of goal sections of this IEP.")
    service_type = serializers.CharField()
    provided_by = serializers.CharField()
    location = serializers.CharField(required=False, allow_blank=True)
    frequency = serializers.IntegerField(help_text="Sessions per cycle.")
    minutes = serializers.IntegerField(help_text="Minutes per session.")
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class ServiceLineWriteSerializer(serializers.Serializer):
    line = serializers.JSONField(help_text="A service line (see ServiceLine).")
    version = serializers.IntegerField(min_value=0)


class ServiceLineOrderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.CharField(), help_text="Line ids in the new order.")
    version = serializers.IntegerField(min_value=0)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)


class RestoreSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryRecordSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    version = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField()
    user = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changes = serializers.SerializerMethodField()
    content = serializers.JSONField()

    def get_user(self, record) -> str | None:
        return str(record.history_user) if record.history_user else None

    def get_changes(self, record) -> list[dict]:
        return [{"field": label, "old": old, "new": new} for label, old, new in record.changes]


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "student", "area", "evaluator_name", "evaluator_role", "consent_date", "completion_date",
                  "summary_to_parents_date", "key_results", "created_at", "updated_at"]
        read_only_fields = ["student", "created_at", "updated_at"]
