from rest_framework import serializers

from .models import LockNotice, SectionDraft, SectionLock


def person(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


class SectionLockSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()
    holder_id = serializers.IntegerField(allow_null=True)
    live = serializers.SerializerMethodField()

    class Meta:
        model = SectionLock
        fields = ["section", "holder", "holder_id", "acquired_at", "expires_at", "generation", "live"]

    def get_holder(self, lock) -> str | None:
        return person(lock.holder)

    def get_live(self, lock) -> bool:
        return lock.is_live()


class SectionDraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionDraft
        fields = ["section", "content", "base_version", "saved_at"]


class LockNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LockNotice
        fields = ["section", "message", "created_at"]


class LockStateSerializer(serializers.Serializer):
    lock = SectionLockSerializer(allow_null=True)
    draft = SectionDraftSerializer(allow_null=True, help_text="Your own draft of this section, if any")
    notices = LockNoticeSerializer(many=True)


class GenerationSerializer(serializers.Serializer):
    generation = serializers.IntegerField(min_value=0, help_text="The lease's generation from check-out")


class DiscardSerializer(serializers.Serializer):
    generation = serializers.IntegerField(min_value=0, required=False)


class DraftWriteSerializer(GenerationSerializer):
    content = serializers.JSONField()
    version = serializers.IntegerField(min_value=0, help_text="The section version the edit is based on")


class BreakSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the lock is broken (told to the holder)")


class LockConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(["section_locked", "not_held", "stale_version", "not_locked", "not_a_draft"])
    holder = serializers.CharField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(required=False, help_text="The section's current version")
    draft = SectionDraftSerializer(required=False, allow_null=True,
                                   help_text="Your text, kept as your draft, when a save was refused")
