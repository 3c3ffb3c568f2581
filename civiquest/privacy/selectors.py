"""Reads of the privacy use cases: everything held about a citizen, as JSON-ready data and files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from civiquest.accounts.models import AuditEvent, ExternalIdentity, User
from civiquest.appointments.models import Appointment
from civiquest.assistant.conversations.models import Conversation
from civiquest.documents.models import Document
from civiquest.instruction.models import QuestMessage
from civiquest.integrations.address.moving.models import HomeAddress, MoveDeclaration
from civiquest.notifications.models import Notification
from civiquest.privacy.models import DataExport
from civiquest.progress.habits.models import GamePreferences, Habit, Pause
from civiquest.progress.models import BadgeAward, LevelState, XpEntry
from civiquest.quests.models import Quest
from civiquest.recommendations.models import Feedback, LifeEvent, Preferences
from civiquest.social.entraide.selectors import entraide_export
from civiquest.social.mandates.models import HelperProfile, Mandate, StructureMember
from civiquest.social.moderation.selectors import citizen_moderation_data
from civiquest.social.selectors import pseudonym_of
from civiquest.social.sharing.models import CircleMembership, ShareLink

EXPORT_FORMAT_VERSION = 1
# Columns that say nothing to the citizen or would leak a secret (the ANTS management key).
SKIPPED_FIELDS = frozenset({"password", "search_name", "management_token", "idempotency_key"})


def _row(instance: models.Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete column of a row, foreign keys as ids, files as their archive path."""
    skipped = SKIPPED_FIELDS | set(skip)
    row: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = getattr(instance, field.name).name or ""
        row[field.name] = value
    return row


@dataclass(frozen=True)
class ExportFile:
    """A stored file to put in the ZIP under ``path``."""

    path: str
    file: FieldFile


def _safe_name(name: str) -> str:
    cleaned = "".join(char if char.isalnum() or char in "-_. " else "_" for char in name).strip(" .")
    return cleaned[:100] or "fichier"


def _quests(citizen: User) -> list[dict[str, Any]]:
    quests = (
        Quest.objects.filter(citizen=citizen)
        .select_related("procedure", "procedure__instructing_service")
        .prefetch_related("answers", "progress", "transitions", "change_requests", "documents", "messages")
        .order_by("created_at", "pk")
    )
    result = []
    for quest in quests:
        row = _row(quest, skip=("assignee",))
        row["procedure_title"] = quest.procedure.title
        row["service"] = quest.procedure.instructing_service.name if quest.procedure.instructing_service else ""
        row["answers"] = {answer.field_name: answer.value for answer in quest.answers.all()}
        row["steps"] = [_row(progress) for progress in quest.progress.all()]
        # Who acted is told by role: the agents' accounts are theirs, not the citizen's data.
        row["history"] = [_row(transition, skip=("actor",)) for transition in quest.transitions.all()]
        row["change_requests"] = [_row(request, skip=("requested_by",)) for request in quest.change_requests.all()]
        row["documents"] = [_row(link) for link in quest.documents.all()]
        row["messages"] = [_row(message, skip=("author",)) for message in quest.messages.all()]
        attestation = getattr(quest, "attestation", None)
        row["attestation"] = _row(attestation) if attestation is not None else None
        result.append(row)
    return result


