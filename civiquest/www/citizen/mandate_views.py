"""Trusted helpers: the citizen's mandates (give, revoke, read the journal), the helper's page
(their code, the mandates they hold, the quests and documents these open), a structure
manager's view of its helpers' mandates.

A mandate is read from the database at each request; anything not covered is a 404, the
same as a page that does not exist. Giving a mandate needs a FranceConnect
re-authentication of a few minutes, as the RGPD export and erasure do.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.oidc import session as oidc_session
from civiquest.accounts.oidc.views import reauthentication_start
from civiquest.actions.mandates import helper_code_get, helper_document_opened, mandate_grant, mandate_revoke
from civiquest.core import ratelimit
from civiquest.core.errors import ProcedureError
from civiquest.documents.responses import private_file_response
from civiquest.social.mandates import selectors
from civiquest.www.citizen.mandate_forms import MandateGrantForm

GRANTS_PER_HOUR = 10


def _reauthenticated(request: AuthenticatedHttpRequest) -> bool:
    return oidc_session.recently_authenticated(request.session, user_id=request.user.pk)


@role_required(Role.CITIZEN)
@require_GET
def mandates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The mandates the citizen gave, active first."""
    context = {
        "title": _("Mes aidants"),
        "mandates": selectors.mandates_given(citizen=request.user),
        "now": timezone.now(),
    }
    return render(request, "citizen/mandates/mandates.html", context)


def _prefill(request: AuthenticatedHttpRequest) -> dict[str, object]:
    """The form as the citizen filled it before the re-authentication (from the query string)."""
    initial: dict[str, object] = {}
    if code := request.GET.get("helper_code", "")[:12]:
        initial["helper_code"] = code
    if domains := request.GET.getlist("domains")[:10]:
        initial["domains"] = domains
    if days := request.GET.get("days", "")[:3]:
        initial["days"] = days
    return initial


@role_required(Role.CITIZEN)
@require_http_methods(["GET", "POST"])
def mandate_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give a mandate: the helper's code, the domains, the duration; confirmed after FranceConnect."""
    here = reverse("citizen:mandate-new")
    reauthenticated = _reauthenticated(request)
    form = MandateGrantForm(initial=_prefill(request))
    if request.method == "POST":
        form = MandateGrantForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if not reauthenticated:
                query = urlencode(
                    {"helper_code": data["helper_code"], "domains": data["domains"], "days": data["days"]},
                    doseq=True,
                )
                return reauthentication_start(request, next_url=f"{here}?{query}")
            try:
                ratelimit.check(
                    f"mandate-grant:{request.user.pk}",
                    limit=GRANTS_PER_HOUR,
                    window=3600,
                    message=_("Trop de mandats donnés en peu de temps : réessayez dans une heure."),
                )
                mandate = mandate_grant(
                    citizen=request.user, helper_code=data["helper_code"], domains=data["domains"], days=data["days"]
                )
            except ratelimit.RateLimited as error:
                form.add_error(None, error.message)
            except ProcedureError as error:
                form.add_error("helper_code", error.message)
            else:
                messages.success(
                    request,
                    _("Votre mandat est donné à %(name)s. Vous pouvez le révoquer à tout moment.")
                    % {"name": mandate.helper_name},
                )
                return redirect("citizen:mandates")
    context = {"title": _("Donner un mandat à un aidant"), "form": form, "reauthenticated": reauthenticated}
    return render(request, "citizen/mandates/new.html", context, status=400 if form.errors else 200)


@role_required(Role.CITIZEN)
@require_POST
def mandate_revoke_view(request: AuthenticatedHttpRequest, mandate_id: int) -> HttpResponse:
    """Either side ends the mandate at once."""
    mandate = selectors.mandate_of_either(user=request.user, mandate_id=mandate_id)
    if mandate is None:
        raise Http404
    mandate_revoke(mandate=mandate, by=request.user)
    messages.success(request, _("Le mandat est révoqué : il ne permet plus rien."))
    if mandate.citizen_id == request.user.pk:
        return redirect("citizen:mandates")
    return redirect("citizen:helper-space")


@role_required(Role.CITIZEN)
@require_GET
def mandate_journal(request: AuthenticatedHttpRequest, mandate_id: int) -> HttpResponse:
    """Everything done under a mandate, for the citizen who gave it."""
    mandate = selectors.mandate_given(citizen=request.user, mandate_id=mandate_id)
    if mandate is None:
        raise Http404
    context = {
        "title": _("Journal du mandat"),
        "mandate": mandate,
        "entries": selectors.mandate_journal(mandate),
        "now": timezone.now(),
    }
    return render(request, "citizen/mandates/journal.html", context)


@role_required(Role.CITIZEN)
@require_GET
def helper_space(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The helper's page: their code, the mandates they hold and what each opens."""
    now = timezone.now()
    context = {
        "title": _("Espace aidant"),
        "profile": selectors.helper_profile_of(request.user),
        "held": selectors.helper_space(helper=request.user, now=now),
        "structures": selectors.managed_structures(user=request.user),
        "now": now,
    }
    return render(request, "citizen/mandates/helper.html", context)


@role_required(Role.CITIZEN)
@require_POST
def helper_code(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create the helper's code, or replace it (``regenerate``): the old one stops working."""
    regenerate = request.POST.get("regenerate") == "1"
    profile = helper_code_get(user=request.user, regenerate=regenerate)
    messages.success(request, _("Votre code aidant : %(code)s") % {"code": profile.code})
    return redirect("citizen:helper-space")


@role_required(Role.CITIZEN)
@require_GET
def helper_document(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponseBase:
    """One of the citizen's documents, to a helper whose active mandate covers its domain; journaled."""
    found = selectors.helper_document(document_id=document_id, helper=request.user)
    if found is None:
        raise Http404
    try:
        helper_document_opened(helper=request.user, mandate=found.mandate, document=found.document)
    except ProcedureError as error:
        raise Http404 from error
    document = found.document
    return private_file_response(
        request, document.file, filename=document.original_filename, content_type=document.content_type
    )


@role_required(Role.CITIZEN)
@require_GET
def structure_mandates(request: AuthenticatedHttpRequest, structure_id: int) -> HttpResponse:
    """A structure's manager: its helpers' mandates (people, domains, dates, status; not their content)."""
    structure = selectors.managed_structure(user=request.user, structure_id=structure_id)
    if structure is None:
        raise Http404
    context = {
        "title": _("Mandats de la structure %(name)s") % {"name": structure.name},
        "structure": structure,
        "mandates": selectors.structure_mandates(structure=structure),
        "now": timezone.now(),
    }
    return render(request, "citizen/mandates/structure.html", context)
