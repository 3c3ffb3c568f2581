"""How an answer of the assistant is shown: its text as DSFR text, its sources as cards, the procedures to start.

The answer's text is plain text from the provider (quoted passages, or a model's words): it
is never trusted as HTML. ``answer_blocks`` parses it into a structure (paragraphs, ``- ``
lists, numbered lists; in each line, text, links and ``[n]`` markers) that the template
``citizen/assistant/_answer_text.html`` renders with Django's auto-escaping, so no ``|safe``
is ever applied to a model's or a source's words. A URL becomes a link only when it is
``http(s)://`` (or the exact relative URL of a cited source); a cited source's URL is shown
as the source's title, and "Title (URL)" as one link.

The same ``AnswerView`` is built from a stored answer (``answer_views``, the citizen's history
and the stream's last event) or from a ``Reply`` that is not stored (``reply_view``, a visitor's
question), so both show the same thing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from civiquest.assistant.conversations import selectors
from civiquest.assistant.conversations.models import Message, Outcome
from civiquest.assistant.conversations.services import reply_procedure_slugs
from civiquest.assistant.types import Reply
from civiquest.social.entraide.selectors import accepted_questions_of

HIGH_CONFIDENCE = 0.6
LOW_CONFIDENCE = 0.35
HUMAN_OUTCOMES = frozenset({Outcome.LOW_CONFIDENCE, Outcome.LEGAL_CASE})

BULLET = re.compile(r"^\s*[-•*–]\s+(?P<rest>\S.*)$")
NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+(?P<rest>\S.*)$")
URL = r"https?://[^\s<>\"'«»\[\]]+"
MARKER = r"\[(?P<number>\d{1,2})\]"
# Punctuation that ends a sentence rather than a URL.
URL_TRAILING = ".,;:!?»)"


# --- The answer's text ------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A run of text, a link (``href``), or a marker pointing at a source (``href`` to its card)."""

    text: str
    href: str = ""
    marker: bool = False


@dataclass(frozen=True)
class Block:
    kind: Literal["p", "ul", "ol"]
    # A paragraph's lines (shown with line breaks), or a list's items.
    lines: tuple[tuple[Part, ...], ...]


@dataclass(frozen=True)
class Source:
    number: int
    id: str
    title: str
    url: str
    kind: str
    kind_label: str
    updated_on: datetime.date | None
    anchor: str


def safe_href(url: str) -> str:
    """``url`` if a link may point there (http, https, or a path of this site), else ``""``."""
    url = url.strip()
    if url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//")):
        return url
    return ""


def _url_key(url: str) -> str:
    return url.strip().rstrip("/")


def _inline(text: str, sources: Sequence[Source]) -> tuple[Part, ...]:
    by_url = {_url_key(source.url): source for source in sources if source.url}
    relative = sorted((re.escape(source.url) for source in sources if source.url.startswith("/")), key=len)
    links = "|".join([URL, *reversed(relative)])
    pattern = re.compile(rf"(?P<url>{links})|{MARKER}")
    parts: list[Part] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() < position:
            continue
        before = text[position : match.start()]
        if match.group("url"):
            url = match.group("url")
            while url and url[-1] in URL_TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
                url = url[:-1]
            end = match.start() + len(url)
            source = by_url.get(_url_key(url))
            label = url
            if source is not None:
                label = source.title
                # "Title (URL)": one link, named by the title.
                if before.endswith(f"{source.title} (") and text[end : end + 1] == ")":
                    before = before[: -len(source.title) - 2]
                    end += 1
            if before:
                parts.append(Part(before))
            parts.append(Part(label, href=safe_href(url)))
            position = end
        else:
            number = int(match.group("number"))
            if not 1 <= number <= len(sources):
                continue  # not one of the sources shown: left as text
            if before:
                parts.append(Part(before))
            parts.append(Part(match.group(0), href=f"#{sources[number - 1].anchor}", marker=True))
            position = match.end()
    if position < len(text):
        parts.append(Part(text[position:]))
    return tuple(parts)


def answer_blocks(text: str, sources: Sequence[Source] = ()) -> list[Block]:
    """The answer's text as paragraphs and lists, each line parsed for links and source markers."""
    blocks: list[Block] = []
    kind: Literal["p", "ul", "ol"] | None = None
    lines: list[tuple[Part, ...]] = []

    def close() -> None:
        nonlocal kind, lines
        if kind is not None and lines:
            blocks.append(Block(kind=kind, lines=tuple(lines)))
        kind, lines = None, []

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            close()
            continue
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        item = bullet or numbered
        line_kind: Literal["p", "ul", "ol"] = "ul" if bullet else "ol" if numbered else "p"
        if line_kind != kind:
            close()
            kind = line_kind
        content = item.group("rest") if item is not None else " ".join(raw.split())
        lines.append(_inline(content.strip(), sources))
    close()
    return blocks


# --- The whole answer -------------------------------------------------------------------------


@dataclass
class ProcedureLink:
    slug: str
    title: str
    # The citizen's recommendation for it, when it is one of theirs ("À faire avant le…").
    todo: Any = None
    # Else a life event of the procedure that starts rules, to declare ("Cela vous arrive ?").
    declare: Any = None


