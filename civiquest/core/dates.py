"""The day boundary of the product: mainland France's time zone, whatever the server's clock."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def paris_today() -> date:
    """Today in Paris: daily caps, streaks, digests and calendars turn at midnight there."""
    return timezone.now().astimezone(PARIS).date()
