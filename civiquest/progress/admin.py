"""Read-only admin views of the ledger, levels, badges, notifications: corrections go through the staff pages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civiquest.notifications.models import DigestDelivery, Notification
from civiquest.progress.models import BadgeAward, LevelState, XpEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(XpEntry)
class XpEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "citizen", "amount", "requested", "limit", "kind", "reason", "key", "self_declared")
    list_filter = ("kind", "limit", "reason", "self_declared")
    search_fields = ("key",)
    raw_id_fields = ("citizen", "actor", "reverses")


@admin.register(LevelState)
class LevelStateAdmin(ReadOnlyAdmin):
    list_display = ("citizen", "max_level", "curve_version", "reached_at")


@admin.register(BadgeAward)
class BadgeAwardAdmin(ReadOnlyAdmin):
    list_display = ("citizen", "code", "awarded_at")
    list_filter = ("code",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "recipient", "week", "notification_count")
