"""Answer a citizen's question from the official sources: ``answer`` (whole reply) and ``answer_stream`` (events).

The pipeline: clean and cap the question → redact personal data (what is logged, searched and
sent to a provider is the redacted text) → decline out-of-scope questions and point individual
legal situations to a human → retrieve passages → below the confidence threshold, say so and
offer a human → answer with the configured provider → filter the output → cite.

Citations are built here from the passages actually given (to the model, or quoted by the
extractive provider), never parsed from a model's text.

Streamed events: ``sources`` first (the citations), then ``token``s, then ``done`` carrying the
final ``Reply``. When the model fails, a ``notice`` event (the fallback message) precedes the
extractive answer's tokens. If the model failed midway, that notice has ``discard_tokens=True``:
the client drops the model's partial text and shows the extractive answer in its place (no
sentence is repeated and no half sentence of the model is kept). In every case the ``done``
event's ``reply`` is authoritative: a client may simply replace what it streamed with
``reply.text``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings

from civiquest.assistant import guardrails, redaction
from civiquest.assistant.extractive import ExtractiveProvider
from civiquest.assistant.intents import detect as detect_intents
from civiquest.assistant.markers import MarkerFilter, invalid_markers_notice, marker_targets
from civiquest.assistant.providers import OpenAICompatibleProvider, ProviderError, get_provider
from civiquest.assistant.retrieval import get_retriever
from civiquest.assistant.sections import intent_sections
from civiquest.assistant.types import Citation, Outcome, Passage, Reply, ReplyEvent, Retriever

logger = logging.getLogger(__name__)

# A second procedure is offered only when it matches nearly as well as the best one.
PROCEDURE_CLOSE_TO_BEST = 0.8
# Below this a procedure is not offered at all (the catalogue search's floor too).
PROCEDURE_MIN_SCORE = 0.12


def citations_for(passages: Iterable[Passage]) -> tuple[Citation, ...]:
    """One citation per source (fiche or procedure) of the passages, in order, from their metadata."""
    seen: dict[tuple[str, str], Citation] = {}
    for passage in passages:
        seen.setdefault(
            (passage.source_kind, passage.source_key),
            Citation(
                id=passage.source_key,
                title=passage.title,
                url=passage.url,
                kind=passage.source_kind,
                updated_on=passage.updated_on,
            ),
        )
    return tuple(seen.values())


def _suggested_procedures(passages: Iterable[Passage]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.source_key for p in passages if p.source_kind == "procedure"))


def _default_retriever() -> Retriever:
    return get_retriever()


def _step_words(step_slug: str) -> str:
    return re.sub(r"[-_]+", " ", step_slug).strip()


class _StreamFilter:
    """Filters a model's text as it streams, cutting only where no masked item can straddle the cut.

    Links and e-mails hold no whitespace; phone numbers and identifiers only hold spaces between
    digits. So text is released up to the last whitespace that does not follow a digit or a
    ``+``; the rest waits for more tokens (or the end).
    """

    def __init__(self, allowed_urls: Sequence[str]) -> None:
        self.allowed_urls = allowed_urls
        self.raw = ""
        self.released = 0
        self.text = ""

    def _safe_cut(self) -> int:
        for index in range(len(self.raw) - 1, self.released - 1, -1):
            if self.raw[index].isspace() and index > 0 and not re.match(r"[\d+\s]", self.raw[index - 1]):
                return index + 1
        return self.released

    def _release(self, end: int) -> str:
        chunk = guardrails.filter_output(self.raw[self.released : end], allowed_urls=self.allowed_urls)
        self.released = end
        self.text += chunk
        return chunk

    def feed(self, piece: str) -> str:
        self.raw += piece
        cut = self._safe_cut()
        return self._release(cut) if cut > self.released else ""

    def flush(self) -> str:
        return self._release(len(self.raw)) if len(self.raw) > self.released else ""


def _fixed_reply(
    text: str, outcome: Outcome, *, passages: Sequence[Passage] = (), confidence: float = 0.0
) -> Iterator[ReplyEvent]:
    citations = citations_for(passages)
    reply = Reply(
        text=text,
        citations=citations,
        confidence=confidence,
        provider="guardrails",
        outcome=outcome,
        suggested_procedures=_suggested_procedures(passages),
    )
    yield ReplyEvent(kind="sources", citations=citations)
    yield ReplyEvent(kind="token", data=text)
    yield ReplyEvent(kind="done", reply=reply)


def _extractive_events(
    question: str, passages: Sequence[Passage], confidence: float, *, notice: str = "", send_sources: bool = True
) -> Iterator[ReplyEvent]:
    provider = ExtractiveProvider()
    intents = detect_intents(question)
    # The sections of the best sources that answer the question's intent, even if retrieval found others.
    sections = intent_sections(question, passages, intents, sources=provider.max_sources)
    extract = provider.extract(question=question, passages=passages, sections=sections, intents=intents)
    quoted = extract.passages or tuple(passages[:1])
    citations = citations_for(quoted)
    allowed = [p.url for p in passages]
    text = guardrails.filter_output(extract.text, allowed_urls=allowed)
    if send_sources:
        yield ReplyEvent(kind="sources", citations=citations)
    for line in text.splitlines(keepends=True):
        yield ReplyEvent(kind="token", data=line)
    yield ReplyEvent(
        kind="done",
        reply=Reply(
            text=text,
            citations=citations,
            confidence=confidence,
            provider=ExtractiveProvider.name,
            notice=notice,
            suggested_procedures=_suggested_procedures(quoted),
        ),
    )


def _model_events(
    provider: OpenAICompatibleProvider,
    question: str,
    passages: Sequence[Passage],
    confidence: float,
    step: str,
) -> Iterator[ReplyEvent]:
    citations = citations_for(passages)
    yield ReplyEvent(kind="sources", citations=citations)
    # The model's "[n]" markers are checked against the sources sent before the output filter.
    markers = MarkerFilter(marker_targets(passages, citations))
    output = _StreamFilter([p.url for p in passages])
    sent = False
    try:
        for piece in provider.stream(question=question, passages=passages, step=step):
            chunk = output.feed(markers.feed(piece))
            if chunk:
                sent = True
                yield ReplyEvent(kind="token", data=chunk)
        chunk = output.feed(markers.flush()) + output.flush()
        if chunk:
            yield ReplyEvent(kind="token", data=chunk)
        if not output.text.strip():
            raise ProviderError("empty answer")
    except ProviderError as error:
        logger.warning("assistant provider failed, answering extractively", extra={"error": str(error)[:200]})
        notice = guardrails.fallback_notice()
        yield ReplyEvent(kind="notice", data=notice, discard_tokens=sent)
        yield from _extractive_events(question, passages, confidence, notice=notice, send_sources=False)
        return
    notice = invalid_markers_notice() if markers.invalid else ""
    if notice:
        logger.warning("assistant model cited sources it was not given", extra={"invalid_markers": markers.invalid})
        yield ReplyEvent(kind="notice", data=notice)
    yield ReplyEvent(
        kind="done",
        reply=Reply(
            text=output.text.strip(),
            citations=citations,
            confidence=confidence,
            provider=provider.name,
            notice=notice,
            suggested_procedures=_suggested_procedures(passages),
            invalid_markers=markers.invalid,
        ),
    )


def answer_stream(
    question: str, *, procedure_slug: str = "", step_slug: str = "", retriever: Retriever | None = None
) -> Iterator[ReplyEvent]:
    """The reply as events: ``sources``, ``token``s, an optional ``notice``, then ``done`` with the ``Reply``."""
    cleaned = guardrails.clean_question(question)
    safe = redaction.redact(cleaned)
    outcome = guardrails.classify(cleaned)
    logger.info(
        "assistant question",
        extra={"question": safe, "procedure": procedure_slug, "step": step_slug, "outcome": outcome},
    )
    if outcome == "out_of_scope":
        yield from _fixed_reply(guardrails.decline_message(), outcome)
        return
    if outcome == "legal_case":
        yield from _fixed_reply(guardrails.legal_case_message(), outcome)
        return

    searched = redaction.redact_for_search(cleaned)
    source = retriever or _default_retriever()
    # The sources are the best distinct fiches, whatever the confidence; our procedures are
    # found apart ("Faire la démarche") and never take a source slot.
    passages = source.search(
        searched, sources=settings.ASSISTANT_CITED_SOURCES, kind="fiche", procedure_slug=procedure_slug
    )
    offered = _matching_procedures(source, searched, procedure_slug)
    procedures = citations_for(offered)
    # The retriever's order is kept (a procedure boost changes the order, not the scores).
    confidence = max(0.0, min(1.0, max(passage.score for passage in passages))) if passages else 0.0
    provider = get_provider()
    quoted = list(passages)
    best_procedure = max((passage.score for passage in offered), default=0.0)
    if best_procedure > confidence and not isinstance(provider, OpenAICompatibleProvider):
        # Our procedure answers better than any fiche (a demo without the whole feed, a step's
        # question): the extractive answer may quote it, as "la démarche", never as a source.
        quoted = [*offered[: settings.ASSISTANT_MAX_PASSAGES_PER_SOURCE], *passages]
        confidence = min(1.0, best_procedure)
    if not quoted or confidence < settings.ASSISTANT_MIN_CONFIDENCE:
        # Said, not hidden: every source found is offered, with a human to ask.
        events = _fixed_reply(
            guardrails.low_confidence_message(has_sources=bool(passages)),
            "low_confidence",
            passages=passages,
            confidence=confidence,
        )
    elif isinstance(provider, OpenAICompatibleProvider):
        events = _model_events(provider, safe, passages, confidence, _step_words(step_slug))
    else:
        events = _extractive_events(safe, quoted, confidence)
    yield from _with_sources(events, passages, procedures)


def _matching_procedures(source: Retriever, searched: str, procedure_slug: str) -> list[Passage]:
    """Passages of our procedures matching the question: the one being done, and those close to the best match."""
    found = source.search(
        searched, sources=settings.ASSISTANT_SUGGESTED_PROCEDURES, kind="procedure", procedure_slug=procedure_slug
    )
    best = max((passage.score for passage in found), default=0.0)
    bar = max(PROCEDURE_MIN_SCORE, PROCEDURE_CLOSE_TO_BEST * best)
    return [passage for passage in found if passage.source_key == procedure_slug or passage.score >= bar]


def _with_sources(
    events: Iterator[ReplyEvent], passages: Sequence[Passage], procedures: tuple[Citation, ...]
) -> Iterator[ReplyEvent]:
    """Every reply cites all the fiches found (not only those quoted) and carries the matching procedures."""
    citations = citations_for(passages)
    for event in events:
        if event.kind == "sources":
            yield dataclasses.replace(event, citations=citations)
        elif event.kind == "done" and event.reply is not None:
            reply = dataclasses.replace(
                event.reply,
                citations=citations,
                procedures=procedures,
                suggested_procedures=tuple(procedure.id for procedure in procedures),
            )
            yield dataclasses.replace(event, reply=reply)
        else:
            yield event


def answer(
    question: str, *, procedure_slug: str = "", step_slug: str = "", retriever: Retriever | None = None
) -> Reply:
    """The whole reply (the ``done`` event's reply of ``answer_stream``)."""
    reply = None
    for event in answer_stream(question, procedure_slug=procedure_slug, step_slug=step_slug, retriever=retriever):
        if event.kind == "done":
            reply = event.reply
    if reply is None:  # pragma: no cover - answer_stream always ends with "done"
        raise RuntimeError("the answer stream ended without a reply")
    return reply
