"""Where the citizens' documents are stored: never under a public URL.

By default a directory of the disk, ``CIVIQUEST_PRIVATE_ROOT`` (``VAR_DIR / "private"``),
outside ``MEDIA_ROOT`` and ``STATIC_ROOT``, so neither WhiteNoise nor a web server serves
it. A ``"private"`` entry in ``settings.STORAGES`` (an S3-compatible bucket without public
access, say) replaces it. Files are read only through the download view, which checks who
asks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible


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
        raise ValueError("Private files have no URL: serve them through a view that checks access.")


def private_storage() -> Storage:
    """The storage of the document wallet (a callable, so that migrations do not pin it)."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateFileSystemStorage()
