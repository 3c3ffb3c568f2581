"""The citizen's actions in entraide (questions and answers between citizens), and a moderator's
confirmation that an answer helped.

Personal data (``assistant.redaction``) is looked for in every post before anything is written:
NIR, IBAN, phone numbers and e-mail addresses are refused (``PersonalDataBlocked``); other items
(names, street addresses, birth dates, other identifiers) need the author's explicit
confirmation (``PersonalDataWarning`` until ``confirm_personal_data``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.assistant.redaction import find_personal_data
from civiquest.catalogue.models import Procedure
from civiquest.core.errors import ProcedureError
from civiquest.core.ratelimit import check
from civiquest.core.transactions import use_case
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.progress.badges import game_visible
from civiquest.progress.rewards import entraide_reward
from civiquest.social.entraide import services
from civiquest.social.entraide.models import Answer, HelpReward, PostStatus, Question

BLOCKED_KINDS = ("nir", "iban", "phone", "email")
KIND_LABELS = {
    "email": gettext_lazy("une adresse électronique"),
    "iban": gettext_lazy("un IBAN"),
    "nir": gettext_lazy("un numéro de sécurité sociale"),
    "tax_number": gettext_lazy("un numéro fiscal"),
    "phone": gettext_lazy("un numéro de téléphone"),
    "passport": gettext_lazy("un numéro de passeport"),
    "id_card": gettext_lazy("un numéro de pièce d’identité"),
    "identifier": gettext_lazy("un numéro d’identifiant"),
    "birth_date": gettext_lazy("une date de naissance"),
    "address": gettext_lazy("une adresse"),
    "name": gettext_lazy("un nom de personne"),
}
AUDIT_CONFIRM_HELPFUL = "entraide.confirm_helpful"


@dataclass(frozen=True)
class FoundItem:
    kind: str
    label: str
    text: str


class PersonalDataBlocked(ProcedureError):
    """The post contains data that is never published (NIR, IBAN, phone, e-mail): nothing was written."""

    def __init__(self, message: str, items: list[FoundItem]) -> None:
        super().__init__(message)
        self.items = items


class PersonalDataWarning(ProcedureError):
    """The post seems to contain personal data: the author must confirm before it is published."""

    def __init__(self, message: str, items: list[FoundItem]) -> None:
        super().__init__(message)
        self.items = items


def personal_data_in(*texts: str) -> list[FoundItem]:
    items = []
    for text in texts:
        for found in find_personal_data(text or ""):
            items.append(
                FoundItem(found.kind, str(KIND_LABELS.get(found.kind, found.kind)), text[found.start : found.end])
            )
    return items


def _described(items: list[FoundItem]) -> str:
    return " ; ".join(f"{item.label} (« {item.text} »)" for item in items)


def personal_data_check(*texts: str, confirmed: bool) -> None:
    """Raise ``PersonalDataBlocked`` or ``PersonalDataWarning`` (unless ``confirmed``) for these texts."""
    items = personal_data_in(*texts)
    blocked = [item for item in items if item.kind in BLOCKED_KINDS]
    if blocked:
        raise PersonalDataBlocked(
            _("Votre message n’a pas été publié : il contient %(items)s. Retirez-les, l’entraide est publique.")
            % {"items": _described(blocked)},
            blocked,
        )
    if items and not confirmed:
        raise PersonalDataWarning(
            _(
                "Votre message semble contenir des données personnelles : %(items)s. Retirez-les, ou confirmez "
                "que ce ne sont pas des données personnelles pour publier quand même."
            )
            % {"items": _described(items)},
            items,
        )


def _limit(kind: str, user: User, limit: int) -> None:
    check(
        f"entraide:{kind}:{user.pk}",
        limit=limit,
        window=int(settings.ENTRAIDE_RATE_LIMIT_WINDOW_SECONDS),
        message=gettext_lazy("Vous avez beaucoup publié en peu de temps : réessayez dans une heure."),
    )


def question_url(question: Question) -> str:
    return reverse("citizen:entraide-question", kwargs={"question_id": question.pk})


@use_case
def question_ask(
    *,
    author: User,
    procedure: Procedure,
    step_slug: str,
    title: str,
    body: str,
    confirm_personal_data: bool = False,
) -> Question:
    personal_data_check(title, body, confirmed=confirm_personal_data)
    _limit("question", author, int(settings.ENTRAIDE_RATE_LIMIT_QUESTIONS))
    return services.question_ask(author=author, procedure=procedure, step_slug=step_slug, title=title, body=body)


def answer_published_notify(answer: Answer) -> None:
    """Tell the asker a new answer is published (also for the moderators' queue, when it approves one)."""
    question = answer.question
    if question.author is None or question.author_id == answer.author_id:
        return
    notify(
        recipient=question.author,
        kind=NotificationKind.ENTRAIDE,
        key=f"entraide-answer:{answer.pk}",
        title=_("Nouvelle réponse à votre question « %(title)s »") % {"title": question.title},
        url=question_url(question),
    )


@use_case
def answer_post(
    *,
    author: User,
    question: Question,
    body: str,
    fiche_url: str = "",
    confirm_personal_data: bool = False,
) -> Answer:
    personal_data_check(body, confirmed=confirm_personal_data)
    _limit("answer", author, int(settings.ENTRAIDE_RATE_LIMIT_ANSWERS))
    answer = services.answer_post(author=author, question=question, body=body, fiche_url=fiche_url)
    if answer.status == PostStatus.PUBLISHED:
        answer_published_notify(answer)
    return answer


@use_case
def answer_vote(*, voter: User, answer: Answer) -> bool:
    """Vote "utile", once (True if counted by this call)."""
    _limit("vote", voter, int(settings.ENTRAIDE_RATE_LIMIT_VOTES))
    return services.vote_cast(voter=voter, answer=answer)


def _reward(answer: Answer, helped: User | None, now: dt.datetime) -> HelpReward:
    helper = answer.author
    if helper is None:
        raise services.EntraideRefused(_("L’auteur de cette réponse a supprimé son compte."))
    outcome = services.reward_outcome(answer=answer, helped=helped, sober=not game_visible(helper), now=now)
    if outcome.rewarded:
        entraide_reward(helper=helper, answer=answer)
    return outcome


@use_case
def answer_accept(*, asker: User, answer: Answer, now: dt.datetime | None = None) -> bool:
    """The asker accepts an answer: XP to the helper if the fairness rules allow, once; the helper is told."""
    now = now or timezone.now()
    accepted = services.answer_accept(asker=asker, answer=answer, now=now)
    if not accepted:
        return False
    question = answer.question
    _reward(answer, question.author, now)
    if answer.author is not None:
        notify(
            recipient=answer.author,
            kind=NotificationKind.ENTRAIDE,
            key=f"entraide-accepted:{answer.pk}",
            title=_("Votre réponse à « %(title)s » a été acceptée : merci pour votre aide !")
            % {"title": question.title},
            url=question_url(question),
        )
    return True


@use_case
def answer_confirm_helpful(*, answer: Answer, moderator: User, explanation: str) -> HelpReward:
    """A moderator confirms the answer helped: the same reward as an acceptance, once per answer.

    The moderators' queue records its own ``ModerationDecision``; this audits and rewards.
    """
    now = timezone.now()
    if answer.status != PostStatus.PUBLISHED:
        raise services.EntraideRefused(_("Seule une réponse publiée peut être confirmée."))
    outcome = _reward(answer, answer.question.author, now)
    audit_record(
        actor=moderator,
        action=AUDIT_CONFIRM_HELPFUL,
        target=("entraide_answer", answer.pk, answer.question.title[:60]),
        motivation=explanation,
        details={"rewarded": outcome.rewarded, "withheld": outcome.withheld},
    )
    if answer.author is not None:
        notify(
            recipient=answer.author,
            kind=NotificationKind.ENTRAIDE,
            key=f"entraide-confirmed:{answer.pk}",
            title=_("La modération confirme que votre réponse à « %(title)s » a aidé.")
            % {"title": answer.question.title},
            url=question_url(answer.question),
        )
    return outcome
