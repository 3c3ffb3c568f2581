"""The citizen's RGPD rights as use cases: export everything held about them, erase their account.

Above the domains: these functions read and write accounts, procedures, progress, the
assistant and the integrations, following the data map (``data_map.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.audit import audit_forget_person, audit_pseudonym, audit_record
from civiquest.accounts.models import Role, User
from civiquest.appointments import services as booking
from civiquest.appointments.models import Appointment, AppointmentStatus, CoordinationStatus
from civiquest.documents.models import Document
from civiquest.documents.storage import CHUNK_BYTES, private_storage, private_stream
from civiquest.instruction.models import Attestation, ChangeRequest, OpinionRequest, QuestMessage, QuestNote
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.privacy import selectors
from civiquest.privacy.models import DataExport, ExportStatus
from civiquest.progress.models import XpEntry
from civiquest.quests.models import Answer, Quest, QuestDocument, QuestTransition
from civiquest.social.entraide.models import Answer as EntraideAnswer
from civiquest.social.entraide.models import PostStatus
from civiquest.social.entraide.models import Question as EntraideQuestion
from civiquest.social.mandates.services import citizen_mandates_erase

logger = logging.getLogger(__name__)

# A citizen asking again while an export is being prepared gets that one, not a second.
PENDING_REUSE = dt.timedelta(minutes=30)


class ErasureRefused(Exception):
    """The account cannot be erased now; the message says why and what to do."""


# --- Export -----------------------------------------------------------------------------------


def export_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.PRIVACY_EXPORT_LIFETIME_HOURS)


def data_export_request(*, citizen: User, now: dt.datetime | None = None) -> DataExport:
    """Ask for an export: a pending row, built by a Celery task after commit. Idempotent while pending."""
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=citizen.pk).first()
        pending = DataExport.objects.filter(
            citizen=citizen, status=ExportStatus.PENDING, created_at__gte=now - PENDING_REUSE
        ).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(citizen=citizen, created_at=now, expires_at=now + export_lifetime())
        from civiquest.privacy.tasks import data_export_build  # noqa: PLC0415 - privacy.tasks imports this module

        export_id = export.pk
        transaction.on_commit(lambda: data_export_build.delay(export_id))
    return export


def _write_zip(citizen: User, target: Any) -> None:
    """The JSON of everything, then every stored file, streamed into the ZIP ``target``."""
    data = selectors.citizen_data(citizen)
    missing: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in selectors.citizen_files(citizen):
            try:
                stream = private_stream(item.file)
            except OSError:
                missing.append(item.path)
                continue
            try:
                with archive.open(item.path, "w", force_zip64=True) as entry:
                    shutil.copyfileobj(stream, entry, CHUNK_BYTES)
            finally:
                stream.close()
        data["missing_files"] = missing
        archive.writestr("donnees.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))


def data_export_build(*, export_id: int) -> bool:
    """Build a pending export's ZIP and tell the citizen it is ready. Idempotent: True once ready."""
    export = DataExport.objects.filter(pk=export_id).select_related("citizen").first()
    if export is None or export.status == ExportStatus.FAILED:
        return False
    if export.status == ExportStatus.READY:
        return True
    with tempfile.TemporaryFile() as spool:
        _write_zip(export.citizen, spool)
        size = spool.tell()
        spool.seek(0)
        name = private_storage().save(f"exports/{export.public_id}.zip", File(spool))
    with transaction.atomic():
        locked = DataExport.objects.select_for_update().filter(pk=export_id).first()
        if locked is None or locked.status != ExportStatus.PENDING:
            # Erased, purged or built by another worker meanwhile: this copy is not needed.
            transaction.on_commit(lambda: private_storage().delete(name))
            return locked is not None and locked.status == ExportStatus.READY
        locked.file.name = name
        locked.size = size
        locked.status = ExportStatus.READY
        locked.ready_at = timezone.now()
        locked.save(update_fields=["file", "size", "status", "ready_at"])
        notify(
            recipient=locked.citizen,
            kind=NotificationKind.DATA_EXPORT,
            key=f"data-export:{locked.public_id}",
            title=_("L’export de vos données est prêt"),
            body=_("Vous pouvez le télécharger pendant 24 heures depuis la page « Mes données »."),
            url=reverse("citizen:privacy"),
        )
    return True


