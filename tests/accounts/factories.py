import time

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civiquest.accounts.models import Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.fr")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's signature
        if create:
            obj.save()


class CitizenFactory(UserFactory):
    role = Role.CITIZEN


class AgentFactory(UserFactory):
    role = Role.AGENT
    first_name = "Karim"


class StaffFactory(UserFactory):
    """Platform staff, with a confirmed TOTP device unless built with ``totp_device=False``."""

    role = Role.STAFF
    first_name = "Sophie"

    @factory.post_generation
    def totp_device(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's signature
        if create and extracted is not False:
            confirmed_totp_device(obj)


class SuperuserFactory(StaffFactory):
    is_superuser = True
    is_staff = True


def confirmed_totp_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, created if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def login_verified(client, user: User) -> None:
    """Sign a test client in as the user; staff also pass their second factor (TOTP).

    ``force_login`` opens the session; django-otp then reads the verifying device's
    persistent id from the session, as ``django_otp.login`` leaves it after a right code.
    """
    client.force_login(user)
    if user.role == Role.STAFF:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(user).persistent_id
        session.save()


def current_code(user: User) -> str:
    """The code the user's authenticator app shows now, for their latest TOTP device.

    A code is accepted once (django-otp remembers the last time step used), so after a
    sign-in in the same 30 seconds this gives the next step's code, which is accepted too.
    """
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    assert device is not None, "the user has no TOTP device"
    now_step = int((time.time() - device.t0) // device.step) + device.drift
    return f"{hotp(device.bin_key, max(now_step, device.last_t + 1), digits=device.digits):0{device.digits}d}"


def wrong_code(user: User) -> str:
    return f"{(int(current_code(user)) + 500000) % 1000000:06d}"
