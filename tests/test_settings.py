"""Settings come from the environment; production refuses an unsafe start.

Each case runs Django in a fresh process, since settings are read once at start-up.
"""

import json
from pathlib import Path

import pytest

from tests.utils import run_django

STRONG_SECRET = "x7#Lq9@vR2!mZ4$pT8&kW1^nB6*yC3(hF5)jD0_sG-uA+eQ=oI" * 2
PRODUCTION_ENV = {
    "CIVIQUEST_ENV": "production",
    "DATABASE_URL": "postgres://civiquest@127.0.0.1:5432/civiquest",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "civiquest.example.gouv.fr",
    "EMAIL_URL": "smtp://civiquest:secret@smtp.example.gouv.fr:587",
    "CIVIQUEST_PUBLIC_URL": "https://civiquest.example.gouv.fr",
    "FRANCECONNECT_DISCOVERY_URL": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
    "FRANCECONNECT_CLIENT_ID": "fc-client-id",
    "FRANCECONNECT_CLIENT_SECRET": "fc-client-secret",
    "PROCONNECT_DISCOVERY_URL": "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration",
    "PROCONNECT_CLIENT_ID": "pc-client-id",
    "PROCONNECT_CLIENT_SECRET": "pc-client-secret",
}
SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE,
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "sandboxes": settings.SANDBOXES_ENABLED,
    "debug": settings.DEBUG,
}))
"""


def probe(extra_env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    result = run_django(["-c", SETTINGS_PROBE], extra_env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_defaults_use_sqlite_under_var_and_in_process_services(tmp_path):
    values = probe({}, tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "var" / "civiquest.sqlite3")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["sessions"] == "django.contrib.sessions.backends.db"
    assert values["eager"] is True
    assert values["sandboxes"] is True
    assert values["debug"] is False


def test_redis_url_switches_cache_sessions_and_broker_to_redis(tmp_path):
    values = probe({"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path)
    assert values["cache"] == "civiquest.core.cache.ResilientRedisCache"
    assert values["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["eager"] is False


def test_database_url_selects_postgresql(tmp_path):
    values = probe({"DATABASE_URL": "postgres://someone@db.example:5432/civiquest"}, tmp_path)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "civiquest"


@pytest.mark.parametrize(
    "missing",
    [
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
        "FRANCECONNECT_CLIENT_ID",
        "PROCONNECT_CLIENT_SECRET",
    ],
)
def test_production_refuses_to_start_naming_what_is_missing(tmp_path, missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_django(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "Traceback" not in result.stderr
    # Only what is missing is named.
    for other in set(PRODUCTION_ENV) - {missing, "CIVIQUEST_ENV"}:
        assert f"{other} is not set" not in result.stderr


def test_production_refuses_sqlite(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/civiquest.sqlite3"}
    result = run_django(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_production_with_everything_set_passes_check_deploy(tmp_path):
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


POLICY_PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="civiquest.example.gouv.fr", secure=True)
print(json.dumps({"status": response.status_code, "policy": response["Content-Security-Policy"]}))
"""


def test_production_policy_lets_forms_reach_the_identity_providers_and_nothing_inline(tmp_path):
    result = run_django(["-c", POLICY_PROBE], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    directives = {name: values for name, *values in (part.split() for part in answer["policy"].split(";"))}
    assert directives["form-action"] == [
        "'self'",
        "https://oidc.franceconnect.gouv.fr",
        "https://civiquest.example.gouv.fr",
        "https://auth.proconnect.gouv.fr",
    ]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in answer["policy"]


def test_production_turns_sandboxes_and_debug_off_whatever_the_environment_says(tmp_path):
    values = probe({**PRODUCTION_ENV, "CIVIQUEST_SANDBOXES": "1", "CIVIQUEST_DEBUG": "1"}, tmp_path)
    assert values["sandboxes"] is False
    assert values["debug"] is False
