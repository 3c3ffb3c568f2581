import sys

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civiquest.accounts.access import public
from civiquest.core import health

# What an unreachable database raises (refused, timed out, pool exhausted, connection lost).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive. No I/O, so it stays cheap for the orchestrator's probes."""
    return JsonResponse({"status": "ok"})


@public
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = health.readiness()
    failed = sorted(name for name, problem in checks.items() if problem)
    body = {
        "status": "error" if failed else "ok",
        "checks": {name: ("error: " + problem if problem else "ok") for name, problem in checks.items()},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


@public
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"title": _("Déclaration d’accessibilité")})


@public
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html", {"title": _("Mentions légales")})


@public
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/personal_data.html", {"title": _("Données personnelles")})


@public
def sitemap(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sitemap.html", {"title": _("Plan du site")})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"title": _("Accès refusé")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"title": _("Page introuvable")}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke may be in a context processor or the session.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable()
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"title": _("Erreur inattendue")}), status=500)


def service_unavailable() -> HttpResponse:
    """503 "service temporairement indisponible", rendered without touching the database."""
    # Django's request log already records the error and its traceback.
    template = loader.get_template("503.html")
    response = HttpResponse(template.render({"title": _("Service temporairement indisponible")}), status=503)
    response["Retry-After"] = str(settings.CIVIQUEST_UNAVAILABLE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def too_large_message(limit_bytes: int) -> str:
    return _("Votre envoi dépasse la taille maximale acceptée, %(size)s.") % {"size": filesizeformat(limit_bytes)}


def request_too_large(limit_bytes: int) -> HttpResponse:
    """413: a body refused before it is read (rendered without the session or the database)."""
    template = loader.get_template("413.html")
    message = too_large_message(limit_bytes)
    response = HttpResponse(
        template.render({"title": _("Envoi trop volumineux"), "limit_message": message}), status=413
    )
    response["Cache-Control"] = "no-store"
    return response
