"""The assistant for visitors who are not signed in, as on service-public.fr: ``/assistant/``.

Anyone may ask; nothing is stored for a visitor (no conversation, no message, no feedback:
the page says so), and each client address (``core.client_ip``, behind the trusted proxies;
an IPv6 address by its /64) has its own limit in the shared cache
(``ASSISTANT_VISITOR_RATE_LIMIT_*``). The form is a plain POST answered by the page itself
(there is nothing to redirect to); with JavaScript it streams from ``assistant-visitor-stream``
like the citizen's chat, and the ``done`` event carries the answer rendered by the same template.
CSRF is checked as on any form.

A signed-in citizen is sent to their own chat, which keeps a history: a GET is redirected
there (with the question to ask, if any), a POST is answered and stored there. Agents and staff
are not citizens: for them the page is the visitor's.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, public
from civiquest.accounts.models import Role, User
from civiquest.assistant.conversations.services import (
    QUESTION_MAX_LENGTH,
    visitor_answer,
    visitor_answer_stream,
    visitor_question,
    visitor_question_count,
)
from civiquest.assistant.conversations.streaming import (
    StreamSlot,
    failure_message,
    sse,
    sse_busy,
    sse_error,
    sse_response,
)
from civiquest.core.client_ip import client_ip
from civiquest.core.ratelimit import RateLimited
from civiquest.www.citizen import assistant_views
from civiquest.www.citizen.assistant_forms import VisitorQuestionForm
from civiquest.www.citizen.assistant_rendering import AnswerView, kind_label, reply_view

logger = logging.getLogger(__name__)


def _is_citizen(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.role == Role.CITIZEN


def _answer_anchor() -> str:
    """Where an answer's sources are anchored on the page: unique among the answers a page may show."""
    return f"answer-{uuid.uuid4().hex[:12]}"


def _render(
    request: HttpRequest,
    form: VisitorQuestionForm,
    *,
    question: str = "",
    answer: AnswerView | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "title": _("Poser une question à l’assistant"),
        "form": form,
        "question": question,
        "answer": answer,
        "france_services_url": settings.ASSISTANT_FRANCE_SERVICES_URL,
    }
    return render(request, "citizen/assistant/visitor.html", context, status=status)


@public
def assistant_visitor(request: HttpRequest) -> HttpResponseBase:
    """The assistant's public page: ask without signing in (``?question=…`` fills the form in)."""
    if _is_citizen(request):
        if request.method == "POST":
            return assistant_views.assistant(cast(AuthenticatedHttpRequest, request))
        question = request.GET.get("question", "")[:QUESTION_MAX_LENGTH].strip()
        target = reverse("citizen:assistant")
        return redirect(f"{target}?{urlencode({'question': question})}" if question else target)
    if request.method != "POST":
        initial = {"question": request.GET.get("question", "")[:QUESTION_MAX_LENGTH]}
        return _render(request, VisitorQuestionForm(initial=initial))
    form = VisitorQuestionForm(data=request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    text = form.cleaned_data["question"]
    try:
        reply = visitor_answer(text=text, address=client_ip(request))
    except RateLimited as error:
        form.add_error("question", error.message)
        response = _render(request, form, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    # The answered question is shown once; the form is empty for the next one.
    return _render(
        request,
        VisitorQuestionForm(),
        question=visitor_question(text),
        answer=reply_view(reply, anchor=_answer_anchor()),
    )


def _visitor_chunks(request: HttpRequest, text: str) -> Iterator[bytes]:
    try:
        for event in visitor_answer_stream(text=text):
            if event.kind == "sources":
                sources = [
                    {**citation.as_json(), "kind_label": kind_label(citation.kind)} for citation in event.citations
                ]
                yield sse("sources", {"sources": sources})
            elif event.kind == "token":
                yield sse("token", {"text": event.data})
            elif event.kind == "notice":
                yield sse("notice", {"text": event.data, "discard_tokens": bool(event.discard_tokens)})
            elif event.kind == "done" and event.reply is not None:
                view = reply_view(event.reply, anchor=_answer_anchor())
                html = render_to_string(
                    "citizen/assistant/_answer.html",
                    {"answer": view, "france_services_url": settings.ASSISTANT_FRANCE_SERVICES_URL},
                    request=request,
                )
                yield sse(
                    "done",
                    {"outcome": event.reply.outcome, "confidence": event.reply.confidence, "html": html},
                )
    except Exception:
        logger.exception("assistant visitor stream failed")
        yield sse("error", {"message": failure_message()})


@public
@require_POST
def assistant_visitor_stream(request: HttpRequest) -> HttpResponseBase:
    """The visitor's question answered as server-sent events (nothing stored); a citizen's goes to their chat's."""
    if _is_citizen(request):
        return assistant_views.assistant_stream(cast(AuthenticatedHttpRequest, request))
    form = VisitorQuestionForm(data=request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))
        return sse_error(request, str(first[0]), status=400)
    slot = StreamSlot()
    if not slot.taken:
        return sse_busy(request)
    try:
        visitor_question_count(client_ip(request))
    except RateLimited as error:
        slot.release()
        refused: StreamingHttpResponse = sse_error(request, error.message, status=429)
        refused["Retry-After"] = str(error.retry_after)
        return refused
    except BaseException:
        slot.release()
        raise
    return sse_response(slot.holding(_visitor_chunks(request, form.cleaned_data["question"])), request)
