"""The assistant's JSON API (mounted at ``/api/v1/assistant/``)."""

from ninja import Router

router = Router(tags=["assistant"])
