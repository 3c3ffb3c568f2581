"""Schemathesis over the whole OpenAPI schema of ``/api/v1/``, against a live server over loopback.

Every operation is called with generated input (valid and invalid, NUL bytes included) as a
signed-in citizen (session cookie and CSRF header) and anonymously, and the services' API also
with a read-write token, on the generated path and on a service and quest the token reaches; the
same JSON bodies are sent again with a lone surrogate in each string. No answer may be a server error: bad input
is a 4xx with a message. The rate limits are raised so that the operations are exercised
past them (their 429 is tested where they are defined).
"""

from __future__ import annotations

import gzip
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from civiquest.accounts.models import ApiTokenScope
from civiquest.actions.api_tokens import api_token_create
from civiquest.integrations.address import importer
from tests.accounts.factories import CitizenFactory, login_verified
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest

pytestmark = pytest.mark.django_db(transaction=True)

# "METHOD path": why fuzzing it would break the run itself.
EXCLUDED_OPERATIONS: dict[str, str] = {
    "DELETE /api/v1/me": "erases the signed-in citizen's account and session, which every later case needs",
}

# Per operation, each way of calling it: about 2 minutes for the whole schema on 2 CPUs.
MAX_EXAMPLES = 40
SURROGATE = "\ud800"
BAN_EXTRACT = Path(django_settings.BASE_DIR) / "data" / "ban" / "adresses-addok-nouvelle-caledonie.ndjson.gz"


def _ban_sample(tmp_path: Path, size: int = 40) -> Path:
    """The first addresses of Nouméa in the real BAN extract: the local geocoder then answers."""
    lines = []
    with gzip.open(BAN_EXTRACT, "rt", encoding="utf-8") as handle:
        for line in handle:
            if '"98818"' in line:
                lines.append(line)
            if len(lines) == size:
                break
    path = tmp_path / "ban-sample.ndjson"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _labels_in_code() -> list[str]:
    """Every operation of the schema as the code declares it (collection runs before any server)."""
    from civiquest.api import api

    document = api.get_openapi_schema()
    return sorted(f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item)


@pytest.fixture
def api_schema(live_server, settings, tmp_path) -> schemathesis.BaseSchema:
    """The schema as the live server publishes it; outside calls answered in-process, limits raised."""
    settings.ADDRESS_BACKEND = "local"
    settings.ADDRESS_API_RATE_LIMIT = 100_000
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 100_000
    settings.TAXES_SIMULATIONS_PER_WINDOW = 100_000
    settings.ENTRAIDE_RATE_LIMIT_QUESTIONS = settings.ENTRAIDE_RATE_LIMIT_ANSWERS = 100_000
    settings.ENTRAIDE_RATE_LIMIT_VOTES = 100_000
    settings.SERVICES_API_RATE_LIMIT = 100_000
    settings.ASSISTANT_PROVIDER = "extractive"
    importer.import_file(_ban_sample(tmp_path))
    config = SchemathesisConfig()
    # NUL bytes in every string; schemathesis cannot put a lone surrogate on the wire (see below).
    config.projects.default.generation.update(
        allow_x00=True, codec="utf-8", deterministic=True, with_security_parameters=False
    )
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json", config=config)


@pytest.fixture
def citizen_session(live_server, client) -> Iterator[requests.Session]:
    """A requests session signed in as a citizen, with the CSRF cookie and header Django checks."""
    login_verified(client, CitizenFactory())
    token = secrets.token_hex(16)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.cookies.set(django_settings.CSRF_COOKIE_NAME, token)
    session.headers["X-CSRFToken"] = token
    yield session
    session.close()


SERVICES_API = "/api/v1/services/"


@dataclass
class ServiceToken:
    """A read-write token of the services' API, and a service and quest it reaches."""

    headers: dict[str, str]
    service_id: int
    reference: str
    document_id: int


