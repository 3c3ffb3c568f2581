import logging
import sys

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civiquest.accounts.access import public
from civiquest.core import csp, health, ratelimit
from civiquest.core.client_ip import client_ip
from civiquest.core.middleware import too_large_message

csp_logger = logging.getLogger("civiquest.csp")

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
@csrf_exempt
@require_POST
@never_cache
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post here what the content security policy blocked; each violation is logged.

    Anyone can post (a browser sends no cookie or token with a report), so the body is
    bounded, each client address may send a limited number per window, and what is logged is
    cut short and stripped of query strings.
    """
    try:
        ratelimit.check(
            f"csp:reports:{client_ip(request)}",
            limit=settings.CIVIQUEST_CSP_REPORT_RATE_LIMIT,
            window=settings.CIVIQUEST_CSP_REPORT_RATE_WINDOW_SECONDS,
            message=gettext_lazy("Trop de rapports en peu de temps : réessayez plus tard."),
        )
    except ratelimit.RateLimited as error:
        return ratelimit.too_many_requests(error)
    if request.content_type not in csp.REPORT_CONTENT_TYPES:
        return JsonResponse({"detail": _("Ce type de rapport n’est pas accepté.")}, status=415)
    limit = settings.CIVIQUEST_CSP_REPORT_MAX_BYTES
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"detail": too_large_message(limit)}, status=413)
    try:
        violations = csp.violations_from(raw, request.content_type)
    except csp.MalformedReport:
        return JsonResponse({"detail": _("Ce rapport de violation est illisible.")}, status=400)
    for violation in violations:
        csp_logger.warning(
            "CSP violation: %s blocked %s on %s",
            violation.directive,
            violation.blocked,
            violation.document_path,
            extra=violation.log_fields(),
        )
    return HttpResponse(status=204)


@public
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"title": _("Déclaration d’accessibilité")})


@public
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html", {"title": _("Mentions légales")})


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
