"""Failed background tasks, read-only: a failure is a record of what happened, fixed at its cause."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civiquest.core.models import TaskFailure


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    list_display = ("last_failed_at", "task_name", "exception_type", "retries", "failure_count", "task_id")
    list_filter = ("task_name", "exception_type")
    search_fields = ("task_id", "task_name", "exception_message")
    date_hierarchy = "last_failed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Deleting is allowed: once the cause is fixed, a superuser clears the failure.
