"""How the JSON API answers bad input (400, with a French message a person can act on) and rate limits (429).

django-ninja answers a request that does not match the schema with 422 and pydantic's English
error list, and a few of its own errors in English. Every refusal of bad input in the API is
instead a 400 ``{"detail": "…", "errors": [{"field": "…", "message": "…"}]}``, like the
NUL-byte refusal of ``UnstorableInputMiddleware`` and the address API's parameter checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from civiquest.core.ratelimit import RateLimited, too_many_requests

BAD_INPUT_STATUS = 400
# Where ninja puts a parameter: not part of the name the caller knows.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "params"}


class FieldErrorOut(Schema):
    field: str
    message: str


class BadInputOut(Schema):
    """The 400 of every operation (declare it in ``response=`` so that the schema shows it)."""

    detail: str
    errors: list[FieldErrorOut] = []


def _field_name(location: Iterable[Any]) -> str:
    parts = [str(part) for part in location]
    while parts and parts[0] in _SOURCES:
        parts.pop(0)
    return ".".join(parts)


def _bound(context: Mapping[str, Any], *names: str) -> Any:
    return next((context[name] for name in names if name in context), "")


def error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (``type``, ``ctx``, ``msg``) in French."""
    kind = str(error.get("type", ""))
    context: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        # Our validators' messages, already translated.
        return str(context["error"])
    if kind == "missing":
        return _("Ce champ est obligatoire.")
    if kind == "string_too_long":
        return _("Ce texte est trop long : %(max)s caractères au plus.") % {"max": _bound(context, "max_length")}
    if kind == "string_too_short":
        return _("Ce texte est trop court : %(min)s caractères au moins.") % {"min": _bound(context, "min_length")}
    if kind == "too_long":
        return _("Trop d’éléments : %(max)s au plus.") % {"max": _bound(context, "max_length")}
    if kind == "too_short":
        return _("Pas assez d’éléments : %(min)s au moins.") % {"min": _bound(context, "min_length")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ce nombre doit valoir au moins %(min)s.") % {"min": _bound(context, "ge", "gt")}
    if kind in ("less_than_equal", "less_than"):
        return _("Ce nombre doit valoir au plus %(max)s.") % {"max": _bound(context, "le", "lt")}
    if kind.startswith("int_"):
        return _("Ce champ attend un nombre entier.")
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return _("Ce champ attend un nombre.")
    if kind.startswith("bool_"):
        return _("Ce champ attend true ou false.")
    if kind.startswith("string_"):
        return _("Ce champ attend un texte.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Ce champ attend une date au format AAAA-MM-JJ.")
    if kind in ("enum", "literal_error"):
        return _("Valeur inconnue : choisissez parmi %(expected)s.") % {"expected": _bound(context, "expected")}
    if kind == "list_type":
        return _("Ce champ attend une liste.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Ce champ attend un objet JSON.")
    if kind == "json_invalid":
        return _("Le corps de la requête n’est pas du JSON valide.")
    return _("Valeur invalide.")


def bad_input(errors: list[dict[str, str]]) -> BadInputOut:
    """A summary sentence, then each field and its problem."""
    listed = " ; ".join(
        f"{item['field']} : {item['message']}" if item["field"] else item["message"] for item in errors
    )
    return BadInputOut(
        detail=_("Requête invalide : %(errors)s") % {"errors": listed},
        errors=[FieldErrorOut(**item) for item in errors],
    )


def bad_input_response(api: NinjaAPI, request: HttpRequest, errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(request, bad_input(errors).dict(), status=BAD_INPUT_STATUS)


def _validation_error(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    errors = [{"field": _field_name(error.get("loc", ())), "message": error_message(error)} for error in exc.errors]
    return bad_input_response(api, request, errors)


def _http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    # ninja's own messages are English; ours (raised by the views) are already translated.
    known = {
        "Cannot parse request body": _("Le corps de la requête n’est pas du JSON valide."),
        "CSRF check Failed": _("Jeton CSRF absent ou invalide : rechargez la page et réessayez."),
    }
    message = str(exc)
    if isinstance(exc, AuthenticationError) or message == "Unauthorized":
        message = _("Connectez-vous pour utiliser ce service.")
    else:
        message = known.get(message.split(" (", 1)[0], message)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


def _rate_limited(request: HttpRequest, exc: RateLimited | type[RateLimited]) -> HttpResponse:
    if not isinstance(exc, RateLimited):  # ninja hands over the exception raised; its type also admits the class
        raise TypeError(exc)
    return too_many_requests(exc)


def install(api: NinjaAPI) -> None:
    """Answer bad input, rate limits and ninja's own errors the project's way (French, 400 for bad input).

    An operation over a rate limit (``civiquest.core.ratelimit.check``) is a 429 with ``Retry-After``.
    """
    api.add_exception_handler(ValidationError, partial(_validation_error, api=api))
    api.add_exception_handler(HttpError, partial(_http_error, api=api))
    api.add_exception_handler(RateLimited, _rate_limited)
