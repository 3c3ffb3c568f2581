"""Reads of the document wallet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.documents.models import Document

# Wallet documents expiring within this many days are flagged, and their owners reminded.
EXPIRY_WARNING_DAYS = 90


def wallet_documents(*, owner: User) -> list[Document]:
    """The owner's documents, latest first, to choose from in a quest step."""
    return list(Document.objects.filter(owner=owner).order_by("-created_at", "-pk"))


def document_of(*, owner: User, document_id: Any) -> Document | None:
    """The owner's document by id; None for anybody else's or a missing one (a 404)."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        return None
    return Document.objects.filter(pk=pk, owner=owner).first()


def expiring_documents(*, within_days: int = EXPIRY_WARNING_DAYS, today: dt.date | None = None) -> QuerySet[Document]:
    """Documents expiring within the given days (or already expired), for reminders."""
    today = today or timezone.localdate()
    return Document.objects.filter(expires_on__lte=today + dt.timedelta(days=within_days)).select_related("owner")
