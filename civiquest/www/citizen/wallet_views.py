"""The document wallet pages: list, upload, delete (POST), download (owner only)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import documents as wallet_actions
from civiquest.core.errors import ProcedureError
from civiquest.documents.intake import DocumentRejected
from civiquest.documents.responses import private_file_response
from civiquest.documents.selectors import EXPIRY_WARNING_DAYS, document_of
from civiquest.quests.attachments import documents_of
from civiquest.www.citizen.wallet_forms import DocumentUploadForm


@role_required(Role.CITIZEN)
def documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's documents, with what expires and where each is used."""
    entries = documents_of(owner=request.user)
    return render(
        request,
        "citizen/documents/list.html",
        {"title": _("Mes documents"), "entries": entries, "warning_days": EXPIRY_WARNING_DAYS},
    )


@role_required(Role.CITIZEN)
def document_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.method == "POST":
        form = DocumentUploadForm(data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                document = wallet_actions.document_add(
                    owner=request.user,
                    file=form.cleaned_data["file"],
                    type=form.cleaned_data["type"],
                    title=form.cleaned_data["title"],
                    issued_on=form.cleaned_data["issued_on"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except DocumentRejected as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request, _("Le document « %(title)s » est ajouté à vos documents.") % {"title": document.title}
                )
                return redirect(next_url or "citizen:documents")
    else:
        form = DocumentUploadForm()
    return render(
        request,
        "citizen/documents/upload.html",
        {"title": _("Ajouter un document"), "form": form, "next_url": next_url},
    )


def _next_url(request: AuthenticatedHttpRequest) -> str:
    """Where to go back after the upload (a quest step that asked for the document), if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@role_required(Role.CITIZEN)
@require_POST
def document_delete(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = document_of(owner=request.user, document_id=document_id)
    if document is None:
        raise Http404
    try:
        wallet_actions.document_delete(document=document)
    except ProcedureError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le document « %(title)s » est supprimé.") % {"title": document.title})
    return redirect("citizen:documents")


@role_required(Role.CITIZEN)
def document_download(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponseBase:
    """The file itself, as an attachment, to its owner only (anybody else gets a 404)."""
    document = document_of(owner=request.user, document_id=document_id)
    if document is None:
        raise Http404
    return private_file_response(
        request,
        document.file,
        filename=document.original_filename,
        content_type=document.content_type,
    )