def kind_label(kind: str) -> str:
    return _("Fiche service-public.fr") if kind == "fiche" else _("Démarche CiviQuest")


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def sources_of(citations: Iterable[Mapping[str, Any]], *, anchor: str) -> list[Source]:
    return [
        Source(
            number=number,
            id=str(citation.get("id", "")),
            title=str(citation.get("title", "")),
            url=safe_href(str(citation.get("url", ""))),
            kind=str(citation.get("kind", "")),
            kind_label=kind_label(str(citation.get("kind", ""))),
            updated_on=_date(citation.get("updated_on")),
            anchor=f"{anchor}-source-{number}",
        )
        for number, citation in enumerate(citations, start=1)
    ]


@dataclass
class AnswerView:
    """An answer as the pages show it; ``message`` is None for a visitor's answer, which is not stored."""

    text: str
    notice: str
    outcome: str
    confidence: float
    sources: list[Source]
    procedures: list[ProcedureLink]
    anchor: str
    message: Message | None = None
    blocks: list[Block] = field(default_factory=list)
    # When the confidence is low: questions of entraide on the suggested procedures with an accepted answer.
    entraide: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.blocks = answer_blocks(self.text, self.sources)

    @property
    def confidence_level(self) -> str:
        if self.outcome in (Outcome.OUT_OF_SCOPE, Outcome.RATE_LIMITED):
            return ""
        if self.outcome == Outcome.LOW_CONFIDENCE or self.confidence < LOW_CONFIDENCE:
            return "low"
        return "high" if self.confidence >= HIGH_CONFIDENCE else "medium"

    @property
    def confidence_label(self) -> str:
        return {
            "high": _("Confiance élevée : les sources citées répondent directement à votre question."),
            "medium": _("Confiance moyenne : vérifiez l’information dans les sources citées."),
            "low": _("Confiance faible : cette réponse peut ne pas correspondre à votre question."),
        }.get(self.confidence_level, "")

    @property
    def offer_human(self) -> bool:
        return self.outcome in HUMAN_OUTCOMES or self.confidence_level == "low"

    @property
    def feedback(self) -> Any:
        return getattr(self.message, "feedback", None) if self.message is not None else None


@dataclass(frozen=True)
class ForTheCitizen:
    """What the answers say to a signed-in citizen about the procedures they suggest, by slug."""

    todo: Mapping[str, Any] = field(default_factory=dict)  # their recommendations
    declare: Mapping[str, Any] = field(default_factory=dict)  # life events to declare


def _procedures(
    slugs: Iterable[str], titles: Mapping[str, str], mine: ForTheCitizen | None = None
) -> list[ProcedureLink]:
    mine = mine or ForTheCitizen()
    return [
        ProcedureLink(
            slug=slug,
            title=titles[slug],
            todo=mine.todo.get(slug),
            declare=None if slug in mine.todo else mine.declare.get(slug),
        )
        for slug in dict.fromkeys(slugs)
        if slug in titles
    ]


def answer_views(answers: Iterable[Message], *, mine: ForTheCitizen | None = None) -> dict[int, AnswerView]:
    """Stored answers as the pages show them, by message id; the procedures' titles in one query.

    ``mine``: for a signed-in citizen, which suggested procedure is one of theirs (its deadline
    and reason), or which life event to declare to know.
    """
    answers = list(answers)
    titles = selectors.procedure_titles(slug for answer in answers for slug in answer.suggested_procedures)
    views = {
        answer.pk: AnswerView(
            text=answer.text,
            notice=answer.notice,
            outcome=answer.outcome,
            confidence=answer.confidence or 0.0,
            sources=sources_of(
                (citation for citation in answer.citations if isinstance(citation, dict)),
                anchor=f"message-{answer.pk}",
            ),
            procedures=_procedures(answer.suggested_procedures, titles, mine),
            anchor=f"message-{answer.pk}",
            message=answer,
        )
        for answer in answers
    }
    _entraide_links(views.values(), {answer.pk: answer.suggested_procedures for answer in answers})
    return views


ENTRAIDE_LINKS = 3


def _entraide_links(views: Iterable[AnswerView], slugs_by_message: Mapping[int, Iterable[str]]) -> None:
    """Give each low-confidence answer up to 3 accepted answers of entraide on its procedures (one query)."""
    unsure = [view for view in views if view.confidence_level == "low" and view.message is not None]
    wanted = {view.message.pk: list(slugs_by_message.get(view.message.pk, ())) for view in unsure if view.message}
    questions = accepted_questions_of((slug for slugs in wanted.values() for slug in slugs), limit=ENTRAIDE_LINKS)
    for view in unsure:
        slugs = set(wanted.get(view.message.pk if view.message else 0, ()))
        view.entraide = [q for q in questions if q.procedure.slug in slugs][:ENTRAIDE_LINKS]


def reply_view(reply: Reply, *, anchor: str) -> AnswerView:
    """A reply that is not stored (a visitor's question), shown as a stored answer would be (one query)."""
    slugs = reply_procedure_slugs(reply)
    return AnswerView(
        text=reply.text,
        notice=reply.notice,
        outcome=reply.outcome,
        confidence=reply.confidence,
        sources=sources_of((citation.as_json() for citation in reply.citations), anchor=anchor),
        procedures=_procedures(slugs, selectors.procedure_titles(slugs)),
        anchor=anchor,
    )