def _audit_events(citizen: User) -> list[dict[str, Any]]:
    quest_ids = [str(pk) for pk in Quest.objects.filter(citizen=citizen).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(
        Q(actor_id=citizen.pk)
        | Q(target_type=User._meta.label_lower, target_id=str(citizen.pk))
        | Q(target_type=Quest._meta.label_lower, target_id__in=quest_ids)
    ).order_by("at", "pk")
    keep = ("at", "action", "actor_role", "target_type", "target_id", "target_label", "motivation")
    return [{name: getattr(event, name) for name in keep} for event in events]


def citizen_data(citizen: User, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about the citizen, one section per category of the data map."""
    conversations = Conversation.objects.filter(citizen=citizen).prefetch_related("messages__feedback")
    home = HomeAddress.objects.filter(citizen=citizen).first()
    preferences = GamePreferences.objects.filter(citizen=citizen).first()
    level = LevelState.objects.filter(citizen=citizen).first()
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": now or timezone.now(),
        "identity": _row(
            citizen,
            skip=("is_superuser", "is_staff", "last_login", "email", "notify_by_email", "terms_accepted_at"),
        ),
        "franceconnect_accounts": [
            _row(identity, skip=("user",)) for identity in ExternalIdentity.objects.filter(user=citizen)
        ],
        "contact": {
            "email": citizen.email,
            "notify_by_email": citizen.notify_by_email,
            "terms_accepted_at": citizen.terms_accepted_at,
            "last_login": citizen.last_login,
        },
        "game_preferences": _row(preferences) if preferences else None,
        "home_address": _row(home) if home else None,
        "moves": [
            {**_row(move), "dispatches": [_row(dispatch) for dispatch in move.dispatches.all()]}
            for move in MoveDeclaration.objects.filter(citizen=citizen).prefetch_related("dispatches")
        ],
        "quests": _quests(citizen),
        "documents": [_row(document) for document in Document.objects.filter(owner=citizen)],
        "appointments": [
            {
                **_row(appointment),
                "meeting_point": appointment.slot.meeting_point.name,
                "starts_at": appointment.slot.starts_at,
            }
            for appointment in Appointment.objects.filter(citizen=citizen).select_related("slot__meeting_point")
        ],
        "notifications": [_row(notification) for notification in Notification.objects.filter(recipient=citizen)],
        "xp": {
            "entries": [_row(entry, skip=("actor",)) for entry in XpEntry.objects.filter(citizen=citizen)],
            "level": _row(level) if level else None,
        },
        "badges": [_row(badge) for badge in BadgeAward.objects.filter(citizen=citizen)],
        "habits": [
            {**_row(habit), "check_ins": [_row(check_in) for check_in in habit.check_ins.all()]}
            for habit in Habit.objects.filter(citizen=citizen).prefetch_related("check_ins")
        ],
        "habit_pauses": [_row(pause) for pause in Pause.objects.filter(citizen=citizen)],
        "life_events": [_row(event) for event in LifeEvent.objects.filter(citizen=citizen)],
        "recommendation_answers": [_row(answer) for answer in Feedback.objects.filter(citizen=citizen)],
        "recommendation_preferences": [_row(row) for row in Preferences.objects.filter(citizen=citizen)],
        "assistant_conversations": [
            {
                **_row(conversation),
                "messages": [
                    {
                        **_row(message),
                        "feedback": _row(message.feedback) if hasattr(message, "feedback") else None,
                    }
                    for message in conversation.messages.all()
                ],
            }
            for conversation in conversations
        ],
        **_mandates(citizen),
        # Share links (the token is the link itself: kept out, the link is revoked or expired anyway).
        "shares": [_row(share, skip=("token",)) for share in ShareLink.objects.filter(owner=citizen)],
        # The circles the citizen belongs to (their own included) and what they chose to show there.
        "circles": [
            {**_row(membership, skip=("member",)), "circle": membership.circle.name}
            for membership in CircleMembership.objects.filter(member=citizen).select_related("circle")
        ],
        # Entraide moderation: the citizen's reports, the decisions about their posts, their suspensions.
        "entraide_moderation": citizen_moderation_data(citizen),
        # Entraide: the citizen's pseudonym, questions, answers and "utile" votes.
        "entraide": {"pseudonym": pseudonym_of(citizen), **entraide_export(citizen)},
        "audit_events": _audit_events(citizen),
        "data_exports": [_row(export, skip=("file",)) for export in DataExport.objects.filter(citizen=citizen)],
    }


def _mandates(citizen: User) -> dict[str, Any]:
    """Mandates given (with their journal) and held, the helper code and structure memberships."""
    given = Mandate.objects.filter(citizen=citizen).prefetch_related("journal").order_by("pk")
    return {
        "mandates_given": [
            {**_row(mandate), "journal": [_row(entry) for entry in mandate.journal.all()]} for mandate in given
        ],
        "mandates_held": [_row(mandate) for mandate in Mandate.objects.filter(helper=citizen).order_by("pk")],
        "helper_profile": [_row(profile) for profile in HelperProfile.objects.filter(user=citizen)],
        "helper_structures": [_row(member) for member in StructureMember.objects.filter(user=citizen)],
    }


def citizen_files(citizen: User) -> list[ExportFile]:
    """The stored files of the citizen: wallet documents, message attachments, attestations."""
    files = [
        ExportFile(f"documents/{document.pk}-{_safe_name(document.original_filename)}", document.file)
        for document in Document.objects.filter(owner=citizen).order_by("pk")
    ]
    messages = QuestMessage.objects.filter(quest__citizen=citizen).exclude(attachment="").order_by("pk")
    files += [
        ExportFile(f"messages/{message.pk}-{_safe_name(message.attachment_name)}", message.attachment)
        for message in messages
    ]
    quests = Quest.objects.filter(citizen=citizen, attestation__isnull=False).select_related("attestation")
    files += [
        ExportFile(f"attestations/{quest.reference}.pdf", quest.attestation.file)
        for quest in quests
        if quest.attestation.file
    ]
    return files


def exports_of(citizen: User) -> list[DataExport]:
    return list(DataExport.objects.filter(citizen=citizen).order_by("-created_at", "-pk")[:5])


def export_of(citizen: User, public_id: Any) -> DataExport | None:
    """The citizen's own export by its public id; None for anyone else's or a malformed id."""
    try:
        return DataExport.objects.filter(citizen=citizen, public_id=public_id).first()
    except (ValueError, TypeError, models.ObjectDoesNotExist):
        return None
