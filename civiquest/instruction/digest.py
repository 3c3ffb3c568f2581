"""The agents' daily digest: one e-mail listing the quests new for them since the last one.

Only for the agents who asked for it (an ``AgentDigest`` row, set on their notifications
page). Idempotent per day (Europe/Paris): the agent's row is locked, and ``last_day`` written
in the same transaction as the e-mail is sent, so a second run the same day sends nothing.
The quests listed are the agent's "nouveau" marks changed since the previous digest (the
ones they opened meanwhile are no longer new, and left out).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from civiquest.core.dates import PARIS
from civiquest.instruction.models import AgentDigest, QuestMark


def digest_wanted(*, agent_id: int) -> bool:
    return AgentDigest.objects.filter(agent_id=agent_id).exists()


@transaction.atomic
def digest_set(*, agent_id: int, wanted: bool) -> bool:
    """The agent asks for the daily digest, or stops it. Idempotent."""
    if wanted:
        AgentDigest.objects.get_or_create(agent_id=agent_id)
    else:
        AgentDigest.objects.filter(agent_id=agent_id).delete()
    return wanted


def agent_digests_send(*, now: dt.datetime | None = None) -> int:
    """Send today's digests not sent yet; return how many e-mails went."""
    now = now or timezone.now()
    today = now.astimezone(PARIS).date()
    pending = AgentDigest.objects.filter(agent__is_active=True).exclude(last_day=today).exclude(agent__email="")
    sent = 0
    for digest_id in pending.values_list("pk", flat=True):
        sent += _send_one(digest_id, today, now)
    return sent


def _send_one(digest_id: int, today: dt.date, now: dt.datetime) -> int:
    with transaction.atomic():
        digest = (
            AgentDigest.objects.select_for_update(of=("self",))
            .select_related("agent")
            .filter(pk=digest_id)
            .exclude(last_day=today)
            .first()
        )
        if digest is None:
            return 0
        marks = QuestMark.objects.filter(agent_id=digest.agent_id, changed_at__lte=now)
        if digest.last_sent_at is not None:
            marks = marks.filter(changed_at__gt=digest.last_sent_at)
        changed = list(marks.select_related("quest").order_by("changed_at", "pk"))
        digest.last_day = today
        digest.last_sent_at = now
        digest.save(update_fields=["last_day", "last_sent_at"])
        if not changed:
            return 0
        agent = digest.agent
        base = settings.CIVIQUEST_PUBLIC_URL
        with translation.override(settings.LANGUAGE_CODE):
            subject = ngettext(
                "CiviQuest : %(count)d dossier nouveau pour vous",
                "CiviQuest : %(count)d dossiers nouveaux pour vous",
                len(changed),
            ) % {"count": len(changed)}
            body = render_to_string(
                "emails/agent_digest.txt",
                {
                    "recipient": agent,
                    "items": [
                        {
                            "reference": mark.quest.reference,
                            "kind": mark.get_kind_display(),
                            "link": f"{base}{reverse('agent:quest', args=[mark.quest_id])}",
                        }
                        for mark in changed
                    ],
                    "settings_link": f"{base}{reverse('agent:notifications')}",
                },
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[agent.email])
    return 1
