from typing import Any

from django.contrib.auth.forms import AuthenticationForm

from civiquest.core.forms import BaseForm


class LoginForm(BaseForm, AuthenticationForm):
    """Local sign-in (username and password) in the design system's form layout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
