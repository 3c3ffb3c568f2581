"""The assistant's pages: the chat (plain form, post/redirect/get), its server-sent event stream, feedback.

Without JavaScript a question is a plain POST answered in full, then a redirect to the
conversation. With JavaScript (``assistant/assistant.js``) the same form posts to
``assistant-stream``, which answers ``text/event-stream``: ``sources`` first, then ``token``s,
optional ``notice``s, then ``done`` carrying the answer rendered by the server (stored once,
when the stream is done). A conversation or an answer of another citizen is a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.assistant.conversations import selectors
from civiquest.assistant.conversations.models import Conversation, Message
from civiquest.assistant.conversations.services import (
    QUESTION_MAX_LENGTH,
    StreamedEvent,
    feedback_give,
    question_answer,
    question_answer_stream,
    question_ask,
)
from civiquest.assistant.conversations.streaming import (
    StreamSlot,
    failure_message,
    sse,
    sse_busy,
    sse_error,
    sse_response,
)
from civiquest.core.dates import paris_today
from civiquest.core.ratelimit import RateLimited
from civiquest.recommendations.selectors import events_to_declare, todo_by_procedure
from civiquest.www.citizen.assistant_forms import FeedbackForm, QuestionForm
from civiquest.www.citizen.assistant_rendering import ForTheCitizen, answer_views, kind_label

logger = logging.getLogger(__name__)

HISTORY_PAGE_PARAM = "conversations"


def _page_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    history = selectors.conversations_page(citizen=request.user, number=request.GET.get(HISTORY_PAGE_PARAM))
    return {
        "france_services_url": settings.ASSISTANT_FRANCE_SERVICES_URL,
        "retention_days": settings.ASSISTANT_HISTORY_RETENTION_DAYS,
        "history": history,
        "history_param": HISTORY_PAGE_PARAM,
        "history_query": _query_without(request, HISTORY_PAGE_PARAM),
    }


def _query_without(request: AuthenticatedHttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _context_titles(procedure_slug: str, step_slug: str) -> tuple[str, str, str]:
    """The procedure context kept only when the procedure is published: (slug, step slug, title)."""
    if not procedure_slug:
        return "", "", ""
    title = selectors.procedure_titles([procedure_slug]).get(procedure_slug, "")
    if not title:
        return "", "", ""
    return procedure_slug, step_slug, title


# --- Chat pages ------------------------------------------------------------------------------------------


@role_required(Role.CITIZEN)
def assistant(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The chat: a new question (with an optional ?procedure=…&step=… context) and the history."""
    if request.method == "POST":
        return _ask(request, conversation=None)
    procedure_slug, step_slug, procedure_title = _context_titles(
        request.GET.get("procedure", "")[:100], request.GET.get("step", "")[:100]
    )
    # ?question=… fills the form in (the public page and the catalogue's search lead here).
    question = request.GET.get("question", "")[:QUESTION_MAX_LENGTH]
    form = QuestionForm(initial={"procedure": procedure_slug, "step": step_slug, "question": question})
    return _render_chat(request, form, conversation=None, procedure_title=procedure_title)


