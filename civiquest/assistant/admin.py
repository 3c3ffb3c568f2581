"""Read-only views of the knowledge base in the Django admin (it is written by the importer only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource


class KnowledgeChunkInline(admin.TabularInline):
    model = KnowledgeChunk
    fields = ("position", "trail", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KnowledgeSource)
class KnowledgeSourceAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "kind", "theme", "modified_on", "updated_at")
    list_filter = ("kind", "theme")
    search_fields = ("key", "title")
    readonly_fields = (
        "kind",
        "key",
        "title",
        "url",
        "theme",
        "audience",
        "modified_on",
        "related_keys",
        "content_hash",
        "created_at",
        "updated_at",
    )
    inlines = [KnowledgeChunkInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
