"""A quest's ending: once it is out of the citizen's hands, what happened, what was sent to whom,
what comes next and by when.

Shown on the quest page (where the submission and the last step lead) in a DSFR callout. It
is read from data, never from a procedure's slug: the quest's history (prefetched by
``quest_detail``), its procedure's instructing service and legal delay (the instruction
deadline), the service's own step (its text says what the service does), the references the
citizen brought back from official sites, and, for a revision that dispatches a new address
(``address_dispatch``), the organisations the move was sent to and their answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.catalogue.inputs import reference_input_name
from civiquest.catalogue.models import StepKind
from civiquest.instruction.deadlines import effective_deadline
from civiquest.integrations.address.moving.selectors import declaration_of
from civiquest.quests import workflow
from civiquest.quests.journey import StepRow
from civiquest.quests.models import Quest, QuestState


@dataclass
class Recipient:
    label: str
    status: str = ""


@dataclass
class Ending:
    title: str
    happened: str
    recipients_intro: str = ""
    recipients: list[Recipient] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    next_text: str = ""
    optional_rows: list[StepRow] = field(default_factory=list)
    by_when: str = ""
    follow_url: str = ""
    follow_label: str = ""


def _day(at: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(at), "j F Y")


def _reached_at(quest: Quest, state: str) -> dt.datetime:
    """When the quest last reached ``state`` (its history, as ``quest_detail`` prefetched it)."""
    times = [transition.at for transition in quest.transitions.all() if transition.to_state == state]
    return times[-1] if times else quest.updated_at


HAPPENED = {
    QuestState.SUBMITTED: (
        gettext_lazy("Votre dossier est déposé"),
        gettext_lazy("Vous avez déposé votre dossier n° %(reference)s le %(day)s."),
    ),
    QuestState.IN_REVIEW: (
        gettext_lazy("Votre dossier est en cours d’instruction"),
        gettext_lazy("Votre dossier n° %(reference)s est en cours d’instruction depuis le %(day)s."),
    ),
    QuestState.ACCEPTED: (
        gettext_lazy("Votre demande est acceptée"),
        gettext_lazy("Votre demande n° %(reference)s a été acceptée le %(day)s."),
    ),
    QuestState.REJECTED: (
        gettext_lazy("Votre demande est refusée"),
        gettext_lazy("Votre demande n° %(reference)s a été refusée le %(day)s."),
    ),
    QuestState.CLOSED: (
        gettext_lazy("Votre dossier est classé"),
        gettext_lazy("Votre dossier n° %(reference)s a été classé sans suite le %(day)s."),
    ),
    QuestState.COMPLETED: (
        gettext_lazy("Votre démarche est terminée"),
        gettext_lazy("Vous avez terminé toutes les étapes de la démarche (dossier n° %(reference)s) le %(day)s."),
    ),
}


def _happened(quest: Quest) -> tuple[str, str]:
    title, sentence = HAPPENED[QuestState(quest.state)]
    return str(title), str(sentence) % {"reference": quest.reference, "day": _day(_reached_at(quest, quest.state))}


def _references(rows: list[StepRow], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The references the citizen brought back from official sites (pre-request number, declaration…)."""
    found = []
    for row in rows:
        if row.step.kind != StepKind.OUTSIDE_SERVICE:
            continue
        value = answers.get(reference_input_name(row.step))
        if value:
            found.append((row.step.reference_label or row.step.title, str(value)))
    return found


def _by_when(quest: Quest) -> str:
    if quest.state not in (QuestState.SUBMITTED, QuestState.IN_REVIEW):
        return ""
    deadline = effective_deadline(quest)
    if deadline is not None:
        return _("Le service doit vous répondre au plus tard le %(day)s.") % {"day": _day(deadline)}
    return _("Aucun délai légal n’est fixé pour cette démarche : vous serez prévenu ici dès que le service a répondu.")


def _dispatched(quest: Quest, ending: Ending) -> None:
    """What a move's declaration was sent to, and the answer of each organisation."""
    declaration = declaration_of(quest)
    ending.follow_url = reverse("citizen:moving-quest", kwargs={"quest_id": quest.pk})
    ending.follow_label = _("Suivre les réponses des organismes")
    if declaration is None:
        ending.recipients_intro = _("Votre nouvelle adresse n’a encore été transmise à aucun organisme.")
        return
    ending.recipients_intro = _(
        "Votre déclaration n° %(reference)s (nouvelle adresse : %(address)s) a été transmise le %(day)s à :"
    ) % {
        "reference": declaration.reference,
        "address": declaration.address_label,
        "day": _day(declaration.created_at),
    }
    ending.recipients = [
        Recipient(label=dispatch.organisation_label, status=dispatch.get_status_display())
        for dispatch in declaration.dispatches.all()
    ]
    settled = all(dispatch.is_settled for dispatch in declaration.dispatches.all())
    ending.next_text = (
        _("Chaque organisme a répondu : rien d’autre à faire pour votre nouvelle adresse.")
        if settled
        else _(
            "Chaque organisme enregistre votre nouvelle adresse de son côté ; sa réponse s’affiche sur la page "
            "de suivi dès qu’elle arrive."
        )
    )
    if not settled:
        ending.by_when = _("Aucun délai n’est fixé : la réponse de chaque organisme s’affiche dès qu’elle arrive.")


def _done_elsewhere(rows: list[StepRow], ending: Ending) -> None:
    """A guided quest: the official sites its steps led to received the request, and answer it."""
    sites = sorted(
        {
            urlsplit(row.step.external_url).hostname or ""
            for row in rows
            if row.step.kind == StepKind.OUTSIDE_SERVICE and row.step.external_url and row.done
        }
        - {""}
    )
    if not sites:
        return
    ending.recipients_intro = _("Votre demande a été faite sur le site officiel : %(sites)s.") % {
        "sites": ", ".join(sites)
    }
    ending.next_text = _("La suite vous viendra de ce service, qui vous répondra avec la référence ci-dessous.")


def quest_ending(quest: Quest, rows: list[StepRow], answers: dict[str, Any]) -> Ending | None:
    """The ending of a quest the citizen can no longer change; None while it is theirs to fill."""
    if quest.state in workflow.EDITABLE_STATES or quest.state not in HAPPENED:
        return None
    title, happened = _happened(quest)
    ending = Ending(title=title, happened=happened, references=_references(rows, answers))
    service = quest.procedure.instructing_service
    if service is not None:
        ending.recipients_intro = _("Votre dossier a été transmis à %(service)s, qui l’instruit.") % {
            "service": service.name
        }
        if quest.state in (QuestState.SUBMITTED, QuestState.IN_REVIEW):
            agents = next((row.step for row in rows if row.is_agents), None)
            ending.next_text = (agents.body if agents is not None and agents.body else "") or _(
                "Le service vérifie votre dossier. Il vous préviendra ici de sa décision, ou s’il vous demande "
                "de le compléter."
            )
        ending.by_when = _by_when(quest)
    if quest.revision.address_dispatch:
        _dispatched(quest, ending)
    elif service is None:
        _done_elsewhere(rows, ending)
    ending.optional_rows = [row for row in rows if not row.done and not row.is_agents and not row.step.required]
    return ending
