"""Reads of mandates: what a helper may see, checked against the database at each call.

A mandate grants something only while it is not revoked and not expired (``_active``).
Nothing here is cached: a revocation or an expiry holds from the very next request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.models import Quest
from civiquest.quests.selectors import quest_detail
from civiquest.social.mandates.models import (
    HelperProfile,
    HelperStructure,
    Mandate,
    MandateJournalEntry,
    StructureMember,
    StructureRole,
)

# Which domain a wallet document belongs to. A type not listed has no domain and is never
# shown to a helper.
DOCUMENT_DOMAINS: dict[str, frozenset[str]] = {
    DocumentType.PASSPORT: frozenset({"papiers", "etranger"}),
    DocumentType.IDENTITY_CARD: frozenset({"papiers", "etranger"}),
    DocumentType.RESIDENCE_PERMIT: frozenset({"papiers", "etranger"}),
    DocumentType.ID_PHOTO: frozenset({"papiers"}),
    DocumentType.DRIVING_LICENCE: frozenset({"transports"}),
    DocumentType.PROOF_OF_ADDRESS: frozenset({"logement"}),
    DocumentType.TAX_NOTICE: frozenset({"argent"}),
    DocumentType.BANK_DETAILS: frozenset({"argent"}),
    DocumentType.FAMILY_RECORD_BOOK: frozenset({"famille"}),
}


def _id(raw: Any) -> int | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**31 else None


def _active(now: dt.datetime | None = None) -> Q:
    return Q(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


def helper_profile_of(user: User) -> HelperProfile | None:
    return HelperProfile.objects.filter(user=user).first()


def helper_by_code(code: str) -> HelperProfile | None:
    cleaned = code.strip().upper()
    if not cleaned:
        return None
    return HelperProfile.objects.filter(code=cleaned).select_related("user").first()


def active_mandates(*, helper: User, citizen_id: int, now: dt.datetime | None = None) -> list[Mandate]:
    return list(Mandate.objects.filter(_active(now), helper=helper, citizen_id=citizen_id))


@dataclass(frozen=True)
class HelperQuest:
    """A quest a helper opens under a mandate, with the mandate that lets them."""

    quest: Quest
    mandate: Mandate


def helper_quest(*, quest_id: Any, helper: User, now: dt.datetime | None = None) -> HelperQuest | None:
    """The quest (loaded as ``quest_detail`` does) when ``helper`` holds an active mandate of its
    citizen covering its procedure's theme; None otherwise (a 404)."""
    pk = _id(quest_id)
    if pk is None:
        return None
    owner = Quest.objects.filter(pk=pk).values("citizen_id", "procedure__theme").first()
    if owner is None or owner["citizen_id"] == helper.pk:
        return None
    mandate = next(
        (
            m
            for m in active_mandates(helper=helper, citizen_id=owner["citizen_id"], now=now)
            if m.covers(owner["procedure__theme"], now)
        ),
        None,
    )
    if mandate is None:
        return None
    citizen = User.objects.get(pk=owner["citizen_id"])
    quest = quest_detail(quest_id=pk, citizen=citizen)
    if quest is None:
        return None
    quest.citizen = citizen
    return HelperQuest(quest=quest, mandate=mandate)


def document_domains(document: Document) -> frozenset[str]:
    return DOCUMENT_DOMAINS.get(document.type, frozenset())


