"""Writes of mandates: helper codes, grants, revocations, journal entries, structures.

The use cases in ``civiquest.actions.mandates`` call these in their transaction and add the
notifications and the audit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.catalogue.models import Theme
from civiquest.core.errors import ProcedureError
from civiquest.social.mandates.models import (
    DURATIONS_DAYS,
    HelperProfile,
    HelperStructure,
    JournalAction,
    Mandate,
    MandateJournalEntry,
    StructureMember,
    StructureRole,
)

# No 0/O, 1/I: a code read aloud or copied from a screen.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class MandateRefused(ProcedureError):
    """The mandate cannot be given, or the structure change made; ``message`` says why."""


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def helper_profile_ensure(*, user: User, regenerate: bool = False) -> HelperProfile:
    """The user's helper code, created (or replaced) on demand."""
    profile = HelperProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None and not regenerate:
        return profile
    for _attempt in range(5):
        code = _new_code()
        try:
            with transaction.atomic():
                if profile is None:
                    return HelperProfile.objects.create(user=user, code=code)
                HelperProfile.objects.filter(pk=profile.pk).update(code=code)
                profile.code = code
                return profile
        except IntegrityError:
            continue
    raise MandateRefused(_("Le code aidant n’a pas pu être créé : réessayez."))


def clean_domains(domains: Any) -> list[str]:
    if not isinstance(domains, list | tuple) or not domains:
        raise MandateRefused(_("Choisissez au moins un domaine."))
    chosen = []
    for domain in domains:
        if not isinstance(domain, str) or domain not in Theme.values:
            raise MandateRefused(_("Ce domaine n’existe pas."))
        if domain not in chosen:
            chosen.append(domain)
    return [value for value in Theme.values if value in chosen]


def clean_days(days: Any) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if value not in DURATIONS_DAYS:
        raise MandateRefused(_("La durée d’un mandat est de 1, 31, 182 ou 365 jours."))
    return value


def journal_write(
    *,
    mandate: Mandate,
    actor: User | None,
    action: JournalAction | str,
    quest: Any = None,
    document_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> MandateJournalEntry:
    return MandateJournalEntry.objects.create(
        mandate=mandate,
        actor=actor,
        action=action,
        quest_id=quest.pk if quest is not None else None,
        quest_label=quest.procedure.title[:200] if quest is not None else "",
        document_id=document_id,
        details=details or {},
    )


def mandate_create(
    *,
    citizen: User,
    helper: User,
    domains: Any,
    days: Any,
    now: dt.datetime | None = None,
) -> Mandate:
    """Write the mandate and its first journal line; the caller checked the re-authentication."""
    chosen = clean_domains(domains)
    duration = clean_days(days)
    if helper.pk == citizen.pk:
        raise MandateRefused(_("Vous ne pouvez pas vous donner un mandat à vous-même."))
    if not helper.is_active or helper.role != Role.CITIZEN:
        raise MandateRefused(_("Ce code aidant ne correspond à aucun aidant."))
    # A helper who is a member of a structure acts as its member: its manager sees the mandate.
    membership = StructureMember.objects.filter(user=helper).order_by("pk").first()
    structure = membership.structure_id if membership is not None else None
    moment = now or timezone.now()
    mandate = Mandate.objects.create(
        citizen=citizen,
        helper=helper,
        structure_id=structure,
        domains=chosen,
        duration_days=duration,
        created_at=moment,
        expires_at=moment + dt.timedelta(days=duration),
        confirmed_at=moment,
    )
    journal_write(
        mandate=mandate, actor=citizen, action=JournalAction.GRANTED, details={"domains": chosen, "days": duration}
    )
    return mandate


def mandate_revoke(*, mandate: Mandate, by: User, now: dt.datetime | None = None) -> bool:
    """Revoke at once; False when it was already revoked (idempotent)."""
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.revoked_at is not None:
        mandate.revoked_at = locked.revoked_at
        return False
    moment = now or timezone.now()
    Mandate.objects.filter(pk=mandate.pk).update(revoked_at=moment, revoked_by=by)
    mandate.revoked_at = moment
    mandate.revoked_by = by
    journal_write(mandate=mandate, actor=by, action=JournalAction.REVOKED)
    return True


def structure_create(*, name: str, kind: str, siret: str = "") -> HelperStructure:
    return HelperStructure.objects.create(name=name.strip(), kind=kind, siret=siret.strip())


def structure_member_add(*, structure: HelperStructure, user: User, role: str) -> StructureMember:
    if user.role != Role.CITIZEN or not user.is_active:
        raise MandateRefused(_("Seul un compte d’usager actif peut être aidant d’une structure."))
    if role not in StructureRole.values:
        raise MandateRefused(_("Ce rôle n’existe pas."))
    member, created = StructureMember.objects.get_or_create(structure=structure, user=user, defaults={"role": role})
    if not created and member.role != role:
        StructureMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member


def citizen_mandates_erase(*, user: User) -> None:
    """Erasure: the mandates the user gave or held and their journals; their helper profile and
    memberships."""
    # Held as a helper: revoked now; kept with their journal for the citizens (the helper becomes null).
    Mandate.objects.filter(helper=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Given as a citizen: the journal goes with its mandate (the only way a journal line is deleted).
    Mandate.objects.filter(citizen=user).delete()
    HelperProfile.objects.filter(user=user).delete()
    StructureMember.objects.filter(user=user).delete()


def mandate_lock_active(*, mandate: Mandate, citizen_id: int, now: dt.datetime | None = None) -> Mandate:
    """The mandate's row locked for this transaction, if still active for this citizen."""
    locked = Mandate.objects.select_for_update().filter(pk=mandate.pk, citizen_id=citizen_id).first()
    if locked is None or not locked.is_active(now):
        raise MandateRefused(_("Ce mandat n’est plus actif : vous ne pouvez plus agir pour cette personne."))
    return locked


def mandate_lock_covering(*, mandate: Mandate, citizen_id: int, theme: str, now: dt.datetime | None = None) -> Mandate:
    locked = mandate_lock_active(mandate=mandate, citizen_id=citizen_id, now=now)
    if theme not in locked.domains:
        raise MandateRefused(_("Ce mandat ne couvre pas cette démarche."))
    return locked