def data_exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the exports past their 24 hours, files included (hourly; idempotent)."""
    expired = DataExport.objects.filter(expires_at__lte=now or timezone.now())
    names = [name for name in expired.values_list("file", flat=True) if name]
    with transaction.atomic():
        count, _deleted = expired.delete()
        _delete_files_on_commit(names)
    return int(count)


# --- Erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    pseudonym: str
    quests_kept: int
    quests_deleted: int
    documents_deleted: int


def _delete_files_on_commit(names: list[str]) -> None:
    storage = private_storage()

    def delete_all() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("A stored file of an erased account could not be deleted", extra={"file": name})

    if names:
        transaction.on_commit(delete_all)


def _raw_delete(queryset: models.QuerySet[Any]) -> None:
    # The XP ledger and quest histories refuse deletion to every other caller: the erasure of an
    # account is the one exception the law makes, so it goes around their append-only guard.
    models.QuerySet.delete(queryset)


def _appointments_cancel(citizen: User) -> None:
    """Cancel the appointments to come (each tells ANTS); refuse if ANTS could not be told."""
    live = Appointment.objects.filter(citizen=citizen, status=AppointmentStatus.BOOKED)
    for appointment in live:
        booking.cancel(appointment=appointment)
    unheard = Appointment.objects.filter(citizen=citizen, status=AppointmentStatus.CANCELLED).filter(
        coordination_status=CoordinationStatus.REGISTERED
    )
    if unheard.exists():
        raise ErasureRefused(
            _(
                "Votre rendez-vous a été annulé, mais l’ANTS n’a pas encore pu en être informée : "
                "réessayez la suppression de votre compte dans quelques minutes."
            )
        )


def _placeholder_for(pseudonym: str) -> User:
    """The account the kept quests of an erased citizen hang on: a pseudonym, no identity, no sign-in."""
    placeholder = User(username=pseudonym[:150], last_name=pseudonym[:150], role=Role.CITIZEN, is_active=False)
    placeholder.set_unusable_password()
    placeholder.notify_by_email = False
    placeholder.save()
    return placeholder


def _sessions_end(user_id: int) -> None:
    """Close every session of the account, in every browser."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            store(session_key=session.session_key).delete()


def citizen_erase(*, citizen: User, on_erased: Callable[[], None] | None = None) -> ErasureReport:
    """Erase a citizen's account, following ``data_map.MODELS``; one transaction, files after commit.

    Drafts go; submitted quests and their decisions stay for the administration, on a
    pseudonymous account, without answers, documents or messages. The audit log forgets who
    the citizen was. Running it again on an erased account does nothing (the row is gone).
    """
    if not citizen.is_citizen:
        raise ErasureRefused(_("Seul un compte d’usager peut être supprimé ici."))
    _appointments_cancel(citizen)
    files: list[str] = []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=citizen.pk)
        pseudonym = audit_pseudonym(user)
        quests = Quest.objects.filter(citizen=user)
        drafts = quests.filter(submitted_at__isnull=True)
        kept_ids = list(quests.filter(submitted_at__isnull=False).values_list("pk", flat=True))
        draft_count = drafts.count()

        messages = QuestMessage.objects.filter(quest__citizen=user)
        files += [name for name in messages.exclude(attachment="").values_list("attachment", flat=True)]
        messages.delete()
        QuestNote.objects.filter(quest__citizen=user).delete()
        OpinionRequest.objects.filter(quest__citizen=user).delete()
        ChangeRequest.objects.filter(quest__citizen=user).delete()
        Answer.objects.filter(quest__citizen=user).delete()
        QuestDocument.objects.filter(quest__citizen=user).delete()
        for attestation in Attestation.objects.filter(quest_id__in=kept_ids):
            if attestation.file:
                files.append(attestation.file.name)
            attestation.citizen_name = pseudonym
            attestation.file.name = ""
            attestation.save(update_fields=["citizen_name", "file"])
        # A draft was never seen by a service: its history goes with it.
        _raw_delete(QuestTransition.objects.filter(quest__in=drafts))
        drafts.delete()
        if kept_ids:
            Quest.objects.filter(pk__in=kept_ids).update(citizen=_placeholder_for(pseudonym))

        documents = Document.objects.filter(owner=user)
        files += [name for name in documents.values_list("file", flat=True) if name]
        document_count = documents.count()
        documents.delete()
        Appointment.objects.filter(citizen=user).delete()
        # Entraide: published posts stay, their author gone ("compte supprimé"); the rest is deleted.
        EntraideAnswer.objects.filter(author=user).exclude(status=PostStatus.PUBLISHED).delete()
        EntraideQuestion.objects.filter(author=user).exclude(status=PostStatus.PUBLISHED).delete()
        entries = XpEntry.objects.filter(citizen=user)
        _raw_delete(entries.filter(reverses__isnull=False))
        _raw_delete(entries)
        files += [name for name in user.data_exports.exclude(file="").values_list("file", flat=True)]

        # Mandates given (and their journal) go; held ones are revoked; helper code and memberships go.
        citizen_mandates_erase(user=user)
        audit_forget_person(user)
        _sessions_end(user.pk)
        user_id = user.pk
        # Everything else the account holds goes with it (CASCADE): identity at FranceConnect,
        # wallet, habits, badges, level, avatar, notifications, conversations, address, moves, exports.
        user.delete()
        audit_record(
            actor=None,
            action="citizen.erase",
            target=(User._meta.label_lower, "", pseudonym),
            details={"quests_kept": len(kept_ids), "quests_deleted": draft_count, "documents_deleted": document_count},
        )
        _delete_files_on_commit(files)
        if on_erased is not None:
            transaction.on_commit(on_erased)
    logger.info("citizen account erased", extra={"quests_kept": len(kept_ids), "user_id": user_id})
    return ErasureReport(
        pseudonym=pseudonym, quests_kept=len(kept_ids), quests_deleted=draft_count, documents_deleted=document_count
    )
