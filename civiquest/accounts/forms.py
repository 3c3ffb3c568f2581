import re
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from civiquest.accounts import staff_auth
from civiquest.core.forms import BaseForm

CODE_SEPARATORS = re.compile(r"[\s-]")
CODE_FORMAT = re.compile(r"\d{6}")


class LoginForm(BaseForm, AuthenticationForm):
    """Staff sign-in, first step (username and password) in the design system's form layout.

    Only active platform staff get through. Anyone else, even with the right password,
    gets the same error as a wrong password, and the attempt counts towards the lockout,
    so this form tells nothing about which accounts exist.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            user = authenticate(self.request, username=username, password=password)
            if user is None:
                # Django already told axes about this failure (user_login_failed).
                raise self.get_invalid_login_error()
            if not staff_auth.staff_may_sign_in(user):
                if self.request is not None:
                    staff_auth.failure_record(self.request, username=username)
                raise self.get_invalid_login_error()
            self.user_cache = user
        return self.cleaned_data


class TOTPCodeForm(BaseForm):
    """The 6-digit code of the staff member's authenticator app."""

    code = forms.CharField(
        label=_("Code de validation"),
        help_text=_("Les 6 chiffres affichés par votre application d’authentification, par exemple 123456."),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = CODE_SEPARATORS.sub("", self.cleaned_data["code"])
        if not CODE_FORMAT.fullmatch(code):
            raise forms.ValidationError(
                _("Saisissez les 6 chiffres du code, sans lettre ni autre caractère."), code="format"
            )
        return code
