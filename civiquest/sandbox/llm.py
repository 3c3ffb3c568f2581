"""A small OpenAI-compatible chat server inside the project, for the demo (never in production).

Mounted under ``/sandbox/llm/v1/`` when the sandboxes are on: ``GET models`` and
``POST chat/completions`` (JSON, or server-sent events ending with ``data: [DONE]`` when
``"stream": true``). It does not generate anything: it answers deterministically by quoting,
from each ``<source>`` block of the last user message, the sentence sharing the most words
with the ``<question>``. So the demo runs the real ``openai_compatible`` client over a real
socket::

    ASSISTANT_PROVIDER=openai_compatible ASSISTANT_BASE_URL=http://127.0.0.1:8000/sandbox/llm/v1

Faults, to watch the assistant fall back to its extractive answer:

- per request, by model name: ``sandbox-server-error`` (HTTP 500), ``sandbox-timeout`` (sleeps
  ``SANDBOX_LLM_TIMEOUT_SLEEP`` seconds before answering), ``sandbox-stall`` (streams its headers
  and first chunk, then sleeps as long before the text: the first-token timeout's case),
  ``sandbox-malformed-stream`` (a valid chunk, then garbage and no ``[DONE]``),
  ``sandbox-invalid-markers`` (the answer also cites a source it was not given);
  e.g. ``ASSISTANT_MODEL=sandbox-timeout``;
- for every request, through the cache like ``civiquest.sandbox.faults``: ``inject(LlmFault.X)``
  and ``clear()``. Ignored whenever the sandboxes are off.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civiquest.accounts.access import public
from civiquest.core.text import fold

MODEL = "civiquest-sandbox"
FAULTS_KEY = "sandbox:faults:llm"
LIFETIME_SECONDS = 10 * 60
MAX_QUOTES = 3


class LlmFault(StrEnum):
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    STALL = "stall"
    MALFORMED_STREAM = "malformed_stream"
    INVALID_MARKERS = "invalid_markers"


FAULT_MODELS = {
    "sandbox-server-error": LlmFault.SERVER_ERROR,
    "sandbox-timeout": LlmFault.TIMEOUT,
    "sandbox-stall": LlmFault.STALL,
    "sandbox-malformed-stream": LlmFault.MALFORMED_STREAM,
    "sandbox-invalid-markers": LlmFault.INVALID_MARKERS,
}


def inject(*faults: LlmFault) -> None:
    """Turn these faults on for every request (replacing any others), for a few minutes."""
    cache.set(FAULTS_KEY, sorted(fault.value for fault in faults), LIFETIME_SECONDS)


def clear() -> None:
    cache.delete(FAULTS_KEY)


def active(model: str = "") -> frozenset[LlmFault]:
    if not settings.SANDBOXES_ENABLED:
        return frozenset()
    faults = {LlmFault(value) for value in cache.get(FAULTS_KEY, [])}
    if model in FAULT_MODELS:
        faults.add(FAULT_MODELS[model])
    return frozenset(faults)


# --- The deterministic "model" -----------------------------------------------------------------

SOURCE_RE = re.compile(r"<source\b([^>]*)>(.*?)</source>", re.DOTALL)
ATTRIBUTE_RE = re.compile(r'(\w+)="([^"]*)"')
QUESTION_RE = re.compile(r"<question>(.*?)</question>", re.DOTALL)
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
WORD_RE = re.compile(r"\w{4,}")


def _words(text: str) -> set[str]:
    return {word[:6] for word in WORD_RE.findall(fold(text))}


def summarise(prompt: str) -> str:
    """The sandbox's answer to a user message holding ``<source>`` blocks and a ``<question>``."""
    question_match = QUESTION_RE.search(prompt)
    question = _words(question_match.group(1) if question_match else prompt)
    lines = []
    for attributes, body in SOURCE_RE.findall(prompt)[:MAX_QUOTES]:
        number = dict(ATTRIBUTE_RE.findall(attributes)).get("id", "?")
        candidates = [s.strip() for s in SENTENCE_RE.split(body) if len(s.split()) >= 4]
        if not candidates:
            continue
        best = max(candidates, key=lambda sentence: (len(question & _words(sentence)), -candidates.index(sentence)))
        lines.append(f"- {best} [{number}]")
    if not lines:
        return "Les sources fournies ne permettent pas de répondre à cette question."
    return "\n".join(["Voici ce qu'indiquent les sources officielles :", *lines])


def _last_user_message(body: dict[str, Any]) -> str:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):  # content parts
                return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    raise ValueError("no user message")


def _error(status: int, message: str, kind: str) -> JsonResponse:
    return JsonResponse({"error": {"message": message, "type": kind}}, status=status)


def _completion_id(text: str) -> str:
    return "chatcmpl-sandbox-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _pieces(text: str) -> Iterator[str]:
    """The answer cut into word-sized tokens (whitespace kept), as a model streams."""
    yield from re.findall(r"\S+\s*|\s+", text)


def _sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def _stream(text: str, model: str, malformed: bool, stall: bool = False) -> Iterator[bytes]:
    identifier, created = _completion_id(text), int(time.time())

    def chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
        return _sse(
            {
                "id": identifier,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    yield chunk({"role": "assistant"})
    if stall:
        time.sleep(settings.SANDBOX_LLM_TIMEOUT_SLEEP)
    for number, piece in enumerate(_pieces(text)):
        if malformed and number == 3:
            yield b'data: {"choices": [{"delta": {"content": \n\n'
            return
        yield chunk({"content": piece})
    yield chunk({}, "stop")
    yield _sse("[DONE]")


@public
@require_GET
def models(request: HttpRequest) -> JsonResponse:
    names = [MODEL, *FAULT_MODELS]
    return JsonResponse(
        {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "civiquest"} for name in names]}
    )


@public
@csrf_exempt
@require_POST
def chat_completions(request: HttpRequest) -> HttpResponseBase:
    try:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        prompt = _last_user_message(body)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return _error(400, str(error), "invalid_request_error")
    model = str(body.get("model") or MODEL)
    faults = active(model)
    if LlmFault.SERVER_ERROR in faults:
        return _error(500, "The sandbox model failed (simulated).", "server_error")
    if LlmFault.TIMEOUT in faults:
        time.sleep(settings.SANDBOX_LLM_TIMEOUT_SLEEP)
    text = summarise(prompt)
    if LlmFault.INVALID_MARKERS in faults:
        text += f"\nVoir aussi la source [{len(SOURCE_RE.findall(prompt)) + 1}]."
    malformed = LlmFault.MALFORMED_STREAM in faults
    if body.get("stream"):
        stream = _stream(text, model, malformed, stall=LlmFault.STALL in faults)
        response = StreamingHttpResponse(stream, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
    if malformed:
        return HttpResponse(b'{"choices": [{"message": ', content_type="application/json")
    return JsonResponse(
        {
            "id": _completion_id(text),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split())},
        }
    )
