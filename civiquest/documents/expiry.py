"""When the passports and identity cards in citizens' wallets expire, and telling them in time.

A wallet document has ``expires_on`` (given by the citizen) and ``issued_on``; when only
the issue date is known, the expiry is computed:

- passport: 10 years for an adult, 5 years for a minor at issue (even one who turns 18
  before it expires) — ``shared/reference/state-apis.md`` §2;
- identity card: 10 years for a minor; for an adult, 15 years if issued from 2004-01-02 to
  2021-08-01 (the 2014 extension), 10 years otherwise (new card of 2 August 2021).
  **Unverified** in our reference (service-public.fr F1341 from memory): kept as data.

The holder's age at issue comes from the owner's birth date (FranceConnect identity);
unknown, the adult rule applies. The citizen is told 6 months and then 1 month before
the expiry (one notification per document, expiry and notice: a daily task that runs
twice, or late, tells nobody twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.documents.models import Document, DocumentType
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify

TITLE_TYPES = (DocumentType.PASSPORT, DocumentType.IDENTITY_CARD)
ADULT_AGE = 18
PASSPORT_YEARS = {"adult": 10, "minor": 5}
CARD_YEARS = {"adult": 10, "minor": 10}
# Adult cards issued in this range were extended to 15 years (unverified, see above).
CARD_EXTENDED = (dt.date(2004, 1, 2), dt.date(2021, 8, 1), 15)
# (notice name, months before the expiry), the latest first: only the most urgent is sent.
NOTICES: tuple[tuple[str, int], ...] = (("1m", 1), ("6m", 6))
LONGEST_VALIDITY_YEARS = 15
DRIVING_LICENCE_YEARS = 15
CARD_LICENCE_SINCE = dt.date(2013, 1, 19)


def renew_url(title: str) -> str:
    return reverse("citizen:title-renew", args=[title])


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def _was_minor(birthdate: dt.date | None, issued_on: dt.date) -> bool:
    return birthdate is not None and add_years(birthdate, ADULT_AGE) > issued_on


def computed_expiry(*, document_type: str, issued_on: dt.date, birthdate: dt.date | None) -> dt.date | None:
    """The expiry of a title issued on ``issued_on`` to someone born on ``birthdate`` (None: not a title)."""
    age = "minor" if _was_minor(birthdate, issued_on) else "adult"
    if document_type == DocumentType.PASSPORT:
        return add_years(issued_on, PASSPORT_YEARS[age]) - dt.timedelta(days=1)
    if document_type == DocumentType.IDENTITY_CARD:
        start, end, extended = CARD_EXTENDED
        years = extended if age == "adult" and start <= issued_on <= end else CARD_YEARS[age]
        return add_years(issued_on, years) - dt.timedelta(days=1)
    if document_type == DocumentType.DRIVING_LICENCE:
        # The credit-card format (since 19 January 2013) is valid 15 years; older pink ones,
        # without an expiry, are replaced on a calendar (not computed here).
        if issued_on < CARD_LICENCE_SINCE:
            return None
        return add_years(issued_on, DRIVING_LICENCE_YEARS) - dt.timedelta(days=1)
    return None


def expiry_of(document: Document, *, birthdate: dt.date | None) -> dt.date | None:
    """The stored expiry, else the one computed from the issue date, else None."""
    if document.expires_on is not None:
        return document.expires_on
    if document.issued_on is None:
        return None
    return computed_expiry(document_type=document.type, issued_on=document.issued_on, birthdate=birthdate)


@dataclass(frozen=True)
class ExpiringTitle:
    """The latest passport or identity card of a citizen, expiring soon (or expired)."""

    document: Document
    expires_on: dt.date

    @property
    def renew_url(self) -> str:
        """The procedure that renews it: the site resolves it from what the catalogue says it issues."""
        return renew_url(self.document.type)

    @property
    def type_label(self) -> str:
        return str(DocumentType(self.document.type).label)

    def is_expired(self, today: dt.date) -> bool:
        return self.expires_on < today


def _candidates(today: dt.date) -> Q:
    horizon = add_months(today, NOTICES[-1][1])
    # Stored expiries in the window; or no expiry but an issue date recent enough to still run.
    return Q(type__in=TITLE_TYPES) & (
        Q(expires_on__lte=horizon, expires_on__gte=add_years(today, -1))
        | Q(expires_on__isnull=True, issued_on__gt=add_years(today, -LONGEST_VALIDITY_YEARS - 1))
    )


def _latest_per_title(documents: Iterable[Document]) -> dict[tuple[int, str], tuple[Document, dt.date]]:
    """For each (owner, type), the document that expires last: an early renewal silences the old one."""
    latest: dict[tuple[int, str], tuple[Document, dt.date]] = {}
    for document in documents:
        expires = expiry_of(document, birthdate=document.owner.birthdate)
        if expires is None:
            continue
        key = (document.owner_id, document.type)
        if key not in latest or expires > latest[key][1]:
            latest[key] = (document, expires)
    return latest


def expiring_titles(*, owner: User, today: dt.date) -> list[ExpiringTitle]:
    """The owner's titles expiring within 6 months or expired in the past year (one query), soonest first.

    For the dashboard: ``{% include "citizen/appointments/_expiry_notice.html" %}`` with ``expiring_titles``.
    """
    # Newer titles with a far expiry hide older ones: look at every title of the owner.
    documents = Document.objects.filter(owner=owner, type__in=TITLE_TYPES).select_related("owner")
    horizon = add_months(today, NOTICES[-1][1])
    titles = [
        ExpiringTitle(document=document, expires_on=expires)
        for document, expires in _latest_per_title(documents).values()
        if add_years(today, -1) <= expires <= horizon
    ]
    return sorted(titles, key=lambda title: title.expires_on)


def _notice_due(expires: dt.date, today: dt.date) -> str | None:
    if expires < today:
        return None
    for name, months in NOTICES:
        if expires <= add_months(today, months):
            return name
    return None


def _message(document_type: str, expires: dt.date, notice: str) -> tuple[str, str]:
    context = {"date": date_format(expires, "j F Y")}
    if document_type == DocumentType.PASSPORT:
        title = _("Votre passeport expire le %(date)s") % context
        body = (
            _("Pensez à le renouveler dès maintenant : les délais de rendez-vous en mairie peuvent être longs.")
            if notice == "6m"
            else _("Il expire dans moins d’un mois : faites votre pré-demande et prenez rendez-vous en mairie.")
        )
    else:
        title = _("Votre carte d’identité expire le %(date)s") % context
        body = (
            _("Pensez à la renouveler dès maintenant : les délais de rendez-vous en mairie peuvent être longs.")
            if notice == "6m"
            else _("Elle expire dans moins d’un mois : faites votre pré-demande et prenez rendez-vous en mairie.")
        )
    return title, body


def expiry_notify(*, today: dt.date) -> int:
    """Tell each citizen whose latest passport or card expires within 6 months (then 1 month); returns the notices due.

    Idempotent: the key names the document, its expiry and the notice.
    """
    documents = Document.objects.filter(type__in=TITLE_TYPES).filter(_candidates(today)).select_related("owner")
    # The newest title of each owner decides: fetch the rest of those owners' titles too.
    owners = {document.owner_id for document in documents}
    every = Document.objects.filter(type__in=TITLE_TYPES, owner_id__in=owners).select_related("owner")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for document, expires in _latest_per_title(every).values():
            notice = _notice_due(expires, today)
            if notice is None or not document.owner.is_active:
                continue
            title, body = _message(document.type, expires, notice)
            notify(
                recipient=document.owner,
                kind=NotificationKind.TITLE_EXPIRY,
                key=f"title-expiry:{document.pk}:{expires.isoformat()}:{notice}",
                title=title,
                body=body,
                url=renew_url(document.type),
            )
            sent += 1
    return sent
