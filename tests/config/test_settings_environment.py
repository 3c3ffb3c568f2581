"""The settings read their variables through config/env.py: a value takes effect, a bad one
stops the start with a message naming it.

Each case imports the settings in a fresh process (`python -c`, DJANGO_SETTINGS_MODULE=config.settings),
since settings are read once at start-up.
"""

import json
from pathlib import Path

from tests.utils import run_django

PROBE = """
import json, django
from django.conf import settings
django.setup()
from civiquest.core.middleware import request_max_bytes
from civiquest.documents.storage import PrivateFileSystemStorage
print(json.dumps({
    "upload_max_bytes": settings.CIVIQUEST_UPLOAD_MAX_BYTES,
    "request_max_bytes": request_max_bytes(),
    "private_root": PrivateFileSystemStorage().location,
    "embeddings": settings.ASSISTANT_EMBEDDINGS,
    "allowed_domains": settings.ASSISTANT_ALLOWED_DOMAINS,
    "assistant_timeout": settings.ASSISTANT_TIMEOUT,
    "ban": settings.INTEGRATIONS["ban"],
    "franceconnect_alg": settings.OIDC_PROVIDERS["franceconnect"]["SIGNING_ALG"],
    "franceconnect_callback": settings.OIDC_PROVIDERS["franceconnect"]["REDIRECT_URI"],
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "email_user": getattr(settings, "EMAIL_HOST_USER", None),
    "xp_cap": settings.PROGRESS_XP_DAILY_CAP,
    "log_level": settings.LOG_LEVEL,
}))
"""


def probe(extra_env: dict[str, str], tmp_path: Path) -> dict:
    result = run_django(["-c", PROBE], extra_env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults(tmp_path):
    values = probe({}, tmp_path)
    assert values["upload_max_bytes"] == 10 * 1024 * 1024
    # CIVIQUEST_REQUEST_MAX_BYTES unset: one upload at the limit plus 1 MiB.
    assert values["request_max_bytes"] == 11 * 1024 * 1024
    assert values["private_root"] == str(tmp_path / "var" / "private")
    assert values["embeddings"] is False
    assert values["allowed_domains"][:2] == ["service-public.fr", "gouv.fr"]
    assert values["assistant_timeout"] == 20.0
    assert values["ban"]["BASE_URL"] == "http://127.0.0.1:8000/sandbox/ban/geocodage"
    assert (values["ban"]["TIMEOUT"], values["ban"]["RETRIES"]) == (3.0, 2)
    assert values["franceconnect_alg"] == "ES256"
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["xp_cap"] == 100
    assert values["log_level"] == "INFO"


def test_variables_take_effect(tmp_path):
    values = probe(
        {
            "CIVIQUEST_UPLOAD_MAX_BYTES": "2048",
            "CIVIQUEST_REQUEST_MAX_BYTES": " 4096 ",
            "CIVIQUEST_PRIVATE_ROOT": str(tmp_path / "documents"),
            "ASSISTANT_EMBEDDINGS": "yes",
            "ASSISTANT_ALLOWED_DOMAINS": "service-public.fr, ,impots.gouv.fr",
            "ASSISTANT_TIMEOUT": "7.5",
            "CIVIQUEST_PUBLIC_URL": "https://civiquest.example.gouv.fr/",
            "BAN_API_URL": "http://addok:7878/",
            "BAN_API_RETRIES": "4",
            "FRANCECONNECT_SIGNING_ALG": "rs256",
            "EMAIL_URL": "smtps://ne-pas-repondre%40civiquest.example:secret@smtp.example.gouv.fr",
            "PROGRESS_XP_DAILY_CAP": "250",
            "CIVIQUEST_LOG_LEVEL": "warning",
        },
        tmp_path,
    )
    assert values["upload_max_bytes"] == 2048
    assert values["request_max_bytes"] == 4096
    assert values["private_root"] == str(tmp_path / "documents")
    assert values["embeddings"] is True
    assert values["allowed_domains"] == ["service-public.fr", "impots.gouv.fr"]
    assert values["assistant_timeout"] == 7.5
    assert values["ban"]["BASE_URL"] == "http://addok:7878"
    assert values["ban"]["RETRIES"] == 4
    assert values["franceconnect_alg"] == "RS256"
    assert (
        values["franceconnect_callback"] == "https://civiquest.example.gouv.fr/compte/connexion/franceconnect/retour/"
    )
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("smtp.example.gouv.fr", 465)
    assert values["email_user"] == "ne-pas-repondre@civiquest.example"
    assert values["xp_cap"] == 250
    assert values["log_level"] == "WARNING"


def test_a_bad_value_stops_the_start_naming_the_variable_and_the_value(tmp_path):
    result = run_django(["-c", PROBE], {"CIVIQUEST_UPLOAD_MAX_BYTES": "10M"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: CIVIQUEST_UPLOAD_MAX_BYTES='10M' is not an integer" in result.stderr


def test_manage_py_says_what_is_wrong_without_a_traceback(tmp_path):
    result = run_django(["manage.py", "check"], {"CIVIQUEST_SANDBOXES": "perhaps"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "CIVIQUEST_SANDBOXES='perhaps' is not a boolean (1, true, yes, on or 0, false, no, off)"
    )
