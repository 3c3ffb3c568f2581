"""Staff sign-in: a password, then a TOTP code, and only then a session.

Between the two steps the session holds a *pending sign-in* (user id, expiry, where to
go next, the device being enrolled), never an authenticated user. A staff member without
a confirmed TOTP device enrols one at their first sign-in. Wrong passwords and wrong
codes both count towards django-axes' lockout of the account (and of the account and address); the
pending sign-in also ends after as many wrong codes, whatever axes says.
"""

from __future__ import annotations

import enum
import math
import xml.etree.ElementTree as ET  # noqa: S405 - we build the SVG, we never parse input
from base64 import b32encode
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any

import django_otp
import qrcode
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from civiquest.accounts.models import Role, User

PENDING_SESSION_KEY = "civiquest_staff_sign_in"
TOTP_DEVICE_NAME = "authenticator"
# How many wrong codes end a pending sign-in (the same limit as axes' lockout).
MAX_CODE_FAILURES = 5


@dataclass(frozen=True)
class PendingSignIn:
    """A staff member who gave the right password and still owes a TOTP code."""

    user_id: int
    backend: str
    redirect_to: str
    expires_at: float
    # Set while the user enrols their first device (the device is unconfirmed until then).
    enrolment_device_id: int | None = None
    failures: int = 0

    @property
    def enrolling(self) -> bool:
        return self.enrolment_device_id is not None


class CodeOutcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    # django-otp's throttling: too many recent failures on this device, wait a little.
    THROTTLED = "throttled"
    LOCKED_OUT = "locked_out"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: a QR code and, as its text alternative, the secret."""

    qr_svg: SafeString
    secret_groups: list[str]
    uri: str


def staff_may_sign_in(user: User) -> bool:
    return bool(user.is_active and user.role == Role.STAFF)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


# --- Devices (writes) ---------------------------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A new unconfirmed device with a fresh secret; earlier unconfirmed ones are dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """The user proved they hold the secret: the device now signs them in."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).exclude(pk=device.pk).delete()
    return device


@transaction.atomic
def totp_device_set(*, user: User, key_hex: str) -> TOTPDevice:
    """Give the user exactly one confirmed device with this secret (demo accounts); idempotent."""
    TOTPDevice.objects.filter(user=user).exclude(name=TOTP_DEVICE_NAME, key=key_hex).delete()
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name=TOTP_DEVICE_NAME,
        key=key_hex,
        defaults={"confirmed": True, "throttling_failure_count": 0, "throttling_failure_timestamp": None},
    )
    return device


# --- The pending sign-in, kept in the session ------------------------------------------


def pending_start(request: HttpRequest, *, user: User, redirect_to: str) -> PendingSignIn:
    """After the right password: remember who signs in, not yet signed in."""
    enrolment_device = None if confirmed_device(user) is not None else totp_enrolment_start(user=user)
    pending = PendingSignIn(
        user_id=user.pk,
        backend=getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        redirect_to=redirect_to,
        expires_at=timezone.now().timestamp() + settings.CIVIQUEST_STAFF_SIGN_IN_PENDING_SECONDS,
        enrolment_device_id=enrolment_device.pk if enrolment_device is not None else None,
    )
    # A new key for the new state, so that a key seen before the password is worth nothing.
    request.session.cycle_key()
    _pending_save(request, pending)
    return pending


def pending_exists(request: HttpRequest) -> bool:
    return PENDING_SESSION_KEY in request.session


def pending_load(request: HttpRequest) -> tuple[PendingSignIn, User] | None:
    """The pending sign-in and its user, if there is one and it is still valid."""
    raw = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        pending = PendingSignIn(**raw)
    except TypeError:
        return None
    if pending.expires_at < timezone.now().timestamp():
        return None
    user = User.objects.filter(pk=pending.user_id).first()
    if user is None or not staff_may_sign_in(user):
        return None
    return pending, user


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def _pending_save(request: HttpRequest, pending: PendingSignIn) -> None:
    request.session[PENDING_SESSION_KEY] = asdict(pending)


def enrolment_device(pending: PendingSignIn, user: User) -> TOTPDevice | None:
    if pending.enrolment_device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=pending.enrolment_device_id, user=user, confirmed=False).first()


# --- Lockout (django-axes) ---------------------------------------------------------------


def failure_record(request: HttpRequest, *, username: str) -> None:
    """Count a failed sign-in for axes, as Django does for a wrong password."""
    user_login_failed.send(sender=__name__, credentials=get_credentials(username), request=request)


def is_locked_out(request: HttpRequest, *, username: str) -> bool:
    if not settings.AXES_ENABLED:
        return False
    return not AxesProxyHandler.is_allowed(request, get_credentials(username))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (``AXES_LOCKOUT_CALLABLE``): 429, how long to wait, what to do."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    context = {
        "title": _("Connexion temporairement bloquée"),
        "cooloff_minutes": max(1, math.ceil(cool_off.total_seconds() / 60)),
    }
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- The code step -------------------------------------------------------------------------


def code_submit(
    request: HttpRequest, *, pending: PendingSignIn, user: User, device: TOTPDevice, code: str
) -> CodeOutcome:
    """Check a TOTP code for the pending sign-in; a wrong one counts as a failed sign-in."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return CodeOutcome.THROTTLED
    if django_otp.verify_token(user, device.persistent_id, code) is not None:
        return CodeOutcome.VERIFIED
    failure_record(request, username=user.get_username())
    pending = replace(pending, failures=pending.failures + 1)
    if getattr(request, "axes_locked_out", False) or pending.failures >= MAX_CODE_FAILURES:
        pending_clear(request)
        return CodeOutcome.LOCKED_OUT
    _pending_save(request, pending)
    return CodeOutcome.WRONG


def sign_in_complete(request: HttpRequest, *, pending: PendingSignIn, user: User, device: TOTPDevice) -> None:
    """Open the staff session: signed in, OTP-verified, with a new key and a short life."""
    pending_clear(request)
    # Django's login rotates the session key.
    auth_login(request, user, backend=pending.backend)
    django_otp.login(request, device)
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.CIVIQUEST_STAFF_SESSION_SECONDS))


# --- Enrolment page ---------------------------------------------------------------------------


def secret_groups(device: TOTPDevice) -> list[str]:
    """The secret in base32, in groups of four characters, for manual entry."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return [secret[start : start + 4] for start in range(0, len(secret), 4)]


def qr_code_svg(data: str, *, label: str) -> SafeString:
    """An inline SVG QR code (dark on white, whatever the colour scheme), labelled for assistive tech."""
    image = qrcode.make(data, image_factory=SvgPathFillImage, box_size=10, border=4)
    root = image.get_image()
    root.set("width", "240")
    root.set("height", "240")
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("focusable", "false")
    # Built by qrcode from our own data; ElementTree escapes the attribute values.
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308


def enrolment_details(device: TOTPDevice) -> Enrolment:
    uri = device.config_url
    return Enrolment(
        qr_svg=qr_code_svg(uri, label=_("QR code à scanner avec votre application d’authentification")),
        secret_groups=secret_groups(device),
        uri=uri,
    )
