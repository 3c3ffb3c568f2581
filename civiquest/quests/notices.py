"""What a quest's citizen is told when their quest changes state."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from civiquest.notifications.models import Notification, NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.selectors import transition_quest

S = QuestState


def _quest_message(transition: QuestTransition, quest: Quest) -> tuple[str, str]:
    """The title and body telling the citizen what just happened to their quest."""
    procedure = quest.procedure.title
    reference = quest.reference
    source, target = transition.from_state, transition.to_state
    context = {"procedure": procedure, "reference": reference}
    if target == S.SUBMITTED and source == S.CHANGES_REQUESTED:
        title = _("Vos corrections du dossier %(reference)s ont été transmises") % context
        body = _("Le service instructeur reprend l’examen de votre dossier « %(procedure)s ».") % context
    elif target == S.SUBMITTED:
        title = _("Votre dossier %(reference)s a été déposé") % context
        body = (
            _(
                "Votre dossier « %(procedure)s » a bien été transmis au service instructeur. "
                "Vous serez informé de chaque étape de son traitement."
            )
            % context
        )
    elif target == S.IN_REVIEW and source in (S.ACCEPTED, S.REJECTED, S.CLOSED):
        title = _("Votre dossier %(reference)s a été rouvert") % context
        body = _("Le service instructeur examine à nouveau votre dossier « %(procedure)s ».") % context
    elif target == S.IN_REVIEW:
        title = _("Votre dossier %(reference)s est en cours d’instruction") % context
        body = _("Un agent examine votre dossier « %(procedure)s ».") % context
    elif target == S.CHANGES_REQUESTED:
        title = _("Des corrections sont demandées sur votre dossier %(reference)s") % context
        body = _("Le service instructeur vous demande de compléter votre dossier « %(procedure)s ».") % context
    elif target == S.ACCEPTED:
        title = _("Votre dossier %(reference)s a été accepté") % context
        body = _("Le service instructeur a accepté votre dossier « %(procedure)s ».") % context
    elif target == S.REJECTED:
        title = _("Votre dossier %(reference)s a été refusé") % context
        body = _("Le service instructeur a refusé votre dossier « %(procedure)s ».") % context
    elif target == S.CLOSED:
        title = _("Votre dossier %(reference)s a été classé sans suite") % context
        body = _("Le service instructeur a classé sans suite votre dossier « %(procedure)s ».") % context
    elif target == S.COMPLETED:
        title = _("Démarche terminée : %(procedure)s") % context
        body = _("Vous avez terminé toutes les étapes de la démarche « %(procedure)s ». Bravo !") % context
    else:
        title = _("Votre dossier %(reference)s a changé d’état") % context
        body = ""
    if transition.motivation:
        label = _("Message du service :")
        body = f"{body}\n\n{label} {transition.motivation}"
    return title, body


def quest_transition_notify(*, transition: QuestTransition) -> Notification:
    """Tell the citizen about one state change of their quest (in French: no language is kept per user).

    The key names the transition, written in this very transaction: no notification can hold
    it yet, so it is written without looking for one (``key_is_new``).
    """
    quest = transition_quest(transition, "procedure", "citizen")
    with translation.override(settings.LANGUAGE_CODE):
        title, body = _quest_message(transition, quest)
    return notify(
        recipient=quest.citizen,
        kind=NotificationKind.QUEST_STATE,
        key=f"quest-transition:{transition.pk}",
        title=title,
        body=body,
        url=reverse("citizen:quest", args=[quest.pk]),
        quest=quest,
        key_is_new=True,
    )
