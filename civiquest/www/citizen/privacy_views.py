"""The citizen's RGPD rights: their data page, the export, the erasure, and the public privacy page.

Export and erasure need a FranceConnect re-authentication of a few minutes
(``oidc.session.recently_authenticated``): without one, the action sends the citizen to
FranceConnect (``prompt=login``) and back to the same page.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.oidc import session as oidc_session
from civiquest.accounts.oidc.views import reauthentication_start
from civiquest.core.forms import BaseForm
from civiquest.documents.responses import private_file_response
from civiquest.privacy import data_map, selectors, services
from civiquest.privacy.models import ExportStatus


class ErasureConfirmForm(BaseForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("J’ai compris que la suppression de mon compte est définitive"),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la suppression de votre compte.")},
    )


def recently_authenticated(request: AuthenticatedHttpRequest) -> bool:
    return oidc_session.recently_authenticated(request.session, user_id=request.user.pk)


@role_required(Role.CITIZEN)
@require_GET
def privacy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Mes données": the exports asked for, and the ways to export or erase."""
    context = {
        "title": _("Mes données personnelles"),
        "exports": selectors.exports_of(request.user),
        "now": timezone.now(),
    }
    return render(request, "citizen/privacy/index.html", context)


@role_required(Role.CITIZEN)
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the ZIP of everything held: after a FranceConnect re-authentication."""
    here = reverse("citizen:privacy-export")
    if request.method == "POST":
        if not recently_authenticated(request):
            return reauthentication_start(request, next_url=here)
        services.data_export_request(citizen=request.user)
        messages.success(
            request,
            _("Votre export est en préparation. Vous serez prévenu dans vos notifications quand il sera prêt."),
        )
        return redirect("citizen:privacy")
    context = {"title": _("Télécharger mes données"), "reauthenticated": recently_authenticated(request)}
    return render(request, "citizen/privacy/export.html", context)


@role_required(Role.CITIZEN)
@require_GET
def export_download(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """The citizen's own ZIP, for 24 hours; someone else's is a 404, an expired one a 410."""
    data_export = selectors.export_of(request.user, public_id)
    if data_export is None:
        return render(request, "404.html", {"title": _("Page non trouvée")}, status=404)
    if data_export.is_expired() or data_export.status == ExportStatus.FAILED:
        context = {"title": _("Cet export n’est plus disponible")}
        return render(request, "citizen/privacy/export_gone.html", context, status=410)
    if data_export.status != ExportStatus.READY:
        messages.info(request, _("Votre export est encore en préparation : revenez dans quelques minutes."))
        return redirect("citizen:privacy")
    filename = f"civiquest-mes-donnees-{timezone.localtime(data_export.created_at):%Y-%m-%d}.zip"
    return private_file_response(request, data_export.file, filename=filename, content_type="application/zip")


@role_required(Role.CITIZEN)
@require_http_methods(["GET", "POST"])
def erase(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete the account: re-authenticate at FranceConnect, confirm, then everything goes at once."""
    here = reverse("citizen:privacy-erase")
    reauthenticated = recently_authenticated(request)
    form = ErasureConfirmForm()
    if request.method == "POST":
        if not reauthenticated:
            return reauthentication_start(request, next_url=here)
        form = ErasureConfirmForm(data=request.POST)
        if form.is_valid():
            try:
                services.citizen_erase(citizen=request.user)
            except services.ErasureRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(here)
            logout(request)
            return redirect("citizen:privacy-erased")
    context = {
        "title": _("Supprimer mon compte"),
        "reauthenticated": reauthenticated,
        "form": form,
        "categories": data_map.CATEGORIES,
    }
    return render(request, "citizen/privacy/erase.html", context, status=400 if form.errors else 200)


@public
@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    """Said after an erasure: the account is gone and the session closed."""
    return render(request, "citizen/privacy/erased.html", {"title": _("Votre compte a été supprimé")})


@public
@require_GET
def privacy_policy(request: HttpRequest) -> HttpResponse:
    """The public privacy page (``/confidentialite/``), written from the data map."""
    context = {"title": _("Données personnelles et confidentialité"), "categories": data_map.CATEGORIES}
    return render(request, "citizen/privacy/policy.html", context)


@public
@require_GET
def privacy_policy_moved(request: HttpRequest) -> HttpResponse:
    return redirect("footer-personal-data", permanent=True)
