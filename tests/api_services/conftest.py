"""Fixtures of the services' API: a token of the mairie's instructor, and the client that uses it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from civiquest.accounts.models import ApiTokenScope, ServiceApiToken, User
from civiquest.actions.api_tokens import api_token_create


@dataclass
class Token:
    token: ServiceApiToken
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


def make_token(agent: User, services, scope: str = ApiTokenScope.READ_WRITE, days: int = 30) -> Token:
    token, secret = api_token_create(
        agent=agent, name="Logiciel métier", service_ids=[service.pk for service in services], scope=scope, days=days
    )
    return Token(token, secret)


@pytest.fixture
def write_token(instructor, mairie) -> Token:
    return make_token(instructor, [mairie])


@pytest.fixture
def read_token(instructor, mairie) -> Token:
    return make_token(instructor, [mairie], scope=ApiTokenScope.READ)


def quests_url(service) -> str:
    return f"/api/v1/services/{service.pk}/quests"


def quest_url(quest, suffix: str = "") -> str:
    return f"/api/v1/services/{quest.procedure.instructing_service_id}/quests/{quest.reference}{suffix}"
