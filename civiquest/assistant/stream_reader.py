"""A model's streamed answer read in a thread of its own, so that every wait for it has a hard bound.

A read timeout bounds each wait for bytes, not the wait for an answer: a server that accepts the
connection and sends nothing holds a reader for the whole read timeout, and one that sends its
headers, then a keep-alive now and then, forever. ``StreamReader`` runs the blocking read in a
daemon thread that puts each piece in a queue; the caller waits on the queue with its own
deadlines (the first piece, the whole answer) and gives up when they pass. Giving up shuts the
connection's socket down, which ends the thread's blocking read at once; before the response
has arrived there is no socket yet, and the thread ends at its own read timeout.

The thread runs in a copy of the caller's context (the page's time budget, the request id).
"""

from __future__ import annotations

import contextvars
import queue
import socket
import threading
import time
from collections.abc import Callable, Generator

import httpx

# What ``get`` returns besides pieces: the end of the answer, or no item in time.
END = object()
TIMED_OUT = object()


class StreamReader:
    """``pieces(reader)`` runs in a thread; ``get`` returns its next piece, ``END``, an exception or ``TIMED_OUT``."""

    def __init__(self, pieces: Callable[[StreamReader], Generator[str]]) -> None:
        self._pieces = pieces
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._response: httpx.Response | None = None
        self.stopped = False
        # Stopped because the answer was late (not because the caller was done with it).
        self.gave_up = False
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._run,), name="assistant-model", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pieces = self._pieces(self)
        try:
            for piece in pieces:
                if self.stopped:
                    return
                self._queue.put(piece)
            self._queue.put(END)
        except Exception as error:  # noqa: BLE001 - handed to the caller, who decides
            self._queue.put(error)
        finally:
            pieces.close()  # leaves the response: its connection is closed or pooled

    def get(self, *, until: float) -> object:
        try:
            return self._queue.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            return TIMED_OUT

    def attach(self, response: httpx.Response) -> bool:
        """Called by ``pieces`` once the response has come: False if the caller has already given up."""
        with self._lock:
            if self.stopped:
                return False
            self._response = response
            return True

    def detach(self) -> None:
        """Called by ``pieces`` before it leaves the response (its connection may go back to the pool)."""
        with self._lock:
            self._response = None

    def stop(self, *, gave_up: bool = False) -> None:
        """No more pieces are wanted; when the answer was late, its connection is cut as well."""
        with self._lock:
            self.stopped = True
            self.gave_up = self.gave_up or gave_up
            if gave_up and self._response is not None:
                _shut_down(self._response)


def _shut_down(response: httpx.Response) -> None:
    """End the blocking read on this response's socket (a shutdown wakes it up; a close would not)."""
    network_stream = response.extensions.get("network_stream")
    sock = network_stream.get_extra_info("socket") if network_stream is not None else None
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the other side
