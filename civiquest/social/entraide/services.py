"""Write questions, answers, votes, acceptances and the outcome of a help reward.

Rules (docs/architecture.md, "Entraide"):

- A suspended citizen (``PostingSuspension.until`` in the future) cannot post.
- Moderation of first posts: a post is ``PENDING`` while its author has no published post
  yet (question or answer); once a moderator approved one, their posts are published at once.
- A vote is unique per answer and voter (a constraint): a second vote, even concurrent, is a
  no-op; ``helpful_count`` moves with ``F()``. Nobody votes for their own answer.
- Accepting locks the question row: one accepted answer per question (also a partial unique
  constraint); accepting the same answer again changes nothing; only the asker accepts, and
  never their own answer.
- ``reward_outcome`` writes the one ``HelpReward`` of an answer with the fairness rule that
  held its XP back, if any (helping oneself, "mode sobre", caps per pair and per helper per
  ISO week, a ring).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.social.entraide import selectors
from civiquest.social.entraide.cache import entraide_changed
from civiquest.social.entraide.models import Answer, HelpReward, PostStatus, Question, Vote

# Official sources an answer may cite (https only).
FICHE_URL_RE = re.compile(
    r"^https://(?:www\.|entreprendre\.)?service-public\.fr/\S*$|^https://(?:www\.)?legifrance\.gouv\.fr/\S*$"
)

WITHHELD_SELF = "self"
WITHHELD_SOBER = "sober"
WITHHELD_PAIR_WEEK = "pair_week"
WITHHELD_HELPER_WEEK = "helper_week"
WITHHELD_RING = "ring"
WITHHELD_ERASED = "erased"


class EntraideRefused(ProcedureError):
    """The post, vote or acceptance is refused; ``message`` says why."""


def fiche_url_message() -> str:
    return _(
        "La fiche citée doit être une adresse https de service-public.fr, "
        "entreprendre.service-public.fr ou legifrance.gouv.fr."
    )


def fiche_url_valid(url: str) -> bool:
    return not url or bool(FICHE_URL_RE.match(url))


def _check_can_post(user: User, now: dt.datetime) -> None:
    until = selectors.posting_suspended_until(user, now=now)
    if until is not None:
        raise EntraideRefused(
            _("Vous ne pouvez pas publier dans l’entraide jusqu’au %(date)s, à la suite d’une décision de modération.")
            % {"date": formats.date_format(timezone.localtime(until), "j F Y à H\\hi")}
        )


def _status_for(user: User) -> str:
    return PostStatus.PUBLISHED if selectors.has_published_post(user) else PostStatus.PENDING


def question_ask(
    *, author: User, procedure: Procedure, step_slug: str, title: str, body: str, now: dt.datetime | None = None
) -> Question:
    now = now or timezone.now()
    _check_can_post(author, now)
    title, body = title.strip(), body.strip()
    if not title:
        raise EntraideRefused(_("Écrivez votre question."))
    status = _status_for(author)
    with atomic():
        return Question.objects.create(
            author=author,
            procedure=procedure,
            step_slug=step_slug,
            title=title[:160],
            body=body[:2000],
            status=status,
            created_at=now,
            published_at=now if status == PostStatus.PUBLISHED else None,
        )


def answer_post(
    *, author: User, question: Question, body: str, fiche_url: str = "", now: dt.datetime | None = None
) -> Answer:
    now = now or timezone.now()
    _check_can_post(author, now)
    if question.status != PostStatus.PUBLISHED:
        raise EntraideRefused(_("Cette question n’est pas ouverte aux réponses."))
    body, fiche_url = body.strip(), fiche_url.strip()
    if not body:
        raise EntraideRefused(_("Écrivez votre réponse."))
    if not fiche_url_valid(fiche_url):
        raise EntraideRefused(fiche_url_message())
    status = _status_for(author)
    with atomic():
        return Answer.objects.create(
            question=question,
            author=author,
            body=body[:4000],
            fiche_url=fiche_url,
            status=status,
            created_at=now,
            published_at=now if status == PostStatus.PUBLISHED else None,
        )


def vote_cast(*, voter: User, answer: Answer) -> bool:
    """Mark the answer "utile" for the voter, once. True if this call counted the vote."""
    if answer.author_id == voter.pk:
        raise EntraideRefused(_("Vous ne pouvez pas voter pour votre propre réponse."))
    if answer.status != PostStatus.PUBLISHED:
        raise EntraideRefused(_("Cette réponse ne peut pas recevoir de vote."))
    try:
        with transaction.atomic():  # a savepoint: a concurrent vote loses on the unique constraint
            Vote.objects.create(answer=answer, voter=voter)
    except IntegrityError:
        return False
    Answer.objects.filter(pk=answer.pk).update(helpful_count=F("helpful_count") + 1)
    entraide_changed()  # an update sends no signal: the steps' cached box (entraide.cache)
    return True


def answer_accept(*, asker: User, answer: Answer, now: dt.datetime | None = None) -> bool:
    """The asker accepts the answer. True if this call accepted it; False if it already was."""
    now = now or timezone.now()
    with atomic():
        question = Question.objects.select_for_update().get(pk=answer.question_id)
        if question.author_id != asker.pk:
            raise EntraideRefused(_("Seule la personne qui a posé la question peut accepter une réponse."))
        current = Answer.objects.filter(question=question, accepted_at__isnull=False).first()
        if current is not None:
            if current.pk == answer.pk:
                answer.accepted_at = current.accepted_at
                return False
            raise EntraideRefused(_("Vous avez déjà accepté une autre réponse à cette question."))
        fresh = Answer.objects.get(pk=answer.pk)
        if fresh.author_id == asker.pk:
            raise EntraideRefused(_("Vous ne pouvez pas accepter votre propre réponse."))
        if fresh.status != PostStatus.PUBLISHED:
            raise EntraideRefused(_("Cette réponse ne peut pas être acceptée."))
        Answer.objects.filter(pk=answer.pk).update(accepted_at=now)
        entraide_changed()  # an update sends no signal: the steps' cached box (entraide.cache)
        answer.accepted_at = now
        return True


def iso_week(moment: dt.datetime) -> str:
    year, week, _day = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def reward_outcome(*, answer: Answer, helped: User | None, sober: bool, now: dt.datetime | None = None) -> HelpReward:
    """The one ``HelpReward`` of the answer (written once; an existing one is returned as it is).

    The caller awards the XP when ``rewarded`` is true. The helper's row is locked so that the
    weekly caps hold when two of their answers are accepted at once.
    """
    now = now or timezone.now()
    with atomic():
        existing = HelpReward.objects.filter(answer=answer).first()
        if existing is not None:
            return existing
        helper_id = answer.author_id
        if helper_id is None:
            raise EntraideRefused(_("L’auteur de cette réponse a supprimé son compte."))
        User.objects.select_for_update().filter(pk=helper_id).values_list("pk", flat=True).first()
        week = iso_week(now)
        helped_id = helped.pk if helped is not None else None
        withheld = ""
        if helped_id == helper_id:
            withheld = WITHHELD_SELF
        elif sober:
            withheld = WITHHELD_SOBER
        elif helped_id is None:
            withheld = WITHHELD_ERASED
        elif selectors.rewarded_count(helper_id=helper_id, week=week, helped_id=helped_id) >= int(
            settings.ENTRAIDE_REWARDS_PER_PAIR_WEEK
        ):
            withheld = WITHHELD_PAIR_WEEK
        elif selectors.rewarded_count(helper_id=helper_id, week=week) >= int(
            settings.ENTRAIDE_REWARDS_PER_HELPER_WEEK
        ):
            withheld = WITHHELD_HELPER_WEEK
        elif selectors.in_ring(helper_id=helper_id, helped_id=helped_id, now=now):
            withheld = WITHHELD_RING
        try:
            with transaction.atomic():
                return HelpReward.objects.create(
                    answer=answer,
                    helper_id=helper_id,
                    helped_id=helped_id,
                    week=week,
                    rewarded=not withheld,
                    withheld=withheld,
                    created_at=now,
                )
        except IntegrityError:
            return HelpReward.objects.get(answer=answer)
