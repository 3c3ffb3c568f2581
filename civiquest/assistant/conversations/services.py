"""Writes on the assistant's conversations: questions, answers, feedback, retention purge.

Decisions:

- The question is redacted (``redaction.redact``) before anything is stored, and the
  redacted text is what the answering pipeline receives: the history shows the citizen
  their question with personal data masked, the staff statistics never see it.
- A question counts against the citizen's rate limit when it is asked, before it is stored
  (a refused question is not stored).
- One answer per question (``Message.reply_to`` is one-to-one): recording an answer twice,
  from a replayed stream, returns the first.
- Retention purges messages older than ``ASSISTANT_HISTORY_RETENTION_DAYS`` and the
  conversations left empty; the feedback on a purged answer goes with it.
- A visitor who is not signed in can ask too (``visitor_answer``, ``visitor_answer_stream``):
  nothing is stored (no conversation, no message, no feedback), and the questions count
  against a limit per client address (``visitor_question_count``) in the shared cache.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civiquest.accounts.models import User
from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole, Vote
from civiquest.assistant.redaction import redact
from civiquest.assistant.types import Reply, ReplyEvent, Retriever
from civiquest.core import ratelimit
from civiquest.core.text import search_key

QUESTION_MAX_LENGTH = 1000
TITLE_LENGTH = 120


def rate_limit_message() -> str:
    minutes = max(1, settings.ASSISTANT_RATE_LIMIT_WINDOW_SECONDS // 60)
    limit = settings.ASSISTANT_RATE_LIMIT_QUESTIONS
    window = ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}
    return ngettext(
        "Vous avez posé %(limit)d question en moins de %(window)s, la limite pour l’assistant. "
        "Réessayez dans quelques minutes, ou contactez une maison France Services.",
        "Vous avez posé %(limit)d questions en moins de %(window)s, la limite pour l’assistant. "
        "Réessayez dans quelques minutes, ou contactez une maison France Services.",
        limit,
    ) % {"limit": limit, "window": window}


def question_count(citizen_id: int) -> None:
    """Count one question of the citizen (pages and API together, fixed window of
    ``ASSISTANT_RATE_LIMIT_WINDOW_SECONDS``); raises ``RateLimited`` over ``ASSISTANT_RATE_LIMIT_QUESTIONS``."""
    ratelimit.check(
        f"assistant:questions:{citizen_id}",
        limit=settings.ASSISTANT_RATE_LIMIT_QUESTIONS,
        window=settings.ASSISTANT_RATE_LIMIT_WINDOW_SECONDS,
        message=rate_limit_message,
    )


def visitor_rate_limit_message() -> str:
    return _(
        "Trop de questions ont été posées depuis votre connexion en peu de temps. Réessayez dans quelques minutes, "
        "connectez-vous pour poser vos questions depuis votre espace, ou contactez une maison France Services."
    )


def visitor_key(address: str) -> str:
    """Whom a visitor's limit counts: an IPv4 address, or an IPv6 address's /64 (a subscriber holds a whole /64)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def visitor_question_count(address: str) -> None:
    """Count one question of a visitor at ``address`` (``ASSISTANT_VISITOR_RATE_LIMIT_*``); raises ``RateLimited``."""
    ratelimit.check(
        f"assistant:visitor:{visitor_key(address)}",
        limit=settings.ASSISTANT_VISITOR_RATE_LIMIT_QUESTIONS,
        window=settings.ASSISTANT_VISITOR_RATE_LIMIT_WINDOW_SECONDS,
        message=visitor_rate_limit_message,
    )


def question_key(text: str) -> str:
    """How questions are grouped in the statistics: lower case, no accents, no punctuation."""
    return search_key(text)[:200]


