"""Private stored files (wallet documents, message attachments, attestations) as responses,
for the citizens' and agents' views once they have checked who asks.

The bytes are streamed from the private storage (local disk or S3 bucket) chunk by chunk,
never loaded whole in memory and never handed over as a storage URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header

from civiquest.procedures.storage import PrivateStream, private_stream


async def _chunks_in_threads(stream: PrivateStream) -> AsyncIterator[bytes]:
    # Under ASGI Django would read a synchronous iterator whole into a list before sending
    # anything: each blocking read runs in a worker thread instead.
    read = sync_to_async(stream.read, thread_sensitive=False)
    try:
        while chunk := await read():
            yield chunk
    finally:
        stream.close()


class PrivateFileResponse(StreamingHttpResponse):
    """A stored file streamed with its length, name and private caching headers."""

    def __init__(
        self, stream: PrivateStream, *, request: HttpRequest, filename: str, content_type: str, as_attachment: bool
    ) -> None:
        self._stream = stream
        content = _chunks_in_threads(stream) if isinstance(request, ASGIRequest) else stream.chunks()
        super().__init__(content, content_type=content_type)
        self["Content-Length"] = str(stream.size)
        self["Content-Disposition"] = content_disposition_header(as_attachment, filename) or "attachment"
        self["X-Content-Type-Options"] = "nosniff"
        self["Cache-Control"] = "private, no-store"

    def close(self) -> None:
        # Also when the client left before the end: the connection to the bucket is released.
        self._stream.close()
        super().close()


def private_file_response(
    request: HttpRequest, file: FieldFile, *, filename: str, content_type: str, as_attachment: bool
) -> PrivateFileResponse:
    """The file as a streamed response; a 404 when it is no longer stored."""
    try:
        stream = private_stream(file)
    except OSError as error:
        raise Http404 from error
    return PrivateFileResponse(
        stream, request=request, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
