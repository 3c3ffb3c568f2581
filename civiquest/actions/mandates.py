"""Mandates: a citizen gives or revokes one; a helper acts under one (steps, submission, documents).

Each helper action checks the mandate again on its locked row, inside the action's
transaction: a revocation or an expiry that happened a moment before refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.actions.follow import quest_events_follow
from civiquest.actions.prefill import certified_data
from civiquest.actions.quests import StepSaved
from civiquest.catalogue.inputs import step_inputs
from civiquest.catalogue.models import FieldKind, Step
from civiquest.core.transactions import use_case
from civiquest.documents.models import Document
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests import services as quest_services
from civiquest.quests import transitions
from civiquest.quests.edits import EditMark
from civiquest.quests.models import Quest, QuestTransition
from civiquest.quests.services import QuestEvents
from civiquest.social.mandates import selectors
from civiquest.social.mandates import services as mandate_services
from civiquest.social.mandates.models import HelperProfile, HelperStructure, JournalAction, Mandate, StructureMember
from civiquest.social.mandates.services import MandateRefused


@use_case
def helper_code_get(*, user: User, regenerate: bool = False) -> HelperProfile:
    """The helper's code to show the citizen; a new one on demand (the old one stops working)."""
    profile = mandate_services.helper_profile_ensure(user=user, regenerate=regenerate)
    if regenerate:
        audit_record(actor=user, action="mandate.helper_code_regenerated", target=profile)
    return profile


@use_case
def mandate_grant(*, citizen: User, helper_code: str, domains: Any, days: Any) -> Mandate:
    """Give the helper named by their code a mandate; the caller checked the FranceConnect
    re-authentication. The helper is told."""
    profile = selectors.helper_by_code(helper_code if isinstance(helper_code, str) else "")
    if profile is None:
        raise MandateRefused(_("Ce code aidant ne correspond à aucun aidant. Vérifiez-le avec votre aidant."))
    mandate = mandate_services.mandate_create(citizen=citizen, helper=profile.user, domains=domains, days=days)
    notify(
        recipient=profile.user,
        kind=NotificationKind.MANDATE,
        key=f"mandate:{mandate.pk}:granted",
        title=_("%(name)s vous a donné un mandat d’aidant") % {"name": citizen.display_name},
        body=_("Domaines : %(domains)s ; jusqu’au %(date)s.")
        % {"domains": ", ".join(mandate.domain_labels()), "date": mandate.expires_at.strftime("%d/%m/%Y")},
        url=reverse("citizen:helper-space"),
        key_is_new=True,
    )
    audit_record(
        actor=citizen,
        action="mandate.granted",
        target=mandate,
        details={"helper_id": profile.user_id, "domains": mandate.domains, "days": mandate.duration_days},
    )
    return mandate


@use_case
def mandate_revoke(*, mandate: Mandate, by: User) -> bool:
    """Either side ends the mandate at once; the other side is told. Idempotent."""
    if by.pk not in (mandate.citizen_id, mandate.helper_id):
        raise MandateRefused(_("Ce mandat ne vous concerne pas."))
    revoked = mandate_services.mandate_revoke(mandate=mandate, by=by)
    if not revoked:
        return False
    other = mandate.helper if by.pk == mandate.citizen_id else mandate.citizen
    if other is not None:
        notify(
            recipient=other,
            kind=NotificationKind.MANDATE,
            key=f"mandate:{mandate.pk}:revoked",
            title=_("Un mandat d’aidant a pris fin"),
            body=_("%(name)s a révoqué le mandat.") % {"name": by.display_name},
            url=reverse("citizen:mandates") if other.pk == mandate.citizen_id else reverse("citizen:helper-space"),
            key_is_new=True,
        )
    audit_record(actor=by, action="mandate.revoked", target=mandate)
    return True


def _checked(mandate: Mandate, quest: Quest) -> Mandate:
    """The mandate, locked, still active and covering the quest, or ``MandateRefused``."""
    return mandate_services.mandate_lock_covering(
        mandate=mandate, citizen_id=quest.citizen_id, theme=quest.procedure.theme
    )


