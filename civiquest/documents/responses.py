"""Private stored files (wallet documents, message attachments, attestations) as responses,
for the citizens' and agents' views once they have checked who asks.

The bytes are streamed from the private storage (local disk or S3 bucket) chunk by chunk,
never loaded whole in memory and never handed over as a storage URL.

A citizen's file is never active content in our origin, whoever opens it and however: the
response is always an attachment (a browser saves it rather than opening it), and carries
the type sniffed at intake (never one guessed from the name; anything but PDF, JPEG or PNG
is ``application/octet-stream``), ``nosniff``, a sandboxing content security policy that
allows nothing (no script, no plugin, no frame around it), a resource policy that keeps
other sites from embedding it, and no caching outside the user's own browser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header

from civiquest.documents.storage import PrivateStream, private_stream

# The only types a stored file is served as: what the intake accepts and sniffs.
SERVED_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# Even opened directly, the file runs nothing, loads nothing and cannot be framed; a PDF
# is thus shown by our pdf.js viewer (from a fetch), never by the browser's own viewer.
FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; form-action 'none'; sandbox"


async def _chunks_in_threads(stream: PrivateStream) -> AsyncIterator[bytes]:
    # Under ASGI Django would read a synchronous iterator whole into a list before sending
    # anything: each blocking read runs in a worker thread instead.
    read = sync_to_async(stream.read, thread_sensitive=False)
    try:
        while chunk := await read():
            yield chunk
    finally:
        stream.close()


def served_content_type(content_type: str) -> str:
    """The stored (sniffed) type when it is one we accept, otherwise a type no browser renders."""
    return content_type if content_type in SERVED_CONTENT_TYPES else "application/octet-stream"


class PrivateFileResponse(StreamingHttpResponse):
    """A stored file streamed with its length, name, inert-content and private caching headers."""

    def __init__(self, stream: PrivateStream, *, request: HttpRequest, filename: str, content_type: str) -> None:
        self._stream = stream
        content = _chunks_in_threads(stream) if isinstance(request, ASGIRequest) else stream.chunks()
        super().__init__(content, content_type=served_content_type(content_type))
        self["Content-Length"] = str(stream.size)
        # Always an attachment, even for the agent's viewer (pdf.js fetches the bytes, <img>
        # ignores the disposition): opened inline, chromium's own PDF viewer runs the file's
        # JavaScript despite the sandbox (tests/a11y/test_document_viewer.py saw it).
        self["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        self["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
        self["X-Content-Type-Options"] = "nosniff"
        self["Cross-Origin-Resource-Policy"] = "same-origin"
        self["X-Frame-Options"] = "DENY"
        self["Cache-Control"] = "private, no-store"

    def close(self) -> None:
        # Also when the client left before the end: the connection to the bucket is released.
        self._stream.close()
        super().close()


def private_file_response(
    request: HttpRequest, file: FieldFile, *, filename: str, content_type: str
) -> PrivateFileResponse:
    """The file as a streamed response; a 404 when it is no longer stored."""
    try:
        stream = private_stream(file)
    except OSError as error:
        raise Http404 from error
    return PrivateFileResponse(stream, request=request, filename=filename, content_type=content_type)
