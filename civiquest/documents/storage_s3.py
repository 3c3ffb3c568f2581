"""The private storage on an S3-compatible bucket (Scaleway, OVH, Outscale, MinIO, Garage…).

A module of its own so that boto3 is only imported by deployments that set
``CIVIQUEST_S3_BUCKET`` (``config/settings.py`` then names this class in
``STORAGES["private"]``).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from civiquest.documents.storage import NO_URL, PrivateStream


@deconstructible
class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend for a bucket without public access.

    Objects get no ACL (the bucket's own, private, applies), are never overwritten, have no
    URL, and are read as a stream: ``S3File`` would download an object whole before its first
    byte."""

    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        # Whatever AWS_* settings say (another storage's, say): no public ACL, no overwrite.
        return defaults | {"default_acl": None, "file_overwrite": False, "querystring_auth": True}

    def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise ValueError(NO_URL)

    def open_stream(self, name: str) -> PrivateStream:
        """The object opened for reading: ``FileNotFoundError`` when there is none."""
        key = self._normalize_name(clean_name(name))
        try:
            found = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"No object {key!r} in the bucket") from error
            raise
        return PrivateStream(found["Body"], size=int(found["ContentLength"]))
