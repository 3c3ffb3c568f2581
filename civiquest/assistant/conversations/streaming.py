"""Server-sent events for the assistant's streamed answers (chat pages and API).

``sse_response`` answers ``text/event-stream`` with ``Cache-Control: no-cache`` and
``X-Accel-Buffering: no`` (so that nginx does not buffer). Under ASGI the blocking chunk
iterator (retrieval, the provider's stream, the database write at the end) runs in a
thread of its own and is handed to the event loop as an async iterator; under WSGI (and
Django's test client) it is served as it is.

Under gunicorn's threaded worker a stream keeps one thread of its process until the answer
ends (bounded by the provider's timeout). ``stream_slot`` caps the streams of one process
at ``ASSISTANT_MAX_STREAMS_PER_PROCESS`` (half the threads by default), so that streamed
answers can never take every thread from the pages: beyond it the stream is refused at
once with a message to try again, before the question is stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from civiquest.assistant.conversations.models import Message
from civiquest.assistant.conversations.selectors import procedures_offered
from civiquest.assistant.conversations.services import question_answer_stream
from civiquest.assistant.links import citation_for_api

logger = logging.getLogger(__name__)

_END = object()


@cache
def _semaphore(limit: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(limit)


def _stream_slots() -> threading.BoundedSemaphore:
    # Per process on purpose: it counts this process's threads, which no other process shares.
    return _semaphore(max(1, int(settings.ASSISTANT_MAX_STREAMS_PER_PROCESS)))


class StreamSlot:
    """One of the process's stream slots, held until the stream ends (or never taken)."""

    def __init__(self) -> None:
        self._slots = _stream_slots()
        self.taken = self._slots.acquire(blocking=False)
        self._released = not self.taken

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._slots.release()

    def holding(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """The chunks, releasing the slot when the stream ends, fails or the client goes away."""
        try:
            yield from chunks
        finally:
            self.release()


def busy_message() -> str:
    return _("L’assistant reçoit beaucoup de questions en ce moment. Réessayez dans quelques secondes.")


def sse_busy(request: HttpRequest) -> StreamingHttpResponse:
    response = sse_error(request, busy_message(), status=503)
    response["Retry-After"] = "5"
    return response


def sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def sse_response(chunks: Iterator[bytes], request: HttpRequest, *, status: int = 200) -> StreamingHttpResponse:
    content: Iterator[bytes] | AsyncIterator[bytes] = in_thread(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8", status=status)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def sse_error(request: HttpRequest, message: str, *, status: int) -> StreamingHttpResponse:
    return sse_response(iter([sse("error", {"message": message})]), request, status=status)


def failure_message() -> str:
    return _("L’assistant n’a pas pu répondre. Réessayez dans un instant.")


async def in_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Run a blocking iterator in a thread of its own and hand its chunks to the event loop.

    The thread uses (and closes) its own database connections; when the client goes away,
    the async iterator is closed and the thread stops before its next chunk.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def put(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody listens any more
            stop.set()

    def run() -> None:
        try:
            for chunk in chunks:
                put(chunk)
                if stop.is_set():
                    break
        except BaseException as error:  # noqa: BLE001 - handed to the event loop, raised there
            put(error)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            connections.close_all()
            put(_END)

    threading.Thread(target=run, name="assistant-stream", daemon=True).start()
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, bytes):
                yield item
    finally:
        stop.set()


def api_chunks(question: Message) -> Iterator[bytes]:
    """The API's stream: ``sources``, ``token``s, ``notice``s, then ``done`` shaped as ``/ask``'s answer."""
    try:
        for streamed in question_answer_stream(question=question):
            event = streamed.event
            if event.kind == "sources":
                sources = [citation_for_api(citation.as_json()) for citation in event.citations]
                yield sse("sources", {"sources": sources})
            elif event.kind == "token":
                yield sse("token", {"text": event.data})
            elif event.kind == "notice":
                yield sse(
                    "notice", {"text": event.data, "discard_tokens": bool(getattr(event, "discard_tokens", False))}
                )
            elif event.kind == "done" and streamed.answer is not None:
                answer = streamed.answer
                yield sse(
                    "done",
                    {
                        "answer": answer.text,
                        "sources": [citation_for_api(citation) for citation in answer.citations],
                        "procedures": [
                            citation_for_api(procedure)
                            for procedure in procedures_offered(answer.suggested_procedures)
                        ],
                        "confidence": answer.confidence or 0.0,
                        "provider": answer.provider,
                        "outcome": answer.outcome,
                        "notice": answer.notice,
                    },
                )
    except Exception:
        logger.exception("assistant stream failed")
        yield sse("error", {"message": failure_message()})