def helper_documents(*, mandate: Mandate, now: dt.datetime | None = None) -> list[Document]:
    """The citizen's wallet documents in the mandate's domains (none when it is no longer active)."""
    if not mandate.is_active(now):
        return []
    types = [doc_type for doc_type, domains in DOCUMENT_DOMAINS.items() if domains & set(mandate.domains)]
    return list(Document.objects.filter(owner_id=mandate.citizen_id, type__in=types).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class HelperDocument:
    document: Document
    mandate: Mandate


def helper_document(*, document_id: Any, helper: User, now: dt.datetime | None = None) -> HelperDocument | None:
    pk = _id(document_id)
    if pk is None:
        return None
    document = Document.objects.filter(pk=pk).exclude(owner=helper).first()
    if document is None:
        return None
    domains = document_domains(document)
    mandate = next(
        (m for m in active_mandates(helper=helper, citizen_id=document.owner_id, now=now) if domains & set(m.domains)),
        None,
    )
    return HelperDocument(document=document, mandate=mandate) if mandate is not None else None


def _with_people(queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
    return queryset.select_related("citizen", "helper", "structure", "revoked_by")


def _active_first(mandates: list[Mandate], now: dt.datetime) -> list[Mandate]:
    return sorted(mandates, key=lambda m: (not m.is_active(now), -m.created_at.timestamp(), -m.pk))


def mandates_given(*, citizen: User, now: dt.datetime | None = None) -> list[Mandate]:
    moment = now or timezone.now()
    return _active_first(list(_with_people(Mandate.objects.filter(citizen=citizen))), moment)


def mandates_held(*, helper: User, now: dt.datetime | None = None) -> list[Mandate]:
    moment = now or timezone.now()
    return _active_first(list(_with_people(Mandate.objects.filter(helper=helper))), moment)


@dataclass
class HeldMandate:
    mandate: Mandate
    quests: list[Quest] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def helper_space(*, helper: User, now: dt.datetime | None = None) -> list[HeldMandate]:
    """The mandates a helper holds, active first; for each active one, the citizen's quests and
    documents in its domains (three queries in all)."""
    moment = now or timezone.now()
    held = [HeldMandate(mandate=m) for m in mandates_held(helper=helper, now=moment)]
    active = [row for row in held if row.mandate.is_active(moment)]
    if not active:
        return held
    citizen_ids = {row.mandate.citizen_id for row in active}
    quests = list(
        Quest.objects.filter(citizen_id__in=citizen_ids)
        .select_related("procedure", "current_step")
        .order_by("-updated_at", "-pk")
    )
    documents = list(
        Document.objects.filter(owner_id__in=citizen_ids, type__in=list(DOCUMENT_DOMAINS)).order_by(
            "-created_at", "-pk"
        )
    )
    for row in active:
        domains = set(row.mandate.domains)
        row.quests = [q for q in quests if q.citizen_id == row.mandate.citizen_id and q.procedure.theme in domains]
        row.documents = [
            d for d in documents if d.owner_id == row.mandate.citizen_id and document_domains(d) & domains
        ]
    return held


def mandate_given(*, citizen: User, mandate_id: Any) -> Mandate | None:
    pk = _id(mandate_id)
    if pk is None:
        return None
    return _with_people(Mandate.objects.filter(pk=pk, citizen=citizen)).first()


def mandate_of_either(*, user: User, mandate_id: Any) -> Mandate | None:
    """A mandate the user gave or holds; None for anybody else (a 404)."""
    pk = _id(mandate_id)
    if pk is None:
        return None
    return _with_people(Mandate.objects.filter(Q(citizen=user) | Q(helper=user), pk=pk)).first()


def mandate_journal(mandate: Mandate) -> list[MandateJournalEntry]:
    return list(MandateJournalEntry.objects.filter(mandate=mandate).select_related("actor").order_by("at", "pk"))


def helper_membership(*, user: User, structure_id: int | None = None) -> StructureMember | None:
    queryset = StructureMember.objects.filter(user=user).select_related("structure")
    if structure_id is not None:
        queryset = queryset.filter(structure_id=structure_id)
    return queryset.order_by("pk").first()


def managed_structures(*, user: User) -> list[HelperStructure]:
    return list(
        HelperStructure.objects.filter(members__user=user, members__role=StructureRole.MANAGER).order_by("name", "pk")
    )


def managed_structure(*, user: User, structure_id: Any) -> HelperStructure | None:
    pk = _id(structure_id)
    if pk is None:
        return None
    return HelperStructure.objects.filter(pk=pk, members__user=user, members__role=StructureRole.MANAGER).first()


def structure_mandates(*, structure: HelperStructure) -> list[Mandate]:
    """The mandates held by the structure's members as its members (their people and dates only)."""
    return list(
        Mandate.objects.filter(structure=structure).select_related("citizen", "helper").order_by("-created_at", "-pk")
    )


def structures() -> list[HelperStructure]:
    return list(HelperStructure.objects.order_by("name", "pk"))


def structure_by_id(structure_id: Any) -> HelperStructure | None:
    pk = _id(structure_id)
    if pk is None:
        return None
    return HelperStructure.objects.filter(pk=pk).first()


def structure_members(structure: HelperStructure) -> list[StructureMember]:
    return list(StructureMember.objects.filter(structure=structure).select_related("user").order_by("pk"))


def quest_helper_actions(*, quest_id: int) -> list[MandateJournalEntry]:
    """What helpers did on this quest under a mandate ("fait par X pour le compte de Y"), oldest first."""
    return list(
        MandateJournalEntry.objects.filter(quest_id=quest_id)
        .select_related("actor", "mandate__citizen")
        .order_by("at", "pk")
    )


def account_by_email(email: str) -> User | None:
    """The one active account with this e-mail, for staff adding a structure's member."""
    found = list(User.objects.filter(email__iexact=email.strip(), is_active=True)[:2])
    return found[0] if len(found) == 1 else None