def _service_token() -> ServiceToken:
    service = ServiceFactory()
    agent = member_of(service)
    procedure, _revision = published(INSTRUCTED_STEPS, service=service, slug="demarche-fuzz", title="Démarche")
    quest = submitted_quest(procedure)
    _token, secret = api_token_create(
        agent=agent, name="Fuzz", service_ids=[service.pk], scope=ApiTokenScope.READ_WRITE, days=1
    )
    document_id = quest.documents.values_list("document_id", flat=True).first()
    return ServiceToken({"Authorization": f"Bearer {secret}"}, service.pk, quest.reference, document_id)


def _with_surrogates(value: Any) -> Any:
    """The same JSON value with a lone surrogate appended to every string (keys included)."""
    if isinstance(value, str):
        return value + SURROGATE
    if isinstance(value, list):
        return [_with_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_with_surrogates(key): _with_surrogates(item) for key, item in value.items()}
    return value


def _assert_no_server_error(response: Any, case: schemathesis.Case, how: str) -> None:
    # 503 with Retry-After is the documented "service unavailable" of an outside dependency.
    unavailable = response.status_code == 503 and "Retry-After" in response.headers
    assert response.status_code < 500 or unavailable, (
        f"{case.operation.label} {how}: {response.status_code}\n{case.as_curl_command()}\n{response.text[:500]}"
    )


def _call_every_way(
    case: schemathesis.Case, session: requests.Session, url: str, token: ServiceToken | None = None
) -> int | None:
    """Call the case every way; with a service token, the status it got on the token's own service."""
    _assert_no_server_error(case.call(session=session, timeout=30), case, "as a citizen")
    _assert_no_server_error(case.call(timeout=30), case, "anonymously")
    status = None
    if token is not None:
        # The services' API: with its token, on the generated path, then on a service and quest it reaches.
        _assert_no_server_error(case.call(headers=token.headers, timeout=30), case, "with a service token")
        generated = dict(case.path_parameters or {})
        real = (
            {"service_id": token.service_id}
            | ({"reference": token.reference} if "reference" in generated else {})
            | ({"document_id": token.document_id} if "document_id" in generated else {})
        )
        case.path_parameters = {**generated, **real}
        reached = case.call(headers=token.headers, timeout=30)
        _assert_no_server_error(reached, case, "on the token's service")
        status = reached.status_code
        case.path_parameters = generated
    if isinstance(case.body, dict | list | str) and "json" in (case.media_type or ""):
        # ``json.dumps`` escapes it as ``\ud800``, as a careless client would send it.
        body = json.dumps(_with_surrogates(case.body))
        if "\\ud800" in body:  # at least one string carried it
            refused = session.request(
                case.method, url, data=body, headers={"Content-Type": "application/json"}, timeout=30
            )
            assert refused.status_code == 400, refused.text
            assert "caractère invalide" in refused.json()["detail"]
    return status


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", _labels_in_code())
def test_no_input_gives_a_server_error(
    label: str,
    mode: GenerationMode,
    api_schema: schemathesis.BaseSchema,
    citizen_session: requests.Session,
) -> None:
    assert label not in EXCLUDED_OPERATIONS or pytest.skip(EXCLUDED_OPERATIONS[label])
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is in the code but not in the schema the server publishes"
    url = f"{operation.base_url}{operation.path}"
    inputs = (operation.path_parameters, operation.query, operation.headers, operation.cookies, operation.body)
    if mode == GenerationMode.NEGATIVE and not any(len(parameters) for parameters in inputs):
        pytest.skip("takes no input: nothing to make invalid (the positive run calls it)")
    token = _service_token() if operation.path.startswith(SERVICES_API) else None
    reached: list[int] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        status = _call_every_way(case, citizen_session, url, token)
        if status is not None:
            reached.append(status)

    fuzz()
    if token is not None and mode == GenerationMode.POSITIVE:
        # Valid input on a service and quest the token reaches is answered, not only refused.
        assert any(200 <= status < 300 for status in reached), sorted(set(reached))


def test_the_live_schema_is_the_code_schema(api_schema: schemathesis.BaseSchema) -> None:
    """Nothing the server publishes escapes the fuzzing above, and each exclusion names a real operation."""
    published = sorted(result.ok().label for result in api_schema.get_all_operations())
    assert published == _labels_in_code()
    assert set(EXCLUDED_OPERATIONS) <= set(published)
