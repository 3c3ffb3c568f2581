"""A fake OpenAI-compatible server on loopback (stdlib http.server in a thread) that records requests.

Shared by the answering, provider and guardrail tests (import ``fake_llm``, ``openai_settings``,
``StaticRetriever`` and ``passage`` from here). The tests at the end check the fake itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from civiquest.assistant.types import Passage

# "hang": the request is read, nothing is ever answered; "headers_then_hang": the status, the
# headers and a keep-alive comment are sent, then nothing; "keepalive_forever": keep-alive
# comments every 0.2 s and never a piece (all three until the test ends).
HANGING_MODES = ("hang", "headers_then_hang", "keepalive_forever")
MODES = ("ok", "error_500", "timeout", "malformed", "truncated", "json_error", "empty", *HANGING_MODES)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeLLM:
    """What the fake answers: ``reply`` (split into ``chunks`` when streaming), in a ``mode``."""

    mode: str = "ok"
    reply: str = "Le passeport se demande en mairie [1]."
    chunks: list[str] | None = None
    # How long the "timeout" mode waits before answering (the client gives up before).
    delay: float = 3.0
    # A pause before each streamed piece (a slow model that still answers).
    piece_delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    # TCP connections accepted (a client that skips the server opens none).
    connections: int = 0
    url: str = ""
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return self.chunks
        words = self.reply.split(" ")
        return [word + ("" if i == len(words) - 1 else " ") for i, word in enumerate(words)]

    def request_log(self) -> str:
        """Everything the fake received (paths, headers, bodies), as one string to search."""
        return "\n".join(f"{r.method} {r.path}\n{json.dumps(r.headers)}\n{r.body}" for r in self.requests)


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default log
            pass

        def handle(self) -> None:
            fake.connections += 1
            try:
                super().handle()
            except (ConnectionResetError, BrokenPipeError):
                pass  # the client closed its connection (timeouts, or the end of a test)

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            fake.requests.append(Recorded("GET", self.path, dict(self.headers), ""))
            if self.path == "/v1/models":
                self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model"}]}).encode())
            else:
                self._send(404, b"{}")

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            fake.requests.append(Recorded("POST", self.path, dict(self.headers), body))
            if self.path != "/v1/chat/completions":
                self._send(404, b"{}")
                return
            try:
                if fake.mode == "error_500":
                    self._send(500, b'{"error": {"message": "boom"}}')
                    return
                if fake.mode == "timeout":
                    fake.released.wait(fake.delay)
                if fake.mode == "hang":
                    fake.released.wait()
                    self.close_connection = True
                    return
                if fake.mode == "json_error":
                    self._send(200, b'{"error": {"message": "model overloaded"}}')
                    return
                if json.loads(body).get("stream"):
                    self._stream()
                else:
                    content = "" if fake.mode == "empty" else fake.reply
                    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
                    self._send(200, json.dumps(answer).encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()
            if fake.mode in ("headers_then_hang", "keepalive_forever"):
                while not fake.released.wait(0.2):
                    if fake.mode == "keepalive_forever":
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                self.close_connection = True
                return
            pieces = [] if fake.mode == "empty" else fake.pieces()
            for number, piece in enumerate(pieces):
                if fake.mode == "malformed" and number == 2:
                    self.wfile.write(b"data: {not json at all\n\n")
                    self.wfile.flush()
                    break
                if fake.mode == "truncated" and number == 3:
                    break
                if fake.piece_delay:
                    fake.released.wait(fake.piece_delay)
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            if fake.mode not in ("malformed", "truncated"):
                self.wfile.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
                self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def openai_settings(settings, fake_llm: FakeLLM):
    """Settings pointing the assistant at the fake server, with a short timeout."""
    settings.ASSISTANT_PROVIDER = "openai_compatible"
    settings.ASSISTANT_BASE_URL = fake_llm.base_url
    settings.ASSISTANT_API_KEY = "test-key-not-a-secret"
    settings.ASSISTANT_MODEL = "fake-model"
    settings.ASSISTANT_TIMEOUT = 0.5
    settings.ASSISTANT_MIN_CONFIDENCE = 0.25
    return settings


def passage(
    text: str,
    *,
    key: str = "F1342",
    title: str = "Passeport",
    url: str = "https://www.service-public.fr/particuliers/vosdroits/F1342",
    score: float = 0.8,
    kind: str = "fiche",
    chunk_id: int = 1,
) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        source_id=chunk_id,
        source_kind=kind,  # type: ignore[arg-type]
        source_key=key,
        title=title,
        url=url,
        trail=("Demande",),
        text=text,
        score=score,
    )


PASSPORT = passage(
    "Le passeport se demande dans une mairie équipée d'un dispositif de recueil. "
    "Il faut prendre rendez-vous avant de se déplacer. "
    "Le timbre fiscal coûte 86 euros pour un adulte. "
    "Le passeport est valable 10 ans pour un adulte."
)
MOVING = passage(
    "En cas de déménagement, vous pouvez signaler votre changement d'adresse en ligne. "
    "Le service prévient plusieurs organismes en une seule démarche.",
    key="F15279",
    title="Changement d'adresse",
    url="https://www.service-public.fr/particuliers/vosdroits/F15279",
    score=0.6,
    chunk_id=2,
)


class StaticRetriever:
    """A Retriever returning fixed passages, recording the queries it received."""

    def __init__(self, *passages: Passage) -> None:
        self.passages = list(passages)
        self.queries: list[tuple[str, str]] = []

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        procedure_slug: str = "",
        kind: str | None = None,
        sources: int | None = None,
    ) -> list[Passage]:
        """As the index does: of ``kind`` only, ``limit`` passages or the passages of the first ``sources`` sources."""
        if kind != "procedure":
            self.queries.append((query, procedure_slug))
        found = [passage for passage in self.passages if kind is None or passage.source_kind == kind]
        if sources is None:
            return found[:limit]
        keys = list(dict.fromkeys(passage.source_key for passage in found))[:sources]
        return [passage for passage in found if passage.source_key in keys]


# --- The fake itself -------------------------------------------------------------------------------


def test_fake_serves_models_and_records_requests(fake_llm):
    response = httpx.get(f"{fake_llm.base_url}/models", timeout=5)
    assert response.json()["data"][0]["id"] == "fake-model"
    assert fake_llm.requests[0].path == "/v1/models"


def test_fake_streams_server_sent_events_ending_with_done(fake_llm):
    with httpx.stream("POST", f"{fake_llm.base_url}/chat/completions", json={"stream": True}, timeout=5) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data:")]
    assert lines[-1] == "data: [DONE]"
    assert "".join(json.loads(line[5:])["choices"][0]["delta"].get("content", "") for line in lines[:-1]) == (
        fake_llm.reply
    )
