"""Where the citizens' documents are stored: never under a public URL.

By default a directory of the disk, ``CIVIQUEST_PRIVATE_ROOT`` (``VAR_DIR / "private"``),
outside ``MEDIA_ROOT`` and ``STATIC_ROOT``, so neither WhiteNoise nor a web server serves
it. A ``"private"`` entry in ``settings.STORAGES`` replaces it: the ``CIVIQUEST_S3_*``
settings put ``storage_s3.PrivateS3Storage`` there (an S3-compatible bucket without public
access), so that web processes on several machines share the files.

Neither storage gives a URL. Files are read only through the views that check who asks,
with ``private_stream``: chunk by chunk, never whole in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty

NO_URL = "Private files have no URL: serve them through a view that checks access."
# What a view reads and sends at a time.
CHUNK_BYTES = 64 * 1024


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage without a base URL, whose root follows the settings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self) -> str:
        return str(getattr(settings, "CIVIQUEST_PRIVATE_ROOT", Path(settings.VAR_DIR) / "private"))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError(NO_URL)


class PrivateStream:
    """A stored file opened for reading: its size, then its bytes chunk by chunk; close it once served."""

    def __init__(self, handle: IO[bytes] | Any, *, size: int) -> None:
        self.handle = handle
        self.size = size

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        chunk: bytes = self.handle.read(size)
        return chunk

    def chunks(self) -> Iterator[bytes]:
        try:
            while chunk := self.read():
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.handle.close()


def private_stream(file: FieldFile) -> PrivateStream:
    """A stored file opened for streaming; ``FileNotFoundError`` (an ``OSError``) when it is gone.

    A storage may stream its own way (``open_stream``: S3); otherwise its ``open`` is read in chunks."""
    if not file.name:
        raise FileNotFoundError("No file stored")
    storage = file.storage
    open_stream = getattr(storage, "open_stream", None)
    if open_stream is not None:
        stream: PrivateStream = open_stream(file.name)
        return stream
    handle = storage.open(file.name, "rb")
    return PrivateStream(handle, size=int(handle.size))


class _PrivateStorage(LazyObject):
    """The configured private storage, looked up again when a test changes ``STORAGES``.

    Model fields keep the storage they were given when the models were loaded: a proxy
    lets them follow the settings, as Django's ``default_storage`` does."""

    _wrapped: Any

    def _setup(self) -> None:
        self._wrapped = storages["private"] if "private" in settings.STORAGES else PrivateFileSystemStorage()


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """The storage of the document wallet (a callable, so that migrations do not pin it)."""
    return _private  # type: ignore[return-value]
