"""Moving house over a real socket: the recipients client against its sandbox on the live server."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.definitions.changement_adresse import CHANGEMENT_ADRESSE
from civiquest.catalogue.models import Procedure
from civiquest.catalogue.services import revision_loaded
from civiquest.core.circuit import reset_circuit
from civiquest.quests.services import answers_save, quest_start
from civiquest.sandbox import http_faults

SERVICE = "moving_recipients"
# A real address of the BAN extract (Nouméa, Nouvelle-Calédonie), as the geocoder normalizes it.
NOUMEA = {
    "label": "1 Avenue du Maréchal Foch 98800 Nouméa",
    "ban_id": "98818_0270_00001",
    "citycode": "98818",
    "postcode": "98800",
    "city": "Nouméa",
    "lat": -22.274,
    "lon": 166.4422,
}


def nir(body: str = "1850578006048") -> str:
    """A social security number with its right key."""
    return f"{body}{97 - int(body) % 97:02d}"


GOOD_REFERENCES = {
    "impots": "1234567890123",
    "caf": "1234567",
    "assurance_maladie": nir(),
    "retraite": nir(),
    "france_travail": "1234567A",
    "energie": "12345678901234",
    "carte_grise": "AB-123-CD",
}


@pytest.fixture
def recipients(live_server, settings):
    """The recipients client pointed at the sandbox on the live server, fast timeouts, no waiting between tries."""
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        SERVICE: {
            **settings.INTEGRATIONS[SERVICE],
            "BASE_URL": live_server.url + "/sandbox/demenagement",
            "TIMEOUT": 0.5,
            "RETRIES": 1,
            "BACKOFF": 0,
            "FAILURE_THRESHOLD": 50,
            # Room for a 1-second Retry-After, as production's longer timeouts leave.
            "DEADLINE": 3.0,
        },
    }
    settings.SANDBOX_HTTP_SLOW_SECONDS = 1.5
    settings.MOVING_DISPATCH_BACKOFF_SECONDS = 0
    settings.MOVING_DISPATCH_ATTEMPTS = 3
    settings.SANDBOX_MOVING_PROCESSING_SECONDS = 60
    reset_circuit(SERVICE)
    http_faults.clear(SERVICE)
    http_faults.reset_requests_seen(SERVICE)
    yield live_server
    http_faults.clear(SERVICE)


@pytest.fixture
def moving_quest(db):
    """``moving_quest(citizen, organisations)``: a changement-adresse quest whose form step is answered."""
    catalogue_load([CHANGEMENT_ADRESSE])

    def make(citizen, organisations=("impots", "caf"), address=NOUMEA):
        quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="changement-adresse"))
        step = revision_loaded(quest.revision_id).steps.get(slug="nouvelle-adresse")
        saved = answers_save(
            quest=quest,
            step=step,
            data={
                "date_demenagement": timezone.localdate().isoformat(),
                "adresse": address,
                "organismes": list(organisations),
            },
        )
        assert saved.errors == {}
        return quest

    return make
