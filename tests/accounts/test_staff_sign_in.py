"""Staff sign-in: a password, then a TOTP code (enrolled at the first sign-in), lockout, short sessions."""

import datetime as dt
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertRedirects

from civiquest.accounts.staff_auth import PENDING_SESSION_KEY
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    SuperuserFactory,
    current_code,
    login_verified,
    wrong_code,
)

LOGIN = "/compte/connexion/"
WRONG_LOGIN = "Saisissez un nom d’utilisateur et un mot de passe valides"
WRONG_CODE = "Ce code n’est pas valide."
LOCKED_OUT = "Connexion temporairement bloquée"


@pytest.fixture
def no_throttle(settings):
    """django-otp makes a device wait 1 s, 2 s, 4 s… after each wrong code; not in these tests."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def new_staff(db):
    """Staff who never signed in: no TOTP device yet."""
    return StaffFactory(totp_device=False)


def password_step(client, user, password=DEFAULT_PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password}, **extra)


def code_step(client, code, url_name="accounts:otp-verify"):
    return client.post(reverse(url_name), {"code": code})


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


class TestEnrolment:
    def test_first_sign_in_enrols_a_device_with_a_qr_code_then_opens_a_verified_session(self, client, new_staff):
        response = password_step(client, new_staff)
        assertRedirects(response, reverse("accounts:otp-enrol"))
        assert not is_signed_in(client)

        page = client.get(reverse("accounts:otp-enrol"))
        content = page.content.decode()
        device = TOTPDevice.objects.get(user=new_staff)
        assert not device.confirmed
        # An inline SVG made here (no external service), named for assistive technologies…
        assert "<svg" in content and 'role="img"' in content and "aria-label=" in content
        assert "<img" not in content
        # … and its text alternative: the secret in groups of four, and the otpauth URI.
        secret = "".join(page.context["enrolment"].secret_groups)
        assert b32decode(secret) == device.bin_key
        assert " ".join(page.context["enrolment"].secret_groups) in content
        assert f"otpauth://totp/CiviQuest%3A{new_staff.username}?secret={secret}" in content

        response = code_step(client, current_code(new_staff), "accounts:otp-enrol")
        assertRedirects(response, reverse("accounts:after-login"), fetch_redirect_response=False)
        device.refresh_from_db()
        assert device.confirmed
        assert client.session[SESSION_KEY] == str(new_staff.pk)
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert PENDING_SESSION_KEY not in client.session
        assert client.get(reverse("staff:home")).status_code == 200

    def test_enrolment_refuses_a_wrong_code_and_keeps_the_device_unconfirmed(self, client, new_staff, no_throttle):
        password_step(client, new_staff)
        response = code_step(client, wrong_code(new_staff), "accounts:otp-enrol")
        assert response.status_code == 200
        assert WRONG_CODE in response.content.decode()
        assert not TOTPDevice.objects.get(user=new_staff).confirmed
        assert not is_signed_in(client)

    def test_each_new_sign_in_gets_a_fresh_secret(self, client, new_staff):
        password_step(client, new_staff)
        first_key = TOTPDevice.objects.get(user=new_staff).key
        password_step(client, new_staff)
        devices = TOTPDevice.objects.filter(user=new_staff)
        assert devices.count() == 1 and devices.get().key != first_key

    def test_an_enrolled_user_never_sees_the_enrolment_page(self, client, staff):
        password_step(client, staff)
        assertRedirects(client.get(reverse("accounts:otp-enrol")), reverse("accounts:otp-verify"))

    def test_the_code_step_sends_a_user_without_device_to_enrolment(self, client, new_staff):
        password_step(client, new_staff)
        assertRedirects(client.get(reverse("accounts:otp-verify")), reverse("accounts:otp-enrol"))


class TestCodeStep:
    def test_password_then_code_opens_a_verified_staff_session(self, client, staff, settings):
        response = password_step(client, staff)
        assertRedirects(response, reverse("accounts:otp-verify"))
        assert not is_signed_in(client)
        assert client.get(reverse("accounts:otp-verify")).status_code == 200

        response = code_step(client, current_code(staff))
        assertRedirects(response, reverse("accounts:after-login"), fetch_redirect_response=False)
        assert client.session[SESSION_KEY] == str(staff.pk)
        assert client.get(reverse("staff:home")).status_code == 200
        # A short session for staff.
        assert 0 < client.session.get_expiry_age() <= settings.CIVIQUEST_STAFF_SESSION_SECONDS
        assert settings.CIVIQUEST_STAFF_SESSION_SECONDS < settings.SESSION_COOKIE_AGE

    def test_the_session_key_changes_when_the_session_opens(self, client, staff):
        password_step(client, staff)
        pending_key = client.session.session_key
        code_step(client, current_code(staff))
        assert client.session.session_key != pending_key

    def test_the_password_alone_does_not_open_the_staff_portal(self, client, staff):
        password_step(client, staff)
        response = client.get(reverse("staff:home"))
        assertRedirects(response, f"{LOGIN}?next=/gestion/", fetch_redirect_response=False)

    def test_a_wrong_code_is_refused_with_a_translated_error(self, client, staff, no_throttle):
        password_step(client, staff)
        code = wrong_code(staff)
        response = code_step(client, code)
        assert response.status_code == 200
        content = response.content.decode()
        assert WRONG_CODE in content
        assert "fr-input-group--error" in content
        assert not is_signed_in(client)
        # Counted for the lockout, without keeping the code.
        attempt = AccessAttempt.objects.get(username=staff.username)
        assert attempt.failures_since_start == 1 and code not in attempt.post_data
        # The pending sign-in goes on: the right code still works.
        assertRedirects(
            code_step(client, current_code(staff)), reverse("accounts:after-login"), target_status_code=302
        )

    def test_a_malformed_code_is_refused_before_any_check(self, client, staff):
        password_step(client, staff)
        response = code_step(client, "12ab56")
        assert "Saisissez les 6 chiffres du code" in response.content.decode()
        assert AccessAttempt.objects.count() == 0

    def test_spaces_in_the_code_are_ignored(self, client, staff):
        password_step(client, staff)
        code = current_code(staff)
        response = code_step(client, f"{code[:3]} {code[3:]}")
        assert response.status_code == 302 and is_signed_in(client)

    def test_quick_retries_are_throttled_by_the_device(self, client, staff):
        password_step(client, staff)
        code_step(client, wrong_code(staff))
        response = code_step(client, current_code(staff))
        assert "patientez quelques secondes" in response.content.decode()
        assert not is_signed_in(client)

    def test_the_code_step_needs_a_pending_sign_in(self, client, db):
        assertRedirects(client.get(reverse("accounts:otp-verify")), LOGIN)
        assertRedirects(client.post(reverse("accounts:otp-verify"), {"code": "123456"}), LOGIN)

    def test_an_expired_pending_sign_in_starts_over(self, client, staff):
        password_step(client, staff)
        session = client.session
        session[PENDING_SESSION_KEY]["expires_at"] = timezone.now().timestamp() - 1
        session.save()
        response = client.post(reverse("accounts:otp-verify"), {"code": current_code(staff)}, follow=True)
        assert response.redirect_chain[-1][0] == LOGIN
        assert "Votre connexion a expiré" in response.content.decode()
        assert not is_signed_in(client)
        assert PENDING_SESSION_KEY not in client.session

    def test_a_deactivated_account_cannot_finish_its_sign_in(self, client, staff):
        password_step(client, staff)
        staff.is_active = False
        staff.save()
        assertRedirects(client.post(reverse("accounts:otp-verify"), {"code": current_code(staff)}), LOGIN)
        assert not is_signed_in(client)

    def test_the_page_asked_for_is_reached_after_the_code(self, client, staff):
        client.post(
            f"{LOGIN}?next=/gestion/agents/",
            {"username": staff.username, "password": DEFAULT_PASSWORD, "next": "/gestion/agents/"},
        )
        assertRedirects(code_step(client, current_code(staff)), "/gestion/agents/")


class TestWhoMaySignIn:
    @pytest.mark.parametrize("role", ["citizen", "agent"])
    def test_other_roles_get_the_wrong_password_error(self, client, user_for_role, role):
        user = user_for_role(role)
        right = password_step(client, user)
        wrong = password_step(client, user, password="wrong")
        assert right.status_code == wrong.status_code == 200
        assert WRONG_LOGIN in right.content.decode()
        # Same page as a wrong password: nothing tells that the password was right.
        assert right.context["form"].errors == wrong.context["form"].errors
        assert not is_signed_in(client) and PENDING_SESSION_KEY not in client.session

    def test_an_inactive_staff_member_gets_the_wrong_password_error(self, client, staff):
        staff.is_active = False
        staff.save()
        response = password_step(client, staff)
        assert WRONG_LOGIN in response.content.decode()
        assert PENDING_SESSION_KEY not in client.session

    def test_an_unknown_username_gets_the_same_error(self, client, db):
        response = client.post(reverse("accounts:login"), {"username": "personne", "password": "x" * 12})
        assert WRONG_LOGIN in response.content.decode()


class TestSecondFactorIsRequired:
    def test_a_staff_session_without_second_factor_is_sent_to_sign_in(self, client, staff):
        client.force_login(staff)
        response = client.get(reverse("staff:home"))
        assertRedirects(response, f"{LOGIN}?next=/gestion/", fetch_redirect_response=False)
        # The sign-in page asks again rather than bouncing back to the portal.
        assert client.get(f"{LOGIN}?next=/gestion/").status_code == 200
        assert client.get(reverse("staff:agents")).status_code == 302

    def test_signing_in_again_from_such_a_session_goes_through_the_code(self, client, staff):
        client.force_login(staff)
        response = password_step(client, staff)
        assertRedirects(response, reverse("accounts:otp-verify"))
        assert not is_signed_in(client)
        code_step(client, current_code(staff))
        assert client.get(reverse("staff:home")).status_code == 200

    def test_a_device_of_another_user_does_not_verify_the_session(self, client, staff):
        other = StaffFactory()
        client.force_login(staff)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=other).persistent_id
        session.save()
        assert client.get(reverse("staff:home")).status_code == 302

    def test_a_verified_staff_session_enters(self, client, staff):
        login_verified(client, staff)
        assert client.get(reverse("staff:home")).status_code == 200


class TestLockout:
    def test_five_wrong_passwords_lock_out_even_the_right_one(self, client, staff):
        for attempt in range(4):
            assert password_step(client, staff, password=f"wrong-{attempt}").status_code == 200
        response = password_step(client, staff, password="wrong-5")
        assert response.status_code == 429
        response = password_step(client, staff)
        assert response.status_code == 429
        content = response.content.decode()
        assert LOCKED_OUT in content and "15 minutes" in content
        assert "fr-header" in content and "fr-footer" in content
        assert PENDING_SESSION_KEY not in client.session and not is_signed_in(client)

    def test_the_lockout_holds_the_account_whatever_the_address(self, client, staff):
        for attempt in range(5):
            password_step(client, staff, password=f"wrong-{attempt}")
        assert password_step(client, staff).status_code == 429
        # Another address, or a forged X-Forwarded-For (no proxy is trusted), does not reset it.
        assert password_step(client, staff, REMOTE_ADDR="10.0.0.2").status_code == 429
        assert password_step(client, staff, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
        # Other accounts are not affected.
        other = StaffFactory()
        assertRedirects(password_step(client, other), reverse("accounts:otp-verify"))

    def test_failures_spread_over_addresses_still_lock_the_account(self, client, staff, settings):
        settings.CIVIQUEST_TRUSTED_PROXIES = ["127.0.0.1"]
        for attempt in range(5):
            forwarded = f"198.51.100.{attempt}"
            password_step(client, staff, password=f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=forwarded)
        assert password_step(client, staff, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429

    def test_the_lockout_ends_after_fifteen_minutes(self, client, staff):
        for attempt in range(5):
            password_step(client, staff, password=f"wrong-{attempt}")
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
        assertRedirects(password_step(client, staff), reverse("accounts:otp-verify"))

    def test_right_passwords_of_other_roles_count_too(self, client, citizen):
        for _attempt in range(4):
            assert password_step(client, citizen).status_code == 200
        assert password_step(client, citizen).status_code == 429

    def test_five_wrong_codes_lock_out(self, client, staff, no_throttle):
        password_step(client, staff)
        for _attempt in range(4):
            assert WRONG_CODE in code_step(client, wrong_code(staff)).content.decode()
        response = code_step(client, wrong_code(staff))
        assert response.status_code == 429
        assert LOCKED_OUT in response.content.decode()
        # The pending sign-in is over, and the password is locked out too.
        assert PENDING_SESSION_KEY not in client.session
        assertRedirects(code_step(client, current_code(staff)), LOGIN)
        assert password_step(client, staff).status_code == 429
        assert not is_signed_in(client)

    def test_wrong_codes_end_the_pending_sign_in_even_without_axes(self, client, staff, no_throttle, settings):
        settings.AXES_ENABLED = False
        password_step(client, staff)
        for _attempt in range(4):
            code_step(client, wrong_code(staff))
        assert code_step(client, wrong_code(staff)).status_code == 429
        assertRedirects(code_step(client, current_code(staff)), LOGIN)

    @pytest.mark.parametrize(
        ("user_fixture", "url_name"), [("staff", "accounts:otp-verify"), ("new_staff", "accounts:otp-enrol")]
    )
    def test_a_lockout_reached_while_the_code_is_awaited_refuses_even_the_right_code(
        self, db, client, request, user_fixture, url_name
    ):
        user = request.getfixturevalue(user_fixture)
        password_step(client, user)
        # Meanwhile someone else fails the password five times: the account is locked out.
        elsewhere = Client()
        for attempt in range(5):
            password_step(elsewhere, user, password=f"wrong-{attempt}")
        response = code_step(client, current_code(user), url_name)
        assert response.status_code == 429
        assert LOCKED_OUT in response.content.decode()
        assert PENDING_SESSION_KEY not in client.session and not is_signed_in(client)

    def test_a_complete_sign_in_resets_the_count(self, client, staff):
        for attempt in range(4):
            password_step(client, staff, password=f"wrong-{attempt}")
        password_step(client, staff)
        code_step(client, current_code(staff))
        assert is_signed_in(client)
        client.post(reverse("accounts:logout"))
        for attempt in range(4):
            assert password_step(client, staff, password=f"wrong-again-{attempt}").status_code == 200
        assertRedirects(password_step(client, staff), reverse("accounts:otp-verify"))


class TestDjangoAdmin:
    def test_a_verified_superuser_enters(self, client, superuser):
        login_verified(client, superuser)
        assert client.get("/django-admin/").status_code == 200

    def test_a_superuser_without_second_factor_is_sent_to_the_staff_sign_in(self, client, superuser):
        client.force_login(superuser)
        response = client.get("/django-admin/")
        assertRedirects(response, "/django-admin/login/?next=/django-admin/", fetch_redirect_response=False)
        response = client.get(response["Location"])
        assertRedirects(response, f"{LOGIN}?next=/django-admin/", fetch_redirect_response=False)

    def test_the_admin_login_page_sends_anonymous_visitors_to_the_staff_sign_in(self, client, db):
        response = client.get("/django-admin/login/?next=/django-admin/accounts/user/")
        assertRedirects(response, f"{LOGIN}?next=/django-admin/accounts/user/", fetch_redirect_response=False)
        response = client.get("/django-admin/login/?next=https://evil.example/")
        assertRedirects(response, f"{LOGIN}?next=/django-admin/", fetch_redirect_response=False)

    def test_verified_staff_who_are_not_superusers_are_refused(self, client, staff):
        login_verified(client, staff)
        assert client.get("/django-admin/").status_code == 302
        assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403

    def test_a_superuser_signs_in_with_password_and_code_and_lands_in_the_admin(self, client, superuser):
        response = client.get("/django-admin/", follow=True)
        assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/django-admin/"
        client.post(
            f"{LOGIN}?next=/django-admin/",
            {"username": superuser.username, "password": DEFAULT_PASSWORD, "next": "/django-admin/"},
        )
        assertRedirects(code_step(client, current_code(superuser)), "/django-admin/")


class TestDemoAccount:
    def test_the_demo_admin_signs_in_with_the_printed_secret(self, client, db, capsys):
        from civiquest.accounts.services import DEMO_STAFF_TOTP_SECRET

        call_command("demo_seed")
        call_command("demo_seed")
        output = capsys.readouterr().out
        assert "CIVI QUES TDEM OTOT PADM INKE Y234 5672" in output
        assert f"otpauth://totp/CiviQuest%3Aadmin?secret={DEMO_STAFF_TOTP_SECRET}" in output
        device = TOTPDevice.objects.get(user__username="admin")
        assert device.confirmed
        client.post(reverse("accounts:login"), {"username": "admin", "password": "demo-admin-2026"})
        code = f"{totp(b32decode(DEMO_STAFF_TOTP_SECRET)):06d}"
        assertRedirects(code_step(client, code), reverse("accounts:after-login"), target_status_code=302)
        assert client.get("/django-admin/").status_code == 200


def test_superuser_factory_gets_a_confirmed_device(db):
    assert TOTPDevice.objects.get(user=SuperuserFactory()).confirmed


def test_demo_totp_prints_a_code_the_demo_staff_account_accepts(db):
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("demo_seed", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().split(": ")[1][:6]
    device = TOTPDevice.objects.get(user__username="admin")
    assert device.verify_token(code)