@role_required(Role.CITIZEN)
def assistant_conversation(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_of(citizen=request.user, conversation_id=conversation_id)
    if conversation is None:
        raise Http404
    if request.method == "POST":
        return _ask(request, conversation=conversation)
    form = QuestionForm(initial={"conversation": conversation.pk})
    return _render_chat(request, form, conversation=conversation)


def _for_the_citizen(request: AuthenticatedHttpRequest, answers: list[Message]) -> ForTheCitizen:
    """The citizen's actions among the procedures the answers suggest, and the life events to declare."""
    today = paris_today()
    slugs = [slug for answer in answers for slug in answer.suggested_procedures]
    if not slugs:
        return ForTheCitizen()
    return ForTheCitizen(
        todo=todo_by_procedure(request.user, today=today),
        declare=events_to_declare(request.user, slugs, today=today),
    )


def _render_chat(
    request: AuthenticatedHttpRequest,
    form: QuestionForm,
    *,
    conversation: Conversation | None,
    procedure_title: str = "",
    status: int = 200,
) -> HttpResponse:
    exchanges = (
        selectors.exchanges_page(conversation=conversation, number=request.GET.get("page"))
        if conversation is not None
        else None
    )
    answers = [exchange.answer for exchange in (exchanges or []) if exchange.answer is not None]
    views = answer_views(answers, mine=_for_the_citizen(request, answers))
    if conversation is not None and conversation.procedure_slug:
        procedure_title = selectors.procedure_titles([conversation.procedure_slug]).get(
            conversation.procedure_slug, ""
        )
    action = (
        reverse("citizen:assistant-conversation", kwargs={"conversation_id": conversation.pk})
        if conversation is not None
        else reverse("citizen:assistant")
    )
    return render(
        request,
        "citizen/assistant/chat.html",
        {
            "title": conversation.title if conversation is not None else _("Assistant"),
            "conversation": conversation,
            "exchanges": exchanges,
            "thread": [
                (exchange.question, views.get(exchange.answer.pk) if exchange.answer is not None else None)
                for exchange in (exchanges or [])
            ],
            "thread_query": _query_without(request, "page"),
            "form": form,
            "form_action": action,
            "procedure_title": procedure_title,
            **_page_context(request),
        },
        status=status,
    )


def _ask(request: AuthenticatedHttpRequest, *, conversation: Conversation | None) -> HttpResponse:
    form = QuestionForm(data=request.POST)
    if not form.is_valid():
        return _render_chat(request, form, conversation=conversation, status=400)
    if conversation is not None:
        procedure_slug, step_slug = conversation.procedure_slug, conversation.step_slug
    else:
        procedure_slug, step_slug, _title = _context_titles(form.cleaned_data["procedure"], form.cleaned_data["step"])
    try:
        question = question_ask(
            citizen=request.user,
            text=form.cleaned_data["question"],
            conversation=conversation,
            procedure_slug=procedure_slug,
            step_slug=step_slug,
        )
    except RateLimited as error:
        form.add_error("question", error.message)
        response = _render_chat(request, form, conversation=conversation, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    answer = question_answer(question=question)
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": question.conversation_id})
    return redirect(f"{url}#message-{answer.pk}")


# --- The stream -------------------------------------------------------------------------------------------


def sources_json(event: StreamedEvent) -> list[dict[str, str]]:
    return [
        {"id": citation.id, "title": citation.title, "url": citation.url, "kind": citation.kind}
        for citation in event.event.citations
    ]


def _stream_chunks(request: AuthenticatedHttpRequest, question: Message) -> Iterator[bytes]:
    conversation_url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": question.conversation_id})
    try:
        for streamed in question_answer_stream(question=question):
            event = streamed.event
            if event.kind == "sources":
                sources = [{**source, "kind_label": kind_label(source["kind"])} for source in sources_json(streamed)]
                yield sse(
                    "sources",
                    {
                        "conversation": question.conversation_id,
                        "conversation_url": conversation_url,
                        "sources": sources,
                    },
                )
            elif event.kind == "token":
                yield sse("token", {"text": event.data})
            elif event.kind == "notice":
                discard = bool(getattr(event, "discard_tokens", False))
                yield sse("notice", {"text": event.data, "discard_tokens": discard})
            elif event.kind == "done" and streamed.answer is not None:
                answer = streamed.answer
                view = answer_views([answer], mine=_for_the_citizen(request, [answer]))[answer.pk]
                html = render_to_string(
                    "citizen/assistant/_answer.html",
                    {"answer": view, "france_services_url": settings.ASSISTANT_FRANCE_SERVICES_URL},
                    request=request,
                )
                yield sse(
                    "done",
                    {
                        "message": answer.pk,
                        "conversation": question.conversation_id,
                        "conversation_url": f"{conversation_url}#message-{answer.pk}",
                        "outcome": answer.outcome,
                        "confidence": answer.confidence,
                        "html": html,
                    },
                )
    except Exception:
        logger.exception("assistant stream failed")
        yield sse("error", {"message": failure_message()})


@require_POST
@role_required(Role.CITIZEN)
def assistant_stream(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The question of the chat form, answered as server-sent events (the form's fields; CSRF as any POST)."""
    form = QuestionForm(data=request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))
        return sse_error(request, str(first[0]), status=400)
    conversation = None
    if form.cleaned_data["conversation"]:
        conversation = selectors.conversation_of(
            citizen=request.user, conversation_id=form.cleaned_data["conversation"]
        )
        if conversation is None:
            raise Http404
        procedure_slug, step_slug = conversation.procedure_slug, conversation.step_slug
    else:
        procedure_slug, step_slug, _title = _context_titles(form.cleaned_data["procedure"], form.cleaned_data["step"])
    slot = StreamSlot()
    if not slot.taken:
        return sse_busy(request)
    try:
        question = question_ask(
            citizen=request.user,
            text=form.cleaned_data["question"],
            conversation=conversation,
            procedure_slug=procedure_slug,
            step_slug=step_slug,
        )
    except RateLimited as error:
        slot.release()
        refused = sse_error(request, error.message, status=429)
        refused["Retry-After"] = str(error.retry_after)
        return refused
    except BaseException:
        slot.release()
        raise
    return sse_response(slot.holding(_stream_chunks(request, question)), request)


# --- Feedback ---------------------------------------------------------------------------------------------


@require_POST
@role_required(Role.CITIZEN)
def assistant_feedback(request: AuthenticatedHttpRequest, message_id: int) -> HttpResponse:
    answer = selectors.answer_of(citizen=request.user, message_id=message_id)
    if answer is None:
        raise Http404
    form = FeedbackForm(data=request.POST)
    is_htmx = request.headers.get("HX-Request") == "true"
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": answer.conversation_id})
    if form.is_valid():
        feedback = feedback_give(message=answer, vote=form.cleaned_data["vote"], comment=form.cleaned_data["comment"])
        if is_htmx:
            answer.feedback = feedback
            return render(request, "citizen/assistant/_feedback.html", {"message": answer, "thanks": True})
        messages.success(request, _("Merci pour votre avis : il aide à améliorer l’assistant."))
        return redirect(f"{url}#message-{answer.pk}")
    if is_htmx:
        # 200, so that htmx swaps the form in with its error.
        return render(request, "citizen/assistant/_feedback.html", {"message": answer, "form": form})
    messages.error(request, _("Votre avis n’a pas été enregistré : choisissez « Utile » ou « Pas utile »."))
    return redirect(f"{url}#message-{answer.pk}")
