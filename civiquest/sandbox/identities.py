"""Test identities of the sandbox providers: data only, all of it fictitious.

The FranceConnect citizens are modelled on the public mock identity provider's data set
(france-connect/sources, ``docker/volumes/fcp-low/mocks/idp/databases/citizen/base.csv``):
the first one is its ``test`` / ``123`` identity. The ProConnect agents are demo agents of
the demo services; one of them was invited by no service, to show the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Citizen:
    """A FranceConnect identity: the identité pivot plus an email address."""

    id: str
    given_name: str
    family_name: str
    birthdate: str
    gender: str
    birthplace: str
    birthcountry: str
    email: str
    preferred_username: str = ""
    # Choosing this identity makes the provider answer with this OAuth error instead of a code.
    error: str = ""
    error_description: str = ""
    # Shown on the sandbox's sign-in page.
    note: str | Promise = ""

    @property
    def label(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def claims(self) -> dict[str, Any]:
        """Every claim this identity can give; the requested scopes choose among them."""
        claims: dict[str, Any] = {
            "given_name": self.given_name,
            "given_name_array": self.given_name.split(" "),
            "family_name": self.family_name,
            "birthdate": self.birthdate,
            "gender": self.gender,
            "birthplace": self.birthplace,
            "birthcountry": self.birthcountry,
            "email": self.email,
        }
        if self.preferred_username:
            claims["preferred_username"] = self.preferred_username
        return claims


@dataclass(frozen=True)
class Agent:
    """A ProConnect identity: what the agent's identity provider says of them."""

    id: str
    given_name: str
    usual_name: str
    email: str
    uid: str
    siret: str
    idp_id: str
    error: str = ""
    error_description: str = ""
    # Shown on the sandbox's sign-in page.
    note: str | Promise = ""

    @property
    def label(self) -> str:
        return f"{self.given_name} {self.usual_name}"

    def claims(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name,
            "usual_name": self.usual_name,
            "email": self.email,
            "uid": self.uid,
            "siret": self.siret,
            "siren": self.siret[:9],
            "idp_id": self.idp_id,
        }


CITIZENS: tuple[Citizen, ...] = (
    Citizen(
        id="test",
        given_name="Angela Claire Louise",
        family_name="DUBOIS",
        birthdate="1962-08-24",
        gender="female",
        birthplace="75107",
        birthcountry="99100",
        email="wossewodda-3728@yopmail.com",
        note=_("Née à Paris 7e arrondissement."),
    ),
    Citizen(
        id="avec_nom_dusage",
        given_name="Marie Thérèse",
        family_name="MARTIN",
        preferred_username="LEFEBVRE",
        birthdate="1981-03-14",
        gender="female",
        birthplace="69123",
        birthcountry="99100",
        email="marie.lefebvre@yopmail.com",
        note=_("A un nom d’usage (LEFEBVRE)."),
    ),
    Citizen(
        id="nom_compose",
        given_name="Jean-Baptiste Paul",
        family_name="DE LA FONTAINE-DURAND",
        birthdate="1975-11-02",
        gender="male",
        birthplace="13055",
        birthcountry="99100",
        email="jean-baptiste.delafontaine@yopmail.com",
        note=_("Nom de famille composé."),
    ),
    Citizen(
        id="ne_a_l_etranger",
        given_name="Kenji",
        family_name="TANAKA",
        birthdate="1990-01-01",
        gender="male",
        birthplace="",
        birthcountry="99217",
        email="kenji.tanaka@yopmail.com",
        note=_("Né au Japon (pas de commune de naissance), date de naissance présumée."),
    ),
    Citizen(
        id="nee_a_noumea",
        given_name="Léa Marie",
        family_name="THOMAS",
        birthdate="2001-02-17",
        gender="female",
        birthplace="98818",
        birthcountry="99100",
        email="lea.thomas@yopmail.com",
        note=_("Née à Nouméa."),
    ),
    Citizen(
        id="compte_bloque",
        given_name="Bernard",
        family_name="BLOQUÉ",
        birthdate="1970-06-30",
        gender="male",
        birthplace="75056",
        birthcountry="99100",
        email="bernard.bloque@yopmail.com",
        error="access_denied",
        error_description="The identity provider refused this account (test scenario: blocked account)",
        note=_("Scénario d’erreur : le fournisseur d’identité refuse la connexion (access_denied)."),
    ),
)

AGENTS: tuple[Agent, ...] = (
    Agent(
        id="karim",
        given_name="Karim",
        usual_name="Benali",
        email="karim.benali@mairie-exemple.fr",
        uid="kbenali",
        siret="21988818000017",
        idp_id="mairie-exemple-fi",
        note=_("Agent de la Mairie de Nouméa (démonstration)."),
    ),
    Agent(
        id="lea",
        given_name="Léa",
        usual_name="Nguyen",
        email="lea.nguyen@haut-commissariat-exemple.gouv.fr",
        uid="lnguyen",
        siret="17988000100015",
        idp_id="haut-commissariat-exemple-fi",
        note=_("Agente du Haut-commissariat (démonstration)."),
    ),
    Agent(
        id="claire",
        given_name="Claire",
        usual_name="Dupuis",
        email="claire.dupuis@administration-exemple.gouv.fr",
        uid="cdupuis",
        siret="13000000000019",
        idp_id="administration-exemple-fi",
        note=_("Invitée par aucun service : CiviQuest refuse la connexion."),
    ),
)


def citizen(identity_id: str) -> Citizen | None:
    return next((item for item in CITIZENS if item.id == identity_id), None)


def agent(identity_id: str) -> Agent | None:
    return next((item for item in AGENTS if item.id == identity_id), None)
