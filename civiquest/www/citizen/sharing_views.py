"""Share links: "Mes partages", the create form, revoke, and the public page ``/partage/<token>/``.

The public page shows nothing personal: the procedure's documents and steps (titles of the
pinned revision, the owner's ticks only if chosen), a badge's definition or a level, and the
owner's pseudonym only if chosen — never a name, an answer, a document, a date or an id.
Revoked, expired and unknown links answer the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.actions import sharing as actions
from civiquest.catalogue.inputs import document_requirement_label
from civiquest.catalogue.models import StepKind
from civiquest.core.ratelimit import RateLimited
from civiquest.progress.badges import badge, badge_codes_of
from civiquest.progress.habits.selectors import game_visible_for
from civiquest.progress.selectors import badge_collection
from civiquest.progress.xp import level_of
from civiquest.quests.selectors import quests_of
from civiquest.social.selectors import pseudonym_of
from civiquest.social.sharing import selectors
from civiquest.social.sharing.models import ShareKind, ShareLink
from civiquest.social.sharing.services import ShareInvalid
from civiquest.www.citizen.sharing_forms import ShareCreateForm

PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


@dataclass
class SharedStep:
    title: str
    documents: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    conditional: bool = False
    done: bool | None = None


def share_url(request: HttpRequest, share: ShareLink) -> str:
    return request.build_absolute_uri(reverse("citizen:share-public", args=[share.token]))


def share_label(share: ShareLink) -> str:
    """What a link shares, for its owner."""
    if share.kind == ShareKind.CHECKLIST and share.quest is not None:
        return _("Liste : %(procedure)s") % {"procedure": share.quest.procedure.title}
    if share.kind == ShareKind.BADGE:
        found = badge(share.badge_code)
        return _("Badge : %(name)s") % {"name": found.name if found else share.badge_code}
    return _("Mon niveau")


def checklist_steps(share: ShareLink) -> list[SharedStep]:
    """The steps of the quest's pinned revision, titles only, from what ``share_by_token`` prefetched."""
    quest = share.quest
    if quest is None:
        return []
    done = {row.step_id for row in quest.progress.all()} if share.include_ticks else None
    steps = []
    for step in quest.revision.steps.all():
        if step.kind == StepKind.AGENT_REVIEW:
            continue
        documents = [document_requirement_label(str(code)) for code in step.document_types or []]
        items = [str(item) for item in step.checklist_items or [] if isinstance(item, str)]
        steps.append(
            SharedStep(
                title=step.title,
                documents=documents if step.kind == StepKind.DOCUMENTS else [],
                items=items if step.kind == StepKind.CHECKLIST else [],
                conditional=bool(step.condition),
                done=(step.pk in done) if done is not None else None,
            )
        )
    return steps


def _public_context(share: ShareLink) -> dict[str, Any]:
    context: dict[str, Any] = {"share": share, "kind": share.kind}
    if share.show_pseudonym:
        context["pseudonym"] = pseudonym_of(share.owner)
    if share.kind == ShareKind.CHECKLIST and share.quest is not None:
        context["procedure_title"] = share.quest.procedure.title
        context["steps"] = checklist_steps(share)
        context["documents"] = sorted({name for step in context["steps"] for name in step.documents})
        context["title"] = _("Liste partagée : %(procedure)s") % {"procedure": share.quest.procedure.title}
    elif share.kind == ShareKind.BADGE:
        context["badge"] = badge(share.badge_code)
        context["title"] = _("Badge partagé")
    else:
        context["level"] = level_of(share.owner)
        context["title"] = _("Niveau partagé")
    return context


@public
def share_public(request: HttpRequest, token: str) -> HttpResponse:
    share = selectors.share_by_token(token=token)
    if share is None:
        raise Http404
    if share.kind == ShareKind.BADGE and (
        badge(share.badge_code) is None or share.badge_code not in badge_codes_of(share.owner)
    ):
        raise Http404  # a badge withdrawn since (or no longer defined) is no longer shown
    actions.share_viewed(share=share, viewer=request.user)
    response = render(request, "citizen/sharing/public.html", _public_context(share))
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def _form(request: AuthenticatedHttpRequest, data: Any = None) -> ShareCreateForm:
    quests = [
        (str(quest.pk), quest.procedure.title) for group in quests_of(citizen=request.user) for quest in group.quests
    ]
    badges = (
        [(slot.badge.code, str(slot.badge.name)) for slot in badge_collection(citizen=request.user) if slot.earned]
        if game_visible_for(request.user)
        else []
    )
    initial = {"kind": request.GET.get("kind", ""), "quest": request.GET.get("quest", ""), "days": "30"}
    return ShareCreateForm(data, quests=quests, badges=badges, initial=initial)


@role_required(Role.CITIZEN)
def shares(request: AuthenticatedHttpRequest) -> HttpResponse:
    links = selectors.shares_of(owner=request.user)
    rows = [{"share": link, "label": share_label(link), "url": share_url(request, link)} for link in links]
    return render(
        request, "citizen/sharing/shares.html", {"title": _("Mes partages"), "rows": rows, "now": timezone.now()}
    )


@role_required(Role.CITIZEN)
def share_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                share = actions.share_create(
                    citizen=request.user,
                    kind=data["kind"],
                    quest_id=data.get("quest") or None,
                    badge_code=data.get("badge") or "",
                    include_ticks=bool(data.get("include_ticks")),
                    show_pseudonym=bool(data.get("show_pseudonym")),
                    days=int(data["days"]),
                )
            except (ShareInvalid, RateLimited) as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    _("Lien créé : %(url)s. Il n’affiche rien de personnel ; vous pouvez le révoquer à tout moment.")
                    % {"url": share_url(request, share)},
                )
                return redirect("citizen:shares")
        status = 400
    return render(request, "citizen/sharing/create.html", {"title": _("Partager"), "form": form}, status=status)


@role_required(Role.CITIZEN)
@require_POST
def share_revoke(request: AuthenticatedHttpRequest, share_id: int) -> HttpResponse:
    if actions.share_revoke(citizen=request.user, share_id=share_id) is None:
        raise Http404
    messages.success(request, _("Le lien est révoqué : il ne montre plus rien."))
    return redirect("citizen:shares")
