from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from civiquest.accounts import staff_auth
from civiquest.accounts.access import PUBLIC, public, second_factor_missing
from civiquest.accounts.forms import LoginForm, TOTPCodeForm
from civiquest.accounts.models import Role, User

PORTAL_HOME_BY_ROLE = {
    Role.CITIZEN: "citizen:dashboard",
    Role.AGENT: "agent:home",
    Role.STAFF: "staff:home",
}


class LoginView(auth_views.LoginView):
    """Staff sign-in, first step: the password. The code step follows, then the session opens."""

    civiquest_access = PUBLIC
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Connexion administrateur")}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A staff session that never passed its second factor starts the sign-in again
        # rather than bouncing between this page and the portal.
        self.redirect_authenticated_user = not second_factor_missing(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        redirect_to = self.get_success_url()
        if self.request.user.is_authenticated:
            auth_logout(self.request)
        pending = staff_auth.pending_start(self.request, user=user, redirect_to=redirect_to)
        return redirect("accounts:otp-enrol" if pending.enrolling else "accounts:otp-verify")


class LogoutView(auth_views.LogoutView):
    """Sign-out is a POST (Django refuses GET), open to anyone: signing out twice is harmless."""

    civiquest_access = PUBLIC


@public
def after_login(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to the home of their portal."""
    if not request.user.is_authenticated:
        return redirect("oidc:franceconnect")
    return redirect(PORTAL_HOME_BY_ROLE.get(Role(request.user.role), "citizen:home"))


def _restart_sign_in(request: HttpRequest) -> HttpResponse:
    """Back to the password: the pending sign-in is missing, expired or no longer valid."""
    if staff_auth.pending_exists(request):
        messages.warning(
            request, _("Votre connexion a expiré. Saisissez à nouveau votre identifiant et votre mot de passe.")
        )
    staff_auth.pending_clear(request)
    return redirect("accounts:login")


def _code_step(
    request: HttpRequest, pending: staff_auth.PendingSignIn, user: User, form: TOTPCodeForm, device: TOTPDevice
) -> HttpResponse | None:
    """Check a submitted code: the response to send, or None to show the form (with its errors)."""
    outcome = staff_auth.code_submit(
        request, pending=pending, user=user, device=device, code=form.cleaned_data["code"]
    )
    if outcome == staff_auth.CodeOutcome.VERIFIED:
        if pending.enrolling:
            staff_auth.totp_enrolment_confirm(device=device)
        staff_auth.sign_in_complete(request, pending=pending, user=user, device=device)
        return redirect(pending.redirect_to)
    if outcome == staff_auth.CodeOutcome.LOCKED_OUT:
        return staff_auth.lockout_response(request)
    if outcome == staff_auth.CodeOutcome.THROTTLED:
        form.add_error(
            "code", _("Trop d’essais rapprochés : patientez quelques secondes, puis saisissez le code affiché.")
        )
    else:
        form.add_error(
            "code", _("Ce code n’est pas valide. Saisissez le code affiché maintenant par votre application.")
        )
    return None


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Staff sign-in, second step: the code of the device enrolled before."""
    loaded = staff_auth.pending_load(request)
    if loaded is None:
        return _restart_sign_in(request)
    pending, user = loaded
    if pending.enrolling:
        return redirect("accounts:otp-enrol")
    device = staff_auth.confirmed_device(user)
    if device is None:
        return _restart_sign_in(request)
    if staff_auth.is_locked_out(request, username=user.get_username()):
        staff_auth.pending_clear(request)
        return staff_auth.lockout_response(request)
    form = TOTPCodeForm(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        response = _code_step(request, pending, user, form, device)
        if response is not None:
            return response
    return render(request, "accounts/otp_verify.html", {"title": _("Code de validation"), "form": form})


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Staff sign-in, second step at the first sign-in: add an authenticator app, confirm with a code."""
    loaded = staff_auth.pending_load(request)
    if loaded is None:
        return _restart_sign_in(request)
    pending, user = loaded
    if not pending.enrolling:
        return redirect("accounts:otp-verify")
    device = staff_auth.enrolment_device(pending, user)
    if device is None:
        # Another sign-in of the same account started its own enrolment meanwhile.
        return _restart_sign_in(request)
    if staff_auth.is_locked_out(request, username=user.get_username()):
        staff_auth.pending_clear(request)
        return staff_auth.lockout_response(request)
    form = TOTPCodeForm(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        response = _code_step(request, pending, user, form, device)
        if response is not None:
            return response
    context = {
        "title": _("Activer la validation en deux étapes"),
        "form": form,
        "enrolment": staff_auth.enrolment_details(device),
    }
    return render(request, "accounts/otp_enrol.html", context)
