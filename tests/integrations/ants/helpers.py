"""A passport quest answered up to its appointment step, and meeting points around Nouméa."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.appointments.models import MeetingPoint, TimeSlot
from civiquest.appointments.selectors import meeting_point_timezone
from civiquest.catalogue.models import Procedure
from civiquest.quests.models import Quest
from civiquest.quests.services import answers_save, quest_start
from tests.integrations.ants_editor.factories import MeetingPointFactory, TimeSlotFactory

# 1 avenue du Maréchal Foch, Nouméa (BAN-like normalized answer).
NOUMEA_ADDRESS = {
    "label": "1 Avenue du Maréchal Foch 98800 Nouméa",
    "ban_id": "98818_0420_00001",
    "citycode": "98818",
    "postcode": "98800",
    "city": "Nouméa",
    "lat": -22.2716,
    "lon": 166.4413,
}


def passport_quest(
    citizen: User,
    *,
    number: str = "AB12CD34EF",
    address: Any = None,
    birth: str = "1990-05-17",
    motif: str = "premiere",
    slug: str = "passeport",
) -> Quest:
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug=slug))
    steps = {step.slug: step for step in quest.revision.steps.all()}
    person = {
        "nom": "Dubois",
        "prenoms": "Angela",
        "date_naissance": birth,
        "adresse": address if address is not None else NOUMEA_ADDRESS,
    }
    if slug == "passeport":
        answers_save(quest=quest, step=steps["situation"], data={"demandeur": "majeur", "motif": motif})
        answers_save(quest=quest, step=steps["titulaire"], data={**person, "lieu_naissance": "Nouméa"})
    else:
        answers_save(quest=quest, step=steps["situation"], data={"demandeur": "majeur", "motif": motif, **person})
    if number:
        answers_save(quest=quest, step=steps["pre-demande"], data={"pre-demande.reference": number})
    quest.refresh_from_db()
    return quest


def point(name: str, lat: float, lon: float, **kwargs: Any) -> MeetingPoint:
    return MeetingPointFactory(name=name, latitude=lat, longitude=lon, **kwargs)


def future_slot(
    meeting_point: MeetingPoint, *, days: int = 2, hour: int = 9, minute: int = 0, **kwargs: Any
) -> TimeSlot:
    # Days counted from the town hall's own date, in its own time (Nouméa's, for the factories'
    # default point): Paris's date would put "tomorrow 8:00" in Nouméa's past each evening.
    zone = meeting_point_timezone(meeting_point)
    day = timezone.localtime(timezone.now(), zone).date() + dt.timedelta(days=days)
    starts = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return TimeSlotFactory(meeting_point=meeting_point, starts_at=starts, **kwargs)
