from django.contrib import admin

from .models import OutboxMessage, TaskDelivery


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "task", "status", "send_attempts", "created_at", "sent_at"]
    list_filter = ["status", "task"]
    readonly_fields = ["task", "args", "status", "send_attempts", "last_error", "created_at", "sent_at"]


@admin.register(TaskDelivery)
class TaskDeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "task", "deliveries", "status", "updated_at"]
    list_filter = ["status", "task"]