def _title(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_LENGTH else flat[: TITLE_LENGTH - 1] + "…"


def question_ask(
    *,
    citizen: User,
    text: str,
    conversation: Conversation | None = None,
    procedure_slug: str = "",
    step_slug: str = "",
) -> Message:
    """Store the citizen's question (redacted) in a conversation, a new one unless given.

    Raises ``civiquest.core.ratelimit.RateLimited`` when the citizen is over the limit; nothing is stored then.
    """
    if conversation is not None and conversation.citizen_id != citizen.pk:
        raise ValueError("conversation of another citizen")
    question_count(citizen.pk)
    redacted = redact(text.strip())[:QUESTION_MAX_LENGTH]
    now = timezone.now()
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(
                citizen=citizen,
                procedure_slug=procedure_slug,
                step_slug=step_slug,
                title=_title(redacted),
                created_at=now,
                updated_at=now,
            )
        else:
            Conversation.objects.filter(pk=conversation.pk).update(updated_at=now)
            conversation.updated_at = now
        return Message.objects.create(
            conversation=conversation,
            role=MessageRole.CITIZEN,
            text=redacted,
            question_key=question_key(redacted),
            created_at=now,
        )


def reply_procedure_slugs(reply: Reply) -> list[str]:
    """The procedures to start from a reply ("Faire la démarche"): its matching procedures, then those it suggests."""
    return list(dict.fromkeys([citation.id for citation in reply.procedures] + list(reply.suggested_procedures)))


def citations_json(reply: Reply) -> list[dict[str, str]]:
    return [citation.as_json() for citation in reply.citations]


def answer_record(*, question: Message, reply: Reply) -> Message:
    """Store the assistant's answer to a question, once (idempotent)."""
    existing = Message.objects.filter(reply_to=question).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            answer = Message.objects.create(
                conversation_id=question.conversation_id,
                role=MessageRole.ASSISTANT,
                reply_to=question,
                text=reply.text,
                question_key=question.question_key,
                citations=citations_json(reply),
                suggested_procedures=reply_procedure_slugs(reply),
                provider=reply.provider[:40],
                outcome=reply.outcome,
                confidence=reply.confidence,
                notice=reply.notice,
            )
            Conversation.objects.filter(pk=question.conversation_id).update(updated_at=answer.created_at)
    except IntegrityError:
        # Another request recorded it between our read and our write.
        return Message.objects.get(reply_to=question)
    return answer


def question_answer(*, question: Message, retriever: Retriever | None = None) -> Message:
    """Answer a stored question with the assistant (no streaming) and store the answer."""
    # Answering loads retrieval, numpy and bm25s (0.3-0.5 s and 13 MB more per process): the pages
    # import this module, the assistant's stack loads on the first question.
    from civiquest.assistant.answering import answer  # noqa: PLC0415 - heavy, loaded on the first question

    conversation = question.conversation
    reply = answer(
        question.text,
        procedure_slug=conversation.procedure_slug,
        step_slug=conversation.step_slug,
        retriever=retriever,
    )
    return answer_record(question=question, reply=reply)


@dataclass(frozen=True)
class StreamedEvent:
    """An event of the streamed answer; the last ("done") carries the stored answer."""

    event: ReplyEvent
    answer: Message | None = None


def question_answer_stream(*, question: Message, retriever: Retriever | None = None) -> Iterator[StreamedEvent]:
    """Answer a stored question as a stream: sources, tokens, notices, then done with the stored answer."""
    # As in question_answer: the assistant's stack loads on the first question.
    from civiquest.assistant.answering import answer_stream  # noqa: PLC0415 - heavy, loaded on the first question

    conversation = question.conversation
    events = answer_stream(
        question.text,
        procedure_slug=conversation.procedure_slug,
        step_slug=conversation.step_slug,
        retriever=retriever,
    )
    for event in events:
        if event.kind == "done" and event.reply is not None:
            yield StreamedEvent(event=event, answer=answer_record(question=question, reply=event.reply))
            return
        yield StreamedEvent(event=event)


# --- Visitors who are not signed in: nothing stored ---------------------------------------------------


def visitor_question(text: str) -> str:
    """The visitor's question as it is answered and shown back: redacted, cut to ``QUESTION_MAX_LENGTH``."""
    return redact(text.strip())[:QUESTION_MAX_LENGTH]


def visitor_answer(*, text: str, address: str, retriever: Retriever | None = None) -> Reply:
    """Answer a visitor's question (counted against the limit of ``address`` first); nothing is stored.

    Raises ``civiquest.core.ratelimit.RateLimited`` over the limit, before anything is answered.
    """
    from civiquest.assistant.answering import answer  # noqa: PLC0415 - heavy, loaded on the first question

    visitor_question_count(address)
    return answer(visitor_question(text), retriever=retriever)


def visitor_answer_stream(*, text: str, retriever: Retriever | None = None) -> Iterator[ReplyEvent]:
    """A visitor's question answered as a stream (counted first with ``visitor_question_count``); nothing stored."""
    from civiquest.assistant.answering import answer_stream  # noqa: PLC0415 - heavy, loaded on the first question

    yield from answer_stream(visitor_question(text), retriever=retriever)


def feedback_give(*, message: Message, vote: str, comment: str = "") -> Feedback:
    """The citizen's thumbs up or down on an answer (again: replaces the previous one). Comment redacted."""
    if message.role != MessageRole.ASSISTANT:
        raise ValueError("feedback is on answers only")
    if vote not in Vote.values:
        raise ValueError(f"unknown vote {vote!r}")
    now = timezone.now()
    feedback, _created = Feedback.objects.update_or_create(
        message=message,
        defaults={"vote": vote, "comment": redact(comment.strip())[:1000], "updated_at": now},
        create_defaults={
            "vote": vote,
            "comment": redact(comment.strip())[:1000],
            "created_at": now,
            "updated_at": now,
        },
    )
    return feedback


@dataclass(frozen=True)
class PurgeResult:
    messages: int
    conversations: int


def history_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.ASSISTANT_HISTORY_RETENTION_DAYS)


def history_purge(*, now: datetime | None = None) -> PurgeResult:
    """Delete what is older than the retention period (idempotent)."""
    cutoff = history_cutoff(now)
    with transaction.atomic():
        # Answers first, so that deleting a question never counts its answer through the cascade.
        _total, answers = Message.objects.filter(created_at__lt=cutoff, role=MessageRole.ASSISTANT).delete()
        _total, questions = Message.objects.filter(created_at__lt=cutoff).delete()
        _total, conversations = Conversation.objects.filter(updated_at__lt=cutoff, messages__isnull=True).delete()
    label = Message._meta.label
    return PurgeResult(
        messages=answers.get(label, 0) + questions.get(label, 0),
        conversations=conversations.get(Conversation._meta.label, 0),
    )