def _documents_in_domains(mandate: Mandate, step: Step, data: Mapping[str, Any]) -> None:
    """A helper attaches only the citizen's documents of the mandate's domains."""
    asked = [spec.name for spec in step_inputs(step) if spec.kind == FieldKind.DOCUMENT]
    given = {str(data[name]) for name in asked if data.get(name) not in (None, "")}
    if not given:
        return
    allowed = {str(document.pk) for document in selectors.helper_documents(mandate=mandate)}
    if not given <= allowed:
        raise MandateRefused(_("Ce document n’est pas dans les domaines que la personne vous a confiés."))


@use_case
def helper_step_save(
    *,
    helper: User,
    mandate: Mandate,
    quest: Quest,
    step: Step,
    data: Mapping[str, Any],
    complete: bool = False,
    edit: EditMark | None = None,
) -> StepSaved:
    """A helper saves a step of the citizen's quest under the mandate: journaled; the XP of a step
    done goes to the citizen (``quest_events_follow`` rewards ``quest.citizen``)."""
    checked = _checked(mandate, quest)
    _documents_in_domains(checked, step, data)
    events = QuestEvents()
    # certified_data fills in the identity of the quest's citizen, never the helper's.
    saved = quest_services.step_save(
        quest=quest, step=step, data=data, complete=complete, events=events, certify=certified_data, edit=edit
    )
    if saved.stale:
        return StepSaved(stale=True)
    mandate_services.journal_write(
        mandate=checked,
        actor=helper,
        action=JournalAction.STEP_SAVED,
        quest=quest,
        details={"step": step.title[:120], "completed": saved.completed},
    )
    quest_events_follow(events=events)
    return StepSaved(errors=dict(saved.errors), problem=saved.problem, completed=saved.completed)


@use_case
def helper_quest_submit(*, helper: User, mandate: Mandate, quest: Quest) -> QuestTransition:
    """A helper submits the citizen's quest: the transition's actor is the helper, as ``HELPER``."""
    checked = _checked(mandate, quest)
    events = QuestEvents()
    transition = transitions.quest_submit(quest=quest, actor=helper, events=events, mandate_checked=True)
    if events.transitions:
        mandate_services.journal_write(
            mandate=checked, actor=helper, action=JournalAction.QUEST_SUBMITTED, quest=quest
        )
        audit_record(
            actor=helper,
            action="quest.submitted",
            target=quest,
            details={"transition": transition.pk, "mandate": checked.pk},
        )
    quest_events_follow(events=events)
    return transition


@use_case
def helper_appointment_journal(*, helper: User, mandate: Mandate, quest: Quest, booked: bool) -> None:
    """Journal an appointment a helper booked or cancelled for the citizen's quest."""
    checked = _checked(mandate, quest)
    action = JournalAction.APPOINTMENT_BOOKED if booked else JournalAction.APPOINTMENT_CANCELLED
    mandate_services.journal_write(mandate=checked, actor=helper, action=action, quest=quest)


@use_case
def helper_document_opened(*, helper: User, mandate: Mandate, document: Document) -> None:
    """Journal a helper's download of one of the citizen's documents."""
    checked = mandate_services.mandate_lock_active(mandate=mandate, citizen_id=document.owner_id)
    mandate_services.journal_write(
        mandate=checked,
        actor=helper,
        action=JournalAction.DOCUMENT_DOWNLOADED,
        document_id=document.pk,
        details={"title": document.title[:120]},
    )


@use_case
def structure_create(*, actor: User, name: str, kind: str, siret: str = "") -> HelperStructure:
    structure = mandate_services.structure_create(name=name, kind=kind, siret=siret)
    audit_record(actor=actor, action="mandate.structure_created", target=structure)
    return structure


@use_case
def structure_member_add(*, actor: User, structure: HelperStructure, user: User, role: str) -> StructureMember:
    member = mandate_services.structure_member_add(structure=structure, user=user, role=role)
    audit_record(
        actor=actor,
        action="mandate.structure_member_added",
        target=structure,
        details={"user_id": user.pk, "role": role},
    )
    return member
